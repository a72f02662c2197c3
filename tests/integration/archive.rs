//! End-to-end tests of `ecoscore archive` and `ecoscore verify`, and of how
//! `build` and `check` treat archived years. Each test runs the real binary
//! on a copy of the sample project; most start from the sample without its
//! shipped archives, so they archive a year themselves.

use std::collections::BTreeMap;
use std::fs;
use std::path::Path;
use std::process::Command;

use crate::common::*;
use serde_json::Value;

type Tree = BTreeMap<String, Vec<u8>>;

fn build(root: &Path, out: &Path) -> Output {
    Test::new()
        .root(root)
        .arg("build")
        .arg("--out")
        .arg(out)
        .run()
}

fn archive(root: &Path, args: &[&str]) -> Output {
    Test::new().root(root).arg("archive").args(args).run()
}

fn verify(root: &Path) -> Output {
    Test::new().root(root).arg("verify").run()
}

/// The files of `tree` under `prefix`, with the prefix kept.
fn under(tree: &Tree, prefix: &str) -> Tree {
    tree.iter()
        .filter(|(path, _)| path.starts_with(prefix))
        .map(|(p, b)| (p.clone(), b.clone()))
        .collect()
}

fn metadata(root: &Path, dir: &str) -> Value {
    serde_json::from_str(&read(root, &format!("{dir}/ARCHIVE.json"))).unwrap()
}

fn sha256sum_check(dir: &Path) -> std::process::Output {
    Command::new("sha256sum")
        .args(["--check", "--strict", "MANIFEST.sha256"])
        .current_dir(dir)
        .output()
        .expect("run sha256sum")
}

#[test]
fn archive_freezes_exactly_what_the_build_publishes() {
    let project = unarchived_sample_project();
    let root = project.path();
    let dir = tempfile::tempdir().unwrap();
    let before = dir.path().join("before");
    build(root, &before).success();

    archive(root, &["--year", "2023"])
        .success()
        .stdout_contains("archived 2023 (revision 1, 2024-04-28)");
    let archived = read_tree(&root.join("archive/2023"));
    // The pages: exactly public/2023/, at their public paths under site/.
    let pages: Tree = under(&archived, "site/")
        .into_iter()
        .map(|(p, b)| (p["site/".len()..].to_string(), b))
        .collect();
    assert_eq!(pages, under(&read_tree(&before), "2023/"));
    // The input: site-level files, years up to 2023, pages, the theme; nothing later.
    for path in [
        "input/site.yaml",
        "input/data/regions.yaml",
        "input/data/indicators.yaml",
        "input/data/2021/rules.yaml",
        "input/data/2023/results/tonghua.yaml",
        "input/content/2022/bulletin.md",
        "input/content/2023/regions/changbaishan.md",
        "input/content/pages/about.md",
        "input/themes/default/templates/base.html",
        "input/themes/default/static/style.css",
    ] {
        assert!(archived.contains_key(path), "{path} is not archived");
    }
    assert!(
        !archived
            .keys()
            .any(|p| p.starts_with("input/data/2024") || p.starts_with("input/data/2025")),
        "later years are not part of 2023's input"
    );
    assert_eq!(
        archived["input/data/2023/results/tonghua.yaml"],
        fs::read(root.join("data/2023/results/tonghua.yaml")).unwrap()
    );

    // The manifest covers every file and sha256sum accepts it.
    let manifest = read(root, "archive/2023/MANIFEST.sha256");
    let listed: Vec<&str> = manifest.lines().map(|l| &l[66..]).collect();
    let mut sorted = listed.clone();
    sorted.sort();
    assert_eq!(listed, sorted, "manifest lines are sorted by path");
    let covered: Vec<&str> = archived
        .keys()
        .map(String::as_str)
        .filter(|p| *p != "MANIFEST.sha256" && *p != "ARCHIVE.json")
        .collect();
    assert_eq!(listed, covered);
    let check = sha256sum_check(&root.join("archive/2023"));
    assert!(check.status.success(), "{check:?}");

    // The record: year, date from the bulletin, version, digest of the manifest.
    let meta = metadata(root, "archive/2023");
    assert_eq!(meta["year"], 2023);
    assert_eq!(meta["revision"], 1);
    assert_eq!(meta["archived_on"], "2024-04-28");
    assert_eq!(meta["ecoscore"], env!("CARGO_PKG_VERSION"));
    assert_eq!(meta["files"], covered.len());
    let digest = Command::new("sha256sum")
        .arg("MANIFEST.sha256")
        .current_dir(root.join("archive/2023"))
        .output()
        .unwrap();
    let digest = String::from_utf8(digest.stdout).unwrap();
    assert_eq!(meta["manifest_sha256"].as_str().unwrap(), &digest[..64]);
}

#[test]
fn archived_year_is_unchanged_by_later_theme_and_data_changes() {
    let project = unarchived_sample_project();
    let root = project.path();
    let dir = tempfile::tempdir().unwrap();
    archive(root, &["--year", "2023", "--date", "2024-05-06"]).success();
    let first = dir.path().join("first");
    build(root, &first)
        .success()
        .stdout_contains("(2023 copied from archive/)");
    let first_tree = read_tree(&first);

    // Change the theme (a template and the stylesheet) and 2023's data: with
    // satisfaction 0 通化市 would drop from 97.05 to 83.50.
    edit(
        root,
        "themes/default/templates/base.html",
        "<main id=\"main\" class=\"wrap\">",
        "<main id=\"main\" class=\"wrap\" data-theme=\"v2\">",
    );
    append(
        root,
        "themes/default/static/style.css",
        "main { color: #000; }\n",
    );
    edit(
        root,
        "data/2023/results/tonghua.yaml",
        "satisfaction: 90.3",
        "satisfaction: 0",
    );
    let second = dir.path().join("second");
    let output = build(root, &second).success();
    let second_tree = read_tree(&second);

    // Every file of 2023 is byte-identical; a live year follows the theme.
    assert_eq!(
        under(&first_tree, "2023/"),
        under(&second_tree, "2023/"),
        "an archived year changed"
    );
    assert!(read(&second, "2024/index.html").contains("data-theme=\"v2\""));
    assert!(!read(&second, "2023/index.html").contains("data-theme=\"v2\""));

    // The build says what differs from the archive, file by file.
    for needle in [
        "data/2023/results/tonghua.yaml: changed since 2023 was archived",
        "themes/default/templates/base.html: changed since 2023 was archived",
        "themes/default/static/style.css: changed since 2023 was archived",
    ] {
        assert!(
            output.stderr.contains(needle),
            "{needle}:\n{}",
            output.stderr
        );
    }
    let check = Test::new().root(root).arg("check").run().success();
    assert!(
        check.stderr.contains("data/2023/results/tonghua.yaml"),
        "check warns too:\n{}",
        check.stderr
    );

    // Site-wide pages show 2023 as published, from the archived input …
    let tonghua = read(&second, "regions/tonghua/index.html");
    assert!(
        tonghua.contains("97.05"),
        "unit page shows the published total"
    );
    assert!(
        !tonghua.contains("83.50"),
        "unit page shows the changed data"
    );
    let index = read(&second, "index.html");
    assert!(
        index.contains("2024年5月6日存档"),
        "home marks 2023 archived"
    );
    // … and the archive index gives the date and the manifest digest.
    let digest = metadata(root, "archive/2023")["manifest_sha256"]
        .as_str()
        .unwrap()
        .to_string();
    let archive_page = read(&second, "archive/index.html");
    assert!(archive_page.contains(&digest), "{archive_page}");
    assert!(archive_page.contains("2024年5月6日"));
    assert!(archive_page.contains("未存档"), "2024 is not archived");
    let feed = read(&second, "feed.xml");
    assert!(feed.contains(&digest));
}

#[test]
fn verify_passes_on_a_fresh_archive_and_names_every_tampered_file() {
    let project = unarchived_sample_project();
    let root = project.path();
    archive(root, &["--year", "2022"]).success();
    archive(root, &["--year", "2023"]).success();
    verify(root)
        .success()
        .stdout_contains("archive/2022")
        // 21 pages, charts and data files (a scorecard's charts are gauges in
        // its page), projects.csv and the two investment charts, the method
        // page, and the year's copy of the five static files
        .stdout_contains("rebuild: byte-identical (32 files")
        .stdout_contains("verified 2 archives: intact");

    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("public");
    build(root, &out).success();
    let published = read_tree(&out);

    append(
        root,
        "archive/2023/site/2023/regions/tonghua/index.html",
        "<!-- edited -->",
    );
    fs::remove_file(root.join("archive/2023/input/data/2023/results/jilin.yaml")).unwrap();
    fs::write(root.join("archive/2023/site/2023/extra.html"), "x").unwrap();
    let output = verify(root).failure();
    for needle in [
        "archive/2023/site/2023/regions/tonghua/index.html: modified",
        "archive/2023/input/data/2023/results/jilin.yaml: missing",
        "archive/2023/site/2023/extra.html: added",
    ] {
        let flat = output.stderr.replace("\n  │ ", " ");
        assert!(flat.contains(needle), "{needle}:\n{}", output.stderr);
    }
    assert!(
        output.stdout.contains("manifest: 3 differences"),
        "{}",
        output.stdout
    );
    assert!(
        !output.stderr.contains("archive/2022/"),
        "the intact archive is not blamed"
    );

    // A build never publishes a tampered archive, and leaves the output as it was.
    build(root, &out)
        .failure()
        .stderr_contains("archive/2023/site/2023/regions/tonghua/index.html");
    assert!(read_tree(&out) == published);
}

#[test]
fn verify_rebuild_catches_pages_that_the_archived_input_does_not_produce() {
    let project = unarchived_sample_project();
    let root = project.path();
    archive(root, &["--year", "2023"]).success();
    // A consistent forgery: page, manifest and record all rewritten, so only
    // rebuilding from the archived input can tell.
    let page = "site/2023/regions/tonghua/index.html";
    let dir = root.join("archive/2023");
    let forged = read(&dir, page).replace("97.05", "99.99");
    fs::write(dir.join(page), &forged).unwrap();
    let manifest = Command::new("sh")
        .arg("-c")
        .arg("find site input -type f | LC_ALL=C sort | xargs sha256sum > MANIFEST.sha256 && sha256sum MANIFEST.sha256")
        .current_dir(&dir)
        .output()
        .unwrap();
    assert!(manifest.status.success());
    let digest = String::from_utf8(manifest.stdout).unwrap()[..64].to_string();
    let mut meta = metadata(root, "archive/2023");
    meta["manifest_sha256"] = Value::String(digest);
    fs::write(
        dir.join("ARCHIVE.json"),
        serde_json::to_string_pretty(&meta).unwrap(),
    )
    .unwrap();

    let output = verify(root).failure();
    assert!(output.stdout.contains("manifest: ok"), "{}", output.stdout);
    assert!(
        output
            .stdout
            .contains("rebuild: differs (changed: 2023/regions/tonghua/index.html)"),
        "{}",
        output.stdout
    );
    assert!(output.stdout.contains("same ecoscore version"));

    // Made by another ecoscore, a rebuild may differ: verify says so and why,
    // and only the manifest decides the exit code.
    meta["ecoscore"] = Value::String("0.0.9".into());
    fs::write(
        dir.join("ARCHIVE.json"),
        serde_json::to_string_pretty(&meta).unwrap(),
    )
    .unwrap();
    let output = verify(root).success();
    assert!(
        output.stdout.contains("rebuild: differs")
            && output
                .stdout
                .contains("archived with ecoscore 0.0.9, rebuilt with ecoscore"),
        "{}",
        output.stdout
    );
}

#[test]
fn rearchiving_without_force_is_refused_and_changes_nothing() {
    let project = unarchived_sample_project();
    let root = project.path();
    archive(root, &["--year", "2023"]).success();
    let before = read_tree(&root.join("archive"));
    edit(
        root,
        "data/2023/results/tonghua.yaml",
        "satisfaction: 90.3",
        "satisfaction: 0",
    );
    archive(root, &["--year", "2023"])
        .failure()
        .stderr_contains("2023 is already archived on 2024-04-28")
        .stderr_contains("nothing was changed")
        .stderr_contains("--force --reason");
    assert!(read_tree(&root.join("archive")) == before);
    // --force needs a reason, and a reason needs --force.
    archive(root, &["--year", "2023", "--force"]).usage_error();
    archive(root, &["--year", "2023", "--reason", "x"]).usage_error();
    assert!(read_tree(&root.join("archive")) == before);
    let beside: Vec<String> = fs::read_dir(root.join("archive"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(beside, ["2023"], "no staging folders left in archive/");
}

#[test]
fn force_keeps_the_superseded_revision_with_its_reason() {
    let project = unarchived_sample_project();
    let root = project.path();
    archive(root, &["--year", "2023"]).success();
    let first = read_tree(&root.join("archive/2023"));
    let first_digest = metadata(root, "archive/2023")["manifest_sha256"].clone();

    edit(
        root,
        "data/2023/results/tonghua.yaml",
        "satisfaction: 90.3",
        "satisfaction: 0",
    );
    archive(
        root,
        &[
            "--year",
            "2023",
            "--force",
            "--reason",
            "通化市满意度调查数据更正",
            "--date",
            "2024-06-01",
        ],
    )
    .success()
    .stdout_contains("archived 2023 (revision 2, 2024-06-01)")
    .stdout_contains("superseded/1/");

    let now = read_tree(&root.join("archive/2023"));
    let kept: Tree = under(&now, "superseded/1/")
        .into_iter()
        .map(|(p, b)| (p["superseded/1/".len()..].to_string(), b))
        .collect();
    assert_eq!(kept, first, "revision 1 is kept byte for byte");
    let meta = metadata(root, "archive/2023");
    assert_eq!(meta["revision"], 2);
    assert_eq!(meta["archived_on"], "2024-06-01");
    assert_eq!(meta["superseded"][0]["revision"], 1);
    assert_eq!(meta["superseded"][0]["reason"], "通化市满意度调查数据更正");
    assert_eq!(meta["superseded"][0]["manifest_sha256"], first_digest);
    assert!(read(root, "archive/2023/site/2023/regions/tonghua/index.html").contains("83.50"));
    assert!(sha256sum_check(&root.join("archive/2023/superseded/1"))
        .status
        .success());
    verify(root).success();

    // A third revision keeps both earlier ones.
    archive(root, &["--year", "2023", "--force", "--reason", "再次更正"]).success();
    let meta = metadata(root, "archive/2023");
    assert_eq!(meta["revision"], 3);
    assert_eq!(meta["superseded"].as_array().unwrap().len(), 2);
    assert!(root
        .join("archive/2023/superseded/1/ARCHIVE.json")
        .is_file());
    assert!(root
        .join("archive/2023/superseded/2/ARCHIVE.json")
        .is_file());
    verify(root).success();

    // Tampering with a superseded revision is caught too.
    append(
        root,
        "archive/2023/superseded/1/site/2023/index.html",
        "<!-- edited -->",
    );
    verify(root)
        .failure()
        .stderr_contains("archive/2023/superseded/1/site/2023/index.html");
}

#[test]
fn export_is_reproducible_with_sorted_entries() {
    let project = unarchived_sample_project();
    let root = project.path();
    let dir = tempfile::tempdir().unwrap();
    let one = dir.path().join("one.tar.gz");
    let two = dir.path().join("two.tar.gz");
    archive(root, &["--year", "2023", "--export"]).usage_error();
    archive(root, &["--year", "2023"]).success();
    let before = read_tree(&root.join("archive"));
    // An archived year is exported as it is, not re-archived.
    Test::new()
        .root(root)
        .args(["archive", "--year", "2023", "--export"])
        .arg(&one)
        .run()
        .success()
        .stdout_contains("exported archive/2023");
    // Copy the project elsewhere and touch every file: the bytes still agree.
    let copy = tempfile::tempdir().unwrap();
    copy_dir(root, copy.path());
    Test::new()
        .root(copy.path())
        .args(["archive", "--year", "2023", "--export"])
        .arg(&two)
        .run()
        .success();
    assert_eq!(read_tree(&root.join("archive")), before);
    let (a, b) = (fs::read(&one).unwrap(), fs::read(&two).unwrap());
    assert!(a == b, "two exports of the same archive differ");
    assert_eq!(&a[..2], &[0x1f, 0x8b]);
    assert_eq!(&a[4..8], &[0, 0, 0, 0], "no time in the gzip header");

    let listing = Command::new("tar")
        .env("TZ", "UTC")
        .args(["--numeric-owner", "-tvzf"])
        .arg(&one)
        .output()
        .unwrap();
    assert!(listing.status.success());
    let listing = String::from_utf8(listing.stdout).unwrap();
    let names: Vec<&str> = listing
        .lines()
        .map(|l| l.rsplit(' ').next().unwrap())
        .collect();
    let mut sorted = names.clone();
    sorted.sort();
    assert_eq!(names, sorted, "entries are sorted");
    assert_eq!(names[0], "2023/");
    assert!(names.contains(&"2023/MANIFEST.sha256"));
    assert!(names.contains(&"2023/site/2023/regions/tonghua/index.html"));
    for line in listing.lines() {
        assert!(line.contains(" 0/0 "), "owner 0/0: {line}");
        // Midnight of the archive date in Beijing time.
        assert!(
            line.contains("2024-04-27 16:00"),
            "mtime is the archive date: {line}"
        );
        let mode = if line.starts_with('d') {
            "drwxr-xr-x"
        } else {
            "-rw-r--r--"
        };
        assert!(line.starts_with(mode), "{line}");
    }

    // Unpacked, the archive checks against its own manifest.
    let unpacked = tempfile::tempdir().unwrap();
    let status = Command::new("tar")
        .arg("-xzf")
        .arg(&one)
        .current_dir(unpacked.path())
        .status()
        .unwrap();
    assert!(status.success());
    assert!(sha256sum_check(&unpacked.path().join("2023"))
        .status
        .success());
}

#[test]
fn a_draft_or_unknown_year_is_refused() {
    let project = unarchived_sample_project();
    let root = project.path();
    archive(root, &["--year", "2025"])
        .failure()
        .stderr_contains("content/2025/bulletin.md")
        .stderr_contains("2025 is a draft");
    archive(root, &["--year", "2019"])
        .failure()
        .stderr_contains("no data for 2019");
    assert!(!root.join("archive").exists(), "nothing was written");
    archive(root, &["--year", "2023", "--date", "2024-02-30"]).usage_error();
}

#[test]
fn the_sample_ships_2021_to_2023_archived_and_intact() {
    let repo = repo();
    for year in 2021..=2023 {
        let meta = metadata(&repo, &format!("archive/{year}"));
        assert_eq!(meta["year"], year);
    }
    assert!(!repo.join("archive/2024").exists());
    let project = sample_project();
    let output = verify(project.path()).success();
    assert_eq!(output.stdout.matches("rebuild: byte-identical").count(), 3);
    // The shipped input matches the archives: no warning.
    let check = Test::new()
        .root(project.path())
        .arg("check")
        .run()
        .success();
    assert!(!check.stderr.contains("archived"), "{}", check.stderr);
    check.stdout_contains("(2021, 2022, 2023 copied from archive/)");
}

#[test]
fn internal_notes_archived_with_the_input_never_reach_the_public_site() {
    const CANARY: &str = "CANARY-archived-5d1e";
    let project = unarchived_sample_project();
    let root = project.path();
    append(
        root,
        "data/2023/results/changchun.yaml",
        "internal: { notes: CANARY-archived-5d1e }\n",
    );
    archive(root, &["--year", "2023"]).success();
    let archived = read(root, "archive/2023/input/data/2023/results/changchun.yaml");
    assert!(archived.contains(CANARY), "the input is archived whole");
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("public");
    build(root, &out).success();
    for (path, bytes) in read_tree(&out)
        .iter()
        .chain(&under(&read_tree(&root.join("archive/2023")), "site/"))
    {
        assert!(
            !String::from_utf8_lossy(bytes).contains(CANARY),
            "{path} contains internal notes"
        );
    }
}

#[test]
fn drift_warnings_snapshot() {
    let project = sample_project();
    let root = project.path();
    edit(
        root,
        "data/2022/results/liaoyuan.yaml",
        "satisfaction: 79.6",
        "satisfaction: 79.7",
    );
    append(
        root,
        "themes/default/static/style.css",
        "main { color: #000; }\n",
    );
    fs::remove_file(root.join("content/2021/regions/songyuan.md")).unwrap();
    let output = Test::new().root(root).arg("check").run().success();
    insta::assert_snapshot!("check_drift_warnings", output.stderr);
}

#[test]
fn a_hand_edited_largest_revision_is_an_error_not_a_crash() {
    let project = unarchived_sample_project();
    let root = project.path();
    archive(root, &["--year", "2023"]).success();
    edit(
        root,
        "archive/2023/ARCHIVE.json",
        "\"revision\": 1,",
        "\"revision\": 4294967295,",
    );
    let before = read_tree(&root.join("archive"));
    archive(
        root,
        &[
            "--year",
            "2023",
            "--force",
            "--reason",
            "a later correction",
        ],
    )
    .failure()
    .stderr_contains("archive/2023/ARCHIVE.json")
    .stderr_contains("revision 4294967295 is the largest there can be")
    .stderr_contains("restore ARCHIVE.json from version control");
    assert!(read_tree(&root.join("archive")) == before);
}
