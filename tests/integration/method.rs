//! The public 考核细则 (`<year>/method/index.html`): generated from the
//! year's rules.yaml, every indicator's points and method stated, the `n/a`
//! example equal to what `ecoscore scores` computes, linked from the year,
//! every scorecard and the bulletin.

use std::path::Path;

use crate::common::*;
use serde_json::Value;

const PUBLISHED: [u16; 4] = [2021, 2022, 2023, 2024];

fn build(root: &Path) {
    Test::new().root(root).args(["build"]).run().success();
}

fn rules(year: u16) -> Value {
    let text = std::fs::read_to_string(repo().join(format!("data/{year}/rules.yaml"))).unwrap();
    serde_saphyr::from_str(&text).unwrap()
}

/// The text of the element whose start tag carries `attr`, tags stripped.
fn element_text(html: &str, attr: &str, close: &str) -> String {
    let at = html
        .find(attr)
        .unwrap_or_else(|| panic!("no element with {attr}"));
    let start = at + html[at..].find('>').expect("tag closes") + 1;
    let end = start + html[start..].find(close).expect("element closes");
    let mut text = String::new();
    let mut inside = false;
    for c in html[start..end].chars() {
        match c {
            '<' => inside = true,
            '>' => inside = false,
            _ if !inside => text.push(c),
            _ => {}
        }
    }
    unescape(&text)
}

fn number(v: &Value) -> String {
    match v {
        Value::Number(n) => n.to_string(),
        Value::String(s) => s.clone(),
        other => panic!("not a number: {other}"),
    }
}

#[test]
fn method_page_states_every_indicator_points_and_method_from_rules_yaml() {
    let project = sample_project();
    let root = project.path();
    build(root);
    for year in PUBLISHED {
        let page = read(root, &format!("public/{year}/method/index.html"));
        let rules = rules(year);
        let indicators = rules["indicators"].as_object().unwrap();
        assert!(!indicators.is_empty());
        for (id, rule) in indicators {
            let row = element_text(&page, &format!("id=\"indicator-{id}\""), "</tr>");
            let points = number(&rule["points"]);
            assert!(
                row.contains(&format!("{points}达到")) || row.contains(&format!("{points}不超过")),
                "{year} {id}: points {points} not stated: {row}"
            );
            let method = rule["method"].as_str().unwrap();
            let expected = match method {
                "pass_fail" => "未达到不得分".to_string(),
                "proportional" => "未达到的按完成比例得分".to_string(),
                "per_unit" => format!("扣{}分，扣完为止", number(&rule["deduct"])),
                other => panic!("unknown method {other}"),
            };
            assert!(
                row.contains(&expected),
                "{year} {id}: {expected:?} missing: {row}"
            );
            assert_eq!(
                row.contains("约束性"),
                rule["binding"].as_bool().unwrap_or(false),
                "{year} {id}: binding mark: {row}"
            );
        }
        for (task, points) in rules["tasks"].as_object().unwrap() {
            let _ = task;
            assert!(page.contains(&format!("：{}分</li>", number(points))));
        }
        let cap = number(&rules["bonus_cap"]);
        assert!(
            page.contains(&format!("加分合计最多{cap}分")),
            "{year}: bonus cap"
        );
        let grades = &rules["grades"];
        assert!(page.contains(&format!("总分{}分及以上", number(&grades["excellent"]))));
        assert!(page.contains(&format!("不足{}分。", number(&grades["pass"]))));
        assert!(page.contains("id=\"veto\"") && page.contains("id=\"downgrade\""));
        assert!(page.contains("名次相同，下一名次顺延"), "{year}: ties");
    }
}

#[test]
fn worked_na_example_equals_the_scores_command() {
    let project = sample_project();
    let root = project.path();
    build(root);
    for year in PUBLISHED {
        let page = read(root, &format!("public/{year}/method/index.html"));
        let example = element_text(&page, "id=\"na-example\"", "</p>");
        let unit = example
            .strip_prefix("算例：")
            .and_then(|rest| rest.split("的「").next())
            .unwrap_or_else(|| panic!("{year}: no unit in {example}"));
        let result = element_text(&page, "data-example=\"result\"", "</span>");
        let scores = Test::new()
            .root(root)
            .args(["scores", "--year", &year.to_string(), "--format", "json"])
            .run()
            .success()
            .json();
        let region = scores["regions"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["name"] == unit)
            .unwrap_or_else(|| panic!("{year}: {unit} not in scores"));
        assert_eq!(
            result,
            region["sections"]["indicators"].as_str().unwrap(),
            "{year}: {example}"
        );
        // The example re-weights: fewer applicable points than the section's 40.
        let applicable = element_text(&page, "data-example=\"applicable\"", "</span>");
        assert_ne!(
            applicable,
            number(&rules(year)["sections"]["indicators"]),
            "{year}"
        );
    }
}

#[test]
fn method_page_lists_changes_from_the_previous_year() {
    let project = sample_project();
    let root = project.path();
    build(root);
    let first = read(root, "public/2021/method/index.html");
    assert!(first.contains("无上年细则可比"));
    for year in [2022u16, 2023, 2024] {
        let page = read(root, &format!("public/{year}/method/index.html"));
        let (now, before) = (rules(year), rules(year - 1));
        for (id, rule) in now["indicators"].as_object().unwrap() {
            let old = &before["indicators"][id];
            if old.is_null() || old["method"] != rule["method"] || old["deduct"] != rule["deduct"] {
                assert!(
                    page.contains(&format!("与{}年度考核细则相比", year - 1)),
                    "{year}"
                );
            }
        }
        if now["indicators"] == before["indicators"]
            && now["tasks"] == before["tasks"]
            && now["sections"] == before["sections"]
            && now["bonus_cap"] == before["bonus_cap"]
            && now["grades"] == before["grades"]
        {
            assert!(page.contains("考核细则相同，无变化"), "{year}");
        } else {
            assert!(
                page.contains(&format!("与{}年度考核细则相比：", year - 1)),
                "{year}"
            );
        }
    }
}

#[test]
fn year_scorecards_and_bulletin_link_to_the_method_and_no_hand_written_page_is_left() {
    let project = sample_project();
    let root = project.path();
    build(root);
    for year in PUBLISHED {
        let link = format!("{year}/method/index.html");
        assert!(read(root, &format!("public/{year}/index.html")).contains(&link));
        assert!(read(root, &format!("public/{year}/bulletin/index.html")).contains(&link));
        for entry in std::fs::read_dir(root.join(format!("public/{year}/regions"))).unwrap() {
            let card = std::fs::read_to_string(entry.unwrap().path().join("index.html")).unwrap();
            assert!(card.contains("评分依据") && card.contains(&link));
        }
    }
    assert!(!root.join("public/pages/method").exists());
    assert!(!read(root, "public/index.html").contains("pages/method/"));
}
