//! The archived record cannot be rewritten through its input: site-wide
//! pages list an archived year with the figures it was published with (its
//! frozen open data), and show each archive's manifest digest, so a
//! consistent forgery of the input is caught by `verify` and changes nothing
//! a build publishes but the digest.

use std::fs;
use std::path::Path;
use std::process::Command;

use crate::common::*;
use serde_json::Value;

fn build(root: &Path, out: &Path) -> Output {
    Test::new()
        .root(root)
        .arg("build")
        .arg("--out")
        .arg(out)
        .run()
}

fn digest(root: &Path, year: u16) -> String {
    let meta: Value =
        serde_json::from_str(&read(root, &format!("archive/{year}/ARCHIVE.json"))).unwrap();
    meta["manifest_sha256"].as_str().unwrap().to_string()
}

/// Rewrite the manifest of `archive/<year>` from its files and record its
/// new digest in ARCHIVE.json, as a forger would; returns the digest.
fn reseal(root: &Path, year: u16) -> String {
    let dir = root.join(format!("archive/{year}"));
    let sealed = Command::new("sh")
        .arg("-c")
        .arg("find site input -type f | LC_ALL=C sort | xargs sha256sum > MANIFEST.sha256 && sha256sum MANIFEST.sha256")
        .current_dir(&dir)
        .output()
        .unwrap();
    assert!(sealed.status.success(), "{sealed:?}");
    let digest = String::from_utf8(sealed.stdout).unwrap()[..64].to_string();
    let path = dir.join("ARCHIVE.json");
    let mut meta: Value = serde_json::from_str(&fs::read_to_string(&path).unwrap()).unwrap();
    meta["manifest_sha256"] = Value::String(digest.clone());
    fs::write(&path, serde_json::to_string_pretty(&meta).unwrap()).unwrap();
    digest
}

#[test]
fn a_doctored_archived_input_changes_no_published_figure() {
    let project = sample_project();
    let root = project.path();
    let dir = tempfile::tempdir().unwrap();
    let before = dir.path().join("before");
    build(root, &before).success();
    let old = digest(root, 2023);

    // The forgery: tonghua's 2023 satisfaction raised in the archived input,
    // manifest and record recomputed to match.
    edit(
        root,
        "archive/2023/input/data/2023/results/tonghua.yaml",
        "satisfaction: 90.3",
        "satisfaction: 99.9",
    );
    let new = reseal(root, 2023);
    assert_ne!(new, old);
    let rescored = Test::new()
        .root(root.join("archive/2023/input"))
        .args(["scores", "--year", "2023", "--format", "json"])
        .run()
        .success()
        .json();
    let forged_total = rescored["regions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == "tonghua")
        .map(|r| r["total"].as_str().unwrap().to_string())
        .unwrap();
    assert_ne!(forged_total, "97.05", "the forgery changes the score");

    Test::new()
        .root(root)
        .arg("verify")
        .run()
        .failure()
        .stdout_contains("rebuild: differs");
    let after = dir.path().join("after");
    build(root, &after).success().stderr_contains(
        "scoring the input archived with 2023 does not give its published figures",
    );

    // The site-wide pages: as before but for the digest, which now shows the rewrite.
    for page in ["index.html", "archive/index.html", "feed.xml"] {
        let was = read(&before, page);
        let now = read(&after, page);
        assert!(now.contains(&new), "{page} shows the new digest");
        assert_eq!(now.replace(&new, &old), was, "{page} shows other figures");
    }
    // The charts on site-wide pages are drawn from the published figures:
    // the grades chart, and the unit page's bar of each year's total.
    let chart = "charts/grades.svg";
    assert_eq!(read(&after, chart), read(&before, chart), "{chart}");
    let bars = |site: &std::path::Path| -> Vec<String> {
        let page = read(site, "regions/tonghua/index.html");
        let table = page.split("id=\"years-table\"").nth(1).unwrap();
        let table = table.split("</table>").next().unwrap().to_string();
        table
            .split("<i class=\"g s ")
            .skip(1)
            .map(|b| b[..b.find('"').unwrap()].to_string())
            .collect()
    };
    assert_eq!(bars(&after).len(), 4, "a bar for each published year");
    assert_eq!(bars(&after), bars(&before), "the totals' bars");
    let history = read(&after, "regions/tonghua/index.html");
    assert!(history.contains("97.05"), "the published 2023 total");
    assert!(
        !history.contains(&forged_total),
        "the forged total {forged_total} is shown"
    );
    // The year's own pages are copied as frozen.
    assert_eq!(
        read(&after, "2023/regions/tonghua/index.html"),
        read(&before, "2023/regions/tonghua/index.html")
    );
}

#[test]
fn the_archive_page_and_feed_show_every_archived_digest() {
    let project = sample_project();
    let root = project.path();
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("public");
    build(root, &out).success();
    let page = read(&out, "archive/index.html");
    let feed = read(&out, "feed.xml");
    for year in 2021..=2023 {
        let digest = digest(root, year);
        assert!(page.contains(&digest), "{year} on the archive page");
        assert!(feed.contains(&digest), "{year} in the feed");
    }
}

#[cfg(unix)]
#[test]
fn a_link_inside_an_archive_is_refused() {
    let project = sample_project();
    let root = project.path();
    append(
        root,
        "data/2024/results/changchun.yaml",
        "internal:\n  notes: CANARY-archive-link\n",
    );
    let page = root.join("archive/2023/site/2023/extra.html");
    std::os::unix::fs::symlink("../../../../data/2024/results/changchun.yaml", &page).unwrap();
    reseal(root, 2023);
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("public");
    let output = build(root, &out)
        .failure()
        .stderr_contains("site/2023/extra.html is a symbolic link");
    assert!(!output.stderr.contains("CANARY"));
    assert!(!out.exists());
}
