//! `ecoscore letters`: the 目标责任书 of each unit carry exactly the targets
//! of targets.yaml, the issuing date of the input, and stay out of public/.

use std::path::Path;
use std::process::Command;
use std::str::FromStr;

use crate::common::*;
use rust_decimal::Decimal;
use serde_json::Value;

const YEARS: [u16; 5] = [2021, 2022, 2023, 2024, 2025];

fn yaml(path: &str) -> Value {
    let text = std::fs::read_to_string(repo().join(path)).unwrap();
    serde_saphyr::from_str(&text).unwrap()
}

fn letters(root: &Path, year: u16, extra: &[&str]) -> Output {
    let mut args = vec!["letters", "--year"];
    let year = year.to_string();
    args.push(&year);
    args.extend_from_slice(extra);
    Test::new().root(root).args(args).run()
}

/// A YAML figure as the letters print it (exact digits, no trailing zeros).
fn figure(v: &Value) -> Option<String> {
    match v {
        Value::String(s) if s == "n/a" => None,
        Value::Number(n) => Some(
            Decimal::from_str(&n.to_string())
                .unwrap()
                .normalize()
                .to_string(),
        ),
        other => panic!("not a target: {other}"),
    }
}

/// The text of the table row `<tr id="target-ID">`, or None.
fn row<'a>(html: &'a str, id: &str) -> Option<&'a str> {
    let at = html.find(&format!("<tr id=\"target-{id}\""))?;
    Some(&html[at..at + html[at..].find("</tr>").unwrap()])
}

#[test]
fn every_target_in_every_letter_equals_targets_yaml() {
    let project = sample_project();
    let root = project.path();
    let regions = yaml("data/regions.yaml");
    let catalogue = yaml("data/indicators.yaml");
    let names: Vec<(&str, &str)> = catalogue["indicators"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| (i["id"].as_str().unwrap(), i["name"].as_str().unwrap()))
        .collect();
    let mut checked = 0;
    for year in YEARS {
        letters(root, year, &[]).success();
        let targets = yaml(&format!("data/{year}/targets.yaml"));
        let issued = targets["issued"].as_str().unwrap();
        let (y, rest) = issued.split_once('-').unwrap();
        let (m, d) = rest.split_once('-').unwrap();
        let issued_cn = format!(
            "{y}年{}月{}日",
            m.trim_start_matches('0'),
            d.trim_start_matches('0')
        );
        let combined = read(root, &format!("letters/{year}/index.html"));
        for region in regions["regions"].as_array().unwrap() {
            let unit = region["id"].as_str().unwrap();
            let html = read(root, &format!("letters/{year}/{unit}.html"));
            assert!(
                html.contains(&format!("日期：{issued_cn}")),
                "{year} {unit}: issued date"
            );
            assert!(
                combined.contains(&format!("id=\"letter-{unit}\"")),
                "{year} {unit} not in index.html"
            );
            let defaults = targets["default"].as_object().unwrap();
            for (id, default) in defaults {
                let own = &targets["regions"][unit][id];
                let expected = figure(if own.is_null() { default } else { own });
                let name = names.iter().find(|(i, _)| i == id).unwrap().1;
                match (expected, row(&html, id)) {
                    (Some(value), Some(row)) => {
                        assert!(
                            row.contains(&format!("<span class=\"target-value\">{value}</span>")),
                            "{year} {unit} {id}: expected {value} in {row}"
                        );
                        checked += 1;
                    }
                    (None, None) => {
                        let note = &html[html.find("class=\"letter-na\"").unwrap()..];
                        assert!(
                            note[..note.find("</p>").unwrap()].contains(name),
                            "{year} {unit}: {name} not noted as n/a"
                        );
                    }
                    (expected, found) => {
                        panic!("{year} {unit} {id}: expected {expected:?}, row {found:?}")
                    }
                }
            }
            // Nothing in the table that targets.yaml does not set.
            let rows = html.matches("<tr id=\"target-").count();
            let set = defaults
                .keys()
                .filter(|id| {
                    let own = &targets["regions"][unit][id.as_str()];
                    figure(if own.is_null() {
                        &defaults[id.as_str()]
                    } else {
                        own
                    })
                    .is_some()
                })
                .count();
            assert_eq!(rows, set, "{year} {unit}: rows");
        }
    }
    assert!(checked > 1000, "only {checked} targets checked");
}

#[test]
fn letters_work_for_the_draft_year_and_name_the_parties() {
    let project = sample_project();
    let root = project.path();
    letters(root, 2025, &[])
        .success()
        .stdout_contains("letters/2025/index.html");
    let html = read(root, "letters/2025/changchun.html");
    assert!(html.contains("吉林省2025年度政府生态环境保护目标责任书"));
    assert!(html.contains("甲方：吉林省人民政府"));
    assert!(html.contains("<span class=\"party-b\">长春市人民政府</span>"));
    assert!(read(root, "letters/2025/changbaishan.html")
        .contains("<span class=\"party-b\">长白山管委会</span>"));
    // Issued before results exist: not marked as a draft like the year's bulletin.
    assert!(!html.contains("<p class=\"doc-draft\">") && !html.contains("content: \"草稿"));
}

#[test]
fn a_year_without_an_issuing_date_writes_nothing_and_says_where_to_add_it() {
    let project = sample_project();
    let root = project.path();
    edit(root, "data/2024/targets.yaml", "issued: 2024-03-22\n", "");
    let failed = letters(root, 2024, &[]).failure();
    assert!(
        failed.stderr.contains("data/2024/targets.yaml"),
        "{}",
        failed.stderr
    );
    assert!(failed.stderr.contains("issued:"), "{}", failed.stderr);
    assert!(!root.join("letters").exists());
}

#[test]
fn an_issuing_date_outside_the_year_is_an_error_at_its_place() {
    let project = sample_project();
    let root = project.path();
    let line = edit(
        root,
        "data/2024/targets.yaml",
        "issued: 2024-03-22",
        "issued: 2026-03-22",
    );
    let failed = Test::new().root(root).arg("check").run().failure();
    assert!(
        failed
            .stderr
            .contains(&format!("data/2024/targets.yaml:{line}")),
        "{}",
        failed.stderr
    );
    assert!(
        failed.stderr.contains("is not in 2024 or the year before"),
        "{}",
        failed.stderr
    );
}

#[test]
fn letters_are_refused_inside_the_public_site() {
    let project = sample_project();
    let root = project.path();
    Test::new().root(root).arg("build").run().success();
    let out = root.join("public/letters");
    letters(root, 2024, &["--out", out.to_str().unwrap()]).failure();
    assert!(!out.exists());
    letters(root, 2024, &[]).success();
    Test::new().root(root).arg("build").run().success();
    for (path, _) in read_tree(&root.join("public")) {
        assert!(!path.contains("letter"), "{path} in public/");
    }
}

#[test]
fn pdf_letters_are_a4_with_page_numbers_one_per_unit_and_one_combined() {
    if !pdf_tools_present() {
        return;
    }
    let project = sample_project();
    let root = project.path();
    letters(root, 2025, &["--pdf"])
        .success()
        .stdout_contains("letters.pdf");
    let units = yaml("data/regions.yaml")["regions"]
        .as_array()
        .unwrap()
        .len();
    let pdfs: Vec<String> = read_tree(&root.join("letters/2025"))
        .into_keys()
        .filter(|p| p.ends_with(".pdf"))
        .collect();
    assert_eq!(pdfs.len(), units + 1, "{pdfs:?}");
    let one = a4_numbered_pages(&root.join("letters/2025/changchun.pdf"));
    let all = a4_numbered_pages(&root.join("letters/2025/letters.pdf"));
    assert!(
        all >= one * (units - 1),
        "combined {all} pages, one letter {one}"
    );
    let text = Command::new("pdftotext")
        .arg(root.join("letters/2025/changchun.pdf"))
        .arg("-")
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&text.stdout).contains("长春市人民政府"));
}
