//! The public view of the project: everything a template may see.
//!
//! Built from the validated project and the scores, never from the raw
//! results, and with no field for `internal:` notes, so a template cannot
//! leak them: the type has nothing to leak.

use std::collections::BTreeMap;

use rust_decimal::Decimal;
use serde::Serialize;

use super::YearInput;
use crate::model::*;
use crate::score::{Grade, IndicatorScore, Scorecard, YearScores};

pub(super) fn fixed2(value: Decimal) -> String {
    format!("{value:.2}")
}

pub(super) fn plain(value: Decimal) -> String {
    value.normalize().to_string()
}

#[derive(Debug, Serialize)]
pub struct SiteView<'a> {
    pub title: &'a str,
    pub publisher: &'a str,
    pub base_url: &'a str,
    /// The host of `base_url` (the `SiteDomain` meta tag).
    pub domain: &'a str,
    pub language: &'a str,
    pub site_id_code: Option<&'a str>,
    pub icp: Option<&'a str>,
    pub contact: Option<&'a str>,
    pub description: Option<&'a str>,
    pub sample_data: bool,
    pub generator: String,
}

/// The host of an absolute URL: "https://host:8080/kaohe/" → "host:8080".
fn host(url: &str) -> &str {
    let rest = url.split_once("://").map_or(url, |(_, rest)| rest);
    rest.split('/').next().unwrap_or(rest)
}

impl<'a> SiteView<'a> {
    pub fn new(site: &'a Site) -> SiteView<'a> {
        SiteView {
            title: &site.title,
            publisher: &site.publisher,
            base_url: &site.base_url,
            domain: host(&site.base_url),
            language: &site.language,
            site_id_code: site.site_id_code.as_deref(),
            icp: site.icp.as_deref(),
            contact: site.contact.as_deref(),
            description: site.description.as_deref(),
            sample_data: site.sample_data,
            generator: format!("ecoscore {}", env!("CARGO_PKG_VERSION")),
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct GradeView {
    pub key: &'static str,
    pub name: &'static str,
}

impl From<Grade> for GradeView {
    fn from(grade: Grade) -> GradeView {
        GradeView {
            key: grade.key(),
            name: grade.name(),
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct SectionsView {
    pub indicators: String,
    pub tasks: String,
    pub funds: String,
    pub satisfaction: String,
}

impl SectionsView {
    fn new(sections: &Sections<Decimal>) -> SectionsView {
        SectionsView {
            indicators: fixed2(sections.indicators),
            tasks: fixed2(sections.tasks),
            funds: fixed2(sections.funds),
            satisfaction: fixed2(sections.satisfaction),
        }
    }
}

/// One unit's line in a ranking.
#[derive(Debug, Clone, Serialize)]
pub struct UnitRow {
    pub id: String,
    pub name: String,
    pub rank: usize,
    pub grade: &'static str,
    pub grade_name: &'static str,
    pub base_grade: &'static str,
    pub base_grade_name: &'static str,
    pub total: String,
    pub bonus: String,
    pub sections: SectionsView,
    pub downgraded: bool,
    pub vetoed: bool,
    pub binding_missed: Vec<String>,
    /// Why the grade was lowered, each trigger with its reason (the bulletin
    /// names them; empty for a year read back from its frozen open data).
    pub downgrades: Vec<ChangeView>,
    /// Site-relative link to the scorecard.
    pub href: String,
    /// Total as a share of the scale (100 + bonus cap), for bar widths.
    pub bar: String,
}

impl UnitRow {
    pub fn new(project: &Project, year: &Year, card: &Scorecard) -> UnitRow {
        let region = &project.units[card.region];
        let scale = Decimal::ONE_HUNDRED + year.rules.bonus_cap;
        UnitRow {
            id: region.id.clone(),
            name: region.name.clone(),
            rank: card.rank,
            grade: card.grade.key(),
            grade_name: card.grade.name(),
            base_grade: card.base_grade.key(),
            base_grade_name: card.base_grade.name(),
            total: fixed2(card.total),
            bonus: fixed2(card.bonus),
            sections: SectionsView::new(&card.sections),
            downgraded: card.downgraded,
            vetoed: card.vetoed,
            binding_missed: card
                .binding_missed
                .iter()
                .filter_map(|id| project.indicators.iter().find(|i| &i.id == id))
                .map(|i| i.name.clone())
                .collect(),
            downgrades: card
                .downgrade_reasons
                .iter()
                .map(|c| ChangeView {
                    kind: c.kind,
                    reason: c.reason.clone(),
                })
                .collect(),
            href: format!("{}/regions/{}/index.html", year.year, region.id),
            bar: fixed2(card.total * Decimal::ONE_HUNDRED / scale),
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct GradeCount {
    pub key: &'static str,
    pub name: &'static str,
    pub count: usize,
    pub percent: String,
    pub units: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct BulletinMeta {
    pub title: String,
    pub doc_number: String,
    pub issuer: String,
    pub date: String,
    pub date_cn: String,
    pub href: String,
    /// `letter` (信函格式) or `file` (文件格式).
    pub format: DocFormat,
    /// 索引号 and 主题分类 of the 信息公开 block.
    pub index_number: Option<String>,
    pub topic: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct RulesView {
    pub sections: SectionsView,
    pub bonus_cap: String,
    pub excellent: String,
    pub good: String,
    pub pass: String,
}

/// How an archived year was frozen, for site-wide pages. A year's own pages
/// never carry it: they are what the archive's manifest digests.
#[derive(Debug, Clone, Serialize)]
pub struct ArchiveView {
    pub date: String,
    pub date_cn: String,
    pub revision: u32,
    pub manifest_sha256: String,
}

impl ArchiveView {
    pub fn new(date: Date, revision: u32, manifest_sha256: &str) -> ArchiveView {
        ArchiveView {
            date: date.to_string(),
            date_cn: date.chinese(),
            revision,
            manifest_sha256: manifest_sha256.to_string(),
        }
    }
}

/// A year as the public sees it.
#[derive(Debug, Clone, Serialize)]
pub struct YearView {
    pub year: u16,
    pub draft: bool,
    /// Set on site-wide pages for a year whose pages come from `archive/`.
    pub archived: Option<ArchiveView>,
    pub href: String,
    pub bulletin: BulletinMeta,
    pub units: Vec<UnitRow>,
    pub grades: Vec<GradeCount>,
    /// Units by grade key, in rank order (for bulletin templates).
    pub by_grade: BTreeMap<&'static str, Vec<UnitRow>>,
    pub grade_counts: BTreeMap<&'static str, usize>,
    pub rules: RulesView,
    pub data_csv: String,
    pub data_json: String,
    pub data_xlsx: String,
}

impl YearView {
    pub fn new(project: &Project, year: &Year, scores: &YearScores) -> YearView {
        let units: Vec<UnitRow> = scores
            .cards
            .iter()
            .map(|c| UnitRow::new(project, year, c))
            .collect();
        let total_units = units.len().max(1);
        let mut by_grade = BTreeMap::new();
        let mut grade_counts = BTreeMap::new();
        let grades = Grade::ALL
            .iter()
            .map(|&grade| {
                let members: Vec<UnitRow> = units
                    .iter()
                    .filter(|u| u.grade == grade.key())
                    .cloned()
                    .collect();
                by_grade.insert(grade.key(), members.clone());
                grade_counts.insert(grade.key(), members.len());
                GradeCount {
                    key: grade.key(),
                    name: grade.name(),
                    count: members.len(),
                    percent: fixed2(
                        Decimal::from(members.len() * 100) / Decimal::from(total_units),
                    ),
                    units: members.into_iter().map(|u| u.name).collect(),
                }
            })
            .collect();
        let b = &year.bulletin;
        let r = &year.rules;
        YearView {
            year: year.year,
            draft: !year.is_published(),
            archived: None,
            href: format!("{}/index.html", year.year),
            bulletin: BulletinMeta {
                title: b.title.clone(),
                doc_number: b.doc_number.clone(),
                issuer: b.issuer.clone(),
                date: b.date.to_string(),
                date_cn: b.date.chinese(),
                href: format!("{}/bulletin/index.html", year.year),
                format: b.format,
                index_number: b.index_number.clone(),
                topic: b.topic.clone(),
            },
            units,
            grades,
            by_grade,
            grade_counts,
            rules: RulesView {
                sections: SectionsView {
                    indicators: plain(r.sections.indicators),
                    tasks: plain(r.sections.tasks),
                    funds: plain(r.sections.funds),
                    satisfaction: plain(r.sections.satisfaction),
                },
                bonus_cap: plain(r.bonus_cap),
                excellent: plain(r.grades.excellent),
                good: plain(r.grades.good),
                pass: plain(r.grades.pass),
            },
            data_csv: format!("{}/data/results.csv", year.year),
            data_json: format!("{}/data/results.json", year.year),
            data_xlsx: format!("{}/data/{}", year.year, crate::sheets::open_data::RESULTS),
        }
    }
}

#[derive(Debug, Serialize)]
pub struct IndicatorView {
    pub id: String,
    pub name: String,
    pub category: &'static str,
    pub unit: String,
    pub better: &'static str,
    pub target: Option<String>,
    pub value: Option<String>,
    pub national: bool,
    pub applicable: bool,
    pub met: bool,
    pub binding: bool,
    pub method: String,
    pub points: String,
    pub earned: String,
    pub lost: String,
    pub reason: Option<String>,
}

pub(crate) fn method_text(method: Method, indicator: &Indicator) -> String {
    match method {
        Method::PassFail => "达标得满分，未达标不得分".to_string(),
        Method::PerUnit { deduct, per } => {
            let per_text = if indicator.unit == "%" {
                format!("{}个百分点", plain(per))
            } else {
                format!("{}{}", plain(per), indicator.unit)
            };
            format!("每差{per_text}扣{}分，扣完为止", plain(deduct))
        }
        Method::Proportional => "按完成目标的比例得分".to_string(),
    }
}

impl IndicatorView {
    fn new(project: &Project, rules: &Rules, item: &IndicatorScore) -> IndicatorView {
        let rule = &rules.indicators[item.rule];
        let indicator = &project.indicators[rule.indicator];
        IndicatorView {
            id: indicator.id.clone(),
            name: indicator.name.clone(),
            category: indicator.category.name(),
            unit: indicator.unit.clone(),
            better: match indicator.better {
                Better::Higher => "越高越好",
                Better::Lower => "越低越好",
            },
            target: item.target.map(plain),
            value: item.value.map(plain),
            national: item.source == Source::National,
            applicable: item.applicable,
            met: item.met,
            binding: rule.binding,
            method: method_text(rule.method, indicator),
            points: plain(rule.points),
            earned: fixed2(item.earned),
            lost: fixed2(item.lost),
            reason: item.reason.clone(),
        }
    }
}

#[derive(Debug, Serialize)]
pub struct ItemView {
    pub points: String,
    pub reason: String,
}

#[derive(Debug, Serialize)]
pub struct TaskView {
    pub id: &'static str,
    pub name: &'static str,
    pub points: String,
    pub earned: String,
    pub lost: String,
    pub deductions: Vec<ItemView>,
}

#[derive(Debug, Serialize)]
pub struct VetoView {
    pub date: String,
    pub event: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct ChangeView {
    pub kind: &'static str,
    pub reason: String,
}

/// A measure taken on a unit's results (通报批评, 约谈, …).
#[derive(Debug, Clone, Serialize)]
pub struct ActionView {
    pub kind: &'static str,
    pub date: String,
    pub reason: String,
}

pub fn action_views(actions: &[crate::model::Action]) -> Vec<ActionView> {
    actions
        .iter()
        .map(|a| ActionView {
            kind: a.kind.name(),
            date: a.date.chinese(),
            reason: a.reason.clone(),
        })
        .collect()
}

/// Everything on one unit's scorecard.
#[derive(Debug, Serialize)]
pub struct ScorecardView {
    pub row: UnitRow,
    pub region_href: String,
    pub indicators: Vec<IndicatorView>,
    pub applicable_points: String,
    pub all_points: String,
    pub reweighted: bool,
    pub tasks: Vec<TaskView>,
    pub funds_max: String,
    pub funds: Vec<ItemView>,
    pub satisfaction_survey: String,
    pub satisfaction_max: String,
    pub bonus_items: Vec<ItemView>,
    pub bonus_claimed: String,
    pub bonus_cap: String,
    pub bonus_capped: bool,
    pub downgrades: Vec<ChangeView>,
    pub vetoes: Vec<VetoView>,
    /// The measures taken, only when site.yaml publishes them (`measures_public`).
    pub measures: Vec<ActionView>,
    pub narrative_html: Option<String>,
    /// The unit's own scores (自评分); only when site.yaml sets `self_assessment.public`.
    pub self_assessment: Option<SelfScoresView>,
}

#[derive(Debug, Serialize)]
pub struct SelfScoresView {
    pub sections: SectionsView,
    pub bonus: String,
    pub total: String,
}

impl ScorecardView {
    pub fn new(
        project: &Project,
        year: &Year,
        unit: &UnitResult,
        card: &Scorecard,
        narrative_html: Option<String>,
    ) -> ScorecardView {
        let rules = &year.rules;
        let region = &project.units[card.region];
        let all_points: Decimal = rules.indicators.iter().map(|r| r.points).sum();
        ScorecardView {
            row: UnitRow::new(project, year, card),
            region_href: format!("regions/{}/index.html", region.id),
            indicators: card
                .indicators
                .iter()
                .map(|i| IndicatorView::new(project, rules, i))
                .collect(),
            applicable_points: plain(card.applicable_points),
            all_points: plain(all_points),
            reweighted: card.applicable_points != all_points,
            tasks: card
                .tasks
                .iter()
                .map(|t| TaskView {
                    id: t.category.id(),
                    name: t.category.name(),
                    points: plain(t.points),
                    earned: fixed2(t.earned),
                    lost: fixed2(t.lost),
                    deductions: t
                        .deductions
                        .iter()
                        .map(|(d, r)| ItemView {
                            points: plain(*d),
                            reason: r.clone(),
                        })
                        .collect(),
                })
                .collect(),
            funds_max: plain(rules.sections.funds),
            funds: unit
                .funds
                .iter()
                .map(|d| ItemView {
                    points: plain(d.deduct),
                    reason: d.reason.clone(),
                })
                .collect(),
            satisfaction_survey: plain(unit.satisfaction),
            satisfaction_max: plain(rules.sections.satisfaction),
            bonus_items: unit
                .bonus
                .iter()
                .map(|b| ItemView {
                    points: plain(b.points),
                    reason: b.reason.clone(),
                })
                .collect(),
            bonus_claimed: plain(card.bonus_claimed),
            bonus_cap: plain(rules.bonus_cap),
            bonus_capped: card.bonus_claimed > card.bonus,
            downgrades: card
                .downgrade_reasons
                .iter()
                .map(|c| ChangeView {
                    kind: c.kind,
                    reason: c.reason.clone(),
                })
                .collect(),
            vetoes: unit
                .veto
                .iter()
                .map(|v| VetoView {
                    date: v.date.chinese(),
                    event: v.event.clone(),
                })
                .collect(),
            measures: if project.site.measures_public {
                action_views(&unit.actions)
            } else {
                Vec::new()
            },
            narrative_html,
            self_assessment: unit
                .self_assessment
                .filter(|_| project.site.self_assessment_public)
                .map(|s| SelfScoresView {
                    sections: SectionsView::new(&s.sections),
                    bonus: fixed2(s.bonus),
                    total: fixed2(s.total),
                }),
        }
    }
}

#[derive(Debug, Serialize)]
pub struct UnitYearRow {
    pub year: u16,
    pub draft: bool,
    pub archived: Option<ArchiveView>,
    pub units_assessed: usize,
    pub row: UnitRow,
}

#[derive(Debug, Serialize)]
pub struct UnitHistoryView {
    pub id: String,
    pub name: String,
    pub kind: &'static str,
    pub code: Option<String>,
    pub years: Vec<UnitYearRow>,
}

impl UnitHistoryView {
    /// One unit across `years`; each year is read in the project it was
    /// scored in (an archived year in its archived input), matched by unit id.
    pub fn new(project: &Project, region_index: usize, years: &[YearInput<'_>]) -> UnitHistoryView {
        let region = &project.units[region_index];
        UnitHistoryView {
            id: region.id.clone(),
            name: region.name.clone(),
            kind: match region.kind {
                UnitKind::City => "市（州）",
                UnitKind::Committee => "管委会",
                UnitKind::PilotCity => "扩权强县试点市",
            },
            code: region.code.clone(),
            years: years
                .iter()
                .filter_map(|y| {
                    let index = unit_position(&y.project.units, &region.id, region_index)?;
                    y.scores.card(index).map(|card| UnitYearRow {
                        year: y.year.year,
                        draft: !y.year.is_published(),
                        archived: y.archived.clone(),
                        units_assessed: y.scores.cards.len(),
                        row: UnitRow::new(y.project, y.year, card),
                    })
                })
                .collect(),
        }
    }
}
