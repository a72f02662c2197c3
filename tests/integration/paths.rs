//! Output paths: every folder or file a command writes, replaces or deletes
//! is resolved before anything is written (`..`, missing folders, symbolic
//! links, the project's own name), and nothing a user types can make
//! `build`, `brief` or `archive --export` destroy the project's input, move
//! the project, publish the briefing copy or replace a folder ecoscore did
//! not build. Also: the build stamp notices an edited page that kept its
//! size and date, and a killed build's work folder is removed by the next.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use crate::common::*;
use sha2::{Digest, Sha256};

/// What a build reads: no command may change a byte of it.
const INPUTS: [&str; 5] = ["site.yaml", "data", "content", "themes", "archive"];

/// Everything under `dir` as it is on disk: each file by the digest of its
/// bytes, each symbolic link by its target (not followed), each folder.
fn snapshot(dir: &Path) -> BTreeMap<String, String> {
    walkdir::WalkDir::new(dir)
        .sort_by_file_name()
        .into_iter()
        .map(|entry| entry.unwrap())
        .map(|entry| {
            let name = entry
                .path()
                .strip_prefix(dir)
                .unwrap()
                .to_string_lossy()
                .into_owned();
            let kind = entry.file_type();
            let what = if kind.is_symlink() {
                format!("link → {}", fs::read_link(entry.path()).unwrap().display())
            } else if kind.is_dir() {
                "folder".to_string()
            } else if kind.is_file() {
                let digest = Sha256::digest(fs::read(entry.path()).unwrap());
                digest.iter().map(|b| format!("{b:02x}")).collect()
            } else {
                "special file".to_string()
            };
            (name, what)
        })
        .collect()
}

/// The project's input as it is on disk.
fn input(root: &Path) -> BTreeMap<String, String> {
    snapshot(root)
        .into_iter()
        .filter(|(name, _)| {
            INPUTS
                .iter()
                .any(|input| name == input || name.starts_with(&format!("{input}/")))
        })
        .collect()
}

/// The tiny project, built once into public/ and briefed for 2023.
fn built_tiny() -> tempfile::TempDir {
    let project = tiny_project();
    let root = project.path();
    Test::new().current_dir(root).arg("build").run().success();
    Test::new()
        .current_dir(root)
        .args(["brief", "--year", "2023"])
        .run()
        .success();
    assert!(root.join("public/index.html").is_file());
    assert!(root.join("briefing/2023/index.html").is_file());
    project
}

/// What a message says, however the terminal layout wrapped it.
#[derive(Debug)]
struct Said(String);

fn squash(text: &str) -> String {
    text.chars()
        .filter(|c| !c.is_whitespace() && *c != '│')
        .collect()
}

impl Said {
    fn contains(&self, needle: &str) -> bool {
        squash(&self.0).contains(&squash(needle))
    }
}

impl std::fmt::Display for Said {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// Run ecoscore in `dir` with `args` and expect a refusal (exit 1) that
/// changed nothing under `guard`; returns what it said.
fn refused(guard: &Path, dir: &Path, args: &[&str]) -> Said {
    let before = snapshot(guard);
    let output = Test::new().current_dir(dir).args(args).run().failure();
    let said = Said(output.stderr);
    assert!(said.contains("refusing"), "{args:?}: no refusal:\n{said}");
    assert!(snapshot(guard) == before, "{args:?} changed files");
    said
}

#[test]
fn a_build_into_the_projects_input_or_folder_is_refused_however_the_path_is_written() {
    let project = built_tiny();
    let root = project.path();
    for (out, why) in [
        ("public/../data", "the project's input data"),
        ("nosuch/../content", "the project's input content"),
        ("nosuch/../briefing", "the briefing copy"),
        ("./themes/default", "the project's input themes"),
        ("archive", "the project's input archive"),
        ("site.yaml", "the project's input site.yaml"),
        ("data/2023/results", "the project's input data"),
        (".", "the project folder"),
        ("public/..", "the project folder"),
        ("public/../..", "holds the project folder"),
        ("briefing/2023", "the briefing copy"),
    ] {
        let stderr = refused(root, root, &["build", "--out", out]);
        assert!(stderr.contains(out), "{out}: the path is named:\n{stderr}");
        assert!(stderr.contains(why), "{out}: says why ({why}):\n{stderr}");
    }
    assert!(!root.join("nosuch").exists(), "no folder was created");
    // The same refusals from elsewhere, with the project given by --root.
    let elsewhere = tempfile::tempdir().unwrap();
    let data = root.join("data");
    let stderr = refused(
        root,
        elsewhere.path(),
        &[
            "--root",
            root.to_str().unwrap(),
            "build",
            "--out",
            data.to_str().unwrap(),
        ],
    );
    assert!(stderr.contains("the project's input data"), "{stderr}");
}

#[cfg(unix)]
#[test]
fn a_symlinked_root_or_output_does_not_hide_the_project() {
    let project = built_tiny();
    let root = project.path();
    let links = tempfile::tempdir().unwrap();
    let link = links.path().join("project");
    std::os::unix::fs::symlink(root, &link).unwrap();
    let data = root.join("data");
    let through_link = link.join("data");
    for (root_arg, out) in [(&link, &data), (&root.to_path_buf(), &through_link)] {
        let stderr = refused(
            root,
            links.path(),
            &[
                "--root",
                root_arg.to_str().unwrap(),
                "build",
                "--out",
                out.to_str().unwrap(),
            ],
        );
        assert!(stderr.contains("the project's input data"), "{stderr}");
    }
    // A link inside the project that points at its input is followed too.
    std::os::unix::fs::symlink(root.join("content"), root.join("site-link")).unwrap();
    refused(root, root, &["build", "--out", "site-link"]);
    refused(
        root,
        root,
        &["brief", "--year", "2023", "--out", "site-link"],
    );
}

#[test]
fn building_into_the_projects_own_name_from_inside_it_is_refused() {
    let guard = tempfile::tempdir().unwrap();
    let root = guard.path().join("p");
    copy_dir(&repo().join("tests/fixtures/tiny"), &root);
    copy_dir(&repo().join("themes/default"), &root.join("themes/default"));
    let stderr = refused(guard.path(), &root, &["build", "--out", "../p"]);
    assert!(stderr.contains("the project folder"), "{stderr}");
    // Nothing was left beside the project, nothing was moved.
    let beside: Vec<_> = fs::read_dir(guard.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(beside, ["p"]);
}

#[test]
fn the_briefing_copy_never_replaces_a_published_year_nor_holds_a_site() {
    let project = built_tiny();
    let root = project.path();
    for out in [
        "nosuch/../public",
        "public",
        "public/2023",
        "./public/static/..",
    ] {
        let stderr = refused(root, root, &["brief", "--year", "2023", "--out", out]);
        assert!(stderr.contains("the public site"), "{out}:\n{stderr}");
        assert!(
            stderr.contains("internal notes"),
            "{out}: says why:\n{stderr}"
        );
    }
    // Nor into the input or the project folder.
    for out in ["data", "nosuch/../content/2023", ".", "archive/.."] {
        refused(root, root, &["brief", "--year", "2023", "--out", out]);
    }
    // A site built anywhere is recognised by its stamp, and the briefing
    // copy stays out of it…
    let elsewhere = tempfile::tempdir().unwrap();
    let www = elsewhere.path().join("www");
    Test::new()
        .current_dir(root)
        .args(["build", "--out", www.to_str().unwrap()])
        .run()
        .success();
    let inside = www.join("internal");
    let stderr = refused(
        elsewhere.path(),
        root,
        &["brief", "--year", "2023", "--out", inside.to_str().unwrap()],
    );
    assert!(stderr.contains("www"), "{stderr}");
    // …and no site goes inside the briefing copy.
    for out in ["briefing", "briefing/www", "briefing/2023/www"] {
        let stderr = refused(root, root, &["build", "--out", out]);
        assert!(stderr.contains("briefing copy"), "{out}:\n{stderr}");
    }
}

#[test]
fn a_folder_ecoscore_did_not_build_is_never_replaced() {
    let project = built_tiny();
    let root = project.path();
    let elsewhere = tempfile::tempdir().unwrap();
    let mine = elsewhere.path().join("mine");
    fs::create_dir(&mine).unwrap();
    fs::write(mine.join("notes.txt"), "my own file").unwrap();
    let stderr = refused(
        elsewhere.path(),
        root,
        &["build", "--out", mine.to_str().unwrap()],
    );
    assert!(stderr.contains("mine"), "names the folder:\n{stderr}");
    assert!(stderr.contains("not a site ecoscore built"), "{stderr}");
    // A briefing copy never replaces a year folder it did not write either.
    let copies = elsewhere.path().join("copies");
    fs::create_dir_all(copies.join("2023")).unwrap();
    fs::write(copies.join("2023/photo.jpg"), "jpeg").unwrap();
    let stderr = refused(
        elsewhere.path(),
        root,
        &["brief", "--year", "2023", "--out", copies.to_str().unwrap()],
    );
    assert!(
        stderr.contains("not a briefing copy ecoscore wrote"),
        "{stderr}"
    );
    // An empty folder is fine, and so is rebuilding what ecoscore built,
    // from a copy of the project too (the stamp travels with it).
    let empty = elsewhere.path().join("empty");
    fs::create_dir(&empty).unwrap();
    for _ in 0..2 {
        Test::new()
            .current_dir(root)
            .args(["build", "--out", empty.to_str().unwrap()])
            .run()
            .success();
    }
    let copy = tempfile::tempdir().unwrap();
    Command::new("cp")
        .arg("-a")
        .arg(format!("{}/.", root.display()))
        .arg(copy.path())
        .status()
        .unwrap();
    fs::write(copy.path().join("public/stale.html"), "old").unwrap();
    Test::new()
        .current_dir(copy.path())
        .arg("build")
        .run()
        .success();
    assert!(!copy.path().join("public/stale.html").exists());
    Test::new()
        .current_dir(copy.path())
        .args(["brief", "--year", "2023"])
        .run()
        .success();
}

/// An existing file that is not a regular one, as a device node would be.
#[cfg(unix)]
fn fifo(path: &Path) {
    let status = Command::new("mkfifo").arg(path).status().unwrap();
    assert!(status.success());
}

#[cfg(unix)]
#[test]
fn export_never_replaces_the_input_a_page_a_device_or_an_existing_file() {
    let project = built_tiny();
    let root = project.path();
    Test::new()
        .current_dir(root)
        .args(["archive", "--year", "2023"])
        .run()
        .success();
    let elsewhere = tempfile::tempdir().unwrap();
    let pipe = elsewhere.path().join("pipe");
    fifo(&pipe);
    let null = elsewhere.path().join("null");
    std::os::unix::fs::symlink("/dev/null", &null).unwrap();
    fn export(file: &str, force: bool) -> Vec<&str> {
        let mut args = vec!["archive", "--year", "2023", "--export", file];
        if force {
            args.push("--force");
        }
        args
    }
    for force in [false, true] {
        for (file, why) in [
            ("site.yaml", "the project's input"),
            ("data/regions.yaml", "the project's input"),
            ("nosuch/../data/regions.yaml", "the project's input"),
            ("archive/2023/MANIFEST.sha256", "the project's input"),
            ("archive/2023.tar.gz", "the project's input"),
            ("public/2023/index.html", "the public site"),
            ("public/new.tar.gz", "the public site"),
            ("briefing/2023.tar.gz", "the briefing copy"),
            (pipe.to_str().unwrap(), "not a regular file"),
            (null.to_str().unwrap(), "not a regular file"),
            ("public", "not a regular file"),
        ] {
            let stderr = refused(root, root, &export(file, force));
            assert!(stderr.contains(why), "{file}: says {why}:\n{stderr}");
        }
    }
    // An existing file elsewhere is kept unless --force.
    let existing = elsewhere.path().join("jilin-2023.tar.gz");
    fs::write(&existing, "an older export").unwrap();
    let stderr = refused(
        elsewhere.path(),
        root,
        &export(existing.to_str().unwrap(), false),
    );
    assert!(stderr.contains("--force"), "{stderr}");
    assert_eq!(fs::read(&existing).unwrap(), b"an older export");
    let before = input(root);
    Test::new()
        .current_dir(root)
        .args(export(existing.to_str().unwrap(), true))
        .run()
        .success();
    assert_eq!(&fs::read(&existing).unwrap()[..2], &[0x1f, 0x8b]);
    assert!(input(root) == before, "--force re-archives nothing");
    // A new file beside the project is written.
    Test::new()
        .current_dir(root)
        .args(export("../fresh.tar.gz", false))
        .run()
        .success();
    assert!(root.join("../fresh.tar.gz").is_file());
    fs::remove_file(root.join("../fresh.tar.gz")).unwrap();
}

#[cfg(unix)]
#[test]
fn an_edited_page_that_keeps_its_size_and_date_is_noticed_and_put_back() {
    let project = tiny_project();
    let root = project.path();
    Test::new().current_dir(root).arg("build").run().success();
    let page = root.join("public/index.html");
    let published = fs::read(&page).unwrap();
    let modified = fs::metadata(&page).unwrap().modified().unwrap();
    // The same length, one byte changed, and the old date put back (touch -r).
    let mut edited = published.clone();
    let at = edited.iter().position(|&b| b == b'>').unwrap();
    edited[at + 1] = b'X';
    fs::write(&page, &edited).unwrap();
    fs::File::options()
        .write(true)
        .open(&page)
        .unwrap()
        .set_modified(modified)
        .unwrap();
    assert_eq!(fs::metadata(&page).unwrap().len(), published.len() as u64);
    assert_eq!(fs::metadata(&page).unwrap().modified().unwrap(), modified);
    Test::new()
        .current_dir(root)
        .arg("build")
        .run()
        .success()
        .stdout_contains("built ");
    assert!(
        fs::read(&page).unwrap() == published,
        "the page is put back"
    );
    Test::new()
        .current_dir(root)
        .arg("build")
        .run()
        .success()
        .stdout_contains("up to date");
}

/// The names beside `out` that start with `.ecoscore-`.
fn work_folders(dir: &Path) -> Vec<PathBuf> {
    let mut found: Vec<PathBuf> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            p.file_name()
                .unwrap()
                .to_string_lossy()
                .starts_with(".ecoscore-work-")
        })
        .collect();
    found.sort();
    found
}

#[cfg(unix)]
#[test]
fn a_killed_build_leaves_work_folders_the_next_build_removes_and_only_those() {
    let project = sample_project();
    let root = project.path();
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("public");
    // Look-alikes that ecoscore cannot prove are its own stay.
    let foreign = dir.path().join(".ecoscore-work-mine");
    fs::create_dir(&foreign).unwrap();
    fs::write(foreign.join("keep.txt"), "not ecoscore's").unwrap();
    let older = dir.path().join(".ecoscore-staging-abc123");
    fs::create_dir(&older).unwrap();
    // Each build removes what the killed one before it left.
    let mut killed = 0;
    for attempt in 0.. {
        assert!(attempt < 100, "no build was ever caught with a work folder");
        if killed == 3 {
            break;
        }
        let mut child = Command::new(env!("CARGO_BIN_EXE_ecoscore"))
            .arg("--root")
            .arg(root)
            .args(["build", "--out"])
            .arg(&out)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        // Kill it once its work folder holds some of the site.
        let caught = loop {
            if child.try_wait().unwrap().is_some() {
                break false;
            }
            let started = work_folders(dir.path())
                .iter()
                .any(|p| fs::read_dir(p.join("new")).is_ok_and(|mut files| files.next().is_some()));
            if started {
                break true;
            }
        };
        if caught {
            child.kill().unwrap();
            killed += 1;
        }
        child.wait().unwrap();
        let left: Vec<_> = work_folders(dir.path())
            .into_iter()
            .filter(|p| *p != foreign)
            .collect();
        assert_eq!(left.len(), usize::from(caught), "{left:?}");
        if !caught {
            // It finished first: start again from nothing, or the next build is a no-op.
            fs::remove_dir_all(&out).unwrap();
            fs::remove_file(dir.path().join(".public.ecoscore-stamp")).unwrap();
        }
    }
    Test::new()
        .root(root)
        .args(["build", "--out"])
        .arg(&out)
        .run()
        .success();
    assert_eq!(work_folders(dir.path()), std::slice::from_ref(&foreign));
    assert!(foreign.join("keep.txt").is_file());
    assert!(older.is_dir());
    assert!(out.join("index.html").is_file());
}

mod property {
    use super::*;
    use proptest::prelude::*;

    /// Pieces of a path: `..`, `.`, the project's own folder and file names,
    /// its name, symbolic links into and out of it, a missing folder.
    const PARTS: [&str; 21] = [
        "..",
        ".",
        "data",
        "content",
        "themes",
        "archive",
        "site.yaml",
        "public",
        "briefing",
        "2023",
        "regions.yaml",
        "MANIFEST.sha256",
        "index.html",
        "p",
        "nosuch",
        "to-data",
        "to-root",
        "up",
        "link-p",
        "out",
        "x.tar.gz",
    ];

    /// A built, briefed and archived tiny project at `guard/a/b/c/d/e/f/p`,
    /// deep enough that five `..` stay inside `guard`, with symbolic links
    /// `p/to-data → data`, `p/to-root → .`, `p/up → ..` and `f/link-p → p`.
    fn prepared() -> (tempfile::TempDir, PathBuf) {
        let guard = tempfile::tempdir().unwrap();
        let project = tiny_project();
        let root = guard.path().join("a/b/c/d/e/f/p");
        copy_dir(project.path(), &root);
        for args in [
            vec!["archive", "--year", "2023"],
            vec!["build"],
            vec!["brief", "--year", "2023"],
        ] {
            Test::new().current_dir(&root).args(args).run().success();
        }
        std::os::unix::fs::symlink("data", root.join("to-data")).unwrap();
        std::os::unix::fs::symlink(".", root.join("to-root")).unwrap();
        std::os::unix::fs::symlink("..", root.join("up")).unwrap();
        std::os::unix::fs::symlink("p", root.join("../link-p")).unwrap();
        (guard, root)
    }

    fn case() -> impl Strategy<Value = (usize, Vec<usize>, usize, usize, bool, bool)> {
        (
            0..3usize,
            proptest::collection::vec(0..PARTS.len(), 1..=5),
            0..3usize,
            0..3usize,
            any::<bool>(),
            any::<bool>(),
        )
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        /// Whatever path `build --out`, `brief --out` or `archive --export`
        /// is given, the project's input keeps every byte, the command never
        /// panics, and a refused command changes nothing at all.
        #[cfg(unix)]
        #[test]
        fn no_output_path_changes_a_byte_of_the_input(
            (command, parts, start, cwd, via_link, force) in case()
        ) {
            let (guard, root) = prepared();
            let path: PathBuf = parts.iter().map(|&i| PARTS[i]).collect();
            let path = match start {
                0 => path,
                1 => root.join(path),
                _ => root.join("../link-p").join(path),
            };
            let cwd = match cwd {
                0 => root.clone(),
                1 => root.join("data"),
                _ => root.join(".."),
            };
            let project = if via_link { root.join("../link-p") } else { root.clone() };
            let mut args: Vec<String> = vec!["--root".into(), project.display().to_string()];
            let path = path.display().to_string();
            match command {
                0 => args.extend(["build".into(), "--out".into(), path]),
                1 => args.extend(["brief", "--year", "2023", "--out"].map(String::from).into_iter().chain([path])),
                _ => {
                    args.extend(["archive", "--year", "2023", "--export"].map(String::from).into_iter().chain([path]));
                    if force {
                        args.push("--force".into());
                    }
                }
            }
            let before_input = input(&root);
            let before_all = snapshot(guard.path());
            let output = Test::new().current_dir(&cwd).args(&args).run();
            prop_assert!(
                output.status == 0 || output.status == 1,
                "{args:?} exited {}:\n{}", output.status, output.stderr
            );
            prop_assert!(input(&root) == before_input, "{args:?} changed the input:\n{}", output.stderr);
            if output.status == 1 {
                prop_assert!(snapshot(guard.path()) == before_all, "{args:?} failed but changed files:\n{}", output.stderr);
            }
        }
    }
}
