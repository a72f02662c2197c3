//! The bulletin as provincial portals publish a 公文 (issue 18, point 4): the
//! 信息公开 block from the front matter, the ranking as numbered text, the 降档
//! sentence naming each unit's own reasons, and a favicon on every page.

use std::path::Path;

use crate::common::*;

/// The sample with every year rendered from its input, built with drafts.
fn built_sample() -> tempfile::TempDir {
    let project = unarchived_sample_project();
    Test::new()
        .root(project.path())
        .args(["build", "--drafts"])
        .run()
        .success();
    project
}

/// The text of an HTML fragment: tags dropped, references undone.
fn text(html: &str) -> String {
    let mut out = String::new();
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' => in_tag = false,
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    unescape(&out)
}

/// The `<dd>` after `<dt>label</dt>` in the 信息公开 block, as text.
fn gov_info(html: &str, label: &str) -> Option<String> {
    let block = &html[html.find("class=\"gov-info\"")?..];
    let block = &block[..block.find("</section>")?];
    let at = block.find(&format!("<dt>{label}</dt><dd>"))? + label.len() + 13;
    Some(text(&block[at..at + block[at..].find("</dd>")?]))
}

#[test]
fn the_bulletin_shows_its_public_information_block_from_the_front_matter() {
    let project = built_sample();
    let public = project.path().join("public");
    for (year, index, doc_number, date) in [
        (
            2024,
            "11220000000000000X/2025-00015",
            "吉政函〔2025〕15号",
            "2025年4月25日",
        ),
        (
            2021,
            "11220000000000000X/2022-00031",
            "吉政函〔2022〕31号",
            "2022年4月",
        ),
    ] {
        let html = read(&public, &format!("{year}/bulletin/index.html"));
        assert_eq!(gov_info(&html, "索引号").as_deref(), Some(index), "{year}");
        assert_eq!(
            gov_info(&html, "发布机构").as_deref(),
            Some("吉林省人民政府")
        );
        assert_eq!(
            gov_info(&html, "主题分类").as_deref(),
            Some("城乡建设、环境保护\\环境监测、保护与治理")
        );
        assert_eq!(gov_info(&html, "文号").as_deref(), Some(doc_number));
        let written = gov_info(&html, "成文日期").unwrap();
        assert!(written.starts_with(date), "{year}: 成文日期 {written}");
        assert_eq!(gov_info(&html, "发布日期"), Some(written));
        assert!(gov_info(&html, "标题")
            .unwrap()
            .starts_with(&format!("关于{year}年度")));
    }
    // A theme's value follows the front matter: another topic is shown as written.
    let project = unarchived_sample_project();
    edit(
        project.path(),
        "content/2024/bulletin.md",
        "status: published",
        "status: published\ntopic: 生态环境",
    );
    Test::new()
        .root(project.path())
        .arg("build")
        .run()
        .success();
    let html = read(&project.path().join("public"), "2024/bulletin/index.html");
    assert_eq!(gov_info(&html, "主题分类").as_deref(), Some("生态环境"));
}

#[test]
fn a_published_bulletin_without_an_index_number_is_warned_at_its_front_matter() {
    let project = tiny_project();
    edit(
        project.path(),
        "content/2023/bulletin.md",
        "index_number: 11220000000000000X/2024-00001   # 索引号（信息公开）\n",
        "",
    );
    let output = Test::new()
        .root(project.path())
        .arg("check")
        .run()
        .success();
    insta::assert_snapshot!("bulletin_without_index_number", output.stderr);
    // The build still publishes the block, without the 索引号 row.
    Test::new()
        .root(project.path())
        .arg("build")
        .run()
        .success();
    let html = read(&project.path().join("public"), "2023/bulletin/index.html");
    assert!(gov_info(&html, "文号").is_some());
    assert!(gov_info(&html, "索引号").is_none());
}

/// The `(kind, reason)` items of a scorecard's 降档项 box.
fn downgrades(scorecard: &str) -> Vec<(String, String)> {
    let Some(at) = scorecard.find("class=\"change change-down\"") else {
        return vec![];
    };
    let block = &scorecard[at..];
    let list = &block[block.find("<ul>").unwrap()..block.find("</ul>").unwrap()];
    list.split("<li>")
        .skip(1)
        .map(|li| {
            let item = text(li);
            let (kind, reason) = item.split_once('：').unwrap();
            (kind.to_string(), reason.to_string())
        })
        .collect()
}

#[test]
fn the_downgrade_sentence_names_each_units_own_reasons() {
    let project = built_sample();
    let public = project.path().join("public");
    let mut named = 0;
    for year in 2021..=2025 {
        let bulletin = text(&read(&public, &format!("{year}/bulletin/index.html")));
        assert!(
            !bulletin.contains("或未完成国家下达的约束性指标任务"),
            "{year}: the sentence gives every possible reason instead of the unit's"
        );
        let regions = public.join(format!("{year}/regions"));
        for entry in std::fs::read_dir(&regions).unwrap() {
            let page = entry.unwrap().path().join("index.html");
            let html = std::fs::read_to_string(&page).unwrap();
            let items = downgrades(&html);
            if items.is_empty() || html.contains("class=\"change change-veto\"") {
                continue;
            }
            let name = unit_name(&html);
            let reasons: Vec<String> = items.iter().map(|(k, r)| format!("{k}（{r}）")).collect();
            let sentence = format!("{name}因{}，", reasons.join("、"));
            assert!(bulletin.contains(&sentence), "{year}: no 「{sentence}」");
            named += 1;
        }
    }
    // 四平市 2024 (a binding indicator missed) and 白城市 2023 (督察整改 overdue).
    assert!(named >= 2, "only {named} downgraded units");
    let bulletin = text(&read(&public, "2024/bulletin/index.html"));
    assert!(bulletin.contains(
        "四平市因未完成约束性指标（城市细颗粒物（PM2.5）平均浓度未达到年度目标），在扣除相应指标分数的基础上实行降档评定，考核结果由优秀降为良好。"
    ));
}

/// The unit a scorecard page is about, from its `<title>` 「四平市 2024年度考核结果 - …」.
fn unit_name(html: &str) -> String {
    let title = &html[html.find("<title>").unwrap() + 7..];
    title.split(' ').next().unwrap().to_string()
}

#[test]
fn the_ranking_in_the_bulletin_is_numbered_text_in_rank_order() {
    let project = built_sample();
    let public = project.path().join("public");
    for year in 2021..=2025 {
        let html = read(&public, &format!("{year}/bulletin/index.html"));
        let start = html.find("class=\"doc-body\"").unwrap();
        let end = html.find("class=\"doc-attachments\"").unwrap();
        let body = &html[start..end];
        assert!(
            !body.contains("<li>"),
            "{year}: the ranking is still a bullet list"
        );
        // One paragraph a unit, 「第N名　名称　总分分」, in the open data's order.
        let data: serde_json::Value =
            serde_json::from_str(&read(&public, &format!("{year}/data/results.json"))).unwrap();
        let mut at = 0;
        for unit in data["regions"].as_array().unwrap() {
            let line = format!(
                "<p>第{}名　{}　{}分",
                unit["rank"],
                unit["name"].as_str().unwrap(),
                unit["total"].as_str().unwrap()
            );
            let found = body[at..]
                .find(&line)
                .unwrap_or_else(|| panic!("{year}: no {line} after the previous unit"));
            at += found + line.len();
        }
    }
}

#[test]
fn a_favicon_is_at_the_site_root_and_linked_from_every_page() {
    let project = built_sample();
    let public = project.path().join("public");
    let icon = std::fs::read(public.join("favicon.ico")).expect("favicon.ico at the site root");
    assert_eq!(&icon[..4], &[0, 0, 1, 0], "an ICO file");
    assert_eq!(
        std::fs::read(public.join("static/favicon.ico")).unwrap(),
        icon
    );
    let pages: Vec<(String, Vec<u8>)> = read_tree(&public)
        .into_iter()
        .filter(|(path, _)| path.ends_with(".html"))
        .collect();
    assert!(pages.len() > 50);
    for (path, bytes) in pages {
        let html = String::from_utf8(bytes).unwrap();
        let links: Vec<String> = tags(&html)
            .into_iter()
            .filter(|t| t.name == "link" && t.attrs.get("rel").map(String::as_str) == Some("icon"))
            .filter_map(|t| t.attrs.get("href").cloned())
            .collect();
        assert_eq!(links.len(), 1, "{path}: one icon link");
        // Relative, so it works from file:// as well as from the site's
        // address; only 404.html, served at any depth, names the site's path.
        let target = if path == "404.html" {
            assert!(links[0].starts_with('/'), "{}", links[0]);
            let at = links[0].find("static/").unwrap();
            Path::new(&links[0][at..]).to_path_buf()
        } else {
            assert!(
                !links[0].starts_with('/') && !links[0].contains(':'),
                "{path}: {}",
                links[0]
            );
            Path::new(&path).parent().unwrap().join(&links[0])
        };
        assert_eq!(std::fs::read(public.join(target)).unwrap(), icon, "{path}");
    }
}

/// The years the main navigation of a page links, in its order.
fn nav_years(html: &str) -> Vec<u16> {
    let nav = &html[html.find("class=\"site-nav\"").unwrap()..];
    let nav = &nav[..nav.find("</nav>").unwrap()];
    tags(nav)
        .into_iter()
        .filter_map(|t| t.attrs.get("href").cloned())
        .filter_map(|href| {
            let trimmed = href.trim_start_matches("../");
            trimmed.strip_suffix("/index.html")?.parse().ok()
        })
        .collect()
}

#[test]
fn site_wide_pages_link_every_year_and_a_years_pages_keep_their_navigation() {
    let project = built_sample();
    let public = project.path().join("public");
    let every: Vec<u16> = vec![2025, 2024, 2023, 2022, 2021];
    for page in [
        "index.html",
        "search/index.html",
        "archive/index.html",
        "regions/siping/index.html",
        "404.html",
    ] {
        let html = read(&public, page);
        let mut years = nav_years(&html);
        if page == "404.html" {
            // Served at any depth: its links name the site's path.
            years = tags(&html[html.find("class=\"site-nav\"").unwrap()..])
                .into_iter()
                .take_while(|t| t.name != "form")
                .filter_map(|t| t.attrs.get("href").cloned())
                .filter_map(|h| h.rsplit('/').nth(1)?.parse().ok())
                .collect();
        }
        assert_eq!(years, every, "{page}");
    }
    // A year's own pages list the recent years up to it, as they were published.
    assert_eq!(
        nav_years(&read(&public, "2024/index.html")),
        vec![2024, 2023, 2022]
    );
    assert_eq!(
        nav_years(&read(&public, "2022/bulletin/index.html")),
        vec![2022, 2021]
    );
}
