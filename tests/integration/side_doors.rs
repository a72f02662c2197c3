//! Private data through side doors: no input file is read under two roles,
//! no link leads into the archive or the briefing copies, and no report
//! quotes the `internal:` notes. Each test drives the real binary on a copy
//! of the sample whose changchun results carry a canary note.

#![cfg(unix)]

use std::fs;
use std::os::unix::fs::symlink;
use std::path::Path;

use crate::common::*;

const RESULTS: &str = "data/2024/results/changchun.yaml";
const NARRATIVE: &str = "content/2024/regions/changchun.md";
const NOTE: &str = "CANARY-internal-3c9a";

/// The sample with an `internal:` note in changchun's 2024 results.
fn project_with_note() -> tempfile::TempDir {
    let project = sample_project();
    append(
        project.path(),
        RESULTS,
        &format!("internal:\n  notes: 建议约谈 {NOTE}\n"),
    );
    project
}

/// Replace `link` (relative to the project) with a symbolic link to `target`.
fn link(root: &Path, link: &str, target: &str) {
    let path = root.join(link);
    if path.is_dir() {
        fs::remove_dir_all(&path).unwrap();
    } else if fs::symlink_metadata(&path).is_ok() {
        fs::remove_file(&path).unwrap();
    }
    symlink(target, path).unwrap();
}

/// Text without white space and miette's margin, so a message matches
/// however the report wrapped it.
fn squashed(text: &str) -> String {
    text.chars()
        .filter(|c| !c.is_whitespace() && *c != '│')
        .collect()
}

/// `check` and `build` both refuse the project, saying `needles`; the build
/// writes nothing and no output quotes the note.
fn refused(root: &Path, needles: &[&str]) {
    let check = Test::new().root(root).arg("check").run().failure();
    let out = tempfile::tempdir().unwrap();
    let public = out.path().join("public");
    let build = Test::new()
        .root(root)
        .arg("build")
        .arg("--out")
        .arg(&public)
        .run()
        .failure();
    for output in [&check, &build] {
        let text = squashed(&output.stderr);
        for needle in needles {
            assert!(
                text.contains(&squashed(needle)),
                "{needle}:\n{}",
                output.stderr
            );
        }
        assert!(!output.stderr.contains(NOTE), "{}", output.stderr);
        assert!(!output.stdout.contains(NOTE), "{}", output.stdout);
    }
    assert!(!public.exists(), "nothing was written");
}

#[test]
fn a_narrative_linked_to_the_results_is_refused_naming_both() {
    let project = project_with_note();
    let root = project.path();
    // The attack of the issue: this published the note with exit 0.
    link(root, NARRATIVE, "../../../data/2024/results/changchun.yaml");
    refused(
        root,
        &[&format!(
            "{NARRATIVE}: this is a link to {RESULTS}: ecoscore already reads that file as a unit's results, so it is not read again as a unit's narrative"
        )],
    );
    // Only the one problem: nothing the narrative's role would say of a YAML file.
    let check = Test::new().root(root).arg("check").run().failure();
    assert!(
        check.stderr.contains("1 error and 0 warnings"),
        "{}",
        check.stderr
    );
}

#[test]
fn a_page_template_or_static_file_linked_to_results_is_refused() {
    let cases = [
        (
            "content/pages/leak.md",
            "../../data/2024/results/changchun.yaml",
        ),
        (
            "themes/default/templates/leak.html",
            "../../../data/2024/results/changchun.yaml",
        ),
        ("themes/default/static", "../../data/2024/results"),
        // Linked the other way round: the results file is the link.
        (
            "data/2024/results/jilin.yaml",
            "../../../content/2024/regions/changchun.md",
        ),
    ];
    for (path, target) in cases {
        let project = project_with_note();
        let root = project.path();
        link(root, path, target);
        let shown = if path.ends_with("static") {
            "themes/default/static/changchun.yaml: this is a link to data/2024/results/changchun.yaml"
                .to_string()
        } else {
            let real = Path::new(path).parent().unwrap().join(target);
            let real = real.components().fold(Vec::new(), |mut parts, c| {
                match c {
                    std::path::Component::ParentDir => {
                        parts.pop();
                    }
                    c => parts.push(c.as_os_str().to_string_lossy().into_owned()),
                }
                parts
            });
            format!("{path}: this is a link to {}", real.join("/"))
        };
        refused(root, &[&shown, "ecoscore already reads that file as"]);
    }
}

#[test]
fn a_hard_link_to_the_results_is_the_same_file() {
    let project = project_with_note();
    let root = project.path();
    fs::remove_file(root.join(NARRATIVE)).unwrap();
    fs::hard_link(root.join(RESULTS), root.join(NARRATIVE)).unwrap();
    refused(
        root,
        &[&format!(
            "{NARRATIVE}: this is the same file as {RESULTS} (a hard link)"
        )],
    );
}

#[test]
fn links_into_the_archive_or_a_briefing_copy_are_refused() {
    let project = project_with_note();
    let root = project.path();
    // The archived input holds the notes of its years; the briefing copy, 2024's.
    Test::new()
        .root(root)
        .args(["brief", "--year", "2024"])
        .run()
        .success();
    assert!(read(root, "briefing/2024/index.html").contains(NOTE));
    link(
        root,
        NARRATIVE,
        "../../../archive/2023/input/data/2023/results/changchun.yaml",
    );
    link(
        root,
        "content/2024/regions/jilin.md",
        "../../../briefing/2024/index.html",
    );
    refused(
        root,
        &[
            &format!("{NARRATIVE}: this is a link to archive/2023/input/data/2023/results/changchun.yaml, inside archive/"),
            "content/2024/regions/jilin.md: this is a link to briefing/2024/index.html, inside briefing/",
        ],
    );
}

#[test]
fn check_never_excerpts_internal_notes() {
    let project = sample_project();
    let root = project.path();
    // A duplicate key inside the notes, and a mistake on the line after
    // another unit's notes, whose excerpt would show them as context.
    append(
        root,
        RESULTS,
        &format!("internal:\n  notes: {NOTE}\n  notes: 第二条 {NOTE}\n"),
    );
    let jilin = "data/2024/results/jilin.yaml";
    let text = read(root, jilin);
    let text = text.replacen(
        "satisfaction:",
        &format!("internal: {{ notes: {NOTE} }}\nsatisfaction:"),
        1,
    );
    fs::write(
        root.join(jilin),
        text.replacen("satisfaction: ", "satisfaction: x", 1),
    )
    .unwrap();
    let output = Test::new().root(root).arg("check").run().failure();
    assert!(!output.stderr.contains(NOTE), "{}", output.stderr);
    let lines = read(root, RESULTS).lines().count();
    assert!(
        output.stderr.contains(&format!("{RESULTS}:{lines}:3")),
        "says where: {}",
        output.stderr
    );
    insta::assert_snapshot!("internal_notes_redacted", output.stderr);
}

#[test]
fn an_alias_cannot_copy_an_internal_note_into_a_public_field() {
    let project = sample_project();
    let path = project.path().join(RESULTS);
    let text = fs::read_to_string(&path).unwrap().replace(
        "reason: 秋季秸秆露天焚烧卫星遥感监测火点超过控制目标",
        "reason: *note",
    );
    fs::write(
        &path,
        format!("{text}internal:\n  notes: &note 建议约谈 {NOTE}\n"),
    )
    .unwrap();
    refused(project.path(), &["an anchor (`&name`) under `internal:`"]);
    let check = Test::new()
        .root(project.path())
        .arg("check")
        .run()
        .failure();
    let line = text.lines().count() + 2;
    assert!(
        check.stderr.contains(&format!("{RESULTS}:{line}:10")),
        "the anchor is located: {}",
        check.stderr
    );
}
