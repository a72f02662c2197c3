//! The public site as government sites need it: meta tags, a CSP without
//! inline script, landmarks, the built-in link checker, the search index and
//! the scorecard page's weight. (The browser checks are tests/e2e, run by .ci/run.)

use std::fs;
use std::path::Path;

use crate::common::*;

/// Every HTML page of a build of the sample with every year rendered fresh.
fn built_pages() -> (tempfile::TempDir, Vec<(String, String)>) {
    let project = unarchived_sample_project();
    Test::new()
        .root(project.path())
        .args(["build", "--drafts"])
        .run()
        .success();
    let pages = read_tree(&project.path().join("public"))
        .into_iter()
        .filter(|(path, _)| path.ends_with(".html"))
        .map(|(path, bytes)| (path, String::from_utf8(bytes).unwrap()))
        .collect();
    (project, pages)
}

fn meta(html: &str, name: &str) -> Option<String> {
    tags(html)
        .into_iter()
        .find(|t| t.name == "meta" && t.attrs.get("name").map(String::as_str) == Some(name))
        .and_then(|t| t.attrs.get("content").cloned())
}

#[test]
fn every_page_carries_the_government_meta_tags_and_a_strict_csp() {
    let (_project, pages) = built_pages();
    assert!(pages.len() > 50, "{} pages", pages.len());
    for (path, html) in &pages {
        assert_eq!(
            meta(html, "SiteName").as_deref(),
            Some("吉林省政府生态环境保护目标责任制考核结果公开"),
            "{path}"
        );
        assert_eq!(
            meta(html, "SiteDomain").as_deref(),
            Some("example.gov.cn"),
            "{path}"
        );
        assert_eq!(
            meta(html, "SiteIDCode").as_deref(),
            Some("2200000000"),
            "{path}"
        );
        assert_eq!(
            meta(html, "ContentSource").as_deref(),
            Some("吉林省生态环境厅"),
            "{path}"
        );
        assert!(
            meta(html, "ColumnName").is_some_and(|c| !c.is_empty()),
            "{path}"
        );
        assert!(
            meta(html, "ArticleTitle").is_some_and(|c| !c.is_empty()),
            "{path}"
        );
        let csp = tags(html)
            .into_iter()
            .find(|t| {
                t.attrs.get("http-equiv").map(String::as_str) == Some("Content-Security-Policy")
            })
            .and_then(|t| t.attrs.get("content").cloned())
            .unwrap_or_else(|| panic!("{path}: no CSP meta"));
        assert!(csp.contains("script-src 'self'"), "{path}: {csp}");
        // Inline style only where the bulletin's print marks need it; inline script nowhere.
        let bulletin = path.ends_with("bulletin/index.html");
        assert!(
            !csp.contains("script-src 'self' 'unsafe-inline'"),
            "{path}: {csp}"
        );
        assert_eq!(
            csp.contains("unsafe-inline"),
            bulletin && html.contains("<style"),
            "{path}: {csp}"
        );
        // What the CSP forbids must not be there: inline script, inline style.
        for tag in tags(html) {
            if tag.name == "script" {
                assert!(
                    tag.attrs.contains_key("src"),
                    "{path}: inline script {}",
                    tag.source
                );
            }
            assert!(
                !tag.attrs.contains_key("style"),
                "{path}: style attribute {}",
                tag.source
            );
            assert!(
                !tag.attrs.keys().any(|k| k.starts_with("on")),
                "{path}: event handler attribute {}",
                tag.source
            );
        }
        assert!(
            bulletin || !html.contains("<style"),
            "{path}: inline <style>"
        );
    }
    let page = |p: &str| &pages.iter().find(|(path, _)| path == p).unwrap().1;
    // PubDate is the bulletin's date on a year's pages (the sample's 2024 bulletin).
    for p in [
        "2024/index.html",
        "2024/bulletin/index.html",
        "2024/regions/changchun/index.html",
    ] {
        assert_eq!(
            meta(page(p), "PubDate").as_deref(),
            Some("2025-04-25"),
            "{p}"
        );
    }
    assert_eq!(meta(page("index.html"), "PubDate"), None);
    assert_eq!(
        meta(page("index.html"), "ColumnName").as_deref(),
        Some("首页")
    );
    assert_eq!(
        meta(page("2024/bulletin/index.html"), "ColumnName").as_deref(),
        Some("考核公报")
    );
    assert_eq!(
        meta(page("2024/regions/changchun/index.html"), "ArticleTitle").as_deref(),
        Some("长春市 2024年度考核结果")
    );
}

#[test]
fn every_page_has_landmarks_one_h1_and_the_access_toggle() {
    let (_project, pages) = built_pages();
    for (path, html) in &pages {
        let tags = tags(html);
        let count = |name: &str| tags.iter().filter(|t| t.name == name).count();
        assert_eq!(count("h1"), 1, "{path}: one h1");
        assert_eq!(count("main"), 1, "{path}: one main");
        assert!(
            count("header") >= 1 && count("nav") >= 1 && count("footer") >= 1,
            "{path}"
        );
        assert!(html.contains("href=\"#main\""), "{path}: skip link");
        let toggle = tags
            .iter()
            .find(|t| t.attrs.get("id").map(String::as_str) == Some("access-toggle"))
            .unwrap_or_else(|| panic!("{path}: no 适老化 toggle"));
        // Hidden until the script shows it: without script the page is unchanged.
        assert!(toggle.attrs.contains_key("hidden"), "{path}");
        assert!(
            tags.iter().any(|t| t.name == "script"
                && t.attrs
                    .get("src")
                    .is_some_and(|s| s.ends_with("static/access.js"))),
            "{path}"
        );
        for table in html.split("<table").skip(1) {
            let table = table.split("</table>").next().unwrap_or(table);
            assert!(
                table.contains("<caption"),
                "{path}: a table without caption"
            );
            assert!(
                table.contains("<th"),
                "{path}: a table without header cells"
            );
        }
    }
}

#[test]
fn a_broken_link_in_a_template_fails_the_build_naming_page_and_link() {
    let project = sample_project();
    let root = project.path();
    let out = root.join("public");
    edit(
        root,
        "themes/default/templates/page.html",
        r#"<a href="{{ page.root }}index.html">首页</a>"#,
        r##"<a href="{{ page.root }}index.html">首页</a> <a href="{{ page.root }}nowhere/index.html#x">x</a> <a href="#no-such-id">y</a>"##,
    );
    let failed = Test::new().root(root).arg("build").run().failure();
    for needle in [
        "pages/about/index.html",
        "broken link `../../nowhere/index.html#x`: the site has no file `nowhere/index.html`",
        "broken link `#no-such-id`: `pages/about/index.html` has no element with id `no-such-id`",
        "nothing was written",
    ] {
        assert!(
            failed.stderr.contains(needle),
            "{needle}\n{}",
            failed.stderr
        );
    }
    assert!(!out.exists(), "a build with broken links wrote the site");
    // check renders the same pages; it looks at links only when asked.
    Test::new().root(root).arg("check").run().success();
    Test::new()
        .root(root)
        .args(["check", "--links"])
        .run()
        .failure()
        .stderr_contains("broken link `../../nowhere/index.html#x`");
}

#[test]
fn the_sample_has_no_broken_link() {
    let project = sample_project();
    Test::new()
        .root(project.path())
        .args(["check", "--links"])
        .run()
        .success();
}

#[test]
fn the_search_index_finds_units_years_bulletins_and_grades_by_substring() {
    let (project, pages) = built_pages();
    assert!(pages.iter().any(|(p, _)| p == "search/index.html"));
    let script = fs::read_to_string(project.path().join("public/search/index.js")).unwrap();
    let json = script
        .strip_prefix("window.ecoscoreSearch = ")
        .and_then(|s| s.strip_suffix(";\n"))
        .expect("index script shape");
    let index: serde_json::Value = serde_json::from_str(json).unwrap();
    let mut entries = index["entries"].as_array().unwrap().clone();
    // A unit's result in a year is in that year's shard, one per year.
    let shards = index["shards"].as_array().unwrap();
    assert_eq!(shards.len(), 5, "{shards:?}");
    for shard in shards {
        let year = shard["year"].as_u64().unwrap();
        let script = fs::read_to_string(
            project
                .path()
                .join("public")
                .join(shard["href"].as_str().unwrap()),
        )
        .unwrap();
        let prefix = format!(
            "(window.ecoscoreSearchResults = window.ecoscoreSearchResults || {{}})[\"{year}\"] = "
        );
        let results: Vec<serde_json::Value> = serde_json::from_str(
            script
                .strip_prefix(&prefix)
                .and_then(|s| s.strip_suffix(";\n"))
                .expect("shard script shape"),
        )
        .unwrap();
        assert_eq!(results.len() as u64, shard["entries"].as_u64().unwrap());
        entries.extend(results);
    }
    // The same substring rule as static/search.js: every part in title or terms.
    let find = |query: &str| -> Vec<(String, String)> {
        entries
            .iter()
            .filter(|e| {
                let text = format!(
                    "{} {}",
                    e["title"].as_str().unwrap(),
                    e["terms"].as_str().unwrap()
                );
                query.split_whitespace().all(|q| text.contains(q))
            })
            .map(|e| {
                (
                    e["title"].as_str().unwrap().to_string(),
                    e["href"].as_str().unwrap().to_string(),
                )
            })
            .collect()
    };
    assert!(find("长春").contains(&(
        "长春市".to_string(),
        "regions/changchun/index.html".to_string()
    )));
    assert!(find("不合格").iter().any(
        |(title, href)| title == "辽源市 2022年度 不合格" && href.starts_with("2022/regions/")
    ));
    assert!(find("2023").contains(&(
        "2023年度考核结果".to_string(),
        "2023/index.html".to_string()
    )));
    assert!(find("2023")
        .iter()
        .any(|(_, href)| href == "2023/bulletin/index.html"));
    // Every entry points at a page of the site.
    for entry in &entries {
        let href = entry["href"].as_str().unwrap();
        assert!(project.path().join("public").join(href).is_file(), "{href}");
    }
}

/// HTML plus everything it loads (stylesheets, scripts, images); charts are inline.
fn page_weight(public: &Path, page: &str) -> usize {
    let html = fs::read_to_string(public.join(page)).unwrap();
    let dir = Path::new(page).parent().unwrap();
    let mut total = html.len();
    for tag in tags(&html) {
        let asset = match tag.name.as_str() {
            "script" | "img" => tag.attrs.get("src"),
            "link" if tag.attrs.get("rel").map(String::as_str) == Some("stylesheet") => {
                tag.attrs.get("href")
            }
            _ => None,
        };
        if let Some(asset) = asset {
            total += fs::metadata(public.join(dir).join(asset)).unwrap().len() as usize;
        }
    }
    total
}

#[test]
fn a_scorecard_page_weighs_under_150_kb() {
    let (project, _pages) = built_pages();
    let public = project.path().join("public");
    let weight = page_weight(&public, "2024/regions/changchun/index.html");
    assert!(weight > 20_000, "{weight}: the page lost its content");
    assert!(weight < 150 * 1024, "scorecard page weighs {weight} bytes");
}
