//! The workbooks beside the open data and the briefing copy, and the units'
//! self-assessment: `results.xlsx` read back by an independent reader
//! (openpyxl) equals `scores --format json`; the same input gives the same
//! bytes; the briefing copy compares 自评 with 核定; the public site shows
//! self-assessment only when site.yaml says so.

use std::fs;
use std::io::Read;
use std::path::Path;

use crate::common::sheets::*;
use crate::common::*;
use calamine::{Data, Reader, Xlsx};
use serde_json::Value;

const PUBLISHED: [u16; 4] = [2021, 2022, 2023, 2024];

/// Reads every sheet of a workbook as rows of values, with each sheet's
/// frozen cell and the number format of its first total.
const READ: &str = r#"
import json, sys, openpyxl
book = openpyxl.load_workbook(sys.argv[1])
out = {}
for sheet in book.worksheets:
    rows = [[cell.value for cell in row] for row in sheet.iter_rows(min_row=3)]
    out[sheet.title] = {"freeze": sheet.freeze_panes, "rows": rows, "format": sheet["E3"].number_format}
print(json.dumps(out, ensure_ascii=False, default=str))
"#;

fn grade_key(name: &str) -> &'static str {
    match name {
        "优秀" => "excellent",
        "良好" => "good",
        "合格" => "pass",
        "不合格" => "fail",
        other => panic!("unknown grade {other}"),
    }
}

#[test]
fn results_xlsx_read_back_by_openpyxl_equals_scores_json() {
    let Some(python) = python() else { return };
    let project = unarchived_sample_project();
    let root = project.path();
    let site = build_site(root);
    let names: std::collections::BTreeMap<String, String> = {
        let (p, _) = ecoscore::Project::load(root).unwrap();
        p.indicators
            .iter()
            .map(|i| (i.name.clone(), i.id.clone()))
            .collect()
    };
    for year in PUBLISHED {
        let scores = Test::new()
            .root(root)
            .args(["scores", "--year", &year.to_string(), "--format", "json"])
            .run()
            .success()
            .json();
        let xlsx = site.join(format!("{year}/data/results.xlsx"));
        let book: Value = serde_json::from_str(&run_python(&python, READ, &[&xlsx])).unwrap();
        let results = &book["考核结果"];
        assert_eq!(results["freeze"], "A3", "the header is frozen");
        assert_eq!(results["format"], "0.00", "totals show two decimals");
        let f = |v: &Value| format!("{:.2}", v.as_f64().expect("a number cell"));
        let yes = |v: &Value| v.as_str() == Some("是");
        let rows = results["rows"].as_array().unwrap();
        let expected = scores["regions"].as_array().unwrap();
        assert_eq!(rows.len(), expected.len(), "{year}");
        for (row, unit) in rows.iter().zip(expected) {
            let missed: Vec<Value> =
                row[14]
                    .as_str()
                    .filter(|s| !s.is_empty())
                    .map_or(Vec::new(), |s| {
                        s.split('、')
                            .map(|n| Value::from(names[n].as_str()))
                            .collect()
                    });
            let mut missed_sorted = missed.clone();
            missed_sorted.sort_by_key(|v| v.as_str().unwrap().to_string());
            let read_back = serde_json::json!({
                "rank": row[0].as_f64().unwrap() as u64,
                "id": row[1], "name": row[2],
                "grade": grade_key(row[3].as_str().unwrap()),
                "grade_name": row[3],
                "total": f(&row[4]),
                "sections": {"indicators": f(&row[5]), "tasks": f(&row[6]), "funds": f(&row[7]), "satisfaction": f(&row[8])},
                "bonus": f(&row[9]),
                "bonus_claimed": f(&row[10]),
                "base_grade": grade_key(row[11].as_str().unwrap()),
                "downgraded": yes(&row[12]),
                "vetoed": yes(&row[13]),
                "binding_missed": missed_sorted,
            });
            assert_eq!(
                &read_back, unit,
                "{year}: results.xlsx differs from scores --format json"
            );
        }
        assert_eq!(
            book["指标完成情况"]["rows"].as_array().unwrap().len(),
            12 * 20,
            "{year}"
        );
        assert_eq!(book["扣分明细"]["freeze"], "A3");
    }
    // Every lost point has its reason: a known task deduction of 2023.
    let xlsx = site.join("2023/data/results.xlsx");
    let book: Value = serde_json::from_str(&run_python(&python, READ, &[&xlsx])).unwrap();
    let lost = book["扣分明细"]["rows"].as_array().unwrap();
    assert!(lost.iter().any(|r| r[1] == "长春市"
        && r[2] == "重点任务"
        && r[4].as_f64() == Some(1.0)
        && r[5] == "秋季秸秆露天焚烧卫星遥感监测火点超过控制目标"));
    assert!(lost.iter().any(|r| r[1] == "白城市" && r[3] == "降档"));
}

fn created(xlsx: &[u8]) -> String {
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(xlsx)).unwrap();
    let mut core = String::new();
    archive
        .by_name("docProps/core.xml")
        .unwrap()
        .read_to_string(&mut core)
        .unwrap();
    let start = core.find("<dcterms:created").expect("a creation date");
    let start = start + core[start..].find('>').unwrap() + 1;
    core[start..start + core[start..].find('<').unwrap()].to_string()
}

#[test]
fn workbooks_are_the_same_bytes_every_run_and_dated_from_the_input() {
    let project = unarchived_sample_project();
    let root = project.path();
    let run = |name: &str| {
        Test::new()
            .root(root)
            .args(["build", "--out"])
            .arg(root.join(name))
            .run()
            .success();
        Test::new()
            .root(root)
            .args(["brief", "--year", "2024", "--out"])
            .arg(root.join(format!("brief-{name}")))
            .run()
            .success();
        (
            fs::read(root.join(format!("{name}/2024/data/results.xlsx"))).unwrap(),
            fs::read(root.join(format!("brief-{name}/2024/briefing.xlsx"))).unwrap(),
        )
    };
    let first = run("a");
    std::thread::sleep(std::time::Duration::from_millis(1100));
    let second = run("b");
    assert!(
        first.0 == second.0,
        "results.xlsx differs between two builds"
    );
    assert!(
        first.1 == second.1,
        "briefing.xlsx differs between two runs"
    );
    assert_eq!(
        created(&first.0),
        "2025-04-25T00:00:00Z",
        "the 2024 bulletin's date"
    );
    assert_eq!(
        created(&first.1),
        "2025-04-27T00:00:00Z",
        "the briefing copy's 印发日期"
    );
    let form = ecoscore::sheets::forms::write(
        &ecoscore::sheets::issue::template(root, 2024).unwrap(),
        0,
        &Default::default(),
    )
    .unwrap();
    assert_eq!(
        created(&form),
        "2025-01-01T00:00:00Z",
        "forms carry the day after the year"
    );
}

fn sheet_rows(path: &Path, name: &str) -> Vec<Vec<String>> {
    let mut book: Xlsx<_> = calamine::open_workbook(path).unwrap();
    let range = book.worksheet_range(name).unwrap();
    range
        .rows()
        .skip(2)
        .map(|row| {
            row.iter()
                .enumerate()
                .map(|(col, cell)| match cell {
                    // The rank, a whole number; scores with two decimals.
                    Data::Float(f) if col == 0 => format!("{f}"),
                    Data::Float(f) => format!("{f:.2}"),
                    other => other.to_string(),
                })
                .collect()
        })
        .collect()
}

#[test]
fn the_briefing_copy_compares_self_assessment_with_the_verified_scores() {
    let project = unarchived_sample_project();
    let root = project.path();
    Test::new()
        .root(root)
        .args(["brief", "--year", "2024"])
        .run()
        .success();
    let html = unescape(&read(root, "briefing/2024/index.html"));
    assert!(html.contains("六、自评与核定对比"), "the section is there");
    assert!(html.contains("12个地区报送了自评分。自评总分高于核定总分5分以上的地区：公主岭市（自评95.60分，核定88.95分，高出6.65分）、辽源市（自评95.50分，核定88.45分，高出7.05分）。"), "{html}");
    assert!(html.contains("<th scope=\"row\">公主岭市※</th>"));
    assert!(
        html.contains("<td>33.00<br>27.50<br>+5.50</td>"),
        "公主岭市's tasks: 自评, 核定, difference"
    );
    let rows = sheet_rows(&root.join("briefing/2024/briefing.xlsx"), "自评与核定");
    assert!(
        rows.contains(
            &["12", "辽源市", "总分", "95.50", "88.45", "7.05", "是"]
                .map(String::from)
                .to_vec()
        ),
        "{rows:?}"
    );
    assert!(
        rows.contains(
            &["1", "白山市", "总分", "99.80", "99.80", "0.00", "否"]
                .map(String::from)
                .to_vec()
        ),
        "{rows:?}"
    );
    // The threshold comes from site.yaml.
    edit(
        root,
        "site.yaml",
        "sample_data: true\n",
        "sample_data: true\nself_assessment:\n  threshold: 7\n",
    );
    Test::new()
        .root(root)
        .args(["brief", "--year", "2024"])
        .run()
        .success();
    let html = unescape(&read(root, "briefing/2024/index.html"));
    assert!(
        html.contains(
            "高于核定总分7分以上的地区：辽源市（自评95.50分，核定88.45分，高出7.05分）。"
        ),
        "{html}"
    );
    // A year without self-assessment says so.
    Test::new()
        .root(root)
        .args(["brief", "--year", "2023"])
        .run()
        .success();
    assert!(read(root, "briefing/2023/index.html").contains("本年度各地区未报送自评分。"));
}

#[test]
fn the_public_site_shows_self_assessment_only_when_site_yaml_says_so() {
    let project = unarchived_sample_project();
    let root = project.path();
    Test::new().root(root).args(["build"]).run().success();
    let mut any = 0;
    for (path, bytes) in read_tree(&root.join("public")) {
        let text = String::from_utf8_lossy(&bytes);
        assert!(
            !text.contains("101.40") || !path.contains("changchun"),
            "{path} shows 长春市's self-assessed total"
        );
        any += usize::from(text.contains("自评</th>"));
    }
    assert_eq!(any, 0, "no page shows a 自评 column");
    edit(
        root,
        "site.yaml",
        "sample_data: true\n",
        "sample_data: true\nself_assessment: { public: true }\n",
    );
    Test::new().root(root).args(["build"]).run().success();
    let page = read(root, "public/2024/regions/changchun/index.html");
    assert!(page.contains("<th>自评</th>"), "{page}");
    assert!(
        page.contains("<td>101.40</td></tr></tfoot>"),
        "长春市's self-assessed total"
    );
    let older = read(root, "public/2023/regions/changchun/index.html");
    assert!(
        !older.contains("自评</th>"),
        "2023 has no self-assessment to show"
    );
}

/// Every part of a workbook, unzipped, as text.
fn unzipped(xlsx: &[u8]) -> String {
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(xlsx)).unwrap();
    let mut text = String::new();
    for index in 0..archive.len() {
        archive
            .by_index(index)
            .unwrap()
            .read_to_string(&mut text)
            .unwrap();
    }
    text
}

#[test]
fn no_internal_note_reaches_a_public_workbook() {
    const CANARY: &str = "CANARY-内部-xlsx";
    let project = unarchived_sample_project();
    let root = project.path();
    edit(
        root,
        "data/2024/results/siping.yaml",
        "  notes: ",
        &format!("  notes: {CANARY}"),
    );
    Test::new().root(root).arg("build").run().success();
    let mut workbooks = 0;
    for (path, bytes) in read_tree(&root.join("public")) {
        if path.ends_with(".xlsx") {
            workbooks += 1;
            assert!(
                !unzipped(&bytes).contains(CANARY),
                "{path} holds an internal note"
            );
        }
    }
    assert_eq!(workbooks, 4, "one results.xlsx per published year");
    // The briefing copy's workbook is where the note belongs.
    Test::new()
        .root(root)
        .args(["brief", "--year", "2024"])
        .run()
        .success();
    let briefing = fs::read(root.join("briefing/2024/briefing.xlsx")).unwrap();
    assert!(unzipped(&briefing).contains(CANARY));
}

#[test]
fn text_that_looks_like_a_formula_stays_text() {
    let Some(python) = python() else { return };
    const REASON: &str = "=HYPERLINK(\"http://x\",\"点此\") 秸秆焚烧";
    let project = unarchived_sample_project();
    let root = project.path();
    edit(
        root,
        "data/2023/results/changchun.yaml",
        "reason: 秋季秸秆露天焚烧卫星遥感监测火点超过控制目标 }",
        &format!("reason: '{REASON}' }}"),
    );
    build_site(root);
    // openpyxl sees a text cell with Excel's quote prefix, not a formula.
    const CELLS: &str = r#"
import sys, openpyxl
sheet = openpyxl.load_workbook(sys.argv[1])["扣分明细"]
for row in sheet.iter_rows(min_row=3):
    cell = row[5]
    if isinstance(cell.value, str) and cell.value.startswith("="):
        print(cell.data_type, cell.quotePrefix, cell.value)
"#;
    let out = run_python(&python, CELLS, &[&root.join("site/2023/data/results.xlsx")]);
    assert_eq!(out.trim(), format!("s True {REASON}"));
    // Through a form and back, the text is what it was.
    let forms = tempfile::tempdir().unwrap();
    filled_forms(root, 2023, forms.path(), &[]);
    Test::new()
        .root(root)
        .args(["import", "--force"])
        .arg(forms.path().join("长春市.xlsx"))
        .run()
        .success();
    assert!(read(root, "data/2023/results/changchun.yaml").contains("由 ecoscore import"));
    let (project, _) = ecoscore::Project::load(root).unwrap();
    let unit = &project.years[&2023].units[0];
    assert!(
        unit.tasks.iter().any(|t| t.reason == REASON),
        "{:?}",
        unit.tasks
    );
}

/// The 重点工程 sheet cell by cell (value as text, type, number format,
/// quote prefix) and projects.csv parsed by Python's own csv module.
const PROJECTS: &str = r#"
import csv, json, sys, openpyxl
sheet = openpyxl.load_workbook(sys.argv[1])["重点工程"]
cells = [[[None if c.value is None else (repr(c.value) if c.data_type == "n" else c.value),
           c.data_type, c.number_format, bool(c.quotePrefix)] for c in row]
         for row in sheet.iter_rows(min_row=3)]
with open(sys.argv[2], encoding="utf-8-sig", newline="") as f:
    rows = list(csv.reader(f))
print(json.dumps({"freeze": sheet.freeze_panes, "sheet": cells, "csv": rows}, ensure_ascii=False))
"#;

/// `planned_investment` and `completed_investment` of every project of a
/// year, by project id, as the YAML writes them.
fn yaml_investments(root: &Path, year: u16) -> std::collections::BTreeMap<String, [String; 2]> {
    let mut out = std::collections::BTreeMap::new();
    for entry in fs::read_dir(root.join(format!("data/{year}/projects"))).unwrap() {
        let text = fs::read_to_string(entry.unwrap().path()).unwrap();
        let mut id = String::new();
        for line in text.lines().map(str::trim) {
            if let Some(v) = line.strip_prefix("- id:") {
                id = v.trim().to_string();
                out.insert(id.clone(), [String::new(), String::new()]);
            } else if let Some(v) = line.strip_prefix("planned_investment:") {
                out.get_mut(&id).unwrap()[0] = v.trim().to_string();
            } else if let Some(v) = line.strip_prefix("completed_investment:") {
                out.get_mut(&id).unwrap()[1] = v.trim().to_string();
            }
        }
    }
    out
}

#[test]
fn the_projects_sheet_equals_projects_csv_and_the_yaml() {
    use rust_decimal::Decimal;
    use std::str::FromStr;
    let Some(python) = python() else { return };
    const NAME: &str = "=HYPERLINK(\"http://x\",\"点此\") 工程";
    let project = sample_project();
    let root = project.path();
    edit(
        root,
        "data/2024/projects/changchun.yaml",
        "name: 长春市生态环境执法装备能力提升工程",
        &format!("name: '{NAME}'"),
    );
    let site = root.join("site");
    Test::new()
        .root(root)
        .args(["build", "--drafts", "--out"])
        .arg(&site)
        .run()
        .success();
    let dec = |text: &str| Decimal::from_str(text).unwrap();
    for year in [2024u16, 2025] {
        let data = site.join(format!("{year}/data"));
        let out: Value = serde_json::from_str(&run_python(
            &python,
            PROJECTS,
            &[&data.join("results.xlsx"), &data.join("projects.csv")],
        ))
        .unwrap();
        assert_eq!(out["freeze"], "A3", "{year}: the header is frozen");
        let sheet = out["sheet"].as_array().unwrap();
        let csv = out["csv"].as_array().unwrap();
        let yaml = yaml_investments(root, year);
        assert_eq!(sheet.len(), csv.len() - 1, "{year}: one row per project");
        assert_eq!(sheet.len(), yaml.len(), "{year}: every project of the YAML");
        for (row, line) in sheet.iter().zip(&csv[1..]) {
            let (row, line) = (row.as_array().unwrap(), line.as_array().unwrap());
            assert_eq!(row.len(), line.len(), "{year}: the columns of projects.csv");
            let id = line[0].as_str().unwrap();
            for (col, (cell, expected)) in row.iter().zip(line).enumerate() {
                let (value, kind, format, quoted) = (&cell[0], &cell[1], &cell[2], &cell[3]);
                let expected = expected.as_str().unwrap();
                match col {
                    // Investments and the completion rate: number cells equal
                    // to the CSV's figures, investments to the YAML's digits.
                    5..=7 => {
                        assert_eq!(kind, "n", "{year} {id} column {col}");
                        let value = dec(value.as_str().unwrap());
                        assert_eq!(value, dec(expected), "{year} {id} column {col}");
                        if col < 7 {
                            assert_eq!(value, dec(&yaml[id][col - 5]), "{year} {id} YAML");
                            assert_eq!(format, "0.00", "{year} {id}: two decimals shown");
                        }
                    }
                    _ if expected.is_empty() => assert!(value.is_null(), "{year} {id} {col}"),
                    _ => {
                        assert_eq!(kind, "s", "{year} {id} column {col}");
                        // projects.csv defuses with a leading ', the sheet
                        // with Excel's quote prefix on the text as written.
                        let text = value.as_str().unwrap();
                        if text.starts_with('=') {
                            assert_eq!(quoted, true, "{year} {id}: {text}");
                            assert_eq!(format!("'{text}"), expected);
                        } else {
                            assert_eq!(text, expected, "{year} {id} column {col}");
                        }
                    }
                }
            }
        }
        if year == 2024 {
            assert!(
                sheet.iter().any(|r| r[4][0] == NAME && r[4][3] == true),
                "the formula-like name is a quoted text cell"
            );
        }
    }
}
