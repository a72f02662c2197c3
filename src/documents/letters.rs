//! `ecoscore letters`: the year's 目标责任书, one per unit, from targets.yaml
//! and rules.yaml. The targets are the ones the scorer uses (each unit's
//! resolved target per rule indicator), so a letter can never promise a
//! target the assessment does not measure.

use serde::Serialize;

use super::{folder, require_template, write, DocOptions, Print, Written};
use crate::destination::OutputKind;
use crate::diagnostic::{Diagnostic, Diagnostics, Pos};
use crate::model::{Project, UnitKind, Year};
use crate::output::OutputFile;
use crate::render::method::{self, SectionRule};
use crate::render::view::SiteView;
use crate::render::{v, Theme};

pub const TEMPLATE: &str = "letter.html";
/// Every unit's letter in one document (`index.html`, `letters.pdf`).
pub const ALL_HTML: &str = "index.html";
pub const ALL_PDF: &str = "letters.pdf";

#[derive(Debug, Serialize)]
pub struct TargetRow {
    pub id: String,
    pub name: String,
    pub unit: String,
    pub target: String,
    pub points: String,
    pub binding: bool,
    pub method: String,
}

#[derive(Debug, Serialize)]
pub struct Letter {
    pub id: String,
    pub name: String,
    /// 乙方: the unit's government.
    pub party_b: String,
    pub targets: Vec<TargetRow>,
    /// Indicators that do not apply to the unit (left out of its table).
    pub not_applicable: Vec<String>,
    pub indicator_points: String,
}

#[derive(Debug, Serialize)]
pub struct TaskRow {
    pub name: &'static str,
    pub points: String,
}

#[derive(Debug, Serialize)]
pub struct LettersView {
    pub year: u16,
    pub title: String,
    /// 甲方: the province's government.
    pub party_a: String,
    pub issued: String,
    pub issued_cn: String,
    pub sections: Vec<SectionRule>,
    pub tasks: Vec<TaskRow>,
    pub bonus_cap: String,
    pub binding: Vec<String>,
    pub excellent: String,
    pub good: String,
    pub pass: String,
    pub letters: Vec<Letter>,
}

/// 乙方 of a unit: a city's or prefecture's 人民政府; a committee signs itself.
fn party(name: &str, kind: UnitKind) -> String {
    match kind {
        UnitKind::Committee => name.to_string(),
        UnitKind::City | UnitKind::PilotCity => format!("{name}人民政府"),
    }
}

fn plain(value: rust_decimal::Decimal) -> String {
    value.normalize().to_string()
}

impl LettersView {
    /// The letters of `year`; errors name what the letters need and the
    /// input lacks (the province, the issuing date), all of them at once.
    pub fn new(project: &Project, year: &Year) -> Result<LettersView, Diagnostics> {
        let mut diags = Diagnostics::new();
        if project.site.province.is_none() {
            diags.push(
                Diagnostic::error(
                    "site.yaml",
                    Pos::FILE,
                    "site.yaml has no `province:`, which names 甲方 of the target letters",
                )
                .with_help("add e.g. `province: 吉林省`; 甲方 is then 吉林省人民政府"),
            );
        }
        if year.targets_issued.is_none() {
            diags.push(
                Diagnostic::error(
                    format!("data/{}/targets.yaml", year.year),
                    Pos::FILE,
                    format!("the {} targets have no `issued:` date, which the letters carry", year.year),
                )
                .with_help(format!("add e.g. `issued: {}-03-15` (the day the 目标责任书 are issued; never today's date)", year.year)),
            );
        }
        let (Some(province), Some(issued)) = (&project.site.province, year.targets_issued) else {
            return Err(diags.sorted());
        };
        let rules = &year.rules;
        let letters = year
            .units
            .iter()
            .map(|unit| {
                let region = &project.units[unit.region];
                let mut targets = Vec::new();
                let mut not_applicable = Vec::new();
                let mut points = rust_decimal::Decimal::ZERO;
                for (rule, measure) in rules.indicators.iter().zip(&unit.measures) {
                    let indicator = &project.indicators[rule.indicator];
                    match measure.target {
                        Some(target) => {
                            points = points.saturating_add(rule.points);
                            targets.push(TargetRow {
                                id: indicator.id.clone(),
                                name: indicator.name.clone(),
                                unit: indicator.unit.clone(),
                                target: plain(target),
                                points: plain(rule.points),
                                binding: rule.binding,
                                method: method::method_sentence(rule, indicator),
                            });
                        }
                        None => not_applicable.push(indicator.name.clone()),
                    }
                }
                Letter {
                    id: region.id.clone(),
                    name: region.name.clone(),
                    party_b: party(&region.name, region.kind),
                    targets,
                    not_applicable,
                    indicator_points: plain(points),
                }
            })
            .collect();
        Ok(LettersView {
            year: year.year,
            title: format!("{province}{}年度政府生态环境保护目标责任书", year.year),
            party_a: format!("{province}人民政府"),
            issued: issued.to_string(),
            issued_cn: issued.chinese(),
            sections: method::sections(rules),
            tasks: rules
                .tasks
                .iter()
                .map(|t| TaskRow {
                    name: t.category.name(),
                    points: plain(t.points),
                })
                .collect(),
            bonus_cap: plain(rules.bonus_cap),
            binding: method::binding(project, rules),
            excellent: plain(rules.grades.excellent),
            good: plain(rules.grades.good),
            pass: plain(rules.grades.pass),
            letters,
        })
    }
}

/// Write the year's letters to `<out>/<year>/`: `<unit>.html` each and
/// `index.html` with all of them; with `pdf`, `<unit>.pdf` each and `letters.pdf`.
pub fn write_letters(project: &Project, options: &DocOptions) -> Result<Written, Diagnostics> {
    let kind = OutputKind::LETTERS;
    let folder = folder(project, kind, options)?;
    let year = project.year(options.year)?;
    let theme = Theme::load(&project.root, &project.site.theme)?;
    require_template(project, &theme, TEMPLATE, "letters")?;
    let mut view = LettersView::new(project, year)?;
    let site = SiteView::new(&project.site);
    let render = |view: &LettersView| -> Result<String, Diagnostic> {
        let ctx = minijinja::context! { site => v(&site), doc => v(view) };
        theme.render_document(&project.root, TEMPLATE, ctx)
    };
    let mut files = vec![OutputFile::new(ALL_HTML, render(&view)?)];
    let date = year.targets_issued.unwrap_or(year.bulletin.date);
    let mut prints = vec![Print {
        html: ALL_HTML.into(),
        pdf: ALL_PDF.into(),
        date,
    }];
    let all = std::mem::take(&mut view.letters);
    for letter in all {
        let id = letter.id.clone();
        view.letters = vec![letter];
        files.push(OutputFile::new(format!("{id}.html"), render(&view)?));
        prints.push(Print {
            html: format!("{id}.html"),
            pdf: format!("{id}.pdf"),
            date,
        });
    }
    write(project, kind, &folder, options, files, &prints)
}
