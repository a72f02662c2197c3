//! End-to-end tests of the `ecoscore` binary against the repository's sample
//! project and a tiny hand-made fixture (tests/fixtures/tiny). Every test runs
//! the real binary on a copy of its project in a temporary folder.

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};

use crate::common::*;
use serde_json::{json, Value};

// ---------------------------------------------------------------------------
// helpers

fn scores_json(root: &Path, year: u16) -> Value {
    Test::new()
        .root(root)
        .args(["scores", "--year", &year.to_string(), "--format", "json"])
        .run()
        .success()
        .json()
}

/// The region object with this id, from a `scores --format json` document.
fn unit<'a>(doc: &'a Value, id: &str) -> &'a Value {
    doc["regions"]
        .as_array()
        .expect("regions is an array")
        .iter()
        .find(|r| r["id"] == id)
        .unwrap_or_else(|| panic!("no region {id} in {doc:#}"))
}

/// `^\d+\.\d\d$`
fn is_fixed2(s: &str) -> bool {
    match s.split_once('.') {
        Some((int, frac)) => {
            !int.is_empty()
                && int.bytes().all(|b| b.is_ascii_digit())
                && frac.len() == 2
                && frac.bytes().all(|b| b.is_ascii_digit())
        }
        None => false,
    }
}

/// Does this string look like a number (so it must be a two-decimal figure)?
fn looks_numeric(s: &str) -> bool {
    !s.is_empty()
        && s.bytes().any(|b| b.is_ascii_digit())
        && s.bytes()
            .all(|b| b.is_ascii_digit() || b == b'.' || b == b'-' || b == b'+')
}

/// Every string value in `value` that looks like a number, with its JSON path.
fn numeric_strings(value: &Value, path: String, out: &mut Vec<(String, String)>) {
    match value {
        Value::String(s) if looks_numeric(s) => out.push((path, s.clone())),
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                numeric_strings(item, format!("{path}[{i}]"), out);
            }
        }
        Value::Object(map) => {
            for (k, v) in map {
                numeric_strings(v, format!("{path}.{k}"), out);
            }
        }
        _ => {}
    }
}

const REGION_KEYS: [&str; 11] = [
    "id",
    "name",
    "rank",
    "grade",
    "base_grade",
    "total",
    "bonus",
    "sections",
    "downgraded",
    "vetoed",
    "binding_missed",
];
const SECTION_KEYS: [&str; 4] = ["indicators", "tasks", "funds", "satisfaction"];
const GRADES: [&str; 4] = ["excellent", "good", "pass", "fail"];

/// The shape the spec promises for `scores --format json`, for any year.
fn assert_scores_contract(doc: &Value, year: u16, units: usize) {
    assert_eq!(doc["year"], year, "{doc:#}");
    let regions = doc["regions"].as_array().expect("regions array");
    assert_eq!(regions.len(), units, "one object per assessed unit");
    let mut decimals = Vec::new();
    numeric_strings(doc, "$".into(), &mut decimals);
    assert!(!decimals.is_empty());
    for (path, s) in &decimals {
        assert!(is_fixed2(s), "{path} = {s:?} is not ^\\d+\\.\\d\\d$");
    }
    let mut ids = BTreeSet::new();
    let mut previous: Option<(usize, usize, f64)> = None;
    for (position, r) in regions.iter().enumerate() {
        let keys: BTreeSet<&str> = r.as_object().unwrap().keys().map(String::as_str).collect();
        for key in REGION_KEYS {
            assert!(keys.contains(key), "region object lacks `{key}`: {r:#}");
        }
        let section_keys: BTreeSet<&str> = r["sections"]
            .as_object()
            .expect("sections object")
            .keys()
            .map(String::as_str)
            .collect();
        for key in SECTION_KEYS {
            assert!(section_keys.contains(key), "sections lacks `{key}`: {r:#}");
        }
        for key in ["total", "bonus"] {
            assert!(r[key].is_string(), "{key} must be a string: {r:#}");
        }
        for key in SECTION_KEYS {
            assert!(r["sections"][key].is_string(), "sections.{key}: {r:#}");
        }
        for key in ["grade", "base_grade"] {
            let g = r[key].as_str().unwrap();
            assert!(GRADES.contains(&g), "{key} {g:?} not one of {GRADES:?}");
        }
        assert!(r["downgraded"].is_boolean() && r["vetoed"].is_boolean());
        let missed: Vec<&str> = r["binding_missed"]
            .as_array()
            .expect("binding_missed array")
            .iter()
            .map(|v| v.as_str().unwrap())
            .collect();
        let mut sorted = missed.clone();
        sorted.sort();
        assert_eq!(missed, sorted, "binding_missed is sorted");
        assert!(
            ids.insert(r["id"].as_str().unwrap().to_string()),
            "unique ids"
        );

        // Rank order: grade first, then total descending; ties share a rank.
        let rank = r["rank"].as_u64().unwrap() as usize;
        let grade = GRADES.iter().position(|g| r["grade"] == *g).unwrap();
        let total: f64 = r["total"].as_str().unwrap().parse().unwrap();
        if let Some((prev_rank, prev_grade, prev_total)) = previous {
            assert!(grade >= prev_grade, "units are sorted by grade: {r:#}");
            if grade == prev_grade {
                assert!(total <= prev_total, "then by total: {r:#}");
            }
            if grade == prev_grade && total == prev_total {
                assert_eq!(rank, prev_rank, "a tie shares the rank: {r:#}");
            } else {
                assert_eq!(rank, position + 1, "competition ranking (1, 2, 2, 4)");
            }
        } else {
            assert_eq!(rank, 1);
        }
        previous = Some((rank, grade, total));
    }
}

fn build(root: &Path, out: &Path) -> Output {
    Test::new()
        .root(root)
        .arg("build")
        .arg("--out")
        .arg(out)
        .run()
}

/// Every file whose name ends with `.html`, with its text.
fn html_pages(tree: &std::collections::BTreeMap<String, Vec<u8>>) -> Vec<(&str, String)> {
    tree.iter()
        .filter(|(path, _)| path.ends_with(".html"))
        .map(|(path, bytes)| {
            (
                path.as_str(),
                String::from_utf8(bytes.clone()).unwrap_or_else(|_| panic!("{path} is UTF-8")),
            )
        })
        .collect()
}

fn contains_bytes(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

// ---------------------------------------------------------------------------
// 1. scores --format json on the sample

#[test]
fn scores_json_2023_sample() {
    let project = sample_project();
    let doc = scores_json(project.path(), 2023);
    assert_scores_contract(&doc, 2023, 12);

    // 长白山管委会: every applicable indicator met (nine are n/a and the
    // section is re-weighted over the rest), no task or fund deduction.
    let changbaishan = unit(&doc, "changbaishan");
    assert_eq!(changbaishan["rank"], 1);
    assert_eq!(changbaishan["total"], "99.13");
    assert_eq!(changbaishan["grade"], "excellent");
    assert_eq!(
        changbaishan["sections"],
        json!({"indicators": "40.00", "tasks": "35.00", "funds": "10.00", "satisfaction": "14.13"})
    );
    assert_eq!(doc["regions"][0]["id"], "changbaishan", "rank order");

    // 吉林市 and 通化市 tie on 97.05: both 6th, regions.yaml order (jilin
    // first), and the next unit is 8th.
    let jilin = unit(&doc, "jilin");
    let tonghua = unit(&doc, "tonghua");
    assert_eq!(
        (&jilin["total"], &jilin["rank"]),
        (&json!("97.05"), &json!(6))
    );
    assert_eq!(
        (&tonghua["total"], &tonghua["rank"]),
        (&json!("97.05"), &json!(6))
    );
    assert_eq!(doc["regions"][5]["id"], "jilin");
    assert_eq!(doc["regions"][6]["id"], "tonghua");
    assert_eq!(doc["regions"][7]["rank"], 8);
    assert_eq!(doc["regions"][7]["id"], "gongzhuling");

    // 长春市: 40 + 33.5 + 10 + 88.3×15/100 (13.245 → 13.25) + 1.5 = 98.25.
    let changchun = unit(&doc, "changchun");
    assert_eq!(changchun["total"], "98.25");
    assert_eq!(changchun["sections"]["satisfaction"], "13.25");
    assert_eq!(changchun["bonus"], "1.50");
    assert_eq!(changchun["rank"], 5);

    // 白城市: 87.54 is 良好 on points, a manual downgrade entry makes it 合格.
    let baicheng = unit(&doc, "baicheng");
    assert_eq!(baicheng["total"], "87.54");
    assert_eq!(baicheng["base_grade"], "good");
    assert_eq!(baicheng["grade"], "pass");
    assert_eq!(baicheng["downgraded"], true);
    assert_eq!(baicheng["vetoed"], false);
    assert_eq!(baicheng["binding_missed"], json!([]));
    assert_eq!(baicheng["rank"], 12);

    let by_grade = |g: &str| {
        doc["regions"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|r| r["grade"] == g)
            .count()
    };
    assert_eq!(
        [
            by_grade("excellent"),
            by_grade("good"),
            by_grade("pass"),
            by_grade("fail")
        ],
        [7, 4, 1, 0]
    );
}

#[test]
fn scores_json_2023_snapshot() {
    let project = sample_project();
    let output = Test::new()
        .root(project.path())
        .args(["scores", "--year", "2023", "--format", "json"])
        .run()
        .success();
    insta::assert_snapshot!("scores_2023_json", output.stdout);
}

#[test]
fn scores_json_2022_veto() {
    let project = sample_project();
    let doc = scores_json(project.path(), 2022);
    assert_scores_contract(&doc, 2022, 12);
    // 辽源市 scores 89.65 (良好 on points) but a veto event makes it 不合格,
    // and 不合格 sorts last although 89.65 beats four 良好 units.
    let liaoyuan = unit(&doc, "liaoyuan");
    assert_eq!(liaoyuan["vetoed"], true);
    assert_eq!(liaoyuan["grade"], "fail");
    assert_eq!(liaoyuan["base_grade"], "good");
    assert_eq!(liaoyuan["total"], "89.65");
    assert_eq!(liaoyuan["rank"], 12);
    assert_eq!(doc["regions"][11]["id"], "liaoyuan");
    assert_eq!(unit(&doc, "siping")["total"], "88.54");
    assert_eq!(unit(&doc, "siping")["rank"], 11);
}

#[test]
fn scores_json_2024_binding_miss_and_bonus_cap() {
    let project = sample_project();
    let doc = scores_json(project.path(), 2024);
    assert_scores_contract(&doc, 2024, 12);
    // 四平市: 95.28 is 优秀 on points; missing the binding PM2.5 target drops
    // it one level to 良好 without any manual downgrade entry.
    let siping = unit(&doc, "siping");
    assert_eq!(siping["total"], "95.28");
    assert_eq!(siping["base_grade"], "excellent");
    assert_eq!(siping["grade"], "good");
    assert_eq!(siping["downgraded"], true);
    assert_eq!(siping["binding_missed"], json!(["pm25"]));
    assert_eq!(siping["rank"], 9);
    // 长春市 claims 6.5 bonus points; the cap is 5.
    let changchun = unit(&doc, "changchun");
    assert_eq!(changchun["bonus"], "5.00");
    assert_eq!(changchun["total"], "99.38");
    assert_eq!(changchun["rank"], 3);
}

// ---------------------------------------------------------------------------
// 2. the tiny hand-made fixture

/// tests/fixtures/tiny, scored by hand.
///
/// Rules: sections 40/35/10/15; air_days 4 pts per_unit (−2 per 1 point short,
/// binding); pm 16 pts proportional (lower is better); forest 20 pts
/// pass_fail; seven task categories of 5; bonus_cap 3; grades 90/80/60.
/// Targets: air_days 90, pm 30, forest 40; gamma: forest n/a.
///
/// alpha (甲市): air_days 95 ≥ 90 → 4; pm 36 > 30 → 16 × min(1, 30/36) =
///   13.3333…; forest 41 ≥ 40 → 20. Indicators = 37.3333… × 40/40 → 37.33.
///   Tasks: inspection_rectification −6 floors at 0 (loses 5), air −1.5 →
///   35 − 5 − 1.5 = 28.50. Funds 10 − 0.5 = 9.50. Satisfaction 90 × 15/100 =
///   13.50. Bonus 1 + 2.5 = 3.5 → capped at 3.00.
///   Total 37.33 + 28.50 + 9.50 + 13.50 + 3.00 = 91.83 → 优秀.
/// beta (乙市): air_days 80, shortfall 10 → 4 − 2 × 10 = −16 → floored at 0
///   (扣完为止), binding missed; pm 28 ≤ 30 → 16; forest 45 → 20.
///   Indicators 36 × 40/40 = 36.00. Tasks 35 − 0.5 = 34.50. Funds 10.00.
///   Satisfaction 96 × 0.15 = 14.40. Bonus 1.00.
///   Total 36 + 34.5 + 10 + 14.4 + 1 = 95.90 → 优秀 on points, binding miss
///   → 良好; ranked after both 优秀 units although its total is the highest.
/// gamma (丙管委会): forest n/a, so only 20 points apply. air_days 90.5 → 4;
///   pm 33 → 16 × 30/33 = 14.5454…; earned 18.5454… × 40/20 = 37.0909… → 37.09.
///   Tasks 35.00. Funds 10 − 1 = 9.00. Satisfaction 88.3 × 0.15 = 13.245 →
///   half-up 13.25 (banker's rounding would give 13.24). Bonus 0.
///   Total 37.09 + 35 + 9 + 13.25 = 94.34 → 优秀.
/// Order: gamma 94.34 (1), alpha 91.83 (2), beta 95.90 良好 (3).
#[test]
fn scores_json_tiny_fixture_by_hand() {
    let project = tiny_project();
    let doc = scores_json(project.path(), 2023);
    assert_scores_contract(&doc, 2023, 3);
    let projected: Vec<Value> = doc["regions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            let mut m = serde_json::Map::new();
            for key in REGION_KEYS {
                m.insert(key.to_string(), r[key].clone());
            }
            Value::Object(m)
        })
        .collect();
    assert_eq!(
        Value::Array(projected),
        json!([
            {"id": "gamma", "name": "丙管委会", "rank": 1, "grade": "excellent",
             "base_grade": "excellent", "total": "94.34", "bonus": "0.00",
             "sections": {"indicators": "37.09", "tasks": "35.00", "funds": "9.00", "satisfaction": "13.25"},
             "downgraded": false, "vetoed": false, "binding_missed": []},
            {"id": "alpha", "name": "甲市", "rank": 2, "grade": "excellent",
             "base_grade": "excellent", "total": "91.83", "bonus": "3.00",
             "sections": {"indicators": "37.33", "tasks": "28.50", "funds": "9.50", "satisfaction": "13.50"},
             "downgraded": false, "vetoed": false, "binding_missed": []},
            {"id": "beta", "name": "乙市", "rank": 3, "grade": "good",
             "base_grade": "excellent", "total": "95.90", "bonus": "1.00",
             "sections": {"indicators": "36.00", "tasks": "34.50", "funds": "10.00", "satisfaction": "14.40"},
             "downgraded": true, "vetoed": false, "binding_missed": ["air_days"]}
        ])
    );
}

#[test]
fn tiny_fixture_veto_and_manual_downgrade() {
    // gamma: a veto makes 94.34 不合格; alpha: a manual downgrade entry drops
    // 优秀 to 良好 (one level only, even with a binding miss on top: air_days
    // 85 → 4 − 2 × 5 < 0 → 0 points, indicators 33.33 + … = 87.83, base 良好
    // → 合格).
    let project = tiny_project();
    let root = project.path();
    append(
        root,
        "data/2023/results/gamma.yaml",
        "veto:\n  - { date: 2023-07-12, event: 特别重大突发环境事件 }\n",
    );
    edit(
        root,
        "data/2023/results/alpha.yaml",
        "air_days: 95",
        "air_days: 85",
    );
    append(
        root,
        "data/2023/results/alpha.yaml",
        "downgrade:\n  - { kind: rectification_overdue, reason: 督察整改任务未按期完成 }\n",
    );
    let doc = scores_json(root, 2023);
    assert_scores_contract(&doc, 2023, 3);
    let gamma = unit(&doc, "gamma");
    assert_eq!(gamma["vetoed"], true);
    assert_eq!(gamma["total"], "94.34");
    assert_eq!(gamma["base_grade"], "excellent");
    assert_eq!(gamma["grade"], "fail");
    assert_eq!(gamma["rank"], 3);
    // alpha: indicators (0 + 13.3333… + 20) × 40/40 = 33.33; total 87.83.
    let alpha = unit(&doc, "alpha");
    assert_eq!(alpha["sections"]["indicators"], "33.33");
    assert_eq!(alpha["total"], "87.83");
    assert_eq!(alpha["base_grade"], "good");
    assert_eq!(
        alpha["grade"], "pass",
        "one level down, however many triggers"
    );
    assert_eq!(alpha["binding_missed"], json!(["air_days"]));
    assert_eq!(alpha["rank"], 2);
    assert_eq!(unit(&doc, "beta")["rank"], 1);
}

// ---------------------------------------------------------------------------
// 3. csv and table formats

#[test]
fn scores_csv_and_table() {
    let project = sample_project();
    let csv = Test::new()
        .root(project.path())
        .args(["scores", "--year", "2023", "--format", "csv"])
        .run()
        .success()
        .stdout;
    let csv = csv.trim_start_matches('\u{feff}');
    let lines: Vec<&str> = csv.lines().map(|l| l.trim_end_matches('\r')).collect();
    assert_eq!(
        lines[0],
        "rank,id,name,grade,grade_name,base_grade,total,indicators,tasks,funds,satisfaction,bonus,bonus_claimed,downgraded,vetoed,binding_missed"
    );
    let rows = &lines[1..];
    assert_eq!(rows.len(), 12, "{csv}");
    assert!(
        rows[0].starts_with("1,changbaishan,长白山管委会,excellent,"),
        "{}",
        rows[0]
    );
    assert!(
        rows[0].contains(",99.13,40.00,35.00,10.00,14.13,"),
        "{}",
        rows[0]
    );
    let baicheng = rows.iter().find(|r| r.contains(",baicheng,")).unwrap();
    assert!(
        baicheng.starts_with("12,baicheng,白城市,pass,合格,good,87.54,"),
        "{baicheng}"
    );

    let table = Test::new()
        .root(project.path())
        .args(["scores", "--year", "2023", "--format", "table"])
        .run()
        .success()
        .stdout;
    assert!(table.contains("2023年度"), "{table}");
    let changchun = table
        .lines()
        .find(|l| l.contains("长春市"))
        .unwrap_or_else(|| panic!("no 长春市 row:\n{table}"));
    assert!(changchun.contains("98.25"), "{changchun}");
    assert!(changchun.contains("优秀"), "{changchun}");
    // The default format is the table.
    let default = Test::new()
        .root(project.path())
        .args(["scores", "--year", "2023"])
        .run()
        .success()
        .stdout;
    assert_eq!(default, table);
}

// ---------------------------------------------------------------------------
// 4. exit codes

#[test]
fn scores_unknown_year_names_available_years() {
    let project = sample_project();
    let output = Test::new()
        .root(project.path())
        .args(["scores", "--year", "1999"])
        .run()
        .failure()
        .stderr_contains("1999")
        .stderr_contains("2021, 2022, 2023, 2024, 2025");
    assert!(output.stdout.is_empty(), "{}", output.stdout);
}

#[test]
fn usage_errors_exit_2() {
    let project = sample_project();
    Test::new()
        .root(project.path())
        .args(["scores", "--year", "2023", "--bogus"])
        .run()
        .usage_error()
        .stderr_contains("--bogus");
    Test::new()
        .root(project.path())
        .args(["scores", "--year", "2023", "--format", "xml"])
        .run()
        .usage_error()
        .stderr_contains("xml");
    Test::new()
        .root(project.path())
        .args(["scores"])
        .run()
        .usage_error()
        .stderr_contains("--year");
    Test::new().args(["frobnicate"]).run().usage_error();
}

// ---------------------------------------------------------------------------
// 5. check

#[test]
fn check_sample_is_clean_and_writes_nothing() {
    let project = sample_project();
    let before = read_tree(project.path());
    let output = Test::new()
        .root(project.path())
        .arg("check")
        .run()
        .success();
    assert!(!output.stderr.contains("error"), "{}", output.stderr);
    assert!(
        output.stdout.starts_with(
            "ok: checked 12 units, 5 years (2021–2025), 20 indicators, 1200 results; "
        ),
        "{}",
        output.stdout
    );
    assert_eq!(read_tree(project.path()), before, "check writes nothing");
}

#[test]
fn check_names_file_line_and_suggestion_for_misspelt_key() {
    let project = sample_project();
    let line = edit(
        project.path(),
        "data/2023/results/changchun.yaml",
        "  pm25: 29\n",
        "  pm_25: 29\n",
    );
    let output = Test::new()
        .root(project.path())
        .arg("check")
        .run()
        .failure()
        .stderr_contains("pm_25")
        .stderr_contains("did you mean `pm25`");
    let located = format!("data/2023/results/changchun.yaml:{line}:");
    assert!(
        output.stderr.contains(&located),
        "expected {located:?} in:\n{}",
        output.stderr
    );
    assert!(
        !project.path().join("public").exists(),
        "check writes nothing"
    );
}

#[test]
fn check_reports_every_error_in_one_run() {
    let project = sample_project();
    let root = project.path();
    let typo = edit(
        root,
        "data/2023/results/changchun.yaml",
        "  pm25: 29\n",
        "  pm_25: 29\n",
    );
    let range = edit(
        root,
        "data/2023/results/tonghua.yaml",
        "  good_air_days: 94.6\n",
        "  good_air_days: 194.6\n",
    );
    let satisfaction = edit(
        root,
        "data/2021/results/siping.yaml",
        "satisfaction: 77.4",
        "satisfaction: 177.4",
    );
    let output = Test::new().root(root).arg("check").run().failure();
    for (needle, why) in [
        (format!("data/2023/results/changchun.yaml:{typo}:"), "typo"),
        ("did you mean `pm25`".to_string(), "typo suggestion"),
        (format!("data/2023/results/tonghua.yaml:{range}:"), "range"),
        ("194.6".to_string(), "the out-of-range value"),
        (
            format!("data/2021/results/siping.yaml:{satisfaction}:"),
            "satisfaction over 100",
        ),
    ] {
        assert!(
            output.stderr.contains(&needle),
            "{why}: expected {needle:?} in:\n{}",
            output.stderr
        );
    }
}

/// A wrong figure in the rules must not hide errors in the same year's
/// results, which are checked against the rules' indicator list.
#[test]
fn check_reports_result_errors_when_the_rules_have_a_wrong_figure() {
    let project = sample_project();
    let root = project.path();
    let per = edit(
        root,
        "data/2023/rules.yaml",
        "deduct: 0.5, per: 1, binding: true }        #",
        "deduct: 0.5, per: 0, binding: true }        #",
    );
    let typo = edit(
        root,
        "data/2023/results/changchun.yaml",
        "  pm25: 29\n",
        "  pm_25: 29\n",
    );
    let output = Test::new().root(root).arg("check").run().failure();
    for needle in [
        format!("data/2023/rules.yaml:{per}:"),
        format!("data/2023/results/changchun.yaml:{typo}:"),
        "did you mean `pm25`".to_string(),
    ] {
        assert!(
            output.stderr.contains(&needle),
            "expected {needle:?} in:\n{}",
            output.stderr
        );
    }
}

#[test]
fn check_yaml_syntax_error_names_file_and_line() {
    let project = sample_project();
    let line = edit(
        project.path(),
        "data/2023/results/tonghua.yaml",
        "  pm25: 25\n",
        "  pm25: \"25\n",
    );
    let output = Test::new()
        .root(project.path())
        .arg("check")
        .run()
        .failure();
    let located = format!("data/2023/results/tonghua.yaml:{line}:");
    assert!(
        output.stderr.contains(&located),
        "expected {located:?} in:\n{}",
        output.stderr
    );
}

#[test]
fn check_reports_missing_results_file() {
    let project = sample_project();
    fs::remove_file(project.path().join("data/2022/results/jilin.yaml")).unwrap();
    Test::new()
        .root(project.path())
        .arg("check")
        .run()
        .failure()
        .stderr_contains("data/2022/results/jilin.yaml")
        .stderr_contains("吉林市");
}

// ---------------------------------------------------------------------------
// 6. build: the public site

#[test]
fn build_writes_the_public_site() {
    let project = sample_project();
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("public");
    build(project.path(), &out).success();
    let tree = read_tree(&out);

    for path in [
        "index.html",
        "2021/index.html",
        "2022/index.html",
        "2023/index.html",
        "2024/index.html",
        "2023/bulletin/index.html",
        "2023/regions/changchun/index.html",
        "regions/changchun/index.html",
        "archive/index.html",
        "404.html",
        "sitemap.xml",
        "feed.xml",
        "2023/data/results.csv",
        "2023/data/results.json",
    ] {
        let bytes = tree
            .get(path)
            .unwrap_or_else(|| panic!("{path} was not written"));
        assert!(bytes.len() > 100, "{path} is nearly empty");
    }
    for year in 2021..=2024 {
        for unit in [
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
        ] {
            let path = format!("{year}/regions/{unit}/index.html");
            assert!(tree.contains_key(&path), "{path} was not written");
        }
    }
    assert!(
        !tree.keys().any(|p| p.starts_with("2025/")),
        "the 2025 draft is left out without --drafts"
    );

    // Open data: CSV with BOM, JSON exactly as `scores` prints it.
    let csv = &tree["2023/data/results.csv"];
    assert_eq!(
        &csv[..3],
        &[0xEF, 0xBB, 0xBF],
        "CSV starts with a UTF-8 BOM"
    );
    let scores_csv = Test::new()
        .root(project.path())
        .args(["scores", "--year", "2023", "--format", "csv"])
        .run()
        .success()
        .stdout;
    assert_eq!(std::str::from_utf8(&csv[3..]).unwrap(), scores_csv);
    let scores = Test::new()
        .root(project.path())
        .args(["scores", "--year", "2023", "--format", "json"])
        .run()
        .success()
        .stdout;
    assert_eq!(
        std::str::from_utf8(&tree["2023/data/results.json"]).unwrap(),
        scores
    );

    // Scorecard and cross-year pages carry the computed figures.
    let tonghua = read(&out, "2023/regions/tonghua/index.html");
    assert!(tonghua.contains("通化市"), "tonghua scorecard");
    assert!(
        tonghua.contains("97.05"),
        "tonghua scorecard shows its total"
    );
    let changchun = read(&out, "2023/regions/changchun/index.html");
    assert!(changchun.contains("98.25"));
    let across = read(&out, "regions/changchun/index.html");
    for total in ["89.03", "98.11", "98.25", "99.38"] {
        assert!(across.contains(total), "regions/changchun lacks {total}");
    }
    // The home page shows the latest published year (2024), not the draft.
    let index = unescape(&read(&out, "index.html"));
    assert!(
        index.contains("2024/bulletin/index.html"),
        "home links 2024"
    );
    assert!(
        !index.contains("2025/index.html") && !index.contains("2025年度"),
        "the home page links the draft year"
    );
    let archive = unescape(&read(&out, "archive/index.html"));
    for year in 2021..=2024 {
        assert!(
            archive.contains(&format!("{year}/index.html")),
            "archive lists {year}"
        );
    }
    assert!(!archive.contains("2025/"), "archive lists the draft");

    // Every page: the sample-data notice and the language.
    let pages = html_pages(&tree);
    assert!(pages.len() >= 60, "only {} pages", pages.len());
    for (path, html) in &pages {
        assert!(
            html.contains("示例数据"),
            "{path} lacks the 示例数据 notice"
        );
        assert!(
            html.contains("lang=\"zh-CN\""),
            "{path} lacks lang=\"zh-CN\""
        );
    }

    // Feed: one entry per published year; sitemap: the published pages only.
    let feed = unescape(&read(&out, "feed.xml"));
    let entries = feed.matches("<entry>").count() + feed.matches("<entry ").count();
    assert_eq!(entries, 4, "{feed}");
    for year in 2021..=2024 {
        assert!(
            feed.contains(&format!("https://example.gov.cn/kaohe/{year}/bulletin/")),
            "feed entry for {year}"
        );
    }
    assert!(!feed.contains("2025年度"), "feed lists the draft");
    let sitemap = unescape(&read(&out, "sitemap.xml"));
    assert!(sitemap.contains("https://example.gov.cn/kaohe/2023/regions/changchun/"));
    assert!(!sitemap.contains("/2025/"), "sitemap lists the draft");
}

#[test]
fn build_with_drafts_includes_the_draft_year() {
    let project = sample_project();
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("public");
    Test::new()
        .root(project.path())
        .arg("build")
        .arg("--drafts")
        .arg("--out")
        .arg(&out)
        .run()
        .success();
    let year = read(&out, "2025/index.html");
    assert!(year.contains("草稿"), "a draft year is marked as a draft");
    assert!(out.join("2025/bulletin/index.html").is_file());
    assert!(out.join("2025/regions/gongzhuling/index.html").is_file());
    // Publication is unchanged: the feed still lists the published years only.
    let feed = read(&out, "feed.xml");
    assert_eq!(feed.matches("<entry>").count(), 4, "{feed}");
}

/// Tags that make a browser fetch something when the page loads.
fn external_loads(html: &str) -> Vec<String> {
    let external = |url: &str| {
        let url = url.trim().to_ascii_lowercase();
        url.starts_with("http://") || url.starts_with("https://") || url.starts_with("//")
    };
    let mut found = Vec::new();
    for tag in tags(html) {
        let loads: Vec<&str> = match tag.name.as_str() {
            "script" | "img" | "iframe" | "embed" | "source" | "audio" | "video" | "track"
            | "input" => ["src", "srcset", "poster"]
                .iter()
                .filter_map(|a| tag.attrs.get(*a).map(String::as_str))
                .collect(),
            "object" => tag
                .attrs
                .get("data")
                .map(String::as_str)
                .into_iter()
                .collect(),
            "link" => {
                let rel = tag.attrs.get("rel").map(String::as_str).unwrap_or("");
                let navigational = rel
                    .split_whitespace()
                    .all(|r| matches!(r, "canonical" | "alternate" | "author" | "license"));
                if navigational && !rel.is_empty() {
                    Vec::new()
                } else {
                    tag.attrs
                        .get("href")
                        .map(String::as_str)
                        .into_iter()
                        .collect()
                }
            }
            _ => Vec::new(),
        };
        if loads.iter().any(|u| external(u)) {
            found.push(tag.source.clone());
        }
        if let Some(style) = tag.attrs.get("style") {
            if style.contains("url(http") || style.contains("url(//") {
                found.push(tag.source.clone());
            }
        }
    }
    let lower = html.to_ascii_lowercase();
    for pattern in [
        "url(http",
        "url('http",
        "url(\"http",
        "url(//",
        "@import \"http",
        "@import 'http",
    ] {
        if lower.contains(pattern) {
            found.push(format!("inline CSS with {pattern}"));
        }
    }
    found
}

#[test]
fn build_pages_load_nothing_from_other_sites() {
    let project = sample_project();
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("public");
    build(project.path(), &out).success();
    let tree = read_tree(&out);
    let mut offenders = Vec::new();
    for (path, html) in html_pages(&tree) {
        for tag in external_loads(&html) {
            offenders.push(format!("{path}: {tag}"));
        }
    }
    for (path, bytes) in &tree {
        if path.ends_with(".css") {
            let css = String::from_utf8_lossy(bytes).to_ascii_lowercase();
            for pattern in ["url(http", "url('http", "url(\"http", "url(//"] {
                if css.contains(pattern) {
                    offenders.push(format!("{path}: {pattern}"));
                }
            }
        }
    }
    assert!(
        offenders.is_empty(),
        "pages load resources by absolute URL:\n{}",
        offenders.join("\n")
    );
}

#[test]
fn build_relative_links_resolve() {
    let project = sample_project();
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("public");
    build(project.path(), &out).success();
    let tree = read_tree(&out);
    let mut broken = BTreeSet::new();
    for (path, html) in html_pages(&tree) {
        if path == "404.html" {
            continue; // served at any URL, so its links are absolute
        }
        let dir_of_page: Vec<&str> = path.split('/').collect();
        let dir_of_page = &dir_of_page[..dir_of_page.len() - 1];
        for tag in tags(&html) {
            for attr in ["href", "src"] {
                let Some(url) = tag.attrs.get(attr) else {
                    continue;
                };
                let url = url.split(['#', '?']).next().unwrap();
                if url.is_empty() || url.contains(':') || url.starts_with('/') {
                    continue;
                }
                let mut parts: Vec<&str> = dir_of_page.to_vec();
                for segment in url.split('/') {
                    match segment {
                        "" | "." => {}
                        ".." => {
                            assert!(parts.pop().is_some(), "{path}: {url} leaves the site");
                        }
                        s => parts.push(s),
                    }
                }
                let mut target = parts.join("/");
                if url.ends_with('/') || target.is_empty() {
                    target = format!("{target}/index.html")
                        .trim_start_matches('/')
                        .into();
                }
                if !tree.contains_key(&target) {
                    broken.insert(format!("{path}: {attr}=\"{url}\" → {target}"));
                }
            }
        }
    }
    assert!(
        broken.is_empty(),
        "broken links:\n{}",
        broken.into_iter().collect::<Vec<_>>().join("\n")
    );
}

// ---------------------------------------------------------------------------
// 7. determinism

#[test]
fn build_is_byte_identical_for_the_same_input() {
    let first = sample_project();
    let second = sample_project();
    let dir = tempfile::tempdir().unwrap();
    let a = dir.path().join("a/public");
    let b = dir.path().join("b/public");
    build(first.path(), &a).success();
    build(first.path(), &b).success();
    let tree_a = read_tree(&a);
    let tree_b = read_tree(&b);
    assert!(tree_a.len() > 50);
    assert_eq!(
        tree_a.keys().collect::<Vec<_>>(),
        tree_b.keys().collect::<Vec<_>>()
    );
    for (path, bytes) in &tree_a {
        assert!(tree_b[path] == *bytes, "{path} differs between two builds");
    }
    // A second copy of the project in another folder gives the same bytes:
    // nothing of the project's location leaks into the site.
    let c = dir.path().join("c/public");
    build(second.path(), &c).success();
    let tree_c = read_tree(&c);
    for (path, bytes) in &tree_a {
        assert!(
            tree_c.get(path) == Some(bytes),
            "{path} differs when the project lives elsewhere"
        );
    }
    assert_eq!(tree_a.len(), tree_c.len());
}

// ---------------------------------------------------------------------------
// 8. a failed build changes nothing

#[test]
fn failed_build_leaves_previous_output_untouched() {
    // Without archive/: it breaks 2023's bulletin template, which an archived 2023 never renders.
    let project = unarchived_sample_project();
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("public");
    build(project.path(), &out).success();
    let before = read_tree(&out);
    assert!(before.contains_key("2023/index.html"));

    // Invalid data.
    edit(
        project.path(),
        "data/2023/results/changchun.yaml",
        "  pm25: 29\n",
        "  pm_25: 29\n",
    );
    build(project.path(), &out)
        .failure()
        .stderr_contains("data/2023/results/changchun.yaml");
    assert!(read_tree(&out) == before, "a failed build changed public/");
    let mut beside: Vec<String> = fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    beside.sort();
    // The stamp stays: it marks public/ as the site ecoscore built.
    assert_eq!(
        beside,
        [".public.ecoscore-stamp", "public"],
        "no staging folders left beside public/"
    );

    // A template error found while rendering, after validation passed.
    edit(
        project.path(),
        "data/2023/results/changchun.yaml",
        "  pm_25: 29\n",
        "  pm25: 29\n",
    );
    append(
        project.path(),
        "content/2023/bulletin.md",
        "\n{{ no_such_variable.deeper }}\n",
    );
    build(project.path(), &out)
        .failure()
        .stderr_contains("content/2023/bulletin.md");
    assert!(read_tree(&out) == before, "a failed render changed public/");
    let mut beside: Vec<String> = fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    beside.sort();
    // The stamp stays: it marks public/ as the site ecoscore built.
    assert_eq!(
        beside,
        [".public.ecoscore-stamp", "public"],
        "no staging folders left beside public/"
    );
}

#[test]
fn successful_rebuild_replaces_stale_files() {
    let project = sample_project();
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("public");
    build(project.path(), &out).success();
    fs::write(out.join("stale.html"), "old").unwrap();
    build(project.path(), &out).success();
    assert!(
        !out.join("stale.html").exists(),
        "the output folder is replaced"
    );
    let mut beside: Vec<String> = fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    beside.sort();
    assert_eq!(
        beside,
        [".public.ecoscore-stamp", "public"],
        "no staging folders left beside public/, only the build stamp"
    );
}

/// Path and modification time of every file under `dir`.
fn modification_times(dir: &Path) -> Vec<(PathBuf, std::time::SystemTime)> {
    walkdir::WalkDir::new(dir)
        .sort_by_file_name()
        .into_iter()
        .map(|e| e.unwrap())
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            (
                e.path().to_path_buf(),
                e.metadata().unwrap().modified().unwrap(),
            )
        })
        .collect()
}

#[test]
fn unchanged_rebuild_leaves_the_output_alone_and_says_so() {
    let project = sample_project();
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("public");
    build(project.path(), &out)
        .success()
        .stdout_contains("built 77 pages");
    let before = modification_times(&out);
    build(project.path(), &out)
        .success()
        .stdout_contains("up to date: nothing changed since the last build of");
    assert_eq!(modification_times(&out), before, "no file was rewritten");
    // The stamp sits beside the output, never in what is published.
    assert!(dir.path().join(".public.ecoscore-stamp").is_file());
    assert!(!read_tree(&out).keys().any(|p| p.contains("stamp")));
}

#[test]
fn an_edited_input_other_options_or_a_touched_output_mean_a_full_build() {
    let project = unarchived_sample_project();
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("public");
    build(project.path(), &out).success();
    let page = out.join("2024/regions/changchun/index.html");
    let published = fs::read_to_string(&page).unwrap();

    // An edited narrative reaches the page.
    let narrative = project.path().join("content/2024/regions/changchun.md");
    let mut text = fs::read_to_string(&narrative).unwrap();
    text.push_str("\n新增一段说明：REBUILD-CANARY。\n");
    fs::write(&narrative, text).unwrap();
    build(project.path(), &out)
        .success()
        .stdout_contains("built ");
    assert!(fs::read_to_string(&page)
        .unwrap()
        .contains("REBUILD-CANARY"));

    // A published file deleted or rewritten by hand is put back.
    fs::remove_file(out.join("2024/index.html")).unwrap();
    build(project.path(), &out)
        .success()
        .stdout_contains("built ");
    assert!(out.join("2024/index.html").is_file());
    fs::write(&page, &published).unwrap();
    build(project.path(), &out)
        .success()
        .stdout_contains("built ");
    assert!(fs::read_to_string(&page)
        .unwrap()
        .contains("REBUILD-CANARY"));

    // Other options are another build: drafts come in, then go again.
    Test::new()
        .root(project.path())
        .args(["build", "--drafts", "--out"])
        .arg(&out)
        .run()
        .success()
        .stdout_contains("built ");
    assert!(out.join("2025/index.html").is_file());
    build(project.path(), &out)
        .success()
        .stdout_contains("built ");
    assert!(!out.join("2025/index.html").exists());
    build(project.path(), &out)
        .success()
        .stdout_contains("up to date");
}

// ---------------------------------------------------------------------------
// 9. internal notes never reach the public site

#[test]
fn internal_notes_never_reach_the_public_site() {
    const CANARY: &str = "CANARY-7f3a9c";
    // Without archive/: the canaries go into 2023, which must be rendered for the test to mean anything.
    let project = unarchived_sample_project();
    let root = project.path();
    append(
        root,
        "data/2023/results/changchun.yaml",
        "internal: { notes: CANARY-7f3a9c-内部 }\n",
    );
    // baicheng 2023 already has internal notes; the draft year gets one too.
    edit(
        root,
        "data/2023/results/baicheng.yaml",
        "  notes: 督察整改逾期问题",
        "  notes: CANARY-7f3a9c-b 督察整改逾期问题",
    );
    append(
        root,
        "data/2025/results/changchun.yaml",
        "internal: { notes: CANARY-7f3a9c-draft }\n",
    );
    let dir = tempfile::tempdir().unwrap();
    for drafts in [false, true] {
        let out = dir.path().join(format!("public-{drafts}"));
        let mut test = Test::new().root(root).arg("build").arg("--out").arg(&out);
        if drafts {
            test = test.arg("--drafts");
        }
        let output = test.run().success();
        assert!(!output.stdout.contains(CANARY) && !output.stderr.contains(CANARY));
        let tree = read_tree(&out);
        assert!(tree.contains_key("2023/regions/changchun/index.html"));
        assert_eq!(
            tree.contains_key("2025/regions/changchun/index.html"),
            drafts
        );
        for (path, bytes) in &tree {
            assert!(
                !contains_bytes(bytes, CANARY.as_bytes()),
                "{path} contains internal notes"
            );
            assert!(
                !contains_bytes(bytes, "挂牌督办".as_bytes()),
                "{path} contains baicheng's internal notes"
            );
        }
    }
    // …nor the scores output.
    let json = Test::new()
        .root(root)
        .args(["scores", "--year", "2023", "--format", "json"])
        .run()
        .success();
    assert!(!json.stdout.contains(CANARY));
}

// ---------------------------------------------------------------------------
// 10. bulletin narratives are templates over the computed results

#[test]
fn bulletin_expressions_are_evaluated() {
    // Without archive/: it changes 2023 data and expects the bulletin to follow.
    let project = unarchived_sample_project();
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("public");
    build(project.path(), &out).success();
    let bulletin = read(&out, "2023/bulletin/index.html");
    assert!(
        bulletin.contains(
            "考核结果为优秀的地区（7个）：长白山管委会、白山市、延边朝鲜族自治州、梅河口市、长春市、吉林市、通化市。"
        ),
        "2023 bulletin lists the excellent units in rank order:\n{bulletin}"
    );
    assert!(bulletin.contains("对12个地区2023年度"), "units | length");
    assert!(bulletin.contains("考核结果为合格的地区（1个）：白城市。"));
    assert!(bulletin.contains("第6名　通化市　97.05分　优秀"));
    let bulletin_2022 = read(&out, "2022/bulletin/index.html");
    assert!(
        bulletin_2022.contains("其中，辽源市因发生特别重大"),
        "the 2022 bulletin names the vetoed unit"
    );
    // Workbooks are compressed: any byte pair can occur in them.
    for (path, bytes) in read_tree(&out)
        .iter()
        .filter(|(p, _)| !p.ends_with(".xlsx"))
    {
        let text = String::from_utf8_lossy(bytes);
        assert!(!text.contains("{{"), "{path} contains an unevaluated {{{{");
        assert!(!text.contains("{%"), "{path} contains an unevaluated {{%");
    }

    // Change a figure and the text follows: with satisfaction 0 通化市 drops
    // to 97.05 − 13.55 = 83.50, 良好, last of the 良好 units.
    edit(
        project.path(),
        "data/2023/results/tonghua.yaml",
        "satisfaction: 90.3",
        "satisfaction: 0",
    );
    let out2 = dir.path().join("public2");
    build(project.path(), &out2).success();
    let bulletin = read(&out2, "2023/bulletin/index.html");
    assert!(
        bulletin.contains(
            "考核结果为优秀的地区（6个）：长白山管委会、白山市、延边朝鲜族自治州、梅河口市、长春市、吉林市。"
        ),
        "{bulletin}"
    );
    assert!(
        bulletin
            .contains("考核结果为良好的地区（5个）：公主岭市、辽源市、松原市、四平市、通化市。"),
        "{bulletin}"
    );
}

#[test]
fn tiny_fixture_builds_and_its_bulletin_is_computed() {
    let project = tiny_project();
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("public");
    build(project.path(), &out).success();
    let bulletin = read(&out, "2023/bulletin/index.html");
    assert!(
        bulletin.contains("共3个地区，优秀2个：丙管委会、甲市。"),
        "{bulletin}"
    );
    let beta = read(&out, "2023/regions/beta/index.html");
    assert!(beta.contains("95.90") && beta.contains("良好"), "{beta}");
    let gamma = read(&out, "2023/regions/gamma/index.html");
    assert!(
        gamma.contains("37.09") && gamma.contains("94.34"),
        "{gamma}"
    );
    let json = read(&out, "2023/data/results.json");
    let doc: Value = serde_json::from_str(&json).unwrap();
    assert_eq!(unit(&doc, "alpha")["total"], "91.83");
}

// ---------------------------------------------------------------------------
// 11. hostile Markdown is sanitized

#[test]
fn hostile_markdown_is_sanitized() {
    // Without archive/: the hostile narrative goes into 2023, which must be rendered.
    let project = unarchived_sample_project();
    append(
        project.path(),
        "content/2023/regions/changbaishan.md",
        "\n正文<script>alert(1)</script>\n\n<img src=https://www.mee.gov.cn/x.png onerror=alert(1)>\n\n[链接](javascript:alert(1))\n\n<iframe src=\"https://evil.example/\"></iframe>\n",
    );
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("public");
    build(project.path(), &out).success();
    let page = read(&out, "2023/regions/changbaishan/index.html");
    // The narrative itself is on the page…
    assert!(
        page.contains("该地区空气质量优良天数比率"),
        "narrative rendered"
    );
    assert!(page.contains("正文"), "the surrounding text survives");
    // …without anything that runs.
    let lower = page.to_ascii_lowercase();
    assert!(!lower.contains("<script>alert"), "script survived");
    assert!(!lower.contains("onerror"), "event handler survived");
    assert!(!lower.contains("javascript:"), "javascript: link survived");
    assert!(!lower.contains("evil.example"), "iframe survived");
}
