//! The HTML pages of the site, one function per kind: the home page, a
//! year, its bulletin, a unit's scorecard, a unit across years, the archive,
//! a content page, the 404 page and the search page. Each returns the page
//! with the charts it draws (as files of their own, which the page shows:
//! each chart's bytes are written once).

use minijinja::Value;

use super::chart_values::{chart_values, Draw, DrawnOnRead};
use super::theme::{ContentTemplate, Theme};
use super::view::*;
use super::{
    budget, charts, content, improvement, markdown, paging, progress, projects, v, PublicYear,
    Renderer, BULLETIN_PDF,
};
use crate::diagnostic::{Diagnostic, Pos};
use crate::model::{Project, Year};
use crate::open_data;
use crate::output::OutputFile;
use crate::paths::site_path;
use paging::Table;

impl Renderer<'_> {
    /// The home page: the latest published year and every year's grades.
    pub(super) fn index_page(&self) -> Result<Vec<OutputFile>, Diagnostic> {
        let palette = self.input.theme.palette();
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
                vec![("grades", charts::grade_distribution(&all, palette))]
            },
        );
        let extra = minijinja::context! {
            latest => latest.map(|y| y.value()),
            // its ranking's first page (render/paging.rs)
            ranking => latest.map(|y| v(paging::ranking(y.year.year, &y.view.units, 1))),
            // a list of every unit only while it stays short
            list_units => self.input.project.units.len() <= paging::PAGE_ROWS,
            years => v(self.years.iter().rev().map(|y| &y.view).collect::<Vec<_>>()),
            charts => charts,
            // Progress pages published without their year (site.yaml progress.publish)
            progress_pages => self.progress_alone().into_iter().map(|year| minijinja::context! {
                year => year, href => progress::path(year)
            }).collect::<Vec<_>>(),
        };
        files.push(self.render("index.html", "index.html", self.context(meta, extra))?);
        Ok(files)
    }

    /// A year's results with its charts and its open data (CSV, JSON).
    pub(super) fn year_page(&self, y: &PublicYear<'_>) -> Result<Vec<OutputFile>, Diagnostic> {
        let palette = self.input.theme.palette();
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
                let unit = y.year.result_of(card.region)?;
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
        let mut year_charts = vec![
            ("ranking", charts::ranking(&y.view, palette)),
            ("heatmap", charts::heatmap(&y.view, &cards, palette)),
            ("sections", charts::sections(&y.view, palette)),
            ("grades", charts::grade_distribution(&so_far, palette)),
        ];
        // 重点工程 (render/projects.rs, charts/projects.rs)
        let key_projects = projects::YearProjectsView::new(y.input.project, y.year);
        year_charts.extend(projects::year_charts(key_projects.as_ref(), palette));
        let (charts, mut files) = chart_values(&format!("{}/charts/", y.year.year), year_charts);
        let change = improvement::YearChangeView::new(y.scored(), self.before(y));
        let extra = minijinja::context! {
            year => y.value(),
            charts => charts,
            projects => v(&key_projects),
            progress_href => (self.progress_page(y) && !y.year.progress.is_empty())
                .then(|| progress::path(y.year.year)),
            // 进步排名 and where points were lost (render/improvement.rs)
            change => v(&change),
            // the first page of each long table (render/paging.rs)
            ranking => v(paging::ranking(y.year.year, &y.view.units, 1)),
            change_page => change.as_ref().map(|c| v(paging::changes(y.year.year, &c.rows, 1))),
        };
        files.push(self.render(
            "year.html",
            &path,
            self.year_context(y.year.year, meta, extra),
        )?);
        files.extend(self.table_pages(y, change.as_ref())?);
        let mut csv = vec![0xEF, 0xBB, 0xBF];
        csv.extend_from_slice(open_data::to_csv(y.input.project, y.scores).as_bytes());
        files.push(OutputFile::new(y.view.data_csv.clone(), csv));
        files.push(OutputFile::new(
            y.view.data_json.clone(),
            open_data::to_json(y.input.project, y.scores),
        ));
        let xlsx = crate::sheets::open_data::results_xlsx(y.input.project, y.year, y.scores)
            .map_err(|e| {
                Diagnostic::error(
                    &y.view.data_xlsx,
                    Pos::FILE,
                    format!("cannot write the workbook: {e}"),
                )
            })?;
        files.push(OutputFile::new(y.view.data_xlsx.clone(), xlsx));
        // projects.csv (render/projects.rs), beside results.csv
        files.extend(projects::csv_file(y.input.project, y.year));
        // The progress page of a draft year, or of one site.yaml publishes
        // (render/progress.rs).
        if let (true, Some(view)) = (
            self.progress_page(y),
            progress::ProgressView::new(y.input.project, y.year, true),
        ) {
            let path = progress::path(y.year.year);
            let published = self.progress_published(y.year.year);
            let meta = self.meta(
                &path,
                format!("{}年度定期调度", y.year.year),
                "years",
                !published,
            );
            let extra = minijinja::context! {
                year => y.value(),
                progress => v(&view),
                progress_published => published,
            };
            files.push(self.render(
                "progress.html",
                &path,
                self.year_context(y.year.year, meta, extra),
            )?);
        }
        Ok(files)
    }

    /// The second and later pages of the year's ranking and 进步排名 (the
    /// first is on the year page), each with `ranking.html`.
    fn table_pages(
        &self,
        y: &PublicYear<'_>,
        change: Option<&improvement::YearChangeView>,
    ) -> Result<Vec<OutputFile>, Diagnostic> {
        let year = y.year.year;
        let mut tables = vec![(Table::Ranking, paging::page_count(y.view.units.len()))];
        if let Some(c) = change {
            tables.push((Table::Change, paging::page_count(c.rows.len())));
        }
        let mut files = Vec::new();
        for (table, count) in tables {
            for number in 2..=count {
                let path = paging::path(year, table, number);
                let mut meta = self.meta(
                    &path,
                    format!("{}（第{number}页）", table.title(year)),
                    "years",
                    y.view.draft,
                );
                meta.pub_date = Some(y.view.bulletin.date.clone());
                let page = match (table, change) {
                    (Table::Change, Some(c)) => v(paging::changes(year, &c.rows, number)),
                    _ => v(paging::ranking(year, &y.view.units, number)),
                };
                let extra = minijinja::context! {
                    year => y.value(),
                    table => table.key(),
                    table_title => table.title(year),
                    change => change.map(|c| minijinja::context! { previous => c.previous }),
                    pager => page,
                };
                files.push(self.render(
                    "ranking.html",
                    &path,
                    self.year_context(year, meta, extra),
                )?);
            }
        }
        Ok(files)
    }

    fn progress_published(&self, year: u16) -> bool {
        self.input.project.site.progress_published.contains(&year)
    }

    /// Whether a rendered year gets its progress page: a draft (shown with
    /// --drafts and in serve only) or a year site.yaml publishes it for.
    fn progress_page(&self, y: &PublicYear<'_>) -> bool {
        y.view.draft || self.progress_published(y.year.year)
    }

    /// The progress page of a year site.yaml publishes whose own pages are
    /// not in this build (a draft year in a public build): the page alone,
    /// linking the units' history pages, reached from the home page.
    pub(super) fn progress_page_alone(&self, year: u16) -> Result<Vec<OutputFile>, Diagnostic> {
        let project = self.input.project;
        let Some(view) = project
            .years
            .get(&year)
            .and_then(|y| progress::ProgressView::new(project, y, false))
        else {
            return Ok(Vec::new());
        };
        let path = progress::path(year);
        let meta = self.meta(&path, format!("{year}年度定期调度"), "years", false);
        let extra = minijinja::context! {
            // No year page to link to: its other pages are not in this build.
            year => minijinja::context! { year => year, href => None::<String> },
            progress => v(&view),
            progress_published => true,
        };
        Ok(vec![self.render(
            "progress.html",
            &path,
            self.context(meta, extra),
        )?])
    }

    /// A year's bulletin: its body is rendered here, so a year kept from
    /// the previous output does not render it at all.
    pub(super) fn bulletin_page(&self, y: &PublicYear<'_>) -> Result<Vec<OutputFile>, Diagnostic> {
        let path = y.view.bulletin.href.clone();
        let mut meta = self.meta(
            &path,
            y.year.bulletin.title.clone(),
            "bulletins",
            y.view.draft,
        );
        meta.pub_date = Some(y.view.bulletin.date.clone());
        let body = render_bulletin(self.input.theme, y.input.project, y.year, &y.view)?;
        let extra = minijinja::context! {
            year => y.value(),
            body_html => body,
            pdf_href => self.input.bulletin_pdf.then_some(BULLETIN_PDF),
        };
        Ok(vec![self.render(
            "bulletin.html",
            &path,
            self.year_context(y.year.year, meta, extra),
        )?])
    }

    /// One unit's scorecard for a year, the `index`th in scoring order.
    pub(super) fn scorecard_page(
        &self,
        y: &PublicYear<'_>,
        index: usize,
    ) -> Result<Vec<OutputFile>, Diagnostic> {
        let palette = self.input.theme.palette();
        let project = y.input.project;
        let card = &y.scores.cards[index];
        let region = &project.units[card.region];
        let Some(unit) = y.year.result_of(card.region) else {
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
        let card_value = v(&view);
        // 重点工程 (render/projects.rs)
        let unit_projects = projects::UnitProjectsView::new(project, y.year, card.region);
        let projects = v(&unit_projects);
        // against the previous year (render/improvement.rs)
        let unit_change = improvement::UnitChangeView::new(y.scored(), self.before(y), card);
        let change = v(&unit_change);
        // What the page is made from besides the year (render/keep.rs); its
        // charts are drawn from the card, the year's rules and the theme.
        let parts = self.keeping.map(|_| {
            super::keep::Parts::new()
                .with(&meta)
                .with(&view)
                .with(&unit_projects)
                .with(&unit_change)
                .digest()
        });
        const TEMPLATE: &str = "scorecard.html";
        if let (Some(keeping), Some(parts)) = (self.keeping, &parts) {
            if keeping.keep(&path, TEMPLATE, parts, y.fields()) {
                return Ok(Vec::new());
            }
        }
        // The default theme's gauges (charts/scorecard.rs); the SVG charts
        // only for a theme that reads them.
        let gauges = minijinja::context! {
            indicators => v(charts::indicator_gauges(&view)),
            sections => v(charts::section_bars(&view, &y.view.rules)),
        };
        let card = std::sync::Arc::new(view);
        let (year, rules) = (y.year.year, std::sync::Arc::new(y.view.rules.clone()));
        let (for_indicators, for_sections) = (std::sync::Arc::clone(&card), palette.clone());
        let palette = palette.clone();
        let charts = DrawnOnRead::new(
            format!("{}/regions/{}/", y.year.year, region.id),
            vec![
                (
                    "indicators",
                    Box::new(move || charts::indicators(&for_indicators, year, &palette)),
                ),
                (
                    "sections",
                    Box::new(move || charts::unit_sections(&card, &rules, &for_sections)),
                ),
            ],
        );
        let reads = std::sync::Arc::default();
        let extra = minijinja::context! {
            year => match self.keeping {
                Some(_) => y.fields().tracked(&reads),
                None => y.value(),
            },
            card => card_value.clone(),
            gauges => gauges,
            charts => Value::from_dyn_object(std::sync::Arc::clone(&charts)),
            projects => projects.clone(),
            change => change.clone(),
        };
        let page = self.render(TEMPLATE, &path, self.year_context(y.year.year, meta, extra))?;
        let mut files = charts.files();
        files.push(page);
        if let (Some(keeping), Some(parts)) = (self.keeping, &parts) {
            let written = files.iter().map(|f| f.path.clone()).collect();
            keeping.record(&path, TEMPLATE, parts, y.fields(), &reads, written);
        }
        Ok(files)
    }

    /// One unit (the `index`th region) across every published year.
    pub(super) fn region_page(&self, index: usize) -> Result<Vec<OutputFile>, Diagnostic> {
        let project = self.input.project;
        let palette = self.input.theme.palette();
        let view = UnitHistoryView::new(project, index, &self.input.years);
        let region_id = view.id.clone();
        let path = format!("regions/{region_id}/index.html");
        let meta = self.meta(
            &path,
            format!("{} 历年考核结果", view.name),
            "regions",
            false,
        );
        // What the page is made from (render/keep.rs): its meta and view,
        // and each published year's part, the year's views built only where
        // the stamp does not have its part (render/unit_parts.rs). Its
        // charts are drawn from these, every year's rules and the theme.
        let parts = self
            .keeping
            .map(|keeping| self.unit_page_parts(&keeping.units, index, &meta, &view));
        const TEMPLATE: &str = "region.html";
        if let (Some(keeping), Some(parts)) = (self.keeping, &parts) {
            if keeping.keep(&path, TEMPLATE, parts, &self.site_fields) {
                return Ok(Vec::new());
            }
        }
        // A site-wide page: every published year of this unit, with its 重点工程
        // (render/projects.rs) and 改善/持平/退步 as each scorecard compares
        // (render/improvement.rs).
        let (cards, invested, unit_years) = self.unit_years(index, &view.id);
        let region = v(&view);
        let projects_by_year = v(&invested);
        let changes = v(&unit_years);
        // The totals and key indicators as the default theme shows them,
        // bars and gauges in its tables (charts/region.rs); the charts only
        // for a theme that reads them.
        let key_indicators = v(charts::key_indicator_table(&cards));
        let total_bars = v(charts::total_bars(&view));
        let mut draw: Vec<(&'static str, Draw)> = Vec::new();
        if !view.years.is_empty() {
            let rules: Vec<_> = self
                .years
                .iter()
                .map(|p| (p.view.year, p.view.rules.clone()))
                .collect();
            let (view, palette) = (std::sync::Arc::new(view), palette.clone());
            let (for_trend, trend_palette) = (std::sync::Arc::clone(&view), palette.clone());
            draw.push((
                "trend",
                Box::new(move || charts::trend(&for_trend, &rules, &trend_palette)),
            ));
            draw.push((
                "indicators",
                Box::new(move || charts::key_indicators(&view, &cards, &palette)),
            ));
        }
        let charts = DrawnOnRead::new(format!("regions/{}/", region_id), draw);
        let extra = minijinja::context! {
            region => region.clone(),
            key_indicators => key_indicators,
            total_bars => total_bars,
            charts => Value::from_dyn_object(std::sync::Arc::clone(&charts)),
            projects_by_year => projects_by_year.clone(),
            changes => changes.clone(),
        };
        let page = self.render(TEMPLATE, &path, self.context(meta, extra))?;
        let mut files = charts.files();
        files.push(page);
        if let (Some(keeping), Some(parts)) = (self.keeping, &parts) {
            let written = files.iter().map(|f| f.path.clone()).collect();
            let none = std::sync::Mutex::default();
            keeping.record(&path, TEMPLATE, parts, &self.site_fields, &none, written);
        }
        Ok(files)
    }

    /// Every published year, newest first.
    pub(super) fn archive_page(&self) -> Result<Vec<OutputFile>, Diagnostic> {
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

    /// A page of `content/pages/`.
    pub(super) fn content_page(&self, index: usize) -> Result<Vec<OutputFile>, Diagnostic> {
        let project = self.input.project;
        let page = &project.pages[index];
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

    pub(super) fn not_found_page(&self) -> Result<Vec<OutputFile>, Diagnostic> {
        let project = self.input.project;
        // Served for any missing path, so links start from the site's
        // path on its own host ("/kaohe/"), never from another host.
        let mut meta = self.meta("404.html", "页面未找到".to_string(), "none", false);
        meta.root = site_path(&project.site.base_url);
        meta.static_root = format!("{}static/", meta.root);
        Ok(vec![self.render(
            "404.html",
            "404.html",
            self.context(meta, Value::UNDEFINED),
        )?])
    }

    /// The search page; the index it searches is `feeds::search_index`.
    pub(super) fn search_page(&self) -> Result<Vec<OutputFile>, Diagnostic> {
        let path = "search/index.html";
        let meta = self.meta(path, "站内搜索".to_string(), "search", false);
        Ok(vec![self.render(
            "search.html",
            path,
            self.context(meta, Value::UNDEFINED),
        )?])
    }
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
    let content = ContentTemplate {
        file: &b.file,
        body_line: b.body_line,
        body: &b.body,
    };
    let (markdown, template) = theme.render_content(
        &project.root,
        &name,
        content,
        ctx.clone(),
        budget::MAX_MARKDOWN_BYTES,
    )?;
    markdown::to_html(&markdown).map_err(|deep| {
        content::bulletin_too_deep(&project.root, b, &template, ctx, &markdown, &deep)
    })
}
