//! `ecoscore forms` and `ecoscore import` end to end: forms out, filled in
//! (by the library's own writer and by Python's openpyxl), imported back,
//! and the project scores and builds exactly as before.

use std::fs;
use std::path::Path;

use crate::common::sheets::*;
use crate::common::*;

fn scores(root: &Path, year: u16) -> String {
    Test::new()
        .root(root)
        .args(["scores", "--year", &year.to_string(), "--format", "json"])
        .run()
        .success()
        .stdout
}

fn build(root: &Path, out: &Path) -> std::collections::BTreeMap<String, Vec<u8>> {
    Test::new()
        .root(root)
        .args(["build", "--out"])
        .arg(out)
        .run()
        .success();
    read_tree(out)
}

fn brief(root: &Path, year: u16) -> std::collections::BTreeMap<String, Vec<u8>> {
    let out = root.join("briefing-out");
    Test::new()
        .root(root)
        .args(["brief", "--year", &year.to_string(), "--out"])
        .arg(&out)
        .run()
        .success();
    read_tree(&out.join(year.to_string()))
}

/// The same pages, files and bytes; on a difference, name the first file.
fn assert_same_tree(
    before: &std::collections::BTreeMap<String, Vec<u8>>,
    after: &std::collections::BTreeMap<String, Vec<u8>>,
    what: &str,
) {
    let names =
        |t: &std::collections::BTreeMap<String, Vec<u8>>| t.keys().cloned().collect::<Vec<_>>();
    assert_eq!(names(before), names(after), "{what}: the files differ");
    for (name, bytes) in before {
        assert!(after[name] == *bytes, "{what}: {name} differs");
    }
}

#[test]
fn forms_are_the_librarys_forms_and_the_same_bytes_every_run() {
    let dir = sample_project();
    let root = dir.path();
    Test::new()
        .root(root)
        .args(["forms", "--year", "2024"])
        .run()
        .success()
        .stdout_contains("wrote 12 forms for 2024 (0 unchanged)");
    let first = read_tree(&root.join("forms/2024"));
    assert_eq!(first.len(), 12);
    assert!(first.contains_key("长春市.xlsx") && first.contains_key("长白山管委会.xlsx"));
    // A second run a while later: the creation date is the input's, not the clock's.
    std::thread::sleep(std::time::Duration::from_millis(1100));
    fs::remove_dir_all(root.join("forms")).unwrap();
    Test::new()
        .root(root)
        .args(["forms", "--year", "2024"])
        .run()
        .success();
    assert_same_tree(&first, &read_tree(&root.join("forms/2024")), "a second run");
    // The blank form is what the library's writer makes with nothing filled in.
    let t = ecoscore::sheets::issue::template(root, 2024).unwrap();
    let blank = ecoscore::sheets::forms::write(&t, 0, &Default::default()).unwrap();
    assert!(first["长春市.xlsx"] == blank);
    // Run again: nothing to do; a changed file there is kept unless --force.
    Test::new()
        .root(root)
        .args(["forms", "--year", "2024"])
        .run()
        .success()
        .stdout_contains("wrote 0 forms for 2024 (12 unchanged)");
    fs::write(root.join("forms/2024/吉林市.xlsx"), b"filled in").unwrap();
    let out = Test::new()
        .root(root)
        .args(["forms", "--year", "2024"])
        .run()
        .failure();
    assert!(
        out.stderr
            .contains("吉林市.xlsx: a different file is already there"),
        "{}",
        out.stderr
    );
    assert_eq!(
        fs::read(root.join("forms/2024/吉林市.xlsx")).unwrap(),
        b"filled in"
    );
    Test::new()
        .root(root)
        .args(["forms", "--year", "2024", "--force"])
        .run()
        .success();
    assert!(fs::read(root.join("forms/2024/吉林市.xlsx")).unwrap() == first["吉林市.xlsx"]);
}

#[test]
fn round_trip_with_our_own_writer_on_every_sample_year() {
    let original = unarchived_sample_project();
    let copy = unarchived_sample_project();
    let forms_dir = tempfile::tempdir().unwrap();
    for year in YEARS {
        let dir = forms_dir.path().join(year.to_string());
        // Forms made and filled in from the original's own results.
        filled_forms(original.path(), year, &dir, &[]);
        let out = Test::new()
            .root(copy.path())
            .args(["import", "--force"])
            .arg(&dir)
            .run()
            .success();
        assert!(
            out.stdout.contains("imported 12 forms"),
            "{year}: {}",
            out.stdout
        );
        assert_eq!(
            scores(original.path(), year),
            scores(copy.path(), year),
            "{year}"
        );
    }
    // Every results file was really written by import (the copy's are its own now).
    let text = read(copy.path(), "data/2023/results/changchun.yaml");
    assert!(
        text.contains("由 ecoscore import 从填报表 长春市.xlsx 导入"),
        "{text}"
    );
    assert!(
        text.contains(
            "surface_water_good: { value: 59.8, source: national }   # 直接运用国家考核结果"
        ),
        "{text}"
    );
    let liaoyuan = read(copy.path(), "data/2022/results/liaoyuan.yaml");
    assert!(
        liaoyuan.contains("veto:\n  - { date: 2022-07-16, event:"),
        "{liaoyuan}"
    );
    assert!(
        liaoyuan.contains("internal:   # 仅用于抄送件"),
        "internal notes are kept: {liaoyuan}"
    );
    Test::new().root(copy.path()).arg("check").run().success();
    let site = tempfile::tempdir().unwrap();
    let before = build(original.path(), &site.path().join("before"));
    let after = build(copy.path(), &site.path().join("after"));
    assert_same_tree(&before, &after, "build after the round trip");
    for year in YEARS {
        assert_same_tree(
            &brief(original.path(), year),
            &brief(copy.path(), year),
            "brief",
        );
    }
}

/// openpyxl fills the blank forms `ecoscore forms` wrote, typing each value
/// as a unit would: numbers as numbers, a veto date as a date cell, one
/// satisfaction score as the text "…0" with a trailing zero.
const FILL: &str = r#"
import datetime, json, sys, openpyxl
plan = json.load(open(sys.argv[1], encoding="utf-8"))
folder = sys.argv[2]
for name, cells in plan.items():
    book = openpyxl.load_workbook(folder + "/" + name)
    for sheet, ref, value in cells:
        if sheet == "否决与降档" and ref.startswith("B") and isinstance(value, str):
            value = datetime.date.fromisoformat(value)
        if sheet == "公众满意度" and name == "长春市.xlsx":
            value = "%.2f" % value
        book[sheet][ref] = value
    book.save(folder + "/" + name)
"#;

#[test]
fn round_trip_through_openpyxl_on_every_sample_year() {
    let Some(python) = python() else { return };
    let original = unarchived_sample_project();
    let copy = unarchived_sample_project();
    let work = tempfile::tempdir().unwrap();
    for year in YEARS {
        Test::new()
            .root(copy.path())
            .args(["forms", "--year", &year.to_string(), "--out"])
            .arg(work.path())
            .run()
            .success();
        let folder = work.path().join(year.to_string());
        let plan = work.path().join(format!("plan-{year}.json"));
        fs::write(&plan, fill_plan(original.path(), year).to_string()).unwrap();
        run_python(&python, FILL, &[&plan, &folder]);
        Test::new()
            .root(copy.path())
            .args(["import", "--force", "--year", &year.to_string()])
            .arg(&folder)
            .run()
            .success()
            .stdout_contains("imported 12 forms");
        assert_eq!(
            scores(original.path(), year),
            scores(copy.path(), year),
            "{year}"
        );
    }
    // A value typed as text keeps its digits.
    let text = read(copy.path(), "data/2023/results/changchun.yaml");
    assert!(text.contains("\nsatisfaction: 88.30\n"), "{text}");
    let site = tempfile::tempdir().unwrap();
    assert_same_tree(
        &build(original.path(), &site.path().join("before")),
        &build(copy.path(), &site.path().join("after")),
        "build after the openpyxl round trip",
    );
}

#[test]
fn forms_refuse_the_public_output_and_the_input_folders() {
    let dir = sample_project();
    let root = dir.path();
    fs::create_dir_all(root.join("public")).unwrap();
    let mut report = String::new();
    for out in [
        "public/forms",
        "data/forms",
        "content",
        "themes/default/forms",
        "archive/x",
        "forms/../public",
    ] {
        let output = Test::new()
            .root(root)
            .args(["forms", "--year", "2024", "--out"])
            .arg(root.join(out))
            .run()
            .failure();
        report.push_str(&format!("--out [ROOT]/{out}\n{}\n", output.stderr));
    }
    #[cfg(unix)]
    {
        std::os::unix::fs::symlink(root.join("public"), root.join("outbox")).unwrap();
        let output = Test::new()
            .root(root)
            .args(["forms", "--year", "2024", "--out"])
            .arg(root.join("outbox/forms"))
            .run()
            .failure();
        report.push_str(&format!(
            "--out [ROOT]/outbox/forms (a link to public/)\n{}\n",
            output.stderr
        ));
    }
    let real = fs::canonicalize(root).unwrap().display().to_string();
    let report = report
        .replace(&real, "[ROOT]")
        .replace(&root.display().to_string(), "[ROOT]");
    insta::assert_snapshot!("forms_out_refused", report);
    assert!(!root.join("public/forms").exists() && !root.join("data/forms").exists());
}

#[test]
fn forms_need_the_years_rules_and_targets() {
    let dir = sample_project();
    let out = Test::new()
        .root(dir.path())
        .args(["forms", "--year", "2030"])
        .run()
        .failure();
    insta::assert_snapshot!("forms_for_a_year_without_data", out.stderr);
    assert!(!dir.path().join("forms").exists());
}
