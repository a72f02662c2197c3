//! Stage 4, render: project and scores to pages in memory.
//!
//! The theme (`theme`: the project's `themes/<name>/` over the built-in
//! default) is compiled once, and templates see only the public view
//! (`view`). Each kind of page is one function: the HTML pages in `pages`,
//! the sitemap, feed and search index in `feeds`. Pages render in parallel;
//! every template error is collected and located.

mod budget;
mod chart_values;
pub mod charts;
mod content;
mod feeds;
pub mod improvement;
mod keep;
pub mod markdown;
pub mod method;
mod pages;
pub mod paging;
pub mod progress;
pub mod projects;
pub mod search;
pub mod theme;
mod unit_parts;
pub mod view;

use std::collections::{BTreeMap, BTreeSet};
use std::sync::OnceLock;

use minijinja::Value;
use rayon::prelude::*;
use serde::Serialize;

use crate::diagnostic::{Diagnostic, Diagnostics};
use crate::model::{Project, Year};
use crate::output::OutputFile;
use crate::score::YearScores;
pub use keep::Keeping;
pub use pages::render_bulletin;
pub use theme::Theme;
use view::*;

/// A serializable view as a template value.
pub(crate) fn v<T: Serialize>(view: T) -> Value {
    Value::from(minijinja::value::Serde(view))
}

/// The file name of a bulletin's PDF, beside its page (`build --pdf`).
pub const BULLETIN_PDF: &str = "bulletin.pdf";

/// Common to every page.
#[derive(Serialize)]
struct PageMeta {
    title: String,
    /// Relative prefix from this page to the site root ("", "../", …).
    root: String,
    /// Relative prefix from this page to the theme's static files: a year's
    /// pages use the copy under `<year>/static/`, so an archived year keeps
    /// the styles it was published with and opens alone from its folder.
    #[serde(rename = "static")]
    static_root: String,
    /// Canonical absolute URL.
    canonical: String,
    /// Which part of the navigation this page belongs to.
    section: &'static str,
    /// The 栏目 the page belongs to (the `ColumnName` meta tag).
    column: String,
    /// `YYYY-MM-DD` for pages of a year (its bulletin's date), else none
    /// (the `PubDate` meta tag; no clock in the output).
    pub_date: Option<String>,
    draft: bool,
    /// Not under a year's folder (home, search, archive index, a unit across
    /// years, pages): its navigation links every year, while a year's pages
    /// keep the few they were published (and archived) with.
    site_wide: bool,
}

#[derive(Clone, Serialize)]
struct NavYear {
    year: u16,
    draft: bool,
    href: String,
}

#[derive(Clone, Serialize)]
struct NavRegion {
    id: String,
    name: String,
    href: String,
}

#[derive(Serialize)]
struct Nav {
    years: Vec<NavYear>,
    regions: Vec<NavRegion>,
    pages: Vec<(String, String)>,
}

/// What to render: one job per output file or group of files, each done by
/// the function of its kind (`pages`, `feeds`).
enum Job<'a> {
    Index,
    Year(&'a PublicYear<'a>),
    Bulletin(&'a PublicYear<'a>),
    Method(&'a PublicYear<'a>),
    Scorecard(&'a PublicYear<'a>, usize),
    Unit(usize),
    /// A published progress page whose year is not rendered (`pages`).
    Progress(u16),
    Archive,
    Page(usize),
    NotFound,
    Search,
    SearchIndex,
    Sitemap,
    Feed,
}

impl Job<'_> {
    /// The year whose own pages this job makes, if it makes a year's pages.
    fn year(&self) -> Option<u16> {
        match self {
            Job::Year(y) | Job::Bulletin(y) | Job::Method(y) | Job::Scorecard(y, _) => {
                Some(y.year.year)
            }
            // A progress page published without its year (site.yaml) lives
            // under that year's folder; the year itself is not rendered, so
            // no rebuild keeps that folder.
            Job::Progress(year) => Some(*year),
            _ => None,
        }
    }
}

impl<'a> PublicYear<'a> {
    fn scored(&self) -> improvement::Scored<'a> {
        improvement::Scored {
            project: self.input.project,
            year: self.year,
            scores: self.scores,
        }
    }

    /// `view` as a template value, converted when a page first asks: a
    /// year whose pages a rebuild keeps never needs it (at national scale
    /// tens of megabytes each).
    fn value(&self) -> Value {
        self.value.get_or_init(|| v(&self.view)).clone()
    }

    /// `value` with the site and navigation its pages see, for `keep`.
    fn fields(&self) -> &keep::YearFields {
        self.fields
            .get_or_init(|| keep::YearFields::new(self.value(), self.shared.clone()))
    }
}

struct PublicYear<'a> {
    input: &'a YearInput<'a>,
    year: &'a Year,
    scores: &'a YearScores,
    view: YearView,
    /// `view` as a template value, converted once ([`PublicYear::value`]):
    /// every page of the year shares it (a clone is a reference count), so
    /// the cost of a page does not grow with the number of units.
    value: OnceLock<Value>,
    /// The site and navigation values the year's pages see.
    shared: Vec<Value>,
    /// `value` with `shared`, by digest, for keeping unchanged pages
    /// (`keep`; [`PublicYear::fields`]).
    fields: OnceLock<keep::YearFields>,
}

/// One year to publish.
pub struct YearInput<'a> {
    /// The project the year is scored in: the current input, or for an
    /// archived year the input archived with it, so that site-wide pages show
    /// the figures as published.
    pub project: &'a Project,
    pub year: &'a Year,
    pub scores: &'a YearScores,
    /// Set for an archived year: its own pages are copied from the archive,
    /// so only the site-wide pages that list it are rendered here.
    pub archived: Option<ArchiveView>,
}

pub struct RenderInput<'a> {
    pub project: &'a Project,
    pub theme: &'a Theme,
    /// The years to publish, oldest first.
    pub years: Vec<YearInput<'a>>,
    /// Whether each bulletin gets a PDF beside it (`build --pdf`), so its
    /// page can link to it.
    pub bulletin_pdf: bool,
}

/// The site being rendered (see [`Renderer::new`]).
pub struct Renderer<'a> {
    input: &'a RenderInput<'a>,
    site: SiteView<'a>,
    /// `site` and `nav` as template values, converted once for all pages.
    site_value: Value,
    nav_value: Value,
    /// The navigation a page under `<year>/` sees: no later year.
    nav_by_year: BTreeMap<u16, Value>,
    years: Vec<PublicYear<'a>>,
    /// Set when a rebuild may keep single pages (`keep`).
    keeping: Option<&'a Keeping>,
    /// The site and navigation site-wide pages see, for `keep`.
    site_fields: keep::YearFields,
}

fn page_path_root(path: &str) -> String {
    "../".repeat(path.matches('/').count())
}

/// The year a page under `<year>/` belongs to.
fn page_year(path: &str) -> Option<&str> {
    let (first, _) = path.split_once('/')?;
    (first.len() == 4 && first.bytes().all(|b| b.is_ascii_digit())).then_some(first)
}

/// `page.static`: the year's own copy of the static files for a page under
/// `<year>/`, the site's `static/` for every other page.
fn page_static_root(path: &str) -> String {
    match page_year(path) {
        Some(year) => format!("{}{year}/static/", page_path_root(path)),
        None => format!("{}static/", page_path_root(path)),
    }
}

fn canonical(base_url: &str, path: &str) -> String {
    format!(
        "{base_url}{}",
        path.strip_suffix("index.html").unwrap_or(path)
    )
}

impl<'a> Renderer<'a> {
    /// Prepare `input` for rendering: the views every page shares are built
    /// and converted to template values once.
    pub fn new(input: &'a RenderInput<'a>) -> Renderer<'a> {
        // Each year's view of every unit, in parallel: at national scale
        // these are most of what a rebuild does before its pages. They
        // become template values only when a page asks (`value`).
        let years: Vec<PublicYear<'_>> = input
            .years
            .par_iter()
            .map(|y| {
                let view = YearView {
                    archived: y.archived.clone(),
                    ..YearView::new(y.project, y.year, y.scores)
                };
                PublicYear {
                    input: y,
                    year: y.year,
                    scores: y.scores,
                    value: OnceLock::new(),
                    shared: Vec::new(),
                    fields: OnceLock::new(),
                    view,
                }
            })
            .collect();
        let site = SiteView::new(&input.project.site);
        let nav = Nav {
            years: years
                .iter()
                .rev()
                .map(|y| NavYear {
                    year: y.year.year,
                    draft: y.view.draft,
                    href: y.view.href.clone(),
                })
                .collect(),
            regions: input
                .project
                .units
                .iter()
                .map(|r| NavRegion {
                    id: r.id.clone(),
                    name: r.name.clone(),
                    href: format!("regions/{}/index.html", r.id),
                })
                .collect(),
            pages: input
                .project
                .pages
                .iter()
                .map(|p| (p.title.clone(), format!("pages/{}/index.html", p.slug)))
                .collect(),
        };
        let site_value = v(&site);
        let mut years = years;
        let nav_by_year: BTreeMap<u16, Value> = years
            .iter()
            .map(|y| {
                let year = y.year.year;
                let seen = Nav {
                    years: nav
                        .years
                        .iter()
                        .filter(|n| n.year <= year)
                        .cloned()
                        .collect(),
                    regions: nav.regions.clone(),
                    pages: nav.pages.clone(),
                };
                (year, v(&seen))
            })
            .collect();
        let nav_value = v(&nav);
        for y in &mut years {
            let nav = nav_by_year.get(&y.year.year).cloned();
            let nav = nav.unwrap_or_else(|| nav_value.clone());
            // The year's rules draw its charts (not part of a page's own values).
            let shared = vec![site_value.clone(), nav, v(&y.view.rules)];
            y.shared = shared;
        }
        // Every year's rules draw a unit's charts across years.
        let rules: Vec<&RulesView> = years.iter().map(|y| &y.view.rules).collect();
        let site_fields = keep::YearFields::new(
            Value::UNDEFINED,
            vec![site_value.clone(), nav_value.clone(), v(&rules)],
        );
        Renderer {
            input,
            site_fields,
            site_value,
            nav_value,
            site,
            nav_by_year,
            years,
            keeping: None,
        }
    }

    /// The files of one unit's scorecard for `year` (the page and its
    /// charts), the `index`th unit in scoring order. None if there is no such
    /// year or unit. For `benches/pipeline.rs`, not the library's API.
    #[doc(hidden)]
    pub fn scorecard(
        &self,
        year: u16,
        index: usize,
    ) -> Option<Result<Vec<OutputFile>, Diagnostic>> {
        let public = self.years.iter().find(|y| y.year.year == year)?;
        (index < public.scores.cards.len()).then(|| self.job(&Job::Scorecard(public, index)))
    }

    /// The years site.yaml publishes a progress page for whose own pages
    /// this build does not render (a draft year without --drafts).
    fn progress_alone(&self) -> Vec<u16> {
        let site = &self.input.project.site;
        site.progress_published
            .iter()
            .copied()
            .filter(|year| !self.years.iter().any(|y| y.year.year == *year))
            .collect()
    }

    /// The year published before `y`, to compare with (render/improvement.rs).
    fn before(&self, y: &PublicYear<'a>) -> Option<improvement::Scored<'a>> {
        self.years
            .iter()
            .rev()
            .find(|p| p.year.year < y.year.year)
            .map(PublicYear::scored)
    }

    fn meta(&self, path: &str, title: String, section: &'static str, draft: bool) -> PageMeta {
        PageMeta {
            root: page_path_root(path),
            static_root: page_static_root(path),
            canonical: canonical(&self.input.project.site.base_url, path),
            section,
            column: match section {
                "home" => "首页".to_string(),
                "years" | "regions" => "考核结果".to_string(),
                "bulletins" => "考核公报".to_string(),
                "archive" => "历年结果".to_string(),
                "search" => "站内搜索".to_string(),
                _ => title.clone(),
            },
            title,
            pub_date: None,
            draft,
            site_wide: path
                .split('/')
                .next()
                .is_none_or(|first| first.parse::<u16>().is_err()),
        }
    }

    fn render(&self, template: &str, path: &str, ctx: Value) -> Result<OutputFile, Diagnostic> {
        self.input
            .theme
            .render_document(&self.input.project.root, template, ctx)
            .map(|html| OutputFile::new(path, html))
    }

    /// The context of a site-wide page: it may show every published year.
    fn context(&self, meta: PageMeta, extra: Value) -> Value {
        minijinja::context! {
            site => self.site_value.clone(),
            nav => self.nav_value.clone(),
            page => v(&meta),
            ..extra
        }
    }

    /// The context of a page under `<year>/`: it sees no later year, so the
    /// year's pages are a function of site-level input and years up to it,
    /// and an archived year can be rebuilt from what was archived with it.
    fn year_context(&self, year: u16, meta: PageMeta, extra: Value) -> Value {
        minijinja::context! {
            site => self.site_value.clone(),
            nav => self.nav_by_year.get(&year).cloned().unwrap_or_else(|| self.nav_value.clone()),
            page => v(&meta),
            ..extra
        }
    }

    fn job(&self, job: &Job<'_>) -> Result<Vec<OutputFile>, Diagnostic> {
        match *job {
            Job::Index => self.index_page(),
            Job::Year(y) => self.year_page(y),
            Job::Bulletin(y) => self.bulletin_page(y),
            Job::Method(y) => self.method_page(y),
            Job::Scorecard(y, index) => self.scorecard_page(y, index),
            Job::Unit(index) => self.region_page(index),
            Job::Progress(year) => self.progress_page_alone(year),
            Job::Archive => self.archive_page(),
            Job::Page(index) => self.content_page(index),
            Job::NotFound => self.not_found_page(),
            Job::Search => self.search_page(),
            Job::SearchIndex => Ok(self.search_index()),
            Job::Sitemap => self.sitemap(),
            Job::Feed => self.feed(),
        }
    }
}

/// Where rendered files go as they are produced (from any thread): memory
/// for check and serve, the staging folder for a build, so a large site is
/// never held whole in memory.
pub type Sink<'s> = &'s (dyn Fn(OutputFile) -> Result<(), Diagnostic> + Sync);

/// Render every file of the public site into `sink`, pages in parallel.
pub fn render_site_into(input: &RenderInput<'_>, sink: Sink<'_>) -> Result<(), Diagnostics> {
    render_site_keeping(input, sink, &BTreeSet::new(), None)
}

/// [`render_site_into`] without the own pages of the years in `kept` (every
/// file under `<year>/`, which a year's pages never leave): a rebuild takes
/// them from the previous output when nothing they are made from changed;
/// nor the single pages `keeping` finds unchanged (their files are not sent
/// to `sink`; see `keep`). Site-wide pages are always rendered.
pub fn render_site_keeping(
    input: &RenderInput<'_>,
    sink: Sink<'_>,
    kept: &BTreeSet<u16>,
    keeping: Option<&Keeping>,
) -> Result<(), Diagnostics> {
    let project = input.project;
    let mut renderer = Renderer::new(input);
    let mut diags = Diagnostics::new();
    renderer.keeping = keeping;
    let mut jobs = vec![
        Job::Index,
        Job::Archive,
        Job::NotFound,
        Job::Search,
        Job::SearchIndex,
        Job::Sitemap,
        Job::Feed,
    ];
    let rendered = |y: &&PublicYear<'_>| y.input.archived.is_none() && !kept.contains(&y.year.year);
    for y in renderer.years.iter().filter(rendered) {
        jobs.push(Job::Year(y));
        jobs.push(Job::Bulletin(y));
        jobs.push(Job::Method(y));
        jobs.extend((0..y.scores.cards.len()).map(|i| Job::Scorecard(y, i)));
    }
    jobs.extend((0..project.units.len()).map(Job::Unit));
    jobs.extend(renderer.progress_alone().into_iter().map(Job::Progress));
    jobs.extend((0..project.pages.len()).map(Job::Page));

    let run = |job: &&Job<'_>| {
        renderer.job(job).and_then(|files| {
            // A year's pages stay under <year>/ and no other page goes
            // there, so a rebuild can keep a year's folder (site/incremental.rs).
            debug_assert!(files.iter().all(|f| {
                let folder = f.path.split_once('/').map(|(top, _)| top);
                let year = folder.filter(|t| t.len() == 4 && t.parse::<u16>().is_ok());
                year.map(str::parse::<u16>).and_then(Result::ok) == job.year()
            }));
            files.into_iter().try_for_each(sink)
        })
    };
    // A year page's job holds the year's whole open data while it runs (every
    // unit's scorecard view for the heat map, the workbook built in memory):
    // year pages go one after another, beside the other pages in parallel,
    // so a national build never holds two years of it at once.
    let (year_pages, other): (Vec<&Job<'_>>, Vec<&Job<'_>>) =
        jobs.iter().partition(|job| matches!(job, Job::Year(_)));
    let (year_results, other_results) = rayon::join(
        || year_pages.iter().map(run).collect::<Vec<_>>(),
        || other.par_iter().map(run).collect::<Vec<_>>(),
    );
    for result in year_results.into_iter().chain(other_results) {
        if let Err(d) = result {
            diags.push(d);
        }
    }
    // Each rendered year gets its own copy of the static files (archived
    // years bring theirs from the archive), which its pages link to.
    let rendered_years: Vec<u16> = renderer
        .years
        .iter()
        .filter(|y| y.input.archived.is_none())
        .map(|y| y.year.year)
        .chain(renderer.progress_alone())
        .collect();
    for file in input.theme.static_files(&project.root) {
        // Browsers ask for /favicon.ico before reading any page: the theme's
        // icon is also written at the site root, so that first load finds it.
        let root_icon = match &file {
            Ok(f) if f.path == "static/favicon.ico" => {
                Some(OutputFile::new("favicon.ico".to_string(), f.bytes.clone()))
            }
            _ => None,
        };
        let copies = file.map(|file| {
            let mut copies: Vec<OutputFile> = rendered_years
                .iter()
                .map(|year| OutputFile::new(format!("{year}/{}", file.path), file.bytes.clone()))
                .collect();
            copies.push(file);
            copies
        });
        if let Err(d) = copies.and_then(|copies| copies.into_iter().try_for_each(sink)) {
            diags.push(d);
        }
        if let Some(Err(d)) = root_icon.map(sink) {
            diags.push(d);
        }
    }
    if diags.has_errors() {
        return Err(diags.sorted());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn year_pages_link_their_own_static_files() {
        assert_eq!(page_static_root("index.html"), "static/");
        assert_eq!(
            page_static_root("regions/siping/index.html"),
            "../../static/"
        );
        assert_eq!(
            page_static_root("2023/regions/changchun/index.html"),
            "../../../2023/static/"
        );
        assert_eq!(page_static_root("2023/index.html"), "../2023/static/");
        assert_eq!(page_static_root("archive/index.html"), "../static/");
    }

    #[test]
    fn page_roots_and_urls() {
        assert_eq!(page_path_root("index.html"), "");
        assert_eq!(
            page_path_root("2023/regions/changchun/index.html"),
            "../../../"
        );
        assert_eq!(
            canonical("https://h/kaohe/", "2023/index.html"),
            "https://h/kaohe/2023/"
        );
        assert_eq!(
            canonical("https://h/kaohe/", "feed.xml"),
            "https://h/kaohe/feed.xml"
        );
    }
}
