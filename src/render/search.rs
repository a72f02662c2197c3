//! The site's search index, built at build time and searched in the browser
//! by `static/search.js` with plain substring matching.
//!
//! A site of this shape has a few hundred things to find (units, years,
//! bulletins, a unit's result in a year), all short Chinese titles; the whole
//! index is a few kilobytes, so a substring scan over it is instant and needs
//! no word segmentation (Chinese has no spaces to split on). It is written as
//! a script (`search/index.js`), not JSON, so search also works from `file://`
//! where pages cannot fetch files.

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

/// The index as a script that sets `window.ecoscoreSearch`; entries in a
/// fixed order (units, then years newest first with their bulletin and
/// results in rank order), so the file is byte-identical between builds.
pub fn index_script(project: &Project, years: &[&YearView]) -> String {
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
        entries.extend(y.units.iter().map(|u| Entry {
            kind: "考核结果",
            title: format!("{} {}年度 {}{draft}", u.name, y.year, u.grade_name),
            terms: format!("{} 第{}名 {}分", u.id, u.rank, u.total),
            href: u.href.clone(),
        }));
    }
    // `</` cannot appear in JSON text produced here except inside strings;
    // escape it anyway so the file stays inert if ever inlined.
    let json = serde_json::to_string(&entries)
        .unwrap_or_else(|_| "[]".to_string())
        .replace("</", "<\\/");
    format!("window.ecoscoreSearch = {json};\n")
}
