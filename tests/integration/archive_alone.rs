//! An archived year opens alone: its pages load only files inside the year's
//! own folder, the theme's static files among them, and the manifest digests
//! those, so a later theme change never restyles it (docs/archive.md).

use std::collections::BTreeSet;
use std::fs;
use std::path::Path;

use crate::common::*;

/// The files of the default theme's `static/` folder, by name.
fn theme_static_files() -> BTreeSet<String> {
    fs::read_dir(repo().join("themes/default/static"))
        .unwrap()
        .map(|entry| entry.unwrap().file_name().into_string().unwrap())
        .collect()
}

/// `base` (a page's folder, site-relative) joined with a relative `href`,
/// `..` worked out; none when it climbs above the site root.
fn resolve(base: &str, href: &str) -> Option<String> {
    let href = href.split(['#', '?']).next().unwrap_or("");
    let mut parts: Vec<&str> = base.split('/').filter(|p| !p.is_empty()).collect();
    for part in href.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            part => parts.push(part),
        }
    }
    Some(parts.join("/"))
}

/// Every subresource a page loads (stylesheets, icons, scripts, images),
/// not the links a reader follows.
fn subresources(html: &str) -> Vec<String> {
    let mut found = Vec::new();
    for tag in tags(html) {
        let rel = tag.attrs.get("rel").map(String::as_str).unwrap_or("");
        if tag.name == "link" && !matches!(rel, "canonical" | "alternate") {
            found.extend(tag.attrs.get("href").cloned());
        }
        found.extend(tag.attrs.get("src").cloned());
        if let Some(srcset) = tag.attrs.get("srcset") {
            found.extend(
                srcset
                    .split(',')
                    .filter_map(|s| s.split_whitespace().next().map(str::to_string)),
            );
        }
    }
    found
}

/// Check the archive of `year` under `root`: the manifest lists the year's
/// copy of every static file, and every page loads only files of the year
/// that the archive holds. Returns how many subresources were checked.
fn assert_opens_alone(root: &Path, year: u16) -> usize {
    let dir = root.join(format!("archive/{year}"));
    let manifest = fs::read_to_string(dir.join("MANIFEST.sha256")).unwrap();
    let listed: BTreeSet<&str> = manifest
        .lines()
        .filter_map(|line| line.split_once("  ").map(|(_, path)| path))
        .collect();
    for name in theme_static_files() {
        let path = format!("site/{year}/static/{name}");
        assert!(
            listed.contains(path.as_str()),
            "archive/{year}: the manifest lists {path}"
        );
    }
    let site = read_tree(&dir.join("site"));
    let mut checked = 0;
    for (path, bytes) in site.iter().filter(|(p, _)| p.ends_with(".html")) {
        let html = String::from_utf8(bytes.clone()).unwrap();
        let base = path.rsplit_once('/').map_or("", |(folder, _)| folder);
        let loaded = subresources(&html);
        assert!(
            loaded.iter().any(|href| href.ends_with("static/style.css")),
            "{path} loads a stylesheet"
        );
        for href in loaded {
            assert!(
                !href.starts_with('/') && !href.contains("://") && !href.starts_with("//"),
                "{path} loads {href}: not a relative link, so it would not open from file://"
            );
            let target = resolve(base, &href)
                .unwrap_or_else(|| panic!("{path} loads {href}, above the archived site"));
            assert!(
                target.starts_with(&format!("{year}/")),
                "{path} loads {href} ({target}), outside the year's folder"
            );
            assert!(
                site.contains_key(&target),
                "{path} loads {href}, which the archive does not hold"
            );
            checked += 1;
        }
    }
    checked
}

#[test]
fn a_fresh_archive_holds_its_static_files_and_loads_nothing_else() {
    let project = unarchived_sample_project();
    let root = project.path();
    Test::new()
        .root(root)
        .args(["archive", "--year", "2023"])
        .run()
        .success()
        .stdout_contains("archived 2023");
    let checked = assert_opens_alone(root, 2023);
    assert!(
        checked > 20,
        "every page's stylesheet and scripts checked ({checked})"
    );
}

#[test]
fn the_sample_archives_open_alone() {
    for year in [2021, 2022, 2023] {
        assert_opens_alone(&repo(), year);
    }
}

#[test]
fn a_theme_change_restyles_the_live_site_but_not_an_archived_year() {
    let project = sample_project();
    let root = project.path();
    append(
        root,
        "themes/default/static/style.css",
        "body { color: #123456; }\n",
    );
    let out = tempfile::tempdir().unwrap();
    let public = out.path().join("public");
    Test::new()
        .root(root)
        .arg("build")
        .arg("--out")
        .arg(&public)
        .run()
        .success();
    let live = read(&public, "static/style.css");
    let rendered_year = read(&public, "2024/static/style.css");
    let archived_year = read(&public, "2023/static/style.css");
    assert!(
        live.contains("#123456") && rendered_year.contains("#123456"),
        "the live site takes the change"
    );
    assert!(
        !archived_year.contains("#123456"),
        "2023 keeps the stylesheet it was archived with"
    );
    assert_eq!(
        archived_year,
        read(root, "archive/2023/site/2023/static/style.css"),
        "2023's stylesheet is copied from its archive"
    );
    let page = read(&public, "2023/regions/changchun/index.html");
    assert!(
        page.contains(r#"href="../../../2023/static/style.css""#),
        "2023's pages link their own stylesheet"
    );
}

#[test]
fn verify_names_a_changed_archived_stylesheet() {
    let project = sample_project();
    let root = project.path();
    append(
        root,
        "archive/2022/site/2022/static/style.css",
        "body { color: red; }\n",
    );
    Test::new()
        .root(root)
        .arg("verify")
        .run()
        .failure()
        .stderr_contains("site/2022/static/style.css")
        .stdout_contains("changed: 2022/static/style.css");
}
