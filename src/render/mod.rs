//! Stage 4, render: project and scores to pages in memory.
//!
//! Templates come from the project's theme (`themes/<name>/templates/`), are
//! compiled once, and see only the public view (`view`). Pages render in
//! parallel; every template error is collected and located.

pub mod markdown;
pub mod view;

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use minijinja::{AutoEscape, Environment, UndefinedBehavior, Value};
use rayon::prelude::*;
use serde::Serialize;

use crate::diagnostic::{Diagnostic, Diagnostics, Pos};
use crate::export;
use crate::load::decode;
use crate::model::{Project, Year};
use crate::output::OutputFile;
use crate::score::YearScores;
use view::*;

/// A serializable view as a template value.
fn v<T: Serialize>(view: T) -> Value {
    Value::from(minijinja::value::Serde(view))
}

/// The templates every theme provides, one per kind of page.
pub const REQUIRED_TEMPLATES: [&str; 10] = [
    "index.html",
    "year.html",
    "scorecard.html",
    "region.html",
    "bulletin.html",
    "archive.html",
    "page.html",
    "404.html",
    "sitemap.xml",
    "feed.xml",
];

pub struct Theme {
    env: Environment<'static>,
    templates_dir: PathBuf,
    static_files: Vec<(String, PathBuf)>,
}

fn auto_escape(name: &str) -> AutoEscape {
    if name.ends_with(".html") || name.ends_with(".xml") || name.ends_with(".svg") {
        AutoEscape::Html
    } else {
        AutoEscape::None
    }
}

/// Escape text for HTML and XML: `&<>"'` only. minijinja's default also
/// escapes `/`, which turns every URL in the source into `&#x2f;` soup.
fn escape_markup(text: &str, out: &mut minijinja::Output) -> std::fmt::Result {
    let mut last = 0;
    for (i, byte) in text.bytes().enumerate() {
        let entity = match byte {
            b'&' => "&amp;",
            b'<' => "&lt;",
            b'>' => "&gt;",
            b'"' => "&quot;",
            b'\'' => "&#39;",
            _ => continue,
        };
        out.write_str(&text[last..i])?;
        out.write_str(entity)?;
        last = i + 1;
    }
    out.write_str(&text[last..])
}

fn format_value(
    out: &mut minijinja::Output,
    state: &mut minijinja::State,
    value: &Value,
) -> Result<(), minijinja::Error> {
    if matches!(state.auto_escape(), AutoEscape::Html) && !value.is_safe() {
        if let Some(text) = value.as_str() {
            return escape_markup(text, out).map_err(|_| {
                minijinja::Error::new(minijinja::ErrorKind::WriteFailure, "cannot write output")
            });
        }
    }
    minijinja::escape_formatter(out, state, value)
}

fn relative_name(base: &Path, path: &Path) -> String {
    path.strip_prefix(base)
        .unwrap_or(path)
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect::<Vec<_>>()
        .join("/")
}

fn sorted_files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = walkdir::WalkDir::new(dir)
        .follow_links(false)
        .sort_by_file_name()
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .filter(|e| !e.file_name().to_string_lossy().starts_with('.'))
        .map(|e| e.into_path())
        .collect();
    files.sort();
    files
}

/// A template error as a diagnostic: in the template file, or in the content
/// file whose body is itself a template (`content_file` with its first body line).
fn template_diagnostic(
    error: &minijinja::Error,
    templates_dir: &Path,
    root: &Path,
    content: Option<(&Path, usize)>,
) -> Diagnostic {
    let mut message = error.kind().to_string();
    if let Some(detail) = error.detail() {
        message = format!("{message}: {detail}");
    }
    let line = error.line().unwrap_or(0);
    let (file, line) = match (content, error.name()) {
        (Some((file, body_line)), _) => (
            file.to_path_buf(),
            if line > 0 { body_line + line - 1 } else { 0 },
        ),
        (None, Some(name)) => (
            templates_dir
                .strip_prefix(root)
                .unwrap_or(templates_dir)
                .join(name),
            line,
        ),
        (None, None) => (
            templates_dir
                .strip_prefix(root)
                .unwrap_or(templates_dir)
                .to_path_buf(),
            0,
        ),
    };
    let mut diagnostic = Diagnostic::error(file.clone(), Pos::new(line, 1), message);
    if let Ok(bytes) = fs::read(root.join(&file)) {
        if let Ok(text) = decode(&file, bytes) {
            diagnostic = diagnostic.with_source(text);
        }
    }
    if error.kind() == minijinja::ErrorKind::UndefinedError {
        diagnostic = diagnostic.with_help(
            "templates see only the variables documented in docs/templates.md; check the spelling",
        );
    }
    diagnostic
}

impl Theme {
    /// Compile every template of `themes/<name>/`; report each one that fails.
    pub fn load(root: &Path, name: &str) -> Result<Theme, Diagnostics> {
        let theme_dir = root.join("themes").join(name);
        let templates_dir = theme_dir.join("templates");
        let mut env = Environment::new();
        env.set_undefined_behavior(UndefinedBehavior::Strict);
        env.set_auto_escape_callback(auto_escape);
        env.set_debug(false);
        env.set_formatter(format_value);
        let mut diags = Diagnostics::new();
        for path in sorted_files(&templates_dir) {
            let name = relative_name(&templates_dir, &path);
            let file = path.strip_prefix(root).unwrap_or(&path).to_path_buf();
            let text = match fs::read(&path)
                .map_err(|e| e.to_string())
                .and_then(|b| decode(&file, b).map_err(|d| d.message))
            {
                Ok(text) => text,
                Err(message) => {
                    diags.push(Diagnostic::error(
                        file,
                        Pos::FILE,
                        format!("cannot read template: {message}"),
                    ));
                    continue;
                }
            };
            if let Err(error) = env.add_template_owned(name, text.to_string()) {
                diags.push(template_diagnostic(&error, &templates_dir, root, None));
            }
        }
        for required in REQUIRED_TEMPLATES {
            if !templates_dir.join(required).is_file() {
                diags.push(
                    Diagnostic::error(
                        templates_dir
                            .strip_prefix(root)
                            .unwrap_or(&templates_dir)
                            .join(required),
                        Pos::FILE,
                        format!("the theme `{name}` has no template {required}"),
                    )
                    .with_help("every theme provides the templates listed in docs/templates.md"),
                );
            }
        }
        let static_dir = theme_dir.join("static");
        let static_files = sorted_files(&static_dir)
            .into_iter()
            .map(|path| {
                (
                    format!("static/{}", relative_name(&static_dir, &path)),
                    path,
                )
            })
            .collect();
        if diags.has_errors() {
            return Err(diags.sorted());
        }
        Ok(Theme {
            env,
            templates_dir,
            static_files,
        })
    }
}

/// Common to every page.
#[derive(Serialize)]
struct PageMeta {
    title: String,
    /// Relative prefix from this page to the site root ("", "../", …).
    root: String,
    /// Canonical absolute URL.
    canonical: String,
    /// Which part of the navigation this page belongs to.
    section: &'static str,
    draft: bool,
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

/// What to render: one job per output page.
enum Job<'a> {
    Index,
    Year(&'a PublicYear<'a>),
    Bulletin(&'a PublicYear<'a>),
    Scorecard(&'a PublicYear<'a>, usize),
    Region(usize),
    Archive,
    Page(usize),
    NotFound,
    Sitemap,
    Feed,
}

struct PublicYear<'a> {
    year: &'a Year,
    scores: &'a YearScores,
    view: YearView,
}

pub struct RenderInput<'a> {
    pub project: &'a Project,
    pub theme: &'a Theme,
    /// Scores of the years to publish, oldest first.
    pub years: Vec<(&'a Year, &'a YearScores)>,
}

struct Renderer<'a> {
    input: &'a RenderInput<'a>,
    site: SiteView<'a>,
    nav: Nav,
    years: Vec<PublicYear<'a>>,
    bulletins: BTreeMap<u16, String>,
}

fn page_path_root(path: &str) -> String {
    "../".repeat(path.matches('/').count())
}

/// The path part of an absolute URL: "https://host/kaohe/" → "/kaohe/".
pub fn site_path(base_url: &str) -> String {
    let after_scheme = base_url
        .split_once("://")
        .map_or(base_url, |(_, rest)| rest);
    match after_scheme.find('/') {
        Some(slash) => after_scheme[slash..].to_string(),
        None => "/".to_string(),
    }
}

fn canonical(base_url: &str, path: &str) -> String {
    format!(
        "{base_url}{}",
        path.strip_suffix("index.html").unwrap_or(path)
    )
}

impl<'a> Renderer<'a> {
    fn meta(&self, path: &str, title: String, section: &'static str, draft: bool) -> PageMeta {
        PageMeta {
            title,
            root: page_path_root(path),
            canonical: canonical(&self.input.project.site.base_url, path),
            section,
            draft,
        }
    }

    fn render(&self, template: &str, path: &str, ctx: Value) -> Result<OutputFile, Diagnostic> {
        let theme = self.input.theme;
        theme
            .env
            .get_template(template)
            .and_then(|t| t.render(ctx))
            .map(|html| OutputFile::new(path, html))
            .map_err(|e| {
                template_diagnostic(&e, &theme.templates_dir, &self.input.project.root, None)
            })
    }

    /// The context of a site-wide page: it may show every published year.
    fn context(&self, meta: PageMeta, extra: Value) -> Value {
        minijinja::context! {
            site => v(&self.site),
            nav => v(&self.nav),
            page => v(&meta),
            ..extra
        }
    }

    /// The context of a page under `<year>/`: it sees no later year, so the
    /// year's pages are a function of site-level input and years up to it,
    /// and an archived year can be rebuilt from what was archived with it.
    fn year_context(&self, year: u16, meta: PageMeta, extra: Value) -> Value {
        let nav = Nav {
            years: self
                .nav
                .years
                .iter()
                .filter(|y| y.year <= year)
                .cloned()
                .collect(),
            regions: self.nav.regions.clone(),
            pages: self.nav.pages.clone(),
        };
        minijinja::context! {
            site => v(&self.site),
            nav => v(&nav),
            page => v(&meta),
            ..extra
        }
    }

    fn job(&self, job: &Job<'_>) -> Result<Vec<OutputFile>, Diagnostic> {
        let project = self.input.project;
        match job {
            Job::Index => {
                let latest = self
                    .years
                    .iter()
                    .rev()
                    .find(|y| !y.view.draft)
                    .or(self.years.last());
                let meta = self.meta("index.html", self.site.title.to_string(), "home", false);
                let extra = minijinja::context! {
                    latest => latest.map(|y| v(&y.view)),
                    years => v(self.years.iter().rev().map(|y| &y.view).collect::<Vec<_>>()),
                };
                Ok(vec![self.render(
                    "index.html",
                    "index.html",
                    self.context(meta, extra),
                )?])
            }
            Job::Year(y) => {
                let path = format!("{}/index.html", y.year.year);
                let meta = self.meta(
                    &path,
                    format!("{}年度考核结果", y.year.year),
                    "years",
                    y.view.draft,
                );
                let extra = minijinja::context! { year => v(&y.view) };
                let page = self.render(
                    "year.html",
                    &path,
                    self.year_context(y.year.year, meta, extra),
                )?;
                let mut csv = vec![0xEF, 0xBB, 0xBF];
                csv.extend_from_slice(export::to_csv(project, y.scores).as_bytes());
                Ok(vec![
                    page,
                    OutputFile::new(y.view.data_csv.clone(), csv),
                    OutputFile::new(y.view.data_json.clone(), export::to_json(project, y.scores)),
                ])
            }
            Job::Bulletin(y) => {
                let path = y.view.bulletin.href.clone();
                let meta = self.meta(
                    &path,
                    y.year.bulletin.title.clone(),
                    "bulletins",
                    y.view.draft,
                );
                let body = self
                    .bulletins
                    .get(&y.year.year)
                    .cloned()
                    .unwrap_or_default();
                let extra = minijinja::context! {
                    year => v(&y.view),
                    body_html => body,
                };
                Ok(vec![self.render(
                    "bulletin.html",
                    &path,
                    self.year_context(y.year.year, meta, extra),
                )?])
            }
            Job::Scorecard(y, index) => {
                let card = &y.scores.cards[*index];
                let region = &project.regions[card.region];
                let Some(unit) = y.year.units.iter().find(|u| u.region == card.region) else {
                    return Ok(Vec::new());
                };
                let narrative = y
                    .year
                    .narratives
                    .get(&region.id)
                    .map(|n| markdown::to_html(&n.markdown));
                let view = ScorecardView::new(project, y.year, unit, card, narrative);
                let path = view.row.href.clone();
                let meta = self.meta(
                    &path,
                    format!("{} {}年度考核结果", region.name, y.year.year),
                    "regions",
                    y.view.draft,
                );
                let extra = minijinja::context! {
                    year => v(&y.view),
                    card => v(&view),
                };
                Ok(vec![self.render(
                    "scorecard.html",
                    &path,
                    self.year_context(y.year.year, meta, extra),
                )?])
            }
            Job::Region(index) => {
                let view = RegionView::new(project, *index, &self.input.years);
                let path = format!("regions/{}/index.html", view.id);
                let meta = self.meta(
                    &path,
                    format!("{} 历年考核结果", view.name),
                    "regions",
                    false,
                );
                let extra = minijinja::context! { region => v(&view) };
                Ok(vec![self.render(
                    "region.html",
                    &path,
                    self.context(meta, extra),
                )?])
            }
            Job::Archive => {
                let meta = self.meta(
                    "archive/index.html",
                    "历年考核结果".to_string(),
                    "archive",
                    false,
                );
                let extra = minijinja::context! {
                    years => v(self.years.iter().rev().map(|y| &y.view).collect::<Vec<_>>()),
                };
                Ok(vec![self.render(
                    "archive.html",
                    "archive/index.html",
                    self.context(meta, extra),
                )?])
            }
            Job::Page(index) => {
                let page = &project.pages[*index];
                let path = format!("pages/{}/index.html", page.slug);
                let meta = self.meta(&path, page.title.clone(), "pages", false);
                let extra = minijinja::context! {
                    slug => page.slug.clone(),
                    body_html => markdown::to_html(&page.markdown),
                };
                Ok(vec![self.render(
                    "page.html",
                    &path,
                    self.context(meta, extra),
                )?])
            }
            Job::NotFound => {
                // Served for any missing path, so links start from the site's
                // path on its own host ("/kaohe/"), never from another host.
                let mut meta = self.meta("404.html", "页面未找到".to_string(), "none", false);
                meta.root = site_path(&project.site.base_url);
                Ok(vec![self.render(
                    "404.html",
                    "404.html",
                    self.context(meta, Value::UNDEFINED),
                )?])
            }
            Job::Sitemap => {
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
                for region in &project.regions {
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
            Job::Feed => {
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

/// Render the bulletin body: a template over the year's results, then Markdown.
fn render_bulletin(
    theme: &Theme,
    project: &Project,
    year: &Year,
    view: &YearView,
) -> Result<String, Diagnostic> {
    let b = &year.bulletin;
    let ctx = minijinja::context! {
        year => year.year,
        units => v(&view.units),
        by_grade => v(&view.by_grade),
        grade_counts => v(&view.grade_counts),
        grades => v(&view.grades),
        bulletin => v(&view.bulletin),
    };
    let name = b.file.to_string_lossy().replace('\\', "/");
    theme
        .env
        .render_named_str(&name, &b.body, ctx)
        .map(|md| markdown::to_html(&md))
        .map_err(|e| {
            template_diagnostic(
                &e,
                &theme.templates_dir,
                &project.root,
                Some((&b.file, b.body_line)),
            )
        })
}

/// Every file of the public site, sorted by path.
pub fn render_site(input: &RenderInput<'_>) -> Result<Vec<OutputFile>, Diagnostics> {
    let project = input.project;
    let years: Vec<PublicYear<'_>> = input
        .years
        .iter()
        .map(|(year, scores)| PublicYear {
            year,
            scores,
            view: YearView::new(project, year, scores),
        })
        .collect();
    let mut diags = Diagnostics::new();
    let mut bulletins = BTreeMap::new();
    for y in &years {
        match render_bulletin(input.theme, project, y.year, &y.view) {
            Ok(html) => {
                bulletins.insert(y.year.year, html);
            }
            Err(d) => diags.push(d),
        }
    }
    let renderer = Renderer {
        input,
        site: SiteView::new(&project.site),
        nav: Nav {
            years: years
                .iter()
                .rev()
                .map(|y| NavYear {
                    year: y.year.year,
                    draft: y.view.draft,
                    href: y.view.href.clone(),
                })
                .collect(),
            regions: project
                .regions
                .iter()
                .map(|r| NavRegion {
                    id: r.id.clone(),
                    name: r.name.clone(),
                    href: format!("regions/{}/index.html", r.id),
                })
                .collect(),
            pages: project
                .pages
                .iter()
                .map(|p| (p.title.clone(), format!("pages/{}/index.html", p.slug)))
                .collect(),
        },
        years,
        bulletins,
    };
    let mut jobs = vec![
        Job::Index,
        Job::Archive,
        Job::NotFound,
        Job::Sitemap,
        Job::Feed,
    ];
    for y in &renderer.years {
        jobs.push(Job::Year(y));
        jobs.push(Job::Bulletin(y));
        jobs.extend((0..y.scores.cards.len()).map(|i| Job::Scorecard(y, i)));
    }
    jobs.extend((0..project.regions.len()).map(Job::Region));
    jobs.extend((0..project.pages.len()).map(Job::Page));

    let results: Vec<Result<Vec<OutputFile>, Diagnostic>> =
        jobs.par_iter().map(|job| renderer.job(job)).collect();
    let mut files = Vec::new();
    for result in results {
        match result {
            Ok(mut rendered) => files.append(&mut rendered),
            Err(d) => diags.push(d),
        }
    }
    for (path, source) in &input.theme.static_files {
        match fs::read(source) {
            Ok(bytes) => files.push(OutputFile::new(path.clone(), bytes)),
            Err(e) => diags.push(Diagnostic::error(
                source.strip_prefix(&project.root).unwrap_or(source),
                Pos::FILE,
                format!("cannot read static file: {e}"),
            )),
        }
    }
    if diags.has_errors() {
        return Err(diags.sorted());
    }
    files.sort_by(|a, b| a.path.cmp(&b.path));
    files.dedup_by(|a, b| a.path == b.path);
    Ok(files)
}

#[cfg(test)]
mod tests {
    use super::*;

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
        assert_eq!(site_path("https://example.gov.cn/kaohe/"), "/kaohe/");
        assert_eq!(site_path("https://example.gov.cn/"), "/");
    }

    #[test]
    fn markup_escaping_leaves_slashes() {
        let mut env = Environment::new();
        env.set_auto_escape_callback(auto_escape);
        env.set_formatter(format_value);
        let out = env
            .render_named_str(
                "t.html",
                "{{ x }}|{{ y|safe }}",
                minijinja::context! { x => "<a href=\"/p?a=1&b='2'\">", y => "<b>" },
            )
            .unwrap();
        assert_eq!(
            out,
            "&lt;a href=&quot;/p?a=1&amp;b=&#39;2&#39;&quot;&gt;|<b>"
        );
    }
}
