//! The files that list the site for machines: the sitemap, the Atom feed of
//! bulletins, and the search index the search page reads.

use minijinja::Value;

use super::view::YearView;
use super::{canonical, search, Renderer};
use crate::diagnostic::Diagnostic;
use crate::output::OutputFile;

impl Renderer<'_> {
    /// `search/index.js` and a shard of results per year (see `search`).
    pub(super) fn search_index(&self) -> Vec<OutputFile> {
        let project = self.input.project;
        // A site-wide file: every published year.
        let all: Vec<&YearView> = self.years.iter().map(|y| &y.view).collect();
        let (index, shards) = search::index_scripts(project, &all);
        let mut files = vec![OutputFile::new(search::INDEX_PATH, index)];
        files.extend(
            shards
                .into_iter()
                .map(|(path, script)| OutputFile::new(path, script)),
        );
        files
    }

    /// Every page a search engine should know, with the bulletin date of
    /// a year's pages as `lastmod`.
    pub(super) fn sitemap(&self) -> Result<Vec<OutputFile>, Diagnostic> {
        let project = self.input.project;
        let meta = self.meta("sitemap.xml", String::new(), "none", false);
        let mut urls: Vec<(String, Option<String>)> =
            vec![(canonical(&project.site.base_url, "index.html"), None)];
        for y in &self.years {
            let lastmod = Some(y.view.bulletin.date.clone());
            urls.push((
                canonical(&project.site.base_url, &y.view.href),
                lastmod.clone(),
            ));
            urls.push((
                canonical(&project.site.base_url, &y.view.bulletin.href),
                lastmod.clone(),
            ));
            for unit in &y.view.units {
                urls.push((
                    canonical(&project.site.base_url, &unit.href),
                    lastmod.clone(),
                ));
            }
        }
        // A progress page site.yaml publishes is written in every build,
        // alone or beside its year's pages (render/progress.rs).
        for year in &project.site.progress_published {
            urls.push((
                canonical(&project.site.base_url, &super::progress::path(*year)),
                None,
            ));
        }
        for region in &project.units {
            urls.push((
                canonical(
                    &project.site.base_url,
                    &format!("regions/{}/index.html", region.id),
                ),
                None,
            ));
        }
        urls.push((
            canonical(&project.site.base_url, "archive/index.html"),
            None,
        ));
        for page in &project.pages {
            urls.push((
                canonical(
                    &project.site.base_url,
                    &format!("pages/{}/index.html", page.slug),
                ),
                None,
            ));
        }
        let extra = minijinja::context! { urls => urls };
        Ok(vec![self.render(
            "sitemap.xml",
            "sitemap.xml",
            self.context(meta, extra),
        )?])
    }

    /// The Atom feed: one entry per published bulletin, newest first.
    pub(super) fn feed(&self) -> Result<Vec<OutputFile>, Diagnostic> {
        let project = self.input.project;
        let meta = self.meta("feed.xml", String::new(), "none", false);
        let published: Vec<&YearView> = self
            .years
            .iter()
            .rev()
            .filter(|y| !y.view.draft)
            .map(|y| &y.view)
            .collect();
        let entries: Vec<Value> = published
            .iter()
            .map(|v| {
                minijinja::context! {
                    title => v.bulletin.title.clone(),
                    url => canonical(&project.site.base_url, &v.bulletin.href),
                    updated => format!("{}T00:00:00+08:00", v.bulletin.date),
                    doc_number => v.bulletin.doc_number.clone(),
                    issuer => v.bulletin.issuer.clone(),
                    year => v.year,
                    summary => grade_summary(v),
                    archived => super::v(&v.archived),
                }
            })
            .collect();
        let updated = published
            .iter()
            .map(|v| v.bulletin.date.clone())
            .max()
            .map(|d| format!("{d}T00:00:00+08:00"));
        let extra = minijinja::context! {
            entries => entries,
            updated => updated,
            feed_url => canonical(&project.site.base_url, "feed.xml"),
        };
        Ok(vec![self.render(
            "feed.xml",
            "feed.xml",
            self.context(meta, extra),
        )?])
    }
}

/// "优秀4个、良好6个、合格2个": the grade distribution in words.
fn grade_summary(view: &YearView) -> String {
    let parts: Vec<String> = view
        .grades
        .iter()
        .filter(|g| g.count > 0)
        .map(|g| format!("{}{}个", g.name, g.count))
        .collect();
    format!("{}年度考核结果：{}。", view.year, parts.join("、"))
}
