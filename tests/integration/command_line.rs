//! The command line itself: help with examples, version, completions, and
//! how much the commands print (`--quiet`, `--verbose`, no progress bar off a
//! terminal).

use crate::common::*;

fn help(args: &[&str]) -> String {
    let mut all = args.to_vec();
    all.push("--help");
    Test::new().args(all).run().success().stdout
}

#[test]
fn top_level_help() {
    let text = help(&[]);
    assert!(text.contains("Examples:"));
    insta::assert_snapshot!("help", text);
}

#[test]
fn every_command_has_help_with_an_example() {
    let commands = [
        "init",
        #[cfg(feature = "serve")]
        "serve",
        "build",
        "check",
        "scores",
        "brief",
        "forms",
        "import",
        "archive",
        "verify",
        "completions",
    ];
    for command in commands {
        let text = help(&[command]);
        assert!(
            text.contains(&format!("Example: ecoscore {command}")),
            "{command} --help shows an example:\n{text}"
        );
        insta::assert_snapshot!(format!("help_{command}"), text);
    }
}

#[test]
fn version() {
    Test::new()
        .arg("--version")
        .run()
        .success()
        .stdout_contains(&format!("ecoscore {}", env!("CARGO_PKG_VERSION")));
}

#[test]
fn completions_for_each_shell_know_the_commands() {
    for shell in ["bash", "zsh", "fish"] {
        let out = Test::new()
            .args(["completions", shell])
            .run()
            .success()
            .stdout;
        for command in ["init", "build", "check", "scores", "completions"] {
            assert!(
                out.contains(command),
                "{shell} completions mention {command}"
            );
        }
        #[cfg(feature = "serve")]
        assert!(out.contains("serve"), "{shell} completions mention serve");
    }
    Test::new()
        .args(["completions", "tcsh"])
        .run()
        .usage_error();
}

#[test]
fn build_prints_one_summary_line_and_no_progress_off_a_terminal() {
    let project = tiny_project();
    let out = Test::new()
        .root(project.path())
        .arg("build")
        .run()
        .success();
    assert_eq!(out.stdout.lines().count(), 1, "{}", out.stdout);
    assert!(out.stdout.starts_with("built "), "{}", out.stdout);
    assert!(out.stdout.contains(" pages") && out.stdout.contains(" ms"));
    assert!(
        !out.stderr.contains('\u{1b}'),
        "no escape codes: {:?}",
        out.stderr
    );
    assert!(
        !out.stderr.contains('['),
        "no progress bar: {:?}",
        out.stderr
    );
}

#[test]
fn quiet_prints_nothing_on_success_and_errors_on_failure() {
    let project = tiny_project();
    let out = Test::new()
        .root(project.path())
        .args(["build", "--quiet"])
        .run()
        .success();
    assert_eq!(out.stdout, "");
    assert_eq!(out.stderr, "");
    append(project.path(), "site.yaml", "unknown_key: 1\n");
    Test::new()
        .root(project.path())
        .args(["--quiet", "check"])
        .run()
        .failure()
        .stderr_contains("site.yaml:");
}

#[test]
fn verbose_prints_stage_timings() {
    let project = tiny_project();
    let out = Test::new()
        .root(project.path())
        .args(["build", "--verbose"])
        .run()
        .success();
    for stage in ["load ", "score ", "render ", "write "] {
        assert!(out.stderr.contains(stage), "{stage} timing: {}", out.stderr);
    }
    Test::new()
        .root(project.path())
        .args(["build", "--quiet", "--verbose"])
        .run()
        .usage_error();
}
