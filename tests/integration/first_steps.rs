//! A new user's first steps: the README's sample output is what the commands
//! print, a new project briefs without a warning, a folder with no project
//! points to `ecoscore init`, and `scores` reads like the site.

use std::fs;
use std::path::Path;

use crate::common::*;
use tempfile::TempDir;

/// The README's `console` blocks, each as its lines.
fn readme_console_blocks() -> Vec<Vec<String>> {
    let readme = fs::read_to_string(repo().join("README.md")).unwrap();
    let mut blocks = Vec::new();
    let mut current: Option<Vec<String>> = None;
    for line in readme.lines() {
        match (&mut current, line) {
            (None, "```console") => current = Some(Vec::new()),
            (Some(_), "```") => blocks.extend(current.take()),
            (Some(block), line) => block.push(line.to_string()),
            (None, _) => {}
        }
    }
    blocks
}

/// A summary line with its timing taken out: "built … for 2024 in 9 ms, x"
/// → ("built … for 2024", ", x").
fn without_timing(line: &str) -> (String, String) {
    let (before, after) = line.split_once(" in ").expect("a timed line");
    let after = after.split_once(" ms").map_or("", |(_, rest)| rest);
    (before.to_string(), after.to_string())
}

fn lines(text: &str) -> Vec<String> {
    text.lines().map(str::to_string).collect()
}

#[test]
fn readme_sample_output_is_what_the_commands_print() {
    let blocks = readme_console_blocks();
    let init = blocks
        .iter()
        .find(|b| b[0] == "$ ecoscore init demo && cd demo")
        .expect("README shows init");
    let scratch = TempDir::new().unwrap();
    let printed = Test::new()
        .current_dir(scratch.path())
        .args(["init", "demo"])
        .run()
        .success();
    assert_eq!(
        lines(&printed.stdout),
        init[1..3],
        "init's output as README shows it"
    );
    assert_eq!(init[3], "$ ecoscore serve --open");
    // serve prints the same summary as a build with drafts, then where it serves.
    let demo = scratch.path().join("demo");
    let built = Test::new()
        .current_dir(&demo)
        .args(["build", "--drafts"])
        .run()
        .success();
    let (readme_counts, readme_tail) = without_timing(&init[4]);
    let (real_counts, _) = without_timing(built.stdout.lines().next().unwrap());
    assert_eq!(
        readme_counts, real_counts,
        "serve's summary counts as README shows them"
    );
    assert_eq!(readme_tail, ", drafts shown");
    let base_url = read(&demo, "site.yaml");
    let path = base_url
        .lines()
        .find_map(|l| l.strip_prefix("base_url: https://example.gov.cn"))
        .unwrap();
    assert_eq!(
        init[5],
        format!("serving http://127.0.0.1:8080{path} (Ctrl-C stops)")
    );

    let scores = blocks
        .iter()
        .find(|b| b[0].starts_with("$ ecoscore scores --year "))
        .expect("README shows scores");
    let year = scores[0].rsplit(' ').next().unwrap();
    let printed = Test::new()
        .current_dir(repo())
        .args(["scores", "--year", year])
        .run()
        .success();
    let mut real = printed.stdout.lines();
    for shown in scores[1..].iter().filter(|l| l.trim() != "…") {
        assert!(
            real.any(|line| line == shown),
            "README's line of `ecoscore scores --year {year}` is printed, in this order:\n{shown}\n--- printed ---\n{}",
            printed.stdout
        );
    }
}

#[test]
fn a_new_projects_first_brief_has_no_warning() {
    let scratch = TempDir::new().unwrap();
    Test::new()
        .current_dir(scratch.path())
        .args(["init", "demo"])
        .run()
        .success();
    let briefed = Test::new()
        .current_dir(scratch.path().join("demo"))
        .args(["brief", "--year", "2024"])
        .run()
        .success()
        .stdout_contains("wrote the 2024 briefing copy");
    assert_eq!(
        briefed.stderr, "",
        "no warning on a new project's first brief"
    );
}

/// Every entry under `dir`, to show nothing was written.
fn entries(dir: &Path) -> Vec<String> {
    read_tree(dir).into_keys().collect()
}

#[test]
fn build_in_a_folder_with_no_project_suggests_init() {
    let scratch = TempDir::new().unwrap();
    let folder = fs::canonicalize(scratch.path()).unwrap();
    let built = Test::new()
        .current_dir(&folder)
        .arg("build")
        .run()
        .failure();
    assert!(entries(&folder).is_empty(), "nothing written");
    assert!(!folder.join("public").exists());
    let shown = built
        .stderr
        .replace(&folder.display().to_string(), "[FOLDER]");
    insta::assert_snapshot!("build_without_a_project", shown);
    let checked = Test::new()
        .current_dir(&folder)
        .arg("check")
        .run()
        .failure();
    assert!(
        checked.stderr.contains("`ecoscore init`"),
        "check says so too"
    );
    let scored = Test::new()
        .current_dir(&folder)
        .args(["scores", "--year", "2024"])
        .run()
        .failure();
    assert!(
        scored.stderr.contains("`ecoscore init`"),
        "and every command that loads the project"
    );
}

#[test]
fn scores_names_indicators_and_words_the_bonus_cap_as_the_scorecard_does() {
    let printed = Test::new()
        .current_dir(repo())
        .args(["scores", "--year", "2024"])
        .run()
        .success();
    insta::assert_snapshot!("scores_2024", printed.stdout);
    assert!(!printed.stdout.contains("pm25"), "no indicator id");
    assert!(printed
        .stdout
        .contains("约束性指标未完成：城市细颗粒物（PM2.5）平均浓度"));
    let out = TempDir::new().unwrap();
    let public = out.path().join("public");
    Test::new()
        .current_dir(repo())
        .arg("build")
        .arg("--out")
        .arg(&public)
        .run()
        .success();
    let scorecard = read(&public, "2024/regions/changchun/index.html");
    let cap = "申报合计6.5分，超过上限，按5分计";
    assert!(scorecard.contains(cap), "the scorecard explains the cap so");
    assert!(
        printed.stdout.contains(cap),
        "scores explains it in the same words"
    );
}
