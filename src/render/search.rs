//! The site's search index, built at build time and searched in the browser
//! by `static/search.js` with plain substring matching.
//!
//! The things to find are units, years, bulletins and a unit's result in a
//! year, all short Chinese titles, so a substring scan is instant and needs
//! no word segmentation (Chinese has no spaces to split on). The results are
//! most of them (one per unit and year: 15,000 at national scale), so they
//! are split into one shard per year that the page loads only when a query
//! needs it; the index itself holds the units, years and bulletins. Both are
//! scripts, not JSON, so search also works from `file://` where pages cannot
//! fetch files.

use serde::Serialize;

use super::view::YearView;
use crate::model::Project;

/// Where the index goes, relative to the site root.
pub const INDEX_PATH: &str = "search/index.js";

#[derive(Serialize)]
struct Entry {
    /// What kind of thing: 单位, 年度, 公报, 考核结果.
    kind: &'static str,
    title: String,
    /// More text that matches but is not shown as the title.
    terms: String,
    /// Site-relative link.
    href: String,
}

/// The results of one year, loaded by `search.js` only when a query needs
/// them (a site of 3,000 units has 15,000 of them over five years).
#[derive(Serialize)]
struct Shard {
    year: u16,
    /// Site-relative path of the script.
    href: String,
    /// Entries it holds: a small site loads every shard at once.
    entries: usize,
}

#[derive(Serialize)]
struct Index {
    /// Units, then years newest first with their bulletin.
    entries: Vec<Entry>,
    /// One per year, newest first.
    shards: Vec<Shard>,
}

/// Where a year's results shard goes, relative to the site root.
pub fn shard_path(year: u16) -> String {
    format!("search/results-{year}.js")
}

/// The JSON of `value`, inert if ever inlined: `</` cannot appear in JSON
/// text produced here except inside strings, and is escaped there.
fn json<T: Serialize>(value: &T, empty: &str) -> String {
    serde_json::to_string(value)
        .unwrap_or_else(|_| empty.to_string())
        .replace("</", "<\\/")
}

/// The index and the shards, as scripts (`window.ecoscoreSearch` and one
/// `window.ecoscoreSearchResults[year]` each), so search works from
/// `file://` where pages cannot fetch files. Entries in a fixed order
/// (units, then years newest first with their bulletin; a shard's results in
/// rank order), so the files are byte-identical between builds. Returns the
/// index script and `(path, script)` per shard.
pub fn index_scripts(project: &Project, years: &[&YearView]) -> (String, Vec<(String, String)>) {
    let mut entries: Vec<Entry> = project
        .units
        .iter()
        .map(|r| Entry {
            kind: "单位",
            title: r.name.clone(),
            terms: [r.id.as_str(), r.code.as_deref().unwrap_or("")].join(" "),
            href: format!("regions/{}/index.html", r.id),
        })
        .collect();
    let mut shards = Vec::new();
    let mut files = Vec::new();
    for y in years.iter().rev() {
        let draft = if y.draft { "（草稿）" } else { "" };
        entries.push(Entry {
            kind: "年度",
            title: format!("{}年度考核结果{draft}", y.year),
            terms: y.year.to_string(),
            href: y.href.clone(),
        });
        entries.push(Entry {
            kind: "公报",
            title: format!("{}{draft}", y.bulletin.title),
            terms: format!(
                "{} {} {} {}",
                y.year, y.bulletin.doc_number, y.bulletin.issuer, y.bulletin.date
            ),
            href: y.bulletin.href.clone(),
        });
        let results: Vec<Entry> = y
            .units
            .iter()
            .map(|u| Entry {
                kind: "考核结果",
                title: format!("{} {}年度 {}{draft}", u.name, y.year, u.grade_name),
                terms: format!("{} 第{}名 {}分", u.id, u.rank, u.total),
                href: u.href.clone(),
            })
            .collect();
        let href = shard_path(y.year);
        shards.push(Shard {
            year: y.year,
            href: href.clone(),
            entries: results.len(),
        });
        files.push((
            href,
            format!(
                "(window.ecoscoreSearchResults = window.ecoscoreSearchResults || {{}})[\"{}\"] = {};\n",
                y.year,
                json(&results, "[]")
            ),
        ));
    }
    let index = json(&Index { entries, shards }, "{\"entries\":[],\"shards\":[]}");
    (format!("window.ecoscoreSearch = {index};\n"), files)
}
