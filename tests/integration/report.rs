//! `ecoscore report` (考核结果报告) and the funding shares and measures it
//! shares with the briefing copy: figures equal `ecoscore scores`, shares
//! sum to the total exactly, and nothing private reaches public/.

use std::path::Path;
use std::str::FromStr;

use crate::common::*;
use rust_decimal::Decimal;
use serde_json::Value;

const YEARS: [u16; 5] = [2021, 2022, 2023, 2024, 2025];

fn report(root: &Path, year: u16) -> String {
    Test::new()
        .root(root)
        .args(["report", "--year", &year.to_string()])
        .run()
        .success()
        .stdout_contains(&format!("report/{year}/index.html"));
    read(root, &format!("report/{year}/index.html"))
}

fn scores(root: &Path, year: u16) -> Value {
    Test::new()
        .root(root)
        .args(["scores", "--year", &year.to_string(), "--format", "json"])
        .run()
        .success()
        .json()
}

/// The text of the first `<… class="CLASS">…</…>` after `from` in `html`.
fn cell<'a>(html: &'a str, from: usize, class: &str) -> &'a str {
    let at = from
        + html[from..]
            .find(&format!("class=\"{class}"))
            .unwrap_or_else(|| panic!("no {class}"));
    let start = at + html[at..].find('>').unwrap() + 1;
    let end = start + html[start..].find('<').unwrap();
    &html[start..end]
}

fn rules(year: u16) -> Value {
    let text = std::fs::read_to_string(repo().join(format!("data/{year}/rules.yaml"))).unwrap();
    serde_saphyr::from_str(&text).unwrap()
}

#[test]
fn report_figures_equal_the_scores_command() {
    let project = sample_project();
    let root = project.path();
    for year in YEARS {
        let html = report(root, year);
        let scores = scores(root, year);
        let regions = scores["regions"].as_array().unwrap();
        for grade in ["excellent", "good", "pass", "fail"] {
            let count = regions.iter().filter(|r| r["grade"] == grade).count();
            assert_eq!(
                cell(&html, 0, &format!("f-count-{grade}")),
                count.to_string(),
                "{year} {grade}"
            );
        }
        for r in regions {
            let id = r["id"].as_str().unwrap();
            let row = html
                .find(&format!("<tr id=\"row-{id}\""))
                .unwrap_or_else(|| panic!("{year}: no row {id}"));
            assert_eq!(
                cell(&html, row, "c-rank"),
                r["rank"].to_string(),
                "{year} {id} rank"
            );
            assert_eq!(
                cell(&html, row, "c-grade"),
                r["grade_name"].as_str().unwrap(),
                "{year} {id}"
            );
            assert_eq!(
                cell(&html, row, "num c-total"),
                r["total"].as_str().unwrap(),
                "{year} {id}"
            );
            for section in ["indicators", "tasks", "funds", "satisfaction"] {
                assert_eq!(
                    cell(&html, row, &format!("num c-{section}")),
                    r["sections"][section].as_str().unwrap(),
                    "{year} {id} {section}"
                );
            }
            if r["grade"] == "fail" {
                assert!(
                    html.contains(&format!("id=\"failed-{id}\"")),
                    "{year}: {id} failed, no grounds"
                );
            }
            if r["downgraded"] == true && r["grade"] != "fail" {
                assert!(
                    html.contains(&format!("id=\"downgraded-{id}\"")),
                    "{year}: {id} downgraded"
                );
            }
        }
    }
}

#[test]
fn report_is_an_upward_document_from_the_joint_issuers() {
    let project = sample_project();
    let root = project.path();
    let html = report(root, 2022);
    assert!(html.contains("<p class=\"doc-issuer\">吉林省生态环境厅</p>"));
    assert!(html.contains("<p class=\"doc-issuer\">吉林省人力资源和社会保障厅</p>"));
    assert!(html.contains("签发人：王某某　李某某"));
    assert!(html.contains("吉环报〔2023〕9号"));
    assert!(html.contains("<p class=\"report-recipient\">吉林省人民政府：</p>"));
    assert!(html.contains("2023年4月14日"));
    // 不合格 (vetoed) → proposed for 通报批评/约谈; 优秀 → 激励.
    assert!(html.contains("<span class=\"report-criticism\">辽源市</span>"));
    assert!(cell(&html, 0, "report-incentive").contains("长春市"));
    // The internal notes are in the report (it is not public).
    assert!(html.contains("移交问责线索2条"));
    assert!(html.contains("https://example.gov.cn/kaohe/2022/method/"));
}

#[test]
fn funding_shares_sum_exactly_to_the_total_in_report_and_briefing() {
    let project = sample_project();
    let root = project.path();
    for year in YEARS {
        let total = rules(year)["funding"]["total"]
            .as_u64()
            .expect("the sample has a total");
        let html = report(root, year);
        Test::new()
            .root(root)
            .args(["brief", "--year", &year.to_string()])
            .run()
            .success();
        let briefing = read(root, &format!("briefing/{year}/index.html"));
        for doc in [&html, &briefing] {
            let mut sum = Decimal::ZERO;
            let mut at = 0;
            let mut rows = 0;
            while let Some(found) = doc[at..].find("<tr id=\"funding-") {
                at += found + 1;
                let amount = cell(doc, at, "num c-amount");
                let amount = Decimal::from_str(amount).unwrap();
                assert!(
                    amount.fract().is_zero(),
                    "{year}: {amount} is not whole 万元"
                );
                sum += amount;
                rows += 1;
            }
            assert_eq!(rows, 12, "{year}: one share per unit");
            assert_eq!(sum, Decimal::from(total), "{year}: shares sum");
            assert_eq!(cell(doc, 0, "num c-amount-total"), total.to_string());
        }
    }
}

#[test]
fn measures_show_in_the_briefing_and_in_public_only_when_site_yaml_says_so() {
    let project = unarchived_sample_project();
    let root = project.path();
    Test::new()
        .root(root)
        .args(["brief", "--year", "2022"])
        .run()
        .success();
    let briefing = read(root, "briefing/2022/index.html");
    let at = briefing
        .find("<p class=\"doc-measures\" id=\"measures-liaoyuan\"")
        .unwrap();
    let line = cell(&briefing, at, "doc-measures");
    assert!(line.starts_with("辽源市："), "{line}");
    for kind in ["通报批评", "约谈", "区域限批", "挂牌督办"] {
        assert!(
            briefing.contains(&format!("<span class=\"measure-kind\">{kind}</span>")),
            "{kind}"
        );
    }
    Test::new().root(root).arg("build").run().success();
    let card = read(root, "public/2022/regions/liaoyuan/index.html");
    assert!(
        !card.contains("问责措施") && !card.contains("区域限批（"),
        "measures published without measures_public"
    );
    edit(
        root,
        "site.yaml",
        "measures_public: false",
        "measures_public: true",
    );
    Test::new().root(root).arg("build").run().success();
    let card = read(root, "public/2022/regions/liaoyuan/index.html");
    assert!(card.contains("问责措施"));
    assert!(card.contains("2023年5月12日：区域限批——暂停审批辽河流域新增水污染物排放的建设项目"));
}

#[test]
fn canary_nothing_of_the_report_letters_or_internal_notes_is_under_public() {
    let project = sample_project();
    let root = project.path();
    for year in YEARS {
        report(root, year);
        Test::new()
            .root(root)
            .args(["letters", "--year", &year.to_string()])
            .run()
            .success();
        Test::new()
            .root(root)
            .args(["brief", "--year", &year.to_string()])
            .run()
            .success();
    }
    Test::new()
        .root(root)
        .args(["build", "--drafts"])
        .run()
        .success();
    // A report is refused inside the site.
    let inside = root.join("public/report");
    Test::new()
        .root(root)
        .args([
            "report",
            "--year",
            "2024",
            "--out",
            inside.to_str().unwrap(),
        ])
        .run()
        .failure()
        .stderr_contains("public site");
    assert!(!inside.exists());
    // Marks of each private document, then every internal note and measure.
    let mut secrets: Vec<String> = vec![
        "考核结果的报告".into(),
        "年度政府生态环境保护目标责任书".into(),
        "甲方：".into(),
        "签发人：".into(),
        "专项资金分配".into(),
        "内部意见".into(),
    ];
    for year in YEARS {
        for entry in std::fs::read_dir(repo().join(format!("data/{year}/results"))).unwrap() {
            let text = std::fs::read_to_string(entry.unwrap().path()).unwrap();
            let doc: Value = serde_saphyr::from_str(&text).unwrap();
            if let Some(notes) = doc["internal"].as_object() {
                secrets.extend(notes.values().map(|v| v.as_str().unwrap().to_string()));
            }
            if let Some(measures) = doc["measures"].as_array() {
                secrets.extend(
                    measures
                        .iter()
                        .map(|m| m["reason"].as_str().unwrap().to_string()),
                );
            }
        }
    }
    assert!(
        secrets.len() > 8,
        "the sample has internal notes and measures"
    );
    for (path, bytes) in read_tree(&root.join("public")) {
        let text = String::from_utf8_lossy(&bytes);
        for secret in &secrets {
            assert!(
                !text.contains(secret.as_str()),
                "public/{path} holds {secret:?}"
            );
        }
        assert!(
            !path.starts_with("report") && !path.starts_with("letters"),
            "{path}"
        );
    }
}

#[test]
fn pdf_report_is_a4_with_page_numbers() {
    if !pdf_tools_present() {
        return;
    }
    let project = sample_project();
    let root = project.path();
    Test::new()
        .root(root)
        .args(["report", "--year", "2024", "--pdf"])
        .run()
        .success()
        .stdout_contains("report.pdf");
    let pages = a4_numbered_pages(&root.join("report/2024/report.pdf"));
    assert!(pages >= 3, "{pages} pages");
}

#[test]
fn check_reports_a_bad_funding_rule_and_a_measure_before_the_year_at_their_place() {
    let project = sample_project();
    let root = project.path();
    let funding = edit(root, "data/2024/rules.yaml", "total: 9600", "total: 9600.5");
    let measure = edit(
        root,
        "data/2022/results/liaoyuan.yaml",
        "{ kind: interview, date: 2023-05-12",
        "{ kind: interview, date: 2021-05-12",
    );
    let failed = Test::new().root(root).arg("check").run().failure();
    let flat = failed.stderr.replace("\n  │ ", " ");
    assert!(
        flat.contains(&format!("data/2024/rules.yaml:{funding}")),
        "{flat}"
    );
    assert!(
        flat.contains("funding.total 9600.5 is not a whole number of 万元"),
        "{flat}"
    );
    assert!(
        flat.contains(&format!("data/2022/results/liaoyuan.yaml:{measure}")),
        "{flat}"
    );
    assert!(flat.contains("dated 2021-05-12, before 2022"), "{flat}");
}

#[test]
fn a_report_after_the_bulletin_is_an_error_and_a_year_without_one_is_refused() {
    let project = sample_project();
    let root = project.path();
    let line = edit(
        root,
        "content/2024/bulletin.md",
        "  date: 2025-04-11",
        "  date: 2025-05-11",
    );
    let failed = Test::new().root(root).arg("check").run().failure();
    assert!(
        failed
            .stderr
            .contains(&format!("content/2024/bulletin.md:{line}")),
        "{}",
        failed.stderr
    );
    assert!(
        failed
            .stderr
            .contains("report.date 2025-05-11 is after the bulletin's date 2025-04-25"),
        "{}",
        failed.stderr
    );
    edit(
        root,
        "content/2024/bulletin.md",
        "report:                  # 考核结果报告（ecoscore report）的发文字号和成文日期\n  doc_number: 吉环报〔2025〕6号\n  date: 2025-05-11\n",
        "",
    );
    let refused = Test::new()
        .root(root)
        .args(["report", "--year", "2024"])
        .run()
        .failure();
    assert!(
        refused.stderr.contains("has no `report:` front matter"),
        "{}",
        refused.stderr
    );
    assert!(!root.join("report").exists());
}
