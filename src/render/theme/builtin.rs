//! The built-in default theme: `themes/default` of this repository, compiled
//! into the binary. A project's theme falls back on it for every template and
//! static file it does not ship, and `ecoscore init` writes it out whole.

/// The default theme, as `themes/default/<path>` in the repository (a test in
/// `init` keeps the list complete and byte for byte).
pub const DEFAULT_THEME: &[(&str, &[u8])] = &[
    (
        "static/access.js",
        include_bytes!("../../../themes/default/static/access.js"),
    ),
    (
        "static/favicon.ico",
        include_bytes!("../../../themes/default/static/favicon.ico"),
    ),
    (
        "static/official-han.css",
        include_bytes!("../../../themes/default/static/official-han.css"),
    ),
    (
        "static/official.css",
        include_bytes!("../../../themes/default/static/official.css"),
    ),
    (
        "static/search.js",
        include_bytes!("../../../themes/default/static/search.js"),
    ),
    (
        "static/sort.js",
        include_bytes!("../../../themes/default/static/sort.js"),
    ),
    (
        "static/style.css",
        include_bytes!("../../../themes/default/static/style.css"),
    ),
    (
        "templates/404.html",
        include_bytes!("../../../themes/default/templates/404.html"),
    ),
    (
        "templates/archive.html",
        include_bytes!("../../../themes/default/templates/archive.html"),
    ),
    (
        "templates/base.html",
        include_bytes!("../../../themes/default/templates/base.html"),
    ),
    (
        "templates/briefing.html",
        include_bytes!("../../../themes/default/templates/briefing.html"),
    ),
    (
        "templates/bulletin.html",
        include_bytes!("../../../themes/default/templates/bulletin.html"),
    ),
    (
        "templates/feed.xml",
        include_bytes!("../../../themes/default/templates/feed.xml"),
    ),
    (
        "templates/improvement_scorecard.html",
        include_bytes!("../../../themes/default/templates/improvement_scorecard.html"),
    ),
    (
        "templates/improvement_year.html",
        include_bytes!("../../../themes/default/templates/improvement_year.html"),
    ),
    (
        "templates/index.html",
        include_bytes!("../../../themes/default/templates/index.html"),
    ),
    (
        "templates/letter.html",
        include_bytes!("../../../themes/default/templates/letter.html"),
    ),
    (
        "templates/macros.html",
        include_bytes!("../../../themes/default/templates/macros.html"),
    ),
    (
        "templates/method.html",
        include_bytes!("../../../themes/default/templates/method.html"),
    ),
    (
        "templates/official.html",
        include_bytes!("../../../themes/default/templates/official.html"),
    ),
    (
        "templates/page.html",
        include_bytes!("../../../themes/default/templates/page.html"),
    ),
    (
        "templates/progress.html",
        include_bytes!("../../../themes/default/templates/progress.html"),
    ),
    (
        "templates/projects_region.html",
        include_bytes!("../../../themes/default/templates/projects_region.html"),
    ),
    (
        "templates/projects_scorecard.html",
        include_bytes!("../../../themes/default/templates/projects_scorecard.html"),
    ),
    (
        "templates/projects_year.html",
        include_bytes!("../../../themes/default/templates/projects_year.html"),
    ),
    (
        "templates/paging.html",
        include_bytes!("../../../themes/default/templates/paging.html"),
    ),
    (
        "templates/ranking.html",
        include_bytes!("../../../themes/default/templates/ranking.html"),
    ),
    (
        "templates/region.html",
        include_bytes!("../../../themes/default/templates/region.html"),
    ),
    (
        "templates/report.html",
        include_bytes!("../../../themes/default/templates/report.html"),
    ),
    (
        "templates/scorecard.html",
        include_bytes!("../../../themes/default/templates/scorecard.html"),
    ),
    (
        "templates/search.html",
        include_bytes!("../../../themes/default/templates/search.html"),
    ),
    (
        "templates/sitemap.xml",
        include_bytes!("../../../themes/default/templates/sitemap.xml"),
    ),
    (
        "templates/year.html",
        include_bytes!("../../../themes/default/templates/year.html"),
    ),
];

/// The files of the default theme under `folder/` (`templates`, `static`),
/// by their path inside it.
pub(super) fn files(folder: &str) -> impl Iterator<Item = (&'static str, &'static [u8])> + '_ {
    DEFAULT_THEME.iter().filter_map(move |(path, bytes)| {
        let inside = path.strip_prefix(folder)?.strip_prefix('/')?;
        Some((inside, *bytes))
    })
}

/// The text of the default theme's template `name` (`year.html`).
pub(super) fn template(name: &str) -> Option<&'static [u8]> {
    files("templates").find_map(|(path, bytes)| (path == name).then_some(bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_template_is_text_and_every_page_kind_has_one() {
        let names: Vec<&str> = files("templates").map(|(name, _)| name).collect();
        for (name, bytes) in files("templates") {
            assert!(std::str::from_utf8(bytes).is_ok(), "{name} is not UTF-8");
        }
        for page in [
            "index.html",
            "year.html",
            "scorecard.html",
            "region.html",
            "bulletin.html",
            "archive.html",
            "page.html",
            "404.html",
            "search.html",
            "sitemap.xml",
            "feed.xml",
        ] {
            assert!(names.contains(&page), "the default theme has no {page}");
        }
        assert!(template("base.html").is_some_and(|t| t.starts_with(b"{%- import \"macros.html\"")));
        assert!(template("nope.html").is_none());
        assert!(files("static").any(|(path, _)| path == "style.css"));
    }
}
