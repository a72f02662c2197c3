//! Rebuilds over an earlier output: a year whose input did not change is
//! kept from the previous build instead of rendered, and whatever was edited,
//! the folder a rebuild leaves is byte for byte what a clean build writes.

use std::fs;
use std::path::{Path, PathBuf};

use crate::common::*;
use ecoscore::fixture::{write_fixture, FixtureOptions};
use ecoscore::site::{KeptYears, Options, Site};
use proptest::prelude::*;

const FIRST_YEAR: u16 = 2021;
const YEARS: usize = 3;
const UNITS: usize = 6;

fn fixture(seed: u64) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let options = FixtureOptions {
        units: UNITS,
        years: YEARS,
        seed,
        first_year: FIRST_YEAR,
    };
    write_fixture(dir.path(), &repo().join("themes/default"), options).unwrap();
    dir
}

/// The fixture of `seed` built once into `<outputs>/public`: the project,
/// the folder of outputs and the output.
fn built(seed: u64) -> (tempfile::TempDir, tempfile::TempDir, PathBuf) {
    let project = fixture(seed);
    let outputs = tempfile::tempdir().unwrap();
    let out = outputs.path().join("public");
    build(project.path(), &out).success();
    (project, outputs, out)
}

fn build(root: &Path, out: &Path) -> Output {
    Test::new()
        .root(root)
        .args(["--verbose", "build", "--drafts", "--out"])
        .arg(out)
        .run()
}

/// One edit a user makes between two builds.
#[derive(Debug, Clone)]
enum Edit {
    /// A unit's satisfaction result in a year, to a value in tenths.
    Result {
        year: usize,
        unit: usize,
        tenths: u16,
    },
    /// A sentence added to a unit's narrative (the file made if missing).
    Narrative { year: usize, unit: usize },
    /// A unit's narrative deleted.
    DeleteNarrative { year: usize, unit: usize },
    /// The scorecard template's heading changed (or changed back).
    Template,
    /// The scorecard template made to list every unit's score (or not):
    /// each scorecard then depends on every row of its year.
    TemplateListsUnits,
    /// A unit's results made the year before's (a "same as last year"
    /// warning in that year, which an edit of the year before takes away).
    CopyYearBefore { year: usize, unit: usize },
}

fn unit_id(unit: usize) -> String {
    format!("u{:05}", unit + 1)
}

fn year(index: usize) -> u16 {
    FIRST_YEAR + index as u16
}

impl Edit {
    fn apply(&self, root: &Path) {
        match *self {
            Edit::Result {
                year: y,
                unit,
                tenths,
            } => {
                let path = root.join(format!("data/{}/results/{}.yaml", year(y), unit_id(unit)));
                let text = fs::read_to_string(&path).unwrap();
                let value = format!("satisfaction: {}.{}", tenths / 10, tenths % 10);
                let edited: Vec<String> = text
                    .lines()
                    .map(|l| match l.starts_with("satisfaction:") {
                        true => value.clone(),
                        false => l.to_string(),
                    })
                    .collect();
                fs::write(&path, edited.join("\n") + "\n").unwrap();
            }
            Edit::Narrative { year: y, unit } => {
                let path = root.join(format!("content/{}/regions/{}.md", year(y), unit_id(unit)));
                fs::create_dir_all(path.parent().unwrap()).unwrap();
                let mut text = fs::read_to_string(&path).unwrap_or_default();
                text.push_str("\n补充说明：整改任务已按期完成。\n");
                fs::write(&path, text).unwrap();
            }
            Edit::DeleteNarrative { year: y, unit } => {
                let path = root.join(format!("content/{}/regions/{}.md", year(y), unit_id(unit)));
                let _ = fs::remove_file(path);
            }
            Edit::Template => {
                // Back and forth, so the edit can be made again.
                let path = root.join("themes/default/templates/scorecard.html");
                let text = fs::read_to_string(&path).unwrap();
                let (plain, revised) = ("年度考核结果</h1>", "年度考核结果（修订）</h1>");
                let edited = match text.contains(revised) {
                    true => text.replace(revised, plain),
                    false => text.replace(plain, revised),
                };
                assert_ne!(edited, text, "the scorecard heading is in the template");
                fs::write(&path, edited).unwrap();
            }
            Edit::CopyYearBefore { year: y, unit } => {
                let (before, now) = (year(y.saturating_sub(1)), year(y));
                let results =
                    |y: u16| root.join(format!("data/{y}/results/{}.yaml", unit_id(unit)));
                let text = fs::read_to_string(results(before)).unwrap();
                let copy = text.replace(&format!("year: {before}"), &format!("year: {now}"));
                fs::write(results(now), copy).unwrap();
            }
            Edit::TemplateListsUnits => {
                let path = root.join("themes/default/templates/scorecard.html");
                let text = fs::read_to_string(&path).unwrap();
                let list = "</h1><ol>{% for r in year.units %}<li>{{ r.name }} {{ r.total }}</li>{% endfor %}</ol>";
                let edited = match text.contains(list) {
                    true => text.replacen(list, "</h1>", 1),
                    false => text.replacen("</h1>", list, 1),
                };
                fs::write(&path, edited).unwrap();
            }
        }
    }
}

fn an_edit() -> impl Strategy<Value = Edit> {
    prop_oneof![
        4 => (0..YEARS, 0..UNITS, 700..950u16)
            .prop_map(|(year, unit, tenths)| Edit::Result { year, unit, tenths }),
        2 => (0..YEARS, 0..UNITS).prop_map(|(year, unit)| Edit::Narrative { year, unit }),
        1 => (0..YEARS, 0..UNITS).prop_map(|(year, unit)| Edit::DeleteNarrative { year, unit }),
        1 => Just(Edit::Template),
        1 => Just(Edit::TemplateListsUnits),
        2 => (1..YEARS, 0..UNITS).prop_map(|(year, unit)| Edit::CopyYearBefore { year, unit }),
    ]
}

/// The years a verbose build names in its line `<before>2021, 2022<after>`.
fn years_said(output: &Output, before: &str, after: &str) -> Vec<u16> {
    output
        .stderr
        .lines()
        .find_map(|l| l.strip_prefix(before))
        .and_then(|l| l.split_once(after))
        .map(|(years, _)| years.split(", ").map(|y| y.parse().unwrap()).collect())
        .unwrap_or_default()
}

/// The years a verbose build says it kept from the previous output.
fn kept(output: &Output) -> Vec<u16> {
    years_said(output, "kept the pages of ", " from the previous build")
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(6))]

    /// Build, edit, rebuild over the output, and compare with a clean build
    /// of the same input, after every edit.
    #[test]
    fn a_rebuild_after_edits_is_byte_identical_to_a_clean_build(
        seed in 1..1000u64,
        edits in proptest::collection::vec(an_edit(), 1..=3),
    ) {
        let (project, outputs, out) = built(seed);
        let root = project.path();
        // As serve builds: in process, the validated years kept between
        // builds, so only the years from the first one edited are loaded.
        let years = KeptYears::new();
        let held = outputs.path().join("held");
        let options = Options { drafts: true, pdf: false };
        let keeping = || Site::new(root, &options).keep_years(&years).build(&held);
        keeping().unwrap();
        for (n, edit) in edits.iter().enumerate() {
            edit.apply(root);
            // Over the last output, with the years the last build validated
            // (the project's cache folder).
            let rebuilt = build(root, &out).success();
            // Clean: a new folder, and every year validated again.
            forget_validated_years(root);
            let clean = outputs.path().join(format!("clean-{n}"));
            let fresh = build(root, &clean).success();
            prop_assert!(
                read_tree(&out) == read_tree(&clean),
                "after {edit:?} the rebuild differs from a clean build"
            );
            prop_assert!(validated_before(&fresh).is_empty());
            if !up_to_date(&rebuilt) {
                prop_assert_eq!(
                    reported(&rebuilt),
                    reported(&fresh),
                    "after {:?} the rebuild reports otherwise than a clean build", edit
                );
            }
            let summary = keeping().unwrap();
            prop_assert!(
                read_tree(&held) == read_tree(&clean),
                "after {edit:?} the build keeping years differs from a clean build"
            );
            if summary.reused.is_none() {
                let checked = Site::new(root, &options).check().unwrap();
                prop_assert_eq!(
                    summary.warnings.render(false),
                    checked.warnings.render(false),
                    "after {:?}, {} years kept", edit, years.used()
                );
            }
            // What may be kept: the years before the first one edited.
            let first_edited = match edit {
                Edit::Result { year: y, .. }
                | Edit::Narrative { year: y, .. }
                | Edit::DeleteNarrative { year: y, .. }
                | Edit::CopyYearBefore { year: y, .. } => year(*y),
                Edit::Template | Edit::TemplateListsUnits => FIRST_YEAR,
            };
            prop_assert!(kept(&rebuilt).iter().all(|&y| y < first_edited), "{:?}", kept(&rebuilt));
            // The years before the first one edited are not validated again:
            // the clean build before this edit left them in the cache folder.
            if !up_to_date(&rebuilt) {
                let expected: Vec<u16> = (FIRST_YEAR..first_edited).collect();
                prop_assert_eq!(validated_before(&rebuilt), expected, "after {:?}", edit);
            }
        }
    }
}

/// Whether a build found nothing changed (and reported nothing again).
fn up_to_date(output: &Output) -> bool {
    output.stdout.starts_with("up to date") || output.stderr.starts_with("up to date")
}

/// The years a verbose build says it took validated from the last build.
fn validated_before(output: &Output) -> Vec<u16> {
    years_said(output, "took the validation of ", " from the last build")
}

/// What a build reported of the input: its warnings, without the lines
/// that say what it rendered and kept.
fn reported(output: &Output) -> String {
    let said = ["load ", "kept ", "took ", "built "];
    output
        .stderr
        .lines()
        .filter(|l| !said.iter().any(|s| l.starts_with(s)))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Remove the years the last build validated, so the next one validates
/// every year.
fn forget_validated_years(root: &Path) {
    match fs::remove_dir_all(root.join(".ecoscore-cache")) {
        Ok(()) => {}
        Err(e) => assert_eq!(e.kind(), std::io::ErrorKind::NotFound, "{e}"),
    }
}

/// How many single pages a verbose build says it kept in the years it
/// rendered again and among the site-wide pages.
fn kept_pages(output: &Output) -> usize {
    output
        .stderr
        .lines()
        .find_map(|l| l.strip_prefix("kept ")?.split_once(" unchanged page"))
        .map_or(0, |(n, _)| n.parse().unwrap())
}

/// Add a sentence to the third unit's narrative in the latest year and
/// rebuild over `out`: a narrative is on its unit's scorecard only, so
/// every other scorecard and every unit's page is kept.
fn rebuild_after_a_narrative_edit(root: &Path, out: &Path) {
    Edit::Narrative {
        year: YEARS - 1,
        unit: 2,
    }
    .apply(root);
    let rebuilt = build(root, out).success();
    assert_eq!(kept_pages(&rebuilt), 2 * UNITS - 1, "{}", rebuilt.stderr);
}

/// Within the edited year, a scorecard whose view did not change is kept
/// (not rendered, the same file), and one whose rank moved is rendered; the
/// same for each unit's page across years.
#[cfg(unix)]
#[test]
fn an_edit_of_one_unit_keeps_the_scorecards_whose_view_did_not_change() {
    use std::os::unix::fs::MetadataExt;
    let (project, outputs, out) = built(7);
    let root = project.path();
    let latest = year(YEARS - 1);
    // Each unit's scorecard of the latest year, then each unit's page.
    let page = |p: usize| match p < UNITS {
        true => out.join(format!("{latest}/regions/{}/index.html", unit_id(p))),
        false => out.join(format!("regions/{}/index.html", unit_id(p - UNITS))),
    };
    // Bytes, inode and change time: a page kept is not even linked again
    // (a rebuild updates the folder where it stands).
    let pages = || -> Vec<(Vec<u8>, (u64, i64, i64))> {
        (0..2 * UNITS)
            .map(|p| {
                let meta = fs::metadata(page(p)).unwrap();
                let file = (meta.ino(), meta.ctime(), meta.ctime_nsec());
                (fs::read(page(p)).unwrap(), file)
            })
            .collect()
    };

    // A narrative is one unit's own, on its scorecard only: every other
    // page is kept.
    let before = pages();
    rebuild_after_a_narrative_edit(root, &out);
    assert!(
        read(&out, &format!("{latest}/regions/u00003/index.html")).contains("整改任务已按期完成")
    );
    for (p, file) in pages().iter().enumerate().filter(|(p, _)| *p != 2) {
        assert_eq!(file, &before[p], "page {p} is the same file");
    }

    // A result that moves the unit to the top shifts the ranks below it:
    // exactly the pages that changed are rendered, the rest kept.
    let before = pages();
    Edit::Result {
        year: YEARS - 1,
        unit: 2,
        tenths: 999,
    }
    .apply(root);
    let rebuilt = build(root, &out).success();
    let after = pages();
    let changed: Vec<usize> = (0..2 * UNITS)
        .filter(|&p| after[p].0 != before[p].0)
        .collect();
    let cards = changed.iter().filter(|&&p| p < UNITS).count();
    assert!(cards >= 2 && changed.contains(&2), "{changed:?}");
    assert_eq!(
        kept_pages(&rebuilt),
        2 * UNITS - changed.len(),
        "{}",
        rebuilt.stderr
    );
    for p in (0..2 * UNITS).filter(|p| !changed.contains(p)) {
        assert_eq!(after[p].1, before[p].1, "page {p} is the same file");
    }
    let clean = outputs.path().join("clean");
    build(root, &clean).success();
    assert!(read_tree(&out) == read_tree(&clean));
    // The stamp lists the updated folder from what moved, as a walk of it
    // lists it: the next build finds nothing changed.
    build(root, &out).stdout_contains("up to date");

    // A template that lists every unit's score makes every scorecard depend
    // on every row: an edit of one unit then renders them all.
    Edit::TemplateListsUnits.apply(root);
    build(root, &out).success();
    let before = pages();
    Edit::Result {
        year: YEARS - 1,
        unit: 4,
        tenths: 701,
    }
    .apply(root);
    let rebuilt = build(root, &out).success();
    let after = pages();
    let unchanged = (0..2 * UNITS)
        .filter(|&p| after[p].0 == before[p].0)
        .count();
    assert!(
        (0..UNITS).all(|p| after[p].0 != before[p].0),
        "every scorecard lists the edit"
    );
    assert_eq!(kept_pages(&rebuilt), unchanged, "{}", rebuilt.stderr);
    let clean = outputs.path().join("clean-list");
    build(root, &clean).success();
    assert!(read_tree(&out) == read_tree(&clean));
}

/// Editing the latest year keeps every earlier one: their pages are not
/// rendered again, only linked from the previous output (same inode).
#[cfg(unix)]
#[test]
fn an_edit_of_the_latest_year_keeps_the_earlier_years_pages() {
    use std::os::unix::fs::MetadataExt;
    let (project, _outputs, out) = built(7);
    let root = project.path();
    let page = |y: u16| out.join(format!("{y}/regions/u00001/index.html"));
    let before: Vec<u64> = (0..YEARS)
        .map(|y| fs::metadata(page(year(y))).unwrap().ino())
        .collect();
    let latest = year(YEARS - 1);
    Edit::Result {
        year: YEARS - 1,
        unit: 2,
        tenths: 812,
    }
    .apply(root);
    let rebuilt = build(root, &out).success();
    assert_eq!(
        kept(&rebuilt),
        (0..YEARS - 1).map(year).collect::<Vec<_>>(),
        "{}",
        rebuilt.stderr
    );
    let scorecard = read(&out, &format!("{latest}/regions/u00003/index.html"));
    assert!(
        scorecard.contains("81.2"),
        "the edited year is rendered again"
    );
    for (y, inode) in before.iter().enumerate().take(YEARS - 1) {
        assert_eq!(fs::metadata(page(year(y))).unwrap().ino(), *inode);
    }

    // A theme edit reaches every year: nothing is kept.
    Edit::Template.apply(root);
    let rebuilt = build(root, &out).success();
    assert!(kept(&rebuilt).is_empty(), "{}", rebuilt.stderr);
    assert!(read(&out, &format!("{}/regions/u00001/index.html", year(0))).contains("（修订）"));

    // An output changed by hand is never trusted: a full render, and the
    // hand edit is gone.
    fs::write(page(year(0)), "edited by hand").unwrap();
    Edit::Result {
        year: YEARS - 1,
        unit: 2,
        tenths: 799,
    }
    .apply(root);
    let rebuilt = build(root, &out).success();
    assert!(kept(&rebuilt).is_empty(), "{}", rebuilt.stderr);
    assert!(read(&out, &format!("{}/regions/u00001/index.html", year(0))).contains("（修订）"));
}

/// Each unit's part of each year in its page across years, as the stamp
/// records it under the year's key (`render/unit_parts.rs`).
fn unit_parts(out: &Path) -> Vec<(String, Vec<String>)> {
    let built = ecoscore::stamp::read(out).unwrap().build.unwrap();
    built
        .years
        .values()
        .map(|files| {
            let parts = files.units.as_bytes().chunks(64);
            let parts = parts.map(|p| String::from_utf8(p.to_vec()).unwrap());
            (files.key.clone(), parts.collect())
        })
        .collect()
}

/// An edit of an earlier year changes its key and every later one's: the
/// units' pages across years build the parts of those years again instead
/// of taking them from the stamp, and the page of the unit edited is
/// rendered again, as a clean build writes it.
#[test]
fn an_edit_of_an_earlier_year_renders_the_unit_pages_it_changed() {
    let (project, outputs, out) = built(7);
    let root = project.path();
    let before = unit_parts(&out);
    assert_eq!(before.len(), YEARS, "every year's parts are recorded");
    assert!(before.iter().all(|(_, parts)| parts.len() == UNITS));
    let page = "regions/u00003/index.html";
    let page_before = read(&out, page);

    Edit::Result {
        year: 1,
        unit: 2,
        tenths: 712,
    }
    .apply(root);
    build(root, &out).success();
    let after = unit_parts(&out);
    assert_eq!(after[0], before[0], "the first year's parts are kept");
    assert_ne!(after[1].0, before[1].0, "the edited year has another key");
    assert_ne!(after[1].1[2], before[1].1[2], "the edited unit's part");
    assert_ne!(read(&out, page), page_before, "rendered again");
    let clean = outputs.path().join("clean");
    build(root, &clean).success();
    assert_eq!(read(&out, page), read(&clean, page));
    assert!(read_tree(&out) == read_tree(&clean));
    assert_eq!(unit_parts(&clean), after, "the parts are the input's");
}

/// A year whose key is unchanged has its parts taken from the stamp, not
/// built from its views: parts changed in the stamp by hand make every
/// unit's page across years differ from what it was rendered from, so each
/// is rendered again, where the same edit otherwise keeps them all.
#[test]
fn a_rebuild_takes_the_parts_of_the_years_whose_key_is_unchanged_from_the_stamp() {
    let (project, outputs, out) = built(7);
    let root = project.path();
    rebuild_after_a_narrative_edit(root, &out);

    let mut stamp = ecoscore::stamp::read(&out).unwrap();
    let built = stamp.build.as_mut().unwrap();
    let first = built.years.get_mut(&year(0)).unwrap();
    assert_eq!(first.units.len(), UNITS * 64);
    first.units = "0".repeat(UNITS * 64);
    ecoscore::stamp::write(&out, &stamp).unwrap();
    Edit::Narrative {
        year: YEARS - 1,
        unit: 2,
    }
    .apply(root);
    let rebuilt = build(root, &out).success();
    assert_eq!(kept_pages(&rebuilt), UNITS - 1, "{}", rebuilt.stderr);
    let clean = outputs.path().join("clean");
    build(root, &clean).success();
    assert!(read_tree(&out) == read_tree(&clean));
}

/// A build without `--drafts` and one with it validate the same files
/// under other year keys: each keeps its own validated years, and neither
/// removes the other's, wherever their outputs go.
#[test]
fn builds_with_and_without_drafts_keep_their_own_validated_years() {
    let (project, outputs, drafts) = built(7);
    let root = project.path();
    let public = |name: &str| {
        Test::new()
            .root(root)
            .args(["--verbose", "build", "--out"])
            .arg(outputs.path().join(name))
            .run()
            .success()
    };
    let first = public("public-1");
    assert_eq!(validated_before(&first), Vec::<u16>::new());
    Edit::Result {
        year: YEARS - 1,
        unit: 2,
        tenths: 812,
    }
    .apply(root);
    let earlier: Vec<u16> = (0..YEARS - 1).map(year).collect();
    // Each takes the years before the edited one from its own last build.
    let with_drafts = build(root, &drafts).success();
    assert_eq!(
        validated_before(&with_drafts),
        earlier,
        "{}",
        with_drafts.stderr
    );
    let without = public("public-2");
    assert_eq!(validated_before(&without), earlier, "{}", without.stderr);
    for folder in ["years", "years-drafts"] {
        let stored = fs::read_dir(root.join(".ecoscore-cache").join(folder)).unwrap();
        assert_eq!(
            stored.count(),
            YEARS,
            "{folder}: one file a year, older keys removed"
        );
    }
}
