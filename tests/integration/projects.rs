//! The project library (data/<year>/projects/<unit>.yaml): every problem
//! located in the file with a snapshot of the report, and the figures the
//! scorecard, the year page and projects.csv show equal to the data, summed
//! here in exact decimals on their own.

use std::collections::BTreeMap;
use std::fs;
use std::path::Path;
use std::str::FromStr;

use crate::common::*;
use rust_decimal::Decimal;

const ALPHA: &str = "data/2023/projects/alpha.yaml";

/// Two valid projects of the tiny fixture's unit alpha.
const GOOD: &str = "year: 2023
projects:
  - id: a-01
    name: 甲市城区清洁取暖改造工程
    programme: 蓝天工程
    planned_investment: 1200.50
    completed_investment: 1180.25
    start: 2023-03-01
    planned_completion: 2023-10-31
    actual_completion: 2023-11-15
    status: 完工
  - id: a-02
    name: 甲市雨污分流管网改造工程
    programme: 碧水工程
    planned_investment: 800
    completed_investment: 300.10
    start: 2023-05-01
    planned_completion: 2023-09-30
    status: 延期
    delay_reason: 征地手续未及时办结
";

/// `check` on the tiny fixture with `alpha.yaml` written as `GOOD` with
/// one replacement, the temporary folder written `[ROOT]`.
fn check_with(from: &str, to: &str) -> String {
    let dir = tiny_project();
    let text = if from.is_empty() {
        GOOD.to_string()
    } else {
        assert_eq!(GOOD.matches(from).count(), 1, "{from:?} once in GOOD");
        GOOD.replacen(from, to, 1)
    };
    let path = dir.path().join(ALPHA);
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
    ($($name:ident: $from:expr => $to:expr;)*) => {
        $(
            #[test]
            fn $name() {
                insta::assert_snapshot!(stringify!($name), check_with($from, $to));
            }
        )*
    };
}

corpus! {
    projects_valid: "" => "";
    projects_unknown_programme: "programme: 碧水工程" => "programme: 碧水工";
    projects_unknown_status: "status: 完工" => "status: 完成";
    projects_completed_more_than_planned: "completed_investment: 300.10" => "completed_investment: 900";
    projects_completion_before_start: "planned_completion: 2023-09-30" => "planned_completion: 2023-04-30";
    projects_delay_without_reason: "    delay_reason: 征地手续未及时办结\n" => "";
    projects_completed_without_date: "    actual_completion: 2023-11-15\n" => "";
    projects_duplicate_id: "id: a-02" => "id: a-01";
    projects_not_a_date: "start: 2023-05-01" => "start: 2023-5-1";
    projects_negative_investment: "planned_investment: 800" => "planned_investment: -800";
    projects_misspelt_key: "delay_reason:" => "delay_reasons:";
    // several problems in one file: every one is listed in the one run
    projects_every_problem_listed: "programme: 碧水工程\n    planned_investment: 800" => "programme: 绿水工程\n    planned_investment: -1";
}

#[test]
fn projects_for_an_unknown_unit() {
    let dir = tiny_project();
    let path = dir.path().join("data/2023/projects/alfa.yaml");
    fs::create_dir_all(path.parent().unwrap()).unwrap();
    fs::write(&path, GOOD).unwrap();
    let output = Test::new().root(dir.path()).arg("check").run();
    insta::assert_snapshot!(
        "projects_for_an_unknown_unit",
        format!("exit: {}\n--- stderr ---\n{}", output.status, output.stderr)
            .replace(&dir.path().display().to_string(), "[ROOT]")
    );
}

// ---------------------------------------------------------------------------
// the figures on the pages equal the data

/// The sample's projects of one year, read from the YAML on their own: per
/// unit id, (planned, completed, delayed) of each project.
fn sample_projects(year: u16) -> BTreeMap<String, Vec<(Decimal, Decimal, bool)>> {
    let dir = repo().join(format!("data/{year}/projects"));
    let mut out = BTreeMap::new();
    for entry in fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let unit = path.file_stem().unwrap().to_string_lossy().to_string();
        let text = fs::read_to_string(&path).unwrap();
        let mut list = Vec::new();
        let field =
            |line: &str, key: &str| line.trim().strip_prefix(key).map(|v| v.trim().to_string());
        for line in text.lines() {
            if let Some(v) = field(line, "planned_investment:") {
                list.push((Decimal::from_str(&v).unwrap(), Decimal::ZERO, false));
            } else if let Some(v) = field(line, "completed_investment:") {
                list.last_mut().unwrap().1 = Decimal::from_str(&v).unwrap();
            } else if let Some(v) = field(line, "status:") {
                list.last_mut().unwrap().2 = v == "延期";
            }
        }
        out.insert(unit, list);
    }
    out
}

fn two(d: Decimal) -> String {
    format!("{:.2}", d)
}

fn built_sample() -> tempfile::TempDir {
    let dir = sample_project();
    Test::new()
        .root(dir.path())
        .args(["build", "--drafts", "--out"])
        .arg(dir.path().join("public"))
        .run()
        .success();
    dir
}

#[test]
fn scorecard_year_page_and_csv_show_the_data() {
    let dir = built_sample();
    let public = dir.path().join("public");
    let data = sample_projects(2024);
    assert_eq!(data.len(), 12, "every unit has projects in 2024");
    let (mut planned_all, mut completed_all, mut delayed_all) =
        (Decimal::ZERO, Decimal::ZERO, 0usize);
    let year_page = read(&public, "2024/index.html");
    for (unit, list) in &data {
        let planned: Decimal = list.iter().map(|p| p.0).sum();
        let completed: Decimal = list.iter().map(|p| p.1).sum();
        let delayed = list.iter().filter(|p| p.2).count();
        planned_all += planned;
        completed_all += completed;
        delayed_all += delayed;
        let card = read(&public, &format!("2024/regions/{unit}/index.html"));
        // The scorecard's summary sentence and its table's total row.
        let summary = format!(
            "共{}个项目，计划投资{}万元，完成投资{}万元",
            list.len(),
            two(planned),
            two(completed)
        );
        assert!(card.contains(&summary), "{unit}: {summary}");
        let total_row = format!(
            "<tfoot><tr><th scope=\"row\">合计</th><td class=\"num\" data-label=\"计划投资\">{}</td><td class=\"num\" data-label=\"完成投资\">{}</td>",
            two(planned),
            two(completed)
        );
        assert!(card.contains(&total_row), "{unit}: {total_row}");
        // The year page's row of this unit.
        let row = format!(
            "#projects-heading\">{}</a></th><td class=\"num\">{}</td><td class=\"num\">{delayed}</td><td class=\"num\">{}</td><td class=\"num\">{}</td>",
            unit_name(&card),
            list.len(),
            two(planned),
            two(completed)
        );
        assert!(year_page.contains(&row), "{unit}: {row}");
    }
    let province = format!(
        "<tfoot><tr><th scope=\"row\">全省</th><td class=\"num\">{}</td><td class=\"num\">{delayed_all}</td><td class=\"num\">{}</td><td class=\"num\">{}</td>",
        data.values().map(Vec::len).sum::<usize>(),
        two(planned_all),
        two(completed_all)
    );
    assert!(year_page.contains(&province), "{province}");
    let delayed_table = year_page.split("id=\"delayed-projects\"").nth(1).unwrap();
    let delayed_table = delayed_table.split("</table>").next().unwrap();
    assert_eq!(
        delayed_table.matches("<tr><th scope=\"row\">").count(),
        delayed_all
    );
    assert!(year_page.contains(&format!("延期的重点工程项目（{delayed_all}个）")));

    // projects.csv: one row per project, the same sums.
    let csv = read(&public, "2024/data/projects.csv");
    let csv = csv.trim_start_matches('\u{feff}');
    let mut lines = csv.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let col = |name: &str| header.iter().position(|h| *h == name).unwrap();
    let (p, c) = (
        col("planned_investment_wan"),
        col("completed_investment_wan"),
    );
    let rows: Vec<Vec<String>> = lines
        .map(|l| l.split(',').map(str::to_string).collect())
        .collect();
    assert_eq!(rows.len(), data.values().map(Vec::len).sum::<usize>());
    let sum =
        |i: usize| -> Decimal { rows.iter().map(|r| Decimal::from_str(&r[i]).unwrap()).sum() };
    assert_eq!(sum(p), planned_all);
    assert_eq!(sum(c), completed_all);
}

/// The unit's name from its scorecard's heading.
fn unit_name(card: &str) -> String {
    let start = card.find("<h1>").unwrap() + 4;
    let end = card[start..].find(' ').unwrap();
    card[start..start + end].to_string()
}

#[test]
fn unit_pages_show_investment_per_year() {
    let dir = built_sample();
    let page = read(&dir.path().join("public"), "regions/changchun/index.html");
    for year in [2024u16, 2025] {
        let list = &sample_projects(year)["changchun"];
        let planned: Decimal = list.iter().map(|p| p.0).sum();
        let completed: Decimal = list.iter().map(|p| p.1).sum();
        let row = format!(
            "{year}年</a></th><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td>",
            list.len(),
            list.iter().filter(|p| p.2).count(),
            two(planned),
            two(completed)
        );
        assert!(page.contains(&row), "{row}");
    }
}

#[test]
fn a_formula_in_a_project_name_is_defused_in_projects_csv() {
    let dir = tiny_project();
    let path = dir.path().join(ALPHA);
    fs::create_dir_all(path.parent().unwrap()).unwrap();
    fs::write(
        &path,
        GOOD.replace(
            "name: 甲市城区清洁取暖改造工程",
            "name: \"=HYPERLINK(\\\"x\\\")\"",
        ),
    )
    .unwrap();
    Test::new()
        .root(dir.path())
        .args(["build", "--drafts", "--out"])
        .arg(dir.path().join("public"))
        .run()
        .success();
    let csv = read(&dir.path().join("public"), "2023/data/projects.csv");
    assert!(
        csv.contains(",\"'=HYPERLINK(\"\"x\"\")\","),
        "the name starts with ' inside its quotes: {csv}"
    );
}

#[test]
fn a_year_without_projects_publishes_no_projects_csv() {
    let dir = tiny_project();
    Test::new()
        .root(dir.path())
        .args(["build", "--drafts", "--out"])
        .arg(dir.path().join("public"))
        .run()
        .success();
    assert!(!dir.path().join("public/2023/data/projects.csv").exists());
    assert!(!read(&dir.path().join("public"), "2023/index.html").contains("重点工程"));
    assert!(Path::new(&dir.path().join("public/2023/data/results.csv")).exists());
}

#[test]
fn status_badges_carry_ascii_classes_matching_their_word() {
    // Every year rendered from its input, none copied from an archive.
    let dir = unarchived_sample_project();
    let public = dir.path().join("public");
    Test::new()
        .root(dir.path())
        .args(["build", "--drafts", "--out"])
        .arg(&public)
        .run()
        .success();
    let classes = [
        ("未开工", "not-started"),
        ("在建", "in-progress"),
        ("完工", "completed"),
        ("延期", "delayed"),
    ];
    let mut seen = BTreeMap::new();
    for (path, bytes) in read_tree(&public) {
        if !path.ends_with(".html") {
            continue;
        }
        let html = String::from_utf8(bytes).unwrap();
        for tag in tags(&html) {
            let class = tag.attrs.get("class").map_or("", String::as_str);
            assert!(
                class.is_ascii(),
                "{path}: non-ASCII class in {}",
                tag.source
            );
        }
        // Each badge: its class, then its word.
        for badge in html.split("class=\"project-status project-").skip(1) {
            let (class, rest) = badge.split_once("\">").unwrap();
            let word = &rest[..rest.find('<').unwrap()];
            let expected = classes.iter().find(|(w, _)| *w == word).map(|(_, c)| *c);
            assert_eq!(expected, Some(class), "{path}: {class} {word}");
            *seen.entry(class.to_string()).or_insert(0) += 1;
        }
    }
    // The sample has projects in every status.
    assert_eq!(seen.len(), 4, "{seen:?}");
}
