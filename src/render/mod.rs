//! Stage 4, render: project and scores to pages in memory.
//!
//! Templates come from the project's theme (`themes/<name>/templates/`), are
//! compiled once, and see only the public view (`view`). Pages render in
//! parallel; every template error is collected and located.

mod budget;
pub mod charts;
mod content;
pub mod markdown;
// The year's 考核细则 page (issue 16).
pub mod method;
pub mod search;
pub mod view;

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use minijinja::{AutoEscape, Environment, UndefinedBehavior, Value};
use rayon::prelude::*;
use serde::Serialize;

use crate::diagnostic::{suggest, Diagnostic, Diagnostics, Pos};
use crate::load::decode;
use crate::model::{Project, Year};
use crate::open_data;
use crate::output::OutputFile;
use crate::paths::{relative_name, site_path};
use crate::score::YearScores;
use view::*;

/// A serializable view as a template value.
pub(crate) fn v<T: Serialize>(view: T) -> Value {
    Value::from(minijinja::value::Serde(view))
}

/// Charts as a template value: `name => {title, desc, href, svg, table}`,
/// with `svg` and `table` marked safe (built and escaped in `charts`).
/// `dir` is the site-relative folder the standalone `.svg` files go to; the
/// files are returned with the value.
fn chart_values(dir: &str, charts: Vec<(&'static str, charts::Chart)>) -> (Value, Vec<OutputFile>) {
    let mut values = BTreeMap::new();
    let mut files = Vec::with_capacity(charts.len());
    for (name, chart) in charts {
        let href = format!("{dir}{}", chart.file);
        values.insert(
            name,
            minijinja::context! {
                title => chart.title,
                desc => chart.desc,
                href => href.clone(),
                svg => Value::from_safe_string(chart.svg.clone()),
                table => Value::from_safe_string(chart.table),
            },
        );
        files.push(OutputFile::new(href, chart.svg));
    }
    (Value::from(values), files)
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

/// The file name of a bulletin's PDF, beside its page (`build --pdf`).
pub const BULLETIN_PDF: &str = "bulletin.pdf";

pub struct Theme {
    env: Environment<'static>,
    templates_dir: PathBuf,
    static_files: Vec<(String, PathBuf)>,
}

/// The escaping of a content file whose body is a template (the bulletin):
/// every printed value is escaped for Markdown (`markdown::escape`), so data
/// shows as its text and never becomes markup.
const MARKDOWN: AutoEscape = AutoEscape::Custom(std::borrow::Cow::Borrowed("markdown"));

fn auto_escape(name: &str) -> AutoEscape {
    if name.ends_with(".html") || name.ends_with(".xml") || name.ends_with(".svg") {
        AutoEscape::Html
    } else if name.ends_with(".md") {
        MARKDOWN
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
    let write_failed =
        |_| minijinja::Error::new(minijinja::ErrorKind::WriteFailure, "cannot write output");
    // A value that cannot fit fails before it is escaped.
    budget::check(value.as_str().map_or(0, str::len))?;
    let escape = state.auto_escape().clone();
    if escape == MARKDOWN {
        if value.is_safe() {
            out.write_str(value.as_str().unwrap_or_default())
        } else if let Some(text) = value.as_str() {
            markdown::escape(text, out)
        } else {
            markdown::escape(&value.to_string(), out)
        }
        .map_err(write_failed)?;
    } else if escape == AutoEscape::Html && value.as_str().is_some() && !value.is_safe() {
        escape_markup(value.as_str().unwrap_or_default(), out).map_err(write_failed)?;
    } else {
        minijinja::escape_formatter(out, state, value)?;
    }
    budget::check(0)
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

/// The variables a bulletin's body can use (docs/data-format.md).
pub const BULLETIN_VARIABLES: [&str; 6] = [
    "year",
    "units",
    "by_grade",
    "grade_counts",
    "grades",
    "bulletin",
];

/// A template's body: the content file whose body is itself a template, with
/// the line its body starts on and the body text.
pub struct ContentTemplate<'a> {
    pub file: &'a Path,
    pub body_line: usize,
    pub body: &'a str,
}

/// A template error as a diagnostic, at the line and column of the failing
/// expression: in the theme's template file, or in the content file whose
/// body is itself a template.
fn template_diagnostic(
    error: &minijinja::Error,
    templates_dir: &Path,
    root: &Path,
    content: Option<ContentTemplate<'_>>,
) -> Diagnostic {
    let mut message = error.kind().to_string();
    if let Some(detail) = error.detail() {
        message = format!("{message}: {detail}");
    }
    let relative_templates = templates_dir.strip_prefix(root).unwrap_or(templates_dir);
    let file = match (&content, error.name()) {
        (Some(c), _) => c.file.to_path_buf(),
        (None, Some(name)) => relative_templates.join(name),
        (None, None) => relative_templates.to_path_buf(),
    };
    let text = fs::read(root.join(&file))
        .ok()
        .and_then(|bytes| decode(&file, bytes).ok());
    let (source, first_line) = match (&content, &text) {
        (Some(c), _) => (Some(c.body), c.body_line),
        (None, Some(text)) => (Some(&**text), 1),
        (None, None) => (None, 1),
    };
    let at = match (source, error.range(), error.line()) {
        (Some(source), Some(range), _)
            if range.start <= source.len() && source.is_char_boundary(range.start) =>
        {
            let before = &source[..range.start];
            let line_start = before.rfind('\n').map_or(0, |i| i + 1);
            Pos::new(
                first_line + before.matches('\n').count(),
                before[line_start..].chars().count() + 1,
            )
        }
        (_, _, Some(line)) => Pos::new(first_line + line - 1, 1),
        _ => Pos::FILE,
    };
    let mut diagnostic = Diagnostic::error(file, at, message);
    if let Some(text) = text {
        diagnostic = diagnostic.with_source(text);
    }
    if error.kind() == minijinja::ErrorKind::OutOfFuel {
        diagnostic.message = format!(
            "this template does more work than one page may: it used up its budget of {} million steps here",
            budget::FUEL / 1_000_000
        );
        diagnostic = diagnostic.with_help(
            "a page may run about that many template instructions (or create 64 times as many bytes); look for a loop inside a loop, a long range() or a repeated string (docs/templates.md, Limits)",
        );
    } else if let Some(detail) = error.detail().filter(|d| d.starts_with(budget::TOO_LARGE)) {
        diagnostic.message = format!("{detail} here");
        diagnostic = diagnostic.with_help(format!(
            "a page may be at most {} MiB, the Markdown a bulletin's template writes {} MiB; print less, or fewer times (docs/templates.md, Limits)",
            budget::MAX_PAGE_BYTES / 1024 / 1024,
            budget::MAX_MARKDOWN_BYTES / 1024 / 1024
        ));
    } else if error.kind() == minijinja::ErrorKind::UndefinedError {
        let help = match &content {
            Some(_) => bulletin_help(error),
            None => "templates see only the variables documented in docs/templates.md; check the spelling".to_string(),
        };
        diagnostic = diagnostic.with_help(help);
    }
    diagnostic
}

/// Fields of the bulletin's variables that have fixed names.
fn bulletin_fields(variable: &str) -> &'static [&'static str] {
    match variable {
        "by_grade" | "grade_counts" => &["excellent", "good", "pass", "fail"],
        "bulletin" => &["title", "doc_number", "issuer", "date", "date_cn"],
        _ => &[],
    }
}

/// What a bulletin may use instead of the undefined expression minijinja
/// reports as "`grade_counts.excelent` is undefined".
fn bulletin_help(error: &minijinja::Error) -> String {
    let known = BULLETIN_VARIABLES.join(", ");
    let generic =
        format!("a bulletin can use {known}; their fields are listed in docs/data-format.md");
    let Some(expression) = error.detail().and_then(|detail| {
        let start = detail.find('`')? + 1;
        Some(&detail[start..start + detail[start..].find('`')?])
    }) else {
        return generic;
    };
    let mut names = expression.split('.');
    let root = names.next().unwrap_or("");
    if BULLETIN_VARIABLES.contains(&root) {
        let fields = bulletin_fields(root);
        let field = names.next().unwrap_or("");
        return match suggest(field, fields.iter().copied()) {
            Some(close) => format!("did you mean `{root}.{close}`?"),
            None if fields.is_empty() => generic,
            None => format!("`{root}` has the fields {}", fields.join(", ")),
        };
    }
    match suggest(root, BULLETIN_VARIABLES) {
        Some(close) => {
            format!("did you mean `{close}`? A bulletin can use {known} (docs/data-format.md)")
        }
        None => generic,
    }
}

impl Theme {
    /// Compile every template of `themes/<name>/`; report each one that fails.
    pub fn load(root: &Path, name: &str) -> Result<Theme, Diagnostics> {
        let theme_dir = root.join("themes").join(name);
        let templates_dir = theme_dir.join("templates");
        let mut env = Environment::new();
        env.set_undefined_behavior(UndefinedBehavior::Strict);
        env.set_auto_escape_callback(auto_escape);
        // Debug mode makes minijinja name the undefined expression and its span.
        env.set_debug(true);
        env.set_formatter(format_value);
        env.set_fuel(Some(budget::FUEL));
        let static_dir = theme_dir.join("static");
        let static_files: Vec<(String, PathBuf)> = sorted_files(&static_dir)
            .into_iter()
            .map(|path| {
                (
                    format!("static/{}", relative_name(&static_dir, &path)),
                    path,
                )
            })
            .collect();
        env.add_function("inline_static", inline_static(&static_dir, &static_files));
        env.add_filter("cn_number", cn_number);
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

/// `3 | cn_number` → 三: Chinese numerals for the heading numbers of
/// official documents (一、 （一）), 1 to 99; other numbers stay digits.
fn cn_number(n: u32) -> String {
    const DIGITS: [&str; 10] = ["〇", "一", "二", "三", "四", "五", "六", "七", "八", "九"];
    match n {
        1..=9 => DIGITS[n as usize].to_string(),
        10..=19 => format!(
            "十{}",
            if n == 10 {
                ""
            } else {
                DIGITS[(n - 10) as usize]
            }
        ),
        20..=99 => format!(
            "{}十{}",
            DIGITS[(n / 10) as usize],
            if n.is_multiple_of(10) {
                ""
            } else {
                DIGITS[(n % 10) as usize]
            }
        ),
        _ => n.to_string(),
    }
}

/// `inline_static("official.css")`: the text of one of the theme's static
/// files, for documents that must stand alone (the briefing copy).
fn inline_static(
    static_dir: &Path,
    static_files: &[(String, PathBuf)],
) -> impl Fn(&str) -> Result<Value, minijinja::Error> + Send + Sync + 'static {
    let files: BTreeMap<String, PathBuf> = static_files
        .iter()
        .map(|(name, path)| (name.trim_start_matches("static/").to_string(), path.clone()))
        .collect();
    let static_dir = static_dir.to_path_buf();
    move |name: &str| {
        let path = files.get(name).ok_or_else(|| {
            minijinja::Error::new(
                minijinja::ErrorKind::InvalidOperation,
                format!(
                    "inline_static: the theme has no static file `{name}` in {}",
                    static_dir.display()
                ),
            )
        })?;
        fs::read_to_string(path)
            .map(Value::from_safe_string)
            .map_err(|e| {
                minijinja::Error::new(
                    minijinja::ErrorKind::InvalidOperation,
                    format!("inline_static: cannot read {}: {e}", path.display()),
                )
            })
    }
}

impl Theme {
    /// Whether the theme has the template `name` (for templates only some
    /// commands need, like `briefing.html`).
    pub fn has_template(&self, name: &str) -> bool {
        self.env.get_template(name).is_ok()
    }

    /// The folder the templates were read from.
    pub fn templates_dir(&self) -> &Path {
        &self.templates_dir
    }

    /// Render one whole document outside the site (the briefing copy).
    pub fn render_document(
        &self,
        root: &Path,
        name: &str,
        ctx: Value,
    ) -> Result<String, Diagnostic> {
        self.env
            .get_template(name)
            .and_then(|t| budget::render(&t, ctx, budget::MAX_PAGE_BYTES))
            .map_err(|e| template_diagnostic(&e, &self.templates_dir, root, None))
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
    /// The 栏目 the page belongs to (the `ColumnName` meta tag).
    column: String,
    /// `YYYY-MM-DD` for pages of a year (its bulletin's date), else none
    /// (the `PubDate` meta tag; no clock in the output).
    pub_date: Option<String>,
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
    Method(&'a PublicYear<'a>),
    Scorecard(&'a PublicYear<'a>, usize),
    Region(usize),
    Archive,
    Page(usize),
    NotFound,
    Search,
    Sitemap,
    Feed,
}

struct PublicYear<'a> {
    input: &'a YearInput<'a>,
    year: &'a Year,
    scores: &'a YearScores,
    view: YearView,
    /// `view` as a template value, converted once: every page of the year
    /// shares it (a clone is a reference count), so the cost of a page does
    /// not grow with the number of units.
    value: Value,
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
    bulletins: BTreeMap<u16, String>,
}

fn page_path_root(path: &str) -> String {
    "../".repeat(path.matches('/').count())
}

fn canonical(base_url: &str, path: &str) -> String {
    format!(
        "{base_url}{}",
        path.strip_suffix("index.html").unwrap_or(path)
    )
}

impl<'a> Renderer<'a> {
    /// Prepare `input` for rendering: the views every page shares are built
    /// and converted to template values once. Errors in the bulletins come
    /// back beside the renderer.
    pub fn new(input: &'a RenderInput<'a>) -> (Renderer<'a>, Diagnostics) {
        let years: Vec<PublicYear<'_>> = input
            .years
            .iter()
            .map(|y| {
                let view = YearView {
                    archived: y.archived.clone(),
                    ..YearView::new(y.project, y.year, y.scores)
                };
                PublicYear {
                    input: y,
                    year: y.year,
                    scores: y.scores,
                    value: v(&view),
                    view,
                }
            })
            .collect();
        let mut diags = Diagnostics::new();
        let mut bulletins = BTreeMap::new();
        for y in years.iter().filter(|y| y.input.archived.is_none()) {
            match render_bulletin(input.theme, y.input.project, y.year, &y.view) {
                Ok(html) => {
                    bulletins.insert(y.year.year, html);
                }
                Err(d) => diags.push(d),
            }
        }
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
                .regions
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
        let nav_by_year = years
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
        let renderer = Renderer {
            input,
            site_value: v(&site),
            nav_value: v(&nav),
            site,
            nav_by_year,
            years,
            bulletins,
        };
        (renderer, diags)
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

    fn meta(&self, path: &str, title: String, section: &'static str, draft: bool) -> PageMeta {
        PageMeta {
            root: page_path_root(path),
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
        }
    }

    fn render(&self, template: &str, path: &str, ctx: Value) -> Result<OutputFile, Diagnostic> {
        let theme = self.input.theme;
        theme
            .env
            .get_template(template)
            .and_then(|t| budget::render(&t, ctx, budget::MAX_PAGE_BYTES))
            .map(|html| OutputFile::new(path, html))
            .map_err(|e| {
                template_diagnostic(&e, &theme.templates_dir, &self.input.project.root, None)
            })
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
                // The site-wide page may show every published year.
                let all: Vec<&YearView> = self.years.iter().map(|y| &y.view).collect();
                let (charts, mut files) = chart_values(
                    "charts/",
                    if all.is_empty() {
                        Vec::new()
                    } else {
                        vec![("grades", charts::grade_distribution(&all))]
                    },
                );
                let extra = minijinja::context! {
                    latest => latest.map(|y| y.value.clone()),
                    years => v(self.years.iter().rev().map(|y| &y.view).collect::<Vec<_>>()),
                    charts => charts,
                };
                files.push(self.render("index.html", "index.html", self.context(meta, extra))?);
                Ok(files)
            }
            Job::Year(y) => {
                let path = format!("{}/index.html", y.year.year);
                let mut meta = self.meta(
                    &path,
                    format!("{}年度考核结果", y.year.year),
                    "years",
                    y.view.draft,
                );
                meta.pub_date = Some(y.view.bulletin.date.clone());
                let cards: Vec<ScorecardView> = y
                    .scores
                    .cards
                    .iter()
                    .filter_map(|card| {
                        let unit = y.year.units.iter().find(|u| u.region == card.region)?;
                        Some(ScorecardView::new(
                            y.input.project,
                            y.year,
                            unit,
                            card,
                            None,
                        ))
                    })
                    .collect();
                // This year and earlier ones only: a year's pages see no later year.
                let so_far: Vec<&YearView> = self
                    .years
                    .iter()
                    .filter(|p| p.year.year <= y.year.year)
                    .map(|p| &p.view)
                    .collect();
                let (charts, mut files) = chart_values(
                    &format!("{}/charts/", y.year.year),
                    vec![
                        ("ranking", charts::ranking(&y.view)),
                        ("heatmap", charts::heatmap(&y.view, &cards)),
                        ("sections", charts::sections(&y.view)),
                        ("grades", charts::grade_distribution(&so_far)),
                    ],
                );
                let extra = minijinja::context! { year => y.value.clone(), charts => charts };
                files.push(self.render(
                    "year.html",
                    &path,
                    self.year_context(y.year.year, meta, extra),
                )?);
                let mut csv = vec![0xEF, 0xBB, 0xBF];
                csv.extend_from_slice(open_data::to_csv(y.input.project, y.scores).as_bytes());
                files.push(OutputFile::new(y.view.data_csv.clone(), csv));
                files.push(OutputFile::new(
                    y.view.data_json.clone(),
                    open_data::to_json(y.input.project, y.scores),
                ));
                Ok(files)
            }
            Job::Bulletin(y) => {
                let path = y.view.bulletin.href.clone();
                let mut meta = self.meta(
                    &path,
                    y.year.bulletin.title.clone(),
                    "bulletins",
                    y.view.draft,
                );
                meta.pub_date = Some(y.view.bulletin.date.clone());
                let body = self
                    .bulletins
                    .get(&y.year.year)
                    .cloned()
                    .unwrap_or_default();
                let extra = minijinja::context! {
                    year => y.value.clone(),
                    body_html => body,
                    pdf_href => self.input.bulletin_pdf.then_some(BULLETIN_PDF),
                };
                Ok(vec![self.render(
                    "bulletin.html",
                    &path,
                    self.year_context(y.year.year, meta, extra),
                )?])
            }
            Job::Method(y) => self.method_page(y),
            Job::Scorecard(y, index) => {
                let project = y.input.project;
                let card = &y.scores.cards[*index];
                let region = &project.regions[card.region];
                let Some(unit) = y.year.units.iter().find(|u| u.region == card.region) else {
                    return Ok(Vec::new());
                };
                let narrative = y
                    .year
                    .narratives
                    .get(&region.id)
                    .map(|n| content::to_html(&project.root, &n.file, &n.markdown))
                    .transpose()?;
                let view = ScorecardView::new(project, y.year, unit, card, narrative);
                let path = view.row.href.clone();
                let mut meta = self.meta(
                    &path,
                    format!("{} {}年度考核结果", region.name, y.year.year),
                    "regions",
                    y.view.draft,
                );
                meta.pub_date = Some(y.view.bulletin.date.clone());
                let (charts, mut files) = chart_values(
                    &format!("{}/regions/{}/", y.year.year, region.id),
                    vec![
                        ("indicators", charts::indicators(&view, y.year.year)),
                        ("sections", charts::unit_sections(&view, &y.view.rules)),
                    ],
                );
                let extra = minijinja::context! {
                    year => y.value.clone(),
                    card => v(&view),
                    charts => charts,
                };
                files.push(self.render(
                    "scorecard.html",
                    &path,
                    self.year_context(y.year.year, meta, extra),
                )?);
                Ok(files)
            }
            Job::Region(index) => {
                let years: Vec<RegionYear<'_>> = self
                    .years
                    .iter()
                    .map(|y| RegionYear {
                        project: y.input.project,
                        year: y.year,
                        scores: y.scores,
                        archived: y.view.archived.clone(),
                    })
                    .collect();
                let view = RegionView::new(project, *index, &years);
                let path = format!("regions/{}/index.html", view.id);
                let meta = self.meta(
                    &path,
                    format!("{} 历年考核结果", view.name),
                    "regions",
                    false,
                );
                // A site-wide page: every published year of this unit.
                let cards: Vec<(u16, bool, ScorecardView)> = self
                    .years
                    .iter()
                    .filter_map(|p| {
                        // An archived year is scored from its archived input,
                        // whose units may be listed in another order: match by id.
                        let published = p.input.project;
                        let at = published.regions.iter().position(|r| r.id == view.id)?;
                        let card = p.scores.card(at)?;
                        let unit = p.year.units.iter().find(|u| u.region == at)?;
                        Some((
                            p.year.year,
                            p.view.draft,
                            ScorecardView::new(published, p.year, unit, card, None),
                        ))
                    })
                    .collect();
                let all: Vec<&YearView> = self.years.iter().map(|p| &p.view).collect();
                let (charts, mut files) = chart_values(
                    &format!("regions/{}/", view.id),
                    if view.years.is_empty() {
                        Vec::new()
                    } else {
                        vec![
                            ("trend", charts::trend(&view, &all)),
                            ("indicators", charts::key_indicators(&view, &cards)),
                        ]
                    },
                );
                let extra = minijinja::context! { region => v(&view), charts => charts };
                files.push(self.render("region.html", &path, self.context(meta, extra))?);
                Ok(files)
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
                    body_html => content::to_html(&project.root, &page.file, &page.markdown)?,
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
            Job::Search => {
                // A site-wide file: every published year.
                let all: Vec<&YearView> = self.years.iter().map(|y| &y.view).collect();
                let mut files = vec![OutputFile::new(
                    search::INDEX_PATH,
                    search::index_script(project, &all),
                )];
                // The page is optional, so older themes keep building.
                if self.input.theme.has_template("search.html") {
                    let path = "search/index.html";
                    let meta = self.meta(path, "站内搜索".to_string(), "search", false);
                    files.push(self.render(
                        "search.html",
                        path,
                        self.context(meta, Value::UNDEFINED),
                    )?);
                }
                Ok(files)
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
                            archived => self::v(&v.archived),
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
pub fn render_bulletin(
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
    let located = |e: minijinja::Error| {
        let content = ContentTemplate {
            file: &b.file,
            body_line: b.body_line,
            body: &b.body,
        };
        template_diagnostic(&e, &theme.templates_dir, &project.root, Some(content))
    };
    let template = theme
        .env
        .template_from_named_str(&name, &b.body)
        .map_err(located)?;
    let markdown =
        budget::render(&template, ctx.clone(), budget::MAX_MARKDOWN_BYTES).map_err(located)?;
    markdown::to_html(&markdown).map_err(|deep| {
        content::bulletin_too_deep(&project.root, b, &template, ctx, &markdown, &deep)
    })
}

/// Where rendered files go as they are produced (from any thread): memory
/// for check and serve, the staging folder for a build, so a large site is
/// never held whole in memory.
pub type Sink<'s> = &'s (dyn Fn(OutputFile) -> Result<(), Diagnostic> + Sync);

/// Render every file of the public site into `sink`, pages in parallel.
pub fn render_site_into(input: &RenderInput<'_>, sink: Sink<'_>) -> Result<(), Diagnostics> {
    let project = input.project;
    let (renderer, mut diags) = Renderer::new(input);
    let mut jobs = vec![
        Job::Index,
        Job::Archive,
        Job::NotFound,
        Job::Search,
        Job::Sitemap,
        Job::Feed,
    ];
    for y in renderer.years.iter().filter(|y| y.input.archived.is_none()) {
        jobs.push(Job::Year(y));
        jobs.push(Job::Bulletin(y));
        jobs.push(Job::Method(y));
        jobs.extend((0..y.scores.cards.len()).map(|i| Job::Scorecard(y, i)));
    }
    jobs.extend((0..project.regions.len()).map(Job::Region));
    jobs.extend((0..project.pages.len()).map(Job::Page));

    let results: Vec<Result<(), Diagnostic>> = jobs
        .par_iter()
        .map(|job| {
            renderer
                .job(job)
                .and_then(|files| files.into_iter().try_for_each(sink))
        })
        .collect();
    for result in results {
        if let Err(d) = result {
            diags.push(d);
        }
    }
    for (path, source) in &input.theme.static_files {
        let copied = fs::read(source)
            .map_err(|e| {
                Diagnostic::error(
                    source.strip_prefix(&project.root).unwrap_or(source),
                    Pos::FILE,
                    format!("cannot read static file: {e}"),
                )
            })
            .and_then(|bytes| sink(OutputFile::new(path.clone(), bytes)));
        if let Err(d) = copied {
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

    #[test]
    fn chinese_heading_numbers() {
        let numbers: Vec<String> = [1, 9, 10, 11, 12, 20, 21, 99, 100, 0]
            .into_iter()
            .map(cn_number)
            .collect();
        assert_eq!(
            numbers,
            [
                "一",
                "九",
                "十",
                "十一",
                "十二",
                "二十",
                "二十一",
                "九十九",
                "100",
                "0"
            ]
        );
    }

    #[test]
    fn bulletin_values_are_escaped_for_markdown() {
        let mut env = Environment::new();
        env.set_auto_escape_callback(auto_escape);
        env.set_formatter(format_value);
        let render = |source: &str| {
            env.render_named_str(
                "content/2024/bulletin.md",
                source,
                minijinja::context! { x => "**粗**<b>", n => -1, names => ["甲", "*乙*"] },
            )
            .unwrap()
        };
        assert_eq!(render("{{ x }}"), "&#42;&#42;粗&#42;&#42;&lt;b&gt;");
        assert_eq!(render("{{ n }}"), "&#45;1");
        assert_eq!(render("{{ x | safe }}"), "**粗**<b>");
        // Markdown the template writes itself is kept, with the values in it escaped.
        assert_eq!(
            render("{% set s %}**{{ x }}**{% endset %}{{ s }}"),
            "**&#42;&#42;粗&#42;&#42;&lt;b&gt;**"
        );
        assert_eq!(render("{{ names | join('、') }}"), "甲、&#42;乙&#42;");
        assert_eq!(
            render("{{ names | join('\n- ' | safe) }}"),
            "甲\n- &#42;乙&#42;"
        );
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
