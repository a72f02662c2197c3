//! `ecoscore import` refusing what it must: each case is a form made bad in
//! one way, the exact report pinned as a snapshot, and the project's data
//! checked to be untouched.

use std::collections::BTreeMap;
use std::fs;
use std::path::Path;

use crate::common::sheets::*;
use crate::common::*;
use ecoscore::sheets::forms::{Cell, BONUS, INDICATORS, META, SATISFACTION};
use rust_decimal::Decimal;

fn num(text: &str) -> Cell {
    Cell::Number(text.parse::<Decimal>().unwrap())
}

fn text(text: &str) -> Cell {
    Cell::text(text)
}

/// What `import ARGS` printed, run inside `forms` (so workbooks are named
/// as the clerk would type them), with the project folder written `[ROOT]`.
fn run_import(root: &Path, forms: &Path, args: &[&str]) -> (Output, String) {
    let output = Test::new()
        .root(root)
        .current_dir(forms)
        .arg("import")
        .args(args)
        .run();
    let report = format!(
        "exit: {}\n--- stdout ---\n{}--- stderr ---\n{}",
        output.status, output.stdout, output.stderr
    )
    .replace(&root.display().to_string(), "[ROOT]");
    (output, report)
}

/// Import `args` from forms of `year` filled from the sample's results with
/// `extra` cells written over them; asserts it fails and changes no file.
fn refused(year: u16, extra: &[(&str, &'static str, u32, u16, Cell)], args: &[&str]) -> String {
    let project = unarchived_sample_project();
    let forms = tempfile::tempdir().unwrap();
    filled_forms(project.path(), year, forms.path(), extra);
    refused_in(project.path(), forms.path(), args)
}

fn refused_in(root: &Path, forms: &Path, args: &[&str]) -> String {
    let before: BTreeMap<String, Vec<u8>> = read_tree(&root.join("data"));
    let (output, report) = run_import(root, forms, args);
    assert_eq!(output.status, 1, "{report}");
    assert!(
        read_tree(&root.join("data")) == before,
        "a refused import changed data/:\n{report}"
    );
    report
}

#[test]
fn every_problem_of_every_form_in_one_run() {
    let report = refused(
        2023,
        &[
            ("changchun", INDICATORS, 6, 6, text("九十")),
            ("changchun", INDICATORS, 7, 6, num("950")),
            ("changchun", INDICATORS, 8, 7, text("省报")),
            ("jilin", SATISFACTION, 3, 2, text("95%")),
            ("jilin", BONUS, 9, 0, num("1.255")),
        ],
        &["长春市.xlsx", "吉林市.xlsx", "四平市.xlsx"],
    );
    insta::assert_snapshot!("import_not_a_number", report);
}

#[test]
fn a_form_for_a_unit_not_in_the_project() {
    let report = refused(
        2023,
        &[("changchun", META, 2, 1, text("harbin"))],
        &["长春市.xlsx"],
    );
    insta::assert_snapshot!("import_wrong_unit", report);
}

#[test]
fn a_form_for_a_year_the_project_does_not_have() {
    let report = refused(
        2023,
        &[("changchun", META, 1, 1, num("2019"))],
        &["长春市.xlsx"],
    );
    insta::assert_snapshot!("import_wrong_year", report);
}

#[test]
fn a_form_of_another_years_template() {
    // Last year's form with its year changed: the targets are 2022's.
    let report = refused(
        2022,
        &[("changchun", META, 1, 1, num("2023"))],
        &["长春市.xlsx"],
    );
    insta::assert_snapshot!("import_other_years_template", report);
    let report = refused(2022, &[], &["--year", "2023", "长春市.xlsx"]);
    insta::assert_snapshot!("import_form_of_another_year", report);
}

#[test]
fn a_changed_locked_cell() {
    let report = refused(
        2023,
        &[
            ("changchun", INDICATORS, 3, 3, num("80")),
            ("changchun", INDICATORS, 4, 1, text("PM2.5浓度")),
            ("changchun", INDICATORS, 30, 10, text("多余的内容")),
        ],
        &["长春市.xlsx"],
    );
    insta::assert_snapshot!("import_changed_locked_cell", report);
}

#[test]
fn targets_changed_after_the_forms_were_issued() {
    let project = unarchived_sample_project();
    let forms = tempfile::tempdir().unwrap();
    filled_forms(project.path(), 2023, forms.path(), &[]);
    edit(
        project.path(),
        "data/2023/targets.yaml",
        "changchun: { good_air_days: 87.6, pm25: 34,",
        "changchun: { good_air_days: 87.6, pm25: 33,",
    );
    let report = refused_in(project.path(), forms.path(), &["长春市.xlsx"]);
    insta::assert_snapshot!("import_template_changed", report);
}

#[test]
fn two_forms_of_one_unit() {
    let project = unarchived_sample_project();
    let forms = tempfile::tempdir().unwrap();
    filled_forms(project.path(), 2023, forms.path(), &[]);
    fs::copy(
        forms.path().join("长春市.xlsx"),
        forms.path().join("长春市（修改后）.xlsx"),
    )
    .unwrap();
    let report = refused_in(
        project.path(),
        forms.path(),
        &["长春市.xlsx", "长春市（修改后）.xlsx"],
    );
    insta::assert_snapshot!("import_duplicate_unit", report);
}

#[test]
fn what_is_not_a_filled_form() {
    let project = unarchived_sample_project();
    let forms = tempfile::tempdir().unwrap();
    fs::write(forms.path().join("说明.txt"), "不是表格").unwrap();
    fs::write(forms.path().join("损坏.xlsx"), "PK not really").unwrap();
    let sheet = ecoscore::sheets::issue::template(project.path(), 2023).unwrap();
    let blank = ecoscore::sheets::forms::write(&sheet, 0, &Default::default()).unwrap();
    fs::write(forms.path().join("空白.xlsx"), blank).unwrap();
    Test::new()
        .root(project.path())
        .args(["build", "--out"])
        .arg(forms.path().join("site"))
        .run()
        .success();
    fs::copy(
        forms.path().join("site/2023/data/results.xlsx"),
        forms.path().join("results.xlsx"),
    )
    .unwrap();
    let report = refused_in(
        project.path(),
        forms.path(),
        &[
            "说明.txt",
            "损坏.xlsx",
            "空白.xlsx",
            "results.xlsx",
            "没有这个文件.xlsx",
        ],
    );
    insta::assert_snapshot!("import_not_forms", report);
}

#[test]
fn an_existing_file_is_replaced_only_with_force() {
    let project = unarchived_sample_project();
    let root = project.path();
    let forms = tempfile::tempdir().unwrap();
    filled_forms(
        root,
        2023,
        forms.path(),
        &[
            ("changchun", INDICATORS, 4, 6, num("30")),
            ("changchun", INDICATORS, 6, 7, text("本地报送")),
            ("changchun", BONUS, 4, 0, num("0.5")),
            ("changchun", BONUS, 4, 1, text("获评省级生态文明建设示范区")),
        ],
    );
    let report = refused_in(root, forms.path(), &["长春市.xlsx", "吉林市.xlsx"]);
    insta::assert_snapshot!("import_existing_without_force", report);
    let (output, report) = run_import(
        root,
        forms.path(),
        &["--force", "长春市.xlsx", "吉林市.xlsx"],
    );
    assert_eq!(output.status, 0, "{report}");
    insta::assert_snapshot!("import_existing_with_force", report);
    let text = read(root, "data/2023/results/changchun.yaml");
    assert!(text.contains("\n  pm25: 30\n"), "{text}");
    assert!(text.contains("\n  surface_water_good: 59.8\n"), "{text}");
    assert!(
        text.contains("  - { points: 0.5, reason: 获评省级生态文明建设示范区 }\n"),
        "{text}"
    );
    Test::new().root(root).arg("check").run().success();
}

#[test]
fn a_new_year_imports_without_force() {
    let project = unarchived_sample_project();
    let root = project.path();
    let forms = tempfile::tempdir().unwrap();
    filled_forms(root, 2025, forms.path(), &[]);
    for entry in fs::read_dir(root.join("data/2025/results")).unwrap() {
        fs::remove_file(entry.unwrap().path()).unwrap();
    }
    Test::new()
        .root(root)
        .args(["forms", "--year", "2025"])
        .run()
        .success()
        .stdout_contains("wrote 12 forms for 2025");
    let (output, report) = run_import(root, forms.path(), &["."]);
    assert_eq!(output.status, 0, "{report}");
    assert!(
        output
            .stdout
            .contains("imported 12 forms: 12 new, 0 replaced, 0 unchanged"),
        "{report}"
    );
    Test::new().root(root).arg("check").run().success();
}
