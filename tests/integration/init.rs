//! `ecoscore init`: the starter project it writes builds with the real binary.

use std::fs;

use crate::common::*;
use tempfile::TempDir;

#[test]
fn init_then_build_works_with_no_other_file() {
    let scratch = TempDir::new().unwrap();
    Test::new()
        .current_dir(scratch.path())
        .args(["init", "demo"])
        .run()
        .success()
        .stdout_contains("cd demo && ecoscore serve --open");
    let demo = scratch.path().join("demo");
    for file in [
        "site.yaml",
        "data/indicators.yaml",
        "data/regions.yaml",
        "data/2024/rules.yaml",
        "data/2024/targets.yaml",
        "content/2024/bulletin.md",
        "themes/default/templates/base.html",
        "themes/default/static/style.css",
    ] {
        assert!(demo.join(file).is_file(), "init writes {file}");
    }
    let site = read(&demo, "site.yaml");
    assert!(site.contains("sample_data: true"), "marked as sample data");
    assert!(
        site.lines().filter(|l| l.starts_with('#')).count() >= 5,
        "commented"
    );
    let indicators = read(&demo, "data/indicators.yaml");
    assert_eq!(
        indicators.matches("\n  - id: ").count(),
        20,
        "the plan's 20 indicators"
    );

    Test::new()
        .current_dir(&demo)
        .arg("build")
        .run()
        .success()
        .stdout_contains("for 2024");
    let index = read(&demo, "public/index.html");
    assert!(
        index.contains("示例数据"),
        "every page says it is sample data"
    );
    let year = read(&demo, "public/2024/index.html");
    for unit in ["长春市", "吉林市", "长白山管委会"] {
        assert!(year.contains(unit), "{unit} ranked on the year page");
    }
    let bulletin = read(&demo, "public/2024/bulletin/index.html");
    assert!(
        bulletin.contains("考核结果为优秀的地区（3个）"),
        "bulletin text from the results"
    );

    Test::new()
        .current_dir(&demo)
        .arg("check")
        .run()
        .success()
        .stdout_contains("ok: checked 3 units, 1 year (2024), 20 indicators");
}

#[test]
fn init_refuses_a_folder_that_is_not_empty_unless_forced() {
    let scratch = TempDir::new().unwrap();
    let target = scratch.path().join("mine");
    fs::create_dir(&target).unwrap();
    fs::write(target.join("notes.txt"), "keep me").unwrap();
    Test::new()
        .current_dir(scratch.path())
        .args(["init", "mine"])
        .run()
        .failure()
        .stderr_contains("mine is not empty")
        .stderr_contains("--force");
    assert!(!target.join("site.yaml").exists(), "nothing written");

    Test::new()
        .current_dir(scratch.path())
        .args(["init", "mine", "--force"])
        .run()
        .success();
    assert_eq!(read(&target, "notes.txt"), "keep me");
    Test::new().root(&target).arg("build").run().success();
}

#[test]
fn init_in_the_current_folder() {
    let scratch = TempDir::new().unwrap();
    Test::new()
        .current_dir(scratch.path())
        .arg("init")
        .run()
        .success()
        .stdout_contains("next: ecoscore serve --open");
    assert!(scratch.path().join("site.yaml").is_file());
}

#[test]
fn a_new_project_never_commits_a_private_output() {
    let scratch = TempDir::new().unwrap();
    Test::new()
        .current_dir(scratch.path())
        .args(["init", "demo"])
        .run()
        .success();
    let ignored = std::fs::read_to_string(scratch.path().join("demo/.gitignore")).unwrap();
    let lines: Vec<&str> = ignored.lines().collect();
    for folder in ["/public/", "/briefing/", "/letters/", "/report/", "/forms/"] {
        assert!(
            lines.contains(&folder),
            "{folder} is not ignored:\n{ignored}"
        );
    }
}
