//! Progress through the year (定期调度): progress files validated with
//! located diagnostics; the early-warning list of the sample's draft year
//! equals one computed here from the files on their own; and the progress
//! page never reaches a public build.

use std::collections::BTreeMap;
use std::fs;
use std::str::FromStr;

use crate::common::*;
use rust_decimal::Decimal;

const JUNE: &str = "data/2023/progress/2023-06.yaml";

/// A valid June report of the tiny fixture.
const GOOD: &str = "period: 2023-06
units:
  alpha: { air_days: 90.5, pm: 35 }
  beta: { air_days: 88 }
";

fn check_progress(file: &str, text: &str) -> String {
    let dir = tiny_project();
    let path = dir.path().join(file);
    fs::create_dir_all(path.parent().unwrap()).unwrap();
    fs::write(&path, text).unwrap();
    let output = Test::new().root(dir.path()).arg("check").run();
    format!(
        "exit: {}\n--- stdout ---\n{}--- stderr ---\n{}",
        output.status, output.stdout, output.stderr
    )
    .replace(&dir.path().display().to_string(), "[ROOT]")
}

macro_rules! corpus {
    ($($name:ident: $file:expr, $from:expr => $to:expr;)*) => {
        $(
            #[test]
            fn $name() {
                let text = if $from.is_empty() { GOOD.to_string() } else {
                    assert_eq!(GOOD.matches($from).count(), 1);
                    GOOD.replacen($from, $to, 1)
                };
                insta::assert_snapshot!(stringify!($name), check_progress($file, &text));
            }
        )*
    };
}

corpus! {
    progress_valid: JUNE, "" => "";
    progress_unknown_indicator: JUNE, "pm: 35" => "pm25: 35";
    progress_unknown_unit: JUNE, "beta:" => "btea:";
    progress_value_out_of_range: JUNE, "air_days: 88" => "air_days: 188";
    progress_period_disagrees_with_file: JUNE, "period: 2023-06" => "period: 2023-07";
    progress_file_not_a_month: "data/2023/progress/2023-13.yaml", "period: 2023-06" => "period: 2023-13";
    progress_every_problem_listed: JUNE, "  alpha: { air_days: 90.5, pm: 35 }" => "  alpha: { air_day: 90.5, pm: -5 }";
}

// ---------------------------------------------------------------------------
// the early-warning list, computed here on its own

fn dec(text: &str) -> Decimal {
    Decimal::from_str(text.trim()).unwrap()
}

/// `{ a: 1, b: n/a }` as pairs.
fn flow_map(text: &str) -> Vec<(String, String)> {
    let inner = text.trim().trim_start_matches('{').trim_end_matches('}');
    inner
        .split(',')
        .filter_map(|pair| {
            let (k, v) = pair.split_once(':')?;
            Some((k.trim().to_string(), v.trim().to_string()))
        })
        .collect()
}

/// Targets of 2025 by unit and indicator (`None`: n/a).
fn targets() -> BTreeMap<String, BTreeMap<String, Option<Decimal>>> {
    let text = fs::read_to_string(repo().join("data/2025/targets.yaml")).unwrap();
    let mut default = BTreeMap::new();
    let mut regions = BTreeMap::new();
    let mut section = "";
    for line in text.lines().filter(|l| !l.trim_start().starts_with('#')) {
        if line.starts_with("default:") {
            section = "default";
        } else if line.starts_with("regions:") {
            section = "regions";
        } else if let (Some((k, v)), true) = (line.split_once(':'), line.starts_with("  ")) {
            let k = k.trim().to_string();
            if section == "default" {
                default.insert(k, Some(dec(v)));
            } else if section == "regions" {
                regions.insert(k, flow_map(v));
            }
        }
    }
    let units = [
        "changchun",
        "jilin",
        "siping",
        "liaoyuan",
        "tonghua",
        "baishan",
        "songyuan",
        "baicheng",
        "yanbian",
        "changbaishan",
        "meihekou",
        "gongzhuling",
    ];
    units
        .iter()
        .map(|u| {
            let mut own = default.clone();
            for (k, v) in regions.get(*u).cloned().unwrap_or_default() {
                own.insert(k, (v != "n/a").then(|| dec(&v)));
            }
            (u.to_string(), own)
        })
        .collect()
}

/// Binding indicators of 2025 with whether lower is better and their range.
fn binding() -> BTreeMap<String, (bool, Decimal, Decimal)> {
    let rules = fs::read_to_string(repo().join("data/2025/rules.yaml")).unwrap();
    let catalogue = fs::read_to_string(repo().join("data/indicators.yaml")).unwrap();
    let mut out = BTreeMap::new();
    for line in rules
        .lines()
        .filter(|l| l.contains("binding: true") && !l.trim_start().starts_with('#'))
    {
        let id = line.trim().split(':').next().unwrap().to_string();
        let at = catalogue.find(&format!("- id: {id}\n")).unwrap();
        let block = &catalogue[at..];
        let lower = block
            .split("better:")
            .nth(1)
            .unwrap()
            .trim_start()
            .starts_with("lower");
        let range = block.split("range: [").nth(1).unwrap();
        let (lo, hi) = range.split(']').next().unwrap().split_once(',').unwrap();
        out.insert(id, (lower, dec(lo), dec(hi)));
    }
    out
}

/// Each unit's reported values by indicator: (month, value), oldest first.
fn reports() -> BTreeMap<(String, String), Vec<(u8, Decimal)>> {
    let mut out: BTreeMap<(String, String), Vec<(u8, Decimal)>> = BTreeMap::new();
    for month in 1..=12u8 {
        let path = repo().join(format!("data/2025/progress/2025-{month:02}.yaml"));
        let Ok(text) = fs::read_to_string(path) else {
            continue;
        };
        for line in text
            .lines()
            .filter(|l| l.starts_with("  ") && l.contains('{'))
        {
            let (unit, map) = line.trim().split_once(':').unwrap();
            for (k, v) in flow_map(map) {
                out.entry((unit.to_string(), k))
                    .or_default()
                    .push((month, dec(&v)));
            }
        }
    }
    out
}

#[test]
fn the_early_warning_list_equals_an_independent_computation() {
    let targets = targets();
    let binding = binding();
    // (unit id, indicator id) → shortfall, for every binding indicator projected to miss.
    let mut expected: BTreeMap<(String, String), Decimal> = BTreeMap::new();
    for ((unit, indicator), values) in reports() {
        let Some(&(lower, lo, hi)) = binding.get(&indicator) else {
            continue;
        };
        let Some(Some(target)) = targets[&unit].get(&indicator).copied() else {
            continue;
        };
        let (m0, v0) = values[0];
        let (m1, v1) = *values.last().unwrap();
        let mut projected = v1;
        if m1 > m0 && m1 < 12 {
            projected = v1 + (v1 - v0) / Decimal::from(m1 - m0) * Decimal::from(12 - m1);
        }
        let projected = projected.max(lo).min(hi).round_dp(2);
        let short = if lower {
            projected - target
        } else {
            target - projected
        };
        if short > Decimal::ZERO {
            expected.insert((unit, indicator), short);
        }
    }
    assert!(
        !expected.is_empty(),
        "the sample has at least one unit in 预警"
    );

    let dir = sample_project();
    let out = dir.path().join("public");
    Test::new()
        .root(dir.path())
        .args(["build", "--drafts", "--out"])
        .arg(&out)
        .run()
        .success();
    let page = read(&out, "2025/progress/index.html");
    let section = page.split("id=\"warning-heading\"").nth(1).unwrap();
    let section = section.split("</section>").next().unwrap();
    let mut shown: BTreeMap<(String, String), Decimal> = BTreeMap::new();
    for row in section.split("<tr class=\"warned\">").skip(1) {
        let unit = row
            .split("regions/")
            .nth(1)
            .unwrap()
            .split('/')
            .next()
            .unwrap();
        let name = row
            .split("data-label=\"指标\">")
            .nth(1)
            .unwrap()
            .split('<')
            .next()
            .unwrap();
        let short = row
            .split("<strong>")
            .nth(1)
            .unwrap()
            .split('<')
            .next()
            .unwrap();
        let id = indicator_id(name);
        shown.insert((unit.to_string(), id), dec(short));
    }
    assert_eq!(shown, expected);
    assert!(section.contains(&format!("（{}项）", expected.len())));
}

/// An indicator's id from its name in data/indicators.yaml.
fn indicator_id(name: &str) -> String {
    let catalogue = fs::read_to_string(repo().join("data/indicators.yaml")).unwrap();
    let at = catalogue.find(&format!("name: {name}\n")).unwrap();
    let before = &catalogue[..at];
    let id_at = before.rfind("- id: ").unwrap() + "- id: ".len();
    before[id_at..].lines().next().unwrap().trim().to_string()
}

// ---------------------------------------------------------------------------
// never public

#[test]
fn a_draft_years_progress_page_is_never_in_a_public_build() {
    let dir = sample_project();
    let public = dir.path().join("public");
    Test::new()
        .root(dir.path())
        .args(["build", "--out"])
        .arg(&public)
        .run()
        .success();
    let tree = read_tree(&public);
    assert!(
        tree.keys().all(|path| !path.contains("progress")),
        "no progress file"
    );
    for (path, bytes) in &tree {
        let text = String::from_utf8_lossy(bytes);
        assert!(
            !text.contains("progress/index.html") && !text.contains("年度定期调度"),
            "{path} links to the progress page"
        );
    }
    // With drafts the page is there, linked from the draft year's page.
    let drafts = dir.path().join("drafts");
    Test::new()
        .root(dir.path())
        .args(["build", "--drafts", "--out"])
        .arg(&drafts)
        .run()
        .success();
    assert!(drafts.join("2025/progress/index.html").is_file());
    assert!(read(&drafts, "2025/index.html").contains("2025/progress/index.html"));
}

#[test]
fn a_published_year_gets_no_progress_page() {
    let dir = sample_project();
    // Publish 2025: its progress was for the year in progress only.
    edit(
        dir.path(),
        "content/2025/bulletin.md",
        "status: draft",
        "status: published",
    );
    let out = dir.path().join("public");
    Test::new()
        .root(dir.path())
        .args(["build", "--drafts", "--out"])
        .arg(&out)
        .run()
        .success();
    assert!(out.join("2025/index.html").is_file());
    assert!(!out.join("2025/progress/index.html").exists());
    assert!(!read(&out, "2025/index.html").contains("progress/index.html"));
}

// ---------------------------------------------------------------------------
// published when site.yaml says so

#[test]
fn site_yaml_publishes_a_draft_years_progress_page_alone() {
    let dir = sample_project();
    append(dir.path(), "site.yaml", "progress:\n  publish: [2025]\n");
    let public = dir.path().join("public");
    Test::new()
        .root(dir.path())
        .args(["build", "--out"])
        .arg(&public)
        .run()
        .success();
    let tree = read_tree(&public);
    // The progress page and the static files it links: none of the draft
    // year's other pages.
    let draft: Vec<&String> = tree
        .keys()
        .filter(|p| p.starts_with("2025/") && !p.starts_with("2025/static/"))
        .collect();
    assert_eq!(draft, ["2025/progress/index.html"]);
    let page = read(&public, "2025/progress/index.html");
    assert!(page.contains("2025年度定期调度"));
    assert!(!page.contains("仅供内部调度"), "not marked internal");
    // Units link to their history pages (the build's link check passed too).
    assert!(page.contains("href=\"../../regions/"));
    assert!(!page.contains("2025/regions/"));
    // The early-warning list is the one the draft preview shows.
    let drafts = dir.path().join("drafts");
    Test::new()
        .root(dir.path())
        .args(["build", "--drafts", "--out"])
        .arg(&drafts)
        .run()
        .success();
    let warnings = |html: &str| html.matches("<tr class=\"warned\">").count();
    assert!(warnings(&page) > 0);
    assert_eq!(
        warnings(&page),
        warnings(&read(&drafts, "2025/progress/index.html"))
    );
    // Reached from the home page, and known to search engines: the sitemap
    // lists it and nothing else of the draft year.
    assert!(read(&public, "index.html").contains("href=\"2025/progress/index.html\""));
    let sitemap = read(&public, "sitemap.xml");
    let draft_urls: Vec<&str> = sitemap
        .split("<loc>")
        .skip(1)
        .filter_map(|rest| rest.split("</loc>").next())
        .filter(|url| url.contains("/2025/"))
        .collect();
    assert_eq!(
        draft_urls,
        ["https://example.gov.cn/kaohe/2025/progress/"],
        "{sitemap}"
    );
}

#[test]
fn site_yaml_publishes_the_progress_page_of_a_published_year() {
    let dir = sample_project();
    append(dir.path(), "site.yaml", "progress:\n  publish: [2025]\n");
    edit(
        dir.path(),
        "content/2025/bulletin.md",
        "status: draft",
        "status: published",
    );
    let out = dir.path().join("public");
    Test::new()
        .root(dir.path())
        .args(["build", "--out"])
        .arg(&out)
        .run()
        .success();
    assert!(out.join("2025/progress/index.html").is_file());
    let year = read(&out, "2025/index.html");
    assert!(
        year.contains("progress/index.html"),
        "linked from its year page"
    );
    assert!(!year.contains("仅内部预览"));
    // Units link to their scorecards, which this build has.
    assert!(read(&out, "2025/progress/index.html").contains("href=\"../../2025/regions/"));
    let sitemap = read(&out, "sitemap.xml");
    assert_eq!(
        sitemap
            .matches("<loc>https://example.gov.cn/kaohe/2025/progress/</loc>")
            .count(),
        1,
        "{sitemap}"
    );
}

/// `check` on the sample with `progress:` appended to site.yaml.
fn check_site(extra: &str) -> String {
    let dir = sample_project();
    append(dir.path(), "site.yaml", extra);
    let output = Test::new().root(dir.path()).arg("check").run();
    format!("exit: {}\n--- stderr ---\n{}", output.status, output.stderr)
        .replace(&dir.path().display().to_string(), "[ROOT]")
}

#[test]
fn a_bad_progress_publish_value_is_a_located_error() {
    insta::assert_snapshot!(
        "progress_publish_wrong_years",
        check_site("progress:\n  publish: [2052, 2024, 2030, 2025, 2025]\n")
    );
    insta::assert_snapshot!(
        "progress_publish_not_a_year",
        check_site("progress:\n  publish: [next]\n")
    );
    insta::assert_snapshot!(
        "progress_publish_misspelt_key",
        check_site("progress:\n  publsh: [2025]\n")
    );
}
