//! The key projects (重点工程) as the public sees them: a unit's projects
//! by programme on its scorecard, the province's investment by programme
//! and by unit on the year page, a unit's investment per year on its history
//! page. Every sum is taken in exact decimals; only the completion rate is
//! rounded, to one decimal.

use rust_decimal::Decimal;
use serde::Serialize;

use super::charts::{self, Chart};
use crate::model::{KeyProject, Project, Year, PROGRAMMES, PROJECT_STATUSES};
use crate::open_data::{csv_field, defuse};
use crate::output::OutputFile;

/// 万元 with two decimals, as the files write them.
pub fn wan(value: Decimal) -> String {
    format!("{:.2}", value.round_dp(2))
}

/// Completed over planned, in percent to one decimal; none without a plan.
pub fn rate(completed: Decimal, planned: Decimal) -> Option<String> {
    let ratio = completed
        .checked_mul(Decimal::ONE_HUNDRED)?
        .checked_div(planned)?;
    Some(format!("{:.1}", ratio.round_dp(1)))
}

/// Planned and completed investment over some projects.
#[derive(Debug, Clone, Copy, Default)]
pub struct Sum {
    pub count: usize,
    pub delayed: usize,
    pub planned: Decimal,
    pub completed: Decimal,
}

impl Sum {
    /// Sums saturate: a total beyond `Decimal`'s range (about 7.9×10²⁸ 万元)
    /// cannot come from real input, and a page must still render.
    pub fn add(&mut self, project: &KeyProject) {
        self.count += 1;
        self.delayed += usize::from(project.is_delayed());
        self.planned = self.planned.saturating_add(project.planned);
        self.completed = self.completed.saturating_add(project.completed);
    }

    fn row(&self, name: String, href: Option<String>) -> SumRow {
        SumRow {
            name,
            href,
            count: self.count,
            delayed: self.delayed,
            planned: wan(self.planned),
            completed: wan(self.completed),
            rate: rate(self.completed, self.planned),
        }
    }
}

#[derive(Debug, Serialize)]
pub struct SumRow {
    pub name: String,
    pub href: Option<String>,
    pub count: usize,
    pub delayed: usize,
    pub planned: String,
    pub completed: String,
    pub rate: Option<String>,
}

/// The badge class of each of [`PROJECT_STATUSES`], in the same order:
/// 未开工, 在建, 完工, 延期.
pub const STATUS_CLASSES: [&str; 4] = ["not-started", "in-progress", "completed", "delayed"];

#[derive(Debug, Serialize)]
pub struct ProjectView {
    pub id: String,
    pub name: String,
    pub programme: &'static str,
    pub unit: String,
    pub unit_href: String,
    pub planned: String,
    pub completed: String,
    pub rate: Option<String>,
    pub status: &'static str,
    /// The CSS class of the status badge, in ASCII so a stylesheet or
    /// script need not match Chinese text ([`STATUS_CLASSES`]).
    pub status_class: &'static str,
    pub start: Option<String>,
    pub planned_completion: String,
    pub actual_completion: Option<String>,
    pub delay_reason: Option<String>,
}

fn project_view(project: &Project, year: u16, region: usize, p: &KeyProject) -> ProjectView {
    let unit = &project.units[region];
    ProjectView {
        id: p.id.clone(),
        name: p.name.clone(),
        programme: PROGRAMMES[p.programme],
        unit: unit.name.clone(),
        unit_href: format!("{year}/regions/{}/index.html", unit.id),
        planned: wan(p.planned),
        completed: wan(p.completed),
        rate: rate(p.completed, p.planned),
        status: PROJECT_STATUSES[p.status],
        status_class: STATUS_CLASSES.get(p.status).copied().unwrap_or("delayed"),
        start: p.start.map(|d| d.to_string()),
        planned_completion: p.planned_completion.to_string(),
        actual_completion: p.actual_completion.map(|d| d.to_string()),
        delay_reason: p.delay_reason.clone(),
    }
}

#[derive(Debug, Serialize)]
pub struct ProgrammeGroup {
    pub sum: SumRow,
    pub projects: Vec<ProjectView>,
}

/// A unit's 重点工程 section on its scorecard.
#[derive(Debug, Serialize)]
pub struct UnitProjectsView {
    pub total: SumRow,
    /// Programmes with at least one project, in the plan's order.
    pub programmes: Vec<ProgrammeGroup>,
}

impl UnitProjectsView {
    /// None for a unit without projects, so a year without a project
    /// library renders as it always did.
    pub fn new(project: &Project, year: &Year, region: usize) -> Option<UnitProjectsView> {
        let list = year.projects.get(region).filter(|l| !l.is_empty())?;
        let mut total = Sum::default();
        let mut programmes = Vec::new();
        for (index, name) in PROGRAMMES.iter().enumerate() {
            let mut sum = Sum::default();
            let mut projects = Vec::new();
            for p in list.iter().filter(|p| p.programme == index) {
                sum.add(p);
                total.add(p);
                projects.push(project_view(project, year.year, region, p));
            }
            if !projects.is_empty() {
                programmes.push(ProgrammeGroup {
                    sum: sum.row(name.to_string(), None),
                    projects,
                });
            }
        }
        Some(UnitProjectsView {
            total: total.row("合计".to_string(), None),
            programmes,
        })
    }
}

/// The province-wide view on the year page.
#[derive(Debug, Serialize)]
pub struct YearProjectsView {
    pub total: SumRow,
    /// Every programme of the plan, in its order (a programme without
    /// projects shows as 0, which is itself worth seeing).
    pub by_programme: Vec<SumRow>,
    /// Units with projects, in regions.yaml order.
    pub by_unit: Vec<SumRow>,
    pub delayed: Vec<ProjectView>,
}

impl YearProjectsView {
    pub fn new(project: &Project, year: &Year) -> Option<YearProjectsView> {
        if year.projects.iter().all(Vec::is_empty) {
            return None;
        }
        let mut total = Sum::default();
        let mut programme_sums = vec![Sum::default(); PROGRAMMES.len()];
        let mut unit_sums = Vec::new();
        let mut delayed = Vec::new();
        for (region, list) in year.projects.iter().enumerate() {
            if list.is_empty() {
                continue;
            }
            let mut sum = Sum::default();
            for p in list {
                sum.add(p);
                total.add(p);
                if let Some(s) = programme_sums.get_mut(p.programme) {
                    s.add(p);
                }
                if p.is_delayed() {
                    delayed.push(project_view(project, year.year, region, p));
                }
            }
            unit_sums.push((region, sum));
        }
        Some(YearProjectsView {
            total: total.row("全省合计".to_string(), None),
            by_programme: PROGRAMMES
                .iter()
                .zip(&programme_sums)
                .map(|(name, s)| s.row(name.to_string(), None))
                .collect(),
            by_unit: unit_sums
                .iter()
                .map(|(r, s)| {
                    let unit = &project.units[*r];
                    let href = format!("{}/regions/{}/index.html", year.year, unit.id);
                    s.row(unit.name.clone(), Some(href))
                })
                .collect(),
            delayed,
        })
    }
}

/// One year of a unit's investment on its history page.
#[derive(Debug, Serialize)]
pub struct RegionProjectsYear {
    pub year: u16,
    pub sum: SumRow,
}

/// The unit's investment per year, oldest first, for the years it has a
/// project library in; empty when it has none.
pub fn region_years<'a>(
    unit_id: &str,
    years: impl Iterator<Item = (&'a Project, &'a Year)>,
) -> Vec<RegionProjectsYear> {
    years
        .filter_map(|(project, year)| {
            let region = project.units.iter().position(|r| r.id == unit_id)?;
            let list = year.projects.get(region).filter(|l| !l.is_empty())?;
            let mut sum = Sum::default();
            list.iter().for_each(|p| sum.add(p));
            Some(RegionProjectsYear {
                year: year.year,
                sum: sum.row(
                    format!("{}年", year.year),
                    Some(format!("{}/regions/{unit_id}/index.html", year.year)),
                ),
            })
        })
        .collect()
}

/// The year page's investment charts, none without a project library.
pub fn year_charts(
    view: Option<&YearProjectsView>,
    palette: &charts::Palette,
) -> Vec<(&'static str, Chart)> {
    let Some(view) = view else {
        return Vec::new();
    };
    vec![
        (
            "projects_by_programme",
            charts::investment(
                "projects-by-programme.svg",
                "重点工程投资完成情况（按工程类别，万元）".to_string(),
                &view.by_programme,
                palette,
            ),
        ),
        (
            "projects_by_unit",
            charts::investment(
                "projects-by-unit.svg",
                "重点工程投资完成情况（按考核单位，万元）".to_string(),
                &view.by_unit,
                palette,
            ),
        ),
    ]
}

/// Where a year's project list goes in its open data.
pub fn csv_path(year: u16) -> String {
    format!("{year}/data/projects.csv")
}

const CSV_HEADER: [&str; 13] = [
    "project_id",
    "region_id",
    "region_name",
    "programme",
    "name",
    "planned_investment_wan",
    "completed_investment_wan",
    "completion_rate_percent",
    "status",
    "start",
    "planned_completion",
    "actual_completion",
    "delay_reason",
];

/// `projects.csv`: every project of the year, units in regions.yaml order,
/// with a BOM so spreadsheet programs read it as UTF-8. Text cells that a
/// spreadsheet would run as a formula are defused like results.csv's.
pub fn to_csv(project: &Project, year: &Year) -> String {
    let mut out = CSV_HEADER.join(",");
    out.push_str("\r\n");
    for (region, list) in year.projects.iter().enumerate() {
        let unit = &project.units[region];
        for p in list {
            let text = |t: &str| csv_field(&defuse(t));
            let cells = [
                text(&p.id),
                text(&unit.id),
                text(&unit.name),
                text(PROGRAMMES[p.programme]),
                text(&p.name),
                wan(p.planned),
                wan(p.completed),
                rate(p.completed, p.planned).unwrap_or_default(),
                text(PROJECT_STATUSES[p.status]),
                p.start.map(|d| d.to_string()).unwrap_or_default(),
                p.planned_completion.to_string(),
                p.actual_completion
                    .map(|d| d.to_string())
                    .unwrap_or_default(),
                text(p.delay_reason.as_deref().unwrap_or_default()),
            ];
            out.push_str(&cells.join(","));
            out.push_str("\r\n");
        }
    }
    out
}

/// The year's `projects.csv`, none without a project library (so a year
/// without one publishes the files it always did).
pub fn csv_file(project: &Project, year: &Year) -> Option<OutputFile> {
    if year.projects.iter().all(Vec::is_empty) {
        return None;
    }
    let mut bytes = vec![0xEF, 0xBB, 0xBF];
    bytes.extend_from_slice(to_csv(project, year).as_bytes());
    Some(OutputFile::new(csv_path(year.year), bytes))
}
