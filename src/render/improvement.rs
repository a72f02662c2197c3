//! Improvement, not only rank: each unit's change against the previous
//! year (total, rank, each indicator 改善/持平/退步), the province's 进步排名
//! (most improved first), and where the province lost its points (by task
//! category and by indicator). Units and indicators are matched by id, so a
//! year scored from its archived input compares like with like.

use std::collections::BTreeMap;

use rust_decimal::Decimal;
use serde::Serialize;

use crate::model::{Better, Project, Scorecard, Year};
use crate::score::YearScores;

/// One scored year as the comparison needs it.
#[derive(Clone, Copy)]
pub struct Scored<'a> {
    pub project: &'a Project,
    pub year: &'a Year,
    pub scores: &'a YearScores,
}

impl<'a> Scored<'a> {
    /// The card of the unit `unit_id`, usually at `hint` in the units.
    fn card(&self, unit_id: &str, hint: usize) -> Option<&'a Scorecard> {
        let at = crate::model::unit_position(&self.project.units, unit_id, hint)?;
        self.scores.card(at)
    }
}

/// "+1.25", "-0.50", "0.00": a signed change with two decimals.
fn signed(delta: Decimal) -> String {
    if delta > Decimal::ZERO {
        format!("+{delta:.2}")
    } else {
        format!("{delta:.2}")
    }
}

/// The verdict on a change and its CSS class (ASCII, so a stylesheet need
/// not match Chinese text): 改善 `improved`, 持平 `unchanged`, 退步 `worse`.
fn verdict(delta: Decimal) -> (&'static str, &'static str) {
    match delta.cmp(&Decimal::ZERO) {
        std::cmp::Ordering::Greater => ("改善", "improved"),
        std::cmp::Ordering::Equal => ("持平", "unchanged"),
        std::cmp::Ordering::Less => ("退步", "worse"),
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct ChangeRow {
    /// 1 for the most improved unit.
    pub position: usize,
    pub name: String,
    pub href: String,
    pub total: String,
    pub previous_total: String,
    pub delta: String,
    pub rank: usize,
    pub previous_rank: usize,
    /// Places gained (positive) or lost (negative).
    pub rank_change: i64,
    pub verdict: &'static str,
    pub verdict_class: &'static str,
    #[serde(skip)]
    pub delta_value: Decimal,
}

#[derive(Debug, Serialize)]
pub struct LossRow {
    pub name: String,
    pub points: String,
    /// How many units lost points here.
    pub units: usize,
}

/// The year page's comparison with the previous year.
#[derive(Debug, Serialize)]
pub struct YearChangeView {
    pub previous: u16,
    /// Most improved first (进步排名); ties by this year's rank.
    pub rows: Vec<ChangeRow>,
    /// Points lost across the province by task category, largest first.
    pub by_task: Vec<LossRow>,
    /// Points lost across the province by indicator, largest first.
    pub by_indicator: Vec<LossRow>,
    pub funds_lost: String,
}

fn change_row(now: &Scored<'_>, before: &Scored<'_>, card: &Scorecard) -> Option<ChangeRow> {
    let region = &now.project.units[card.region];
    let previous = before.card(&region.id, card.region)?;
    let delta = card.total.checked_sub(previous.total)?;
    let (verdict, verdict_class) = verdict(delta);
    Some(ChangeRow {
        position: 0,
        name: region.name.clone(),
        href: format!("{}/regions/{}/index.html", now.year.year, region.id),
        total: format!("{:.2}", card.total),
        previous_total: format!("{:.2}", previous.total),
        delta: signed(delta),
        rank: card.rank,
        previous_rank: previous.rank,
        rank_change: previous.rank as i64 - card.rank as i64,
        verdict,
        verdict_class,
        delta_value: delta,
    })
}

fn losses(entries: BTreeMap<String, (Decimal, usize)>) -> Vec<LossRow> {
    let mut rows: Vec<(String, Decimal, usize)> = entries
        .into_iter()
        .filter(|(_, (points, _))| *points > Decimal::ZERO)
        .map(|(name, (points, units))| (name, points, units))
        .collect();
    rows.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    rows.into_iter()
        .map(|(name, points, units)| LossRow {
            name,
            points: format!("{:.2}", points.round_dp(2)),
            units,
        })
        .collect()
}

impl YearChangeView {
    /// None for the first year.
    pub fn new(now: Scored<'_>, before: Option<Scored<'_>>) -> Option<YearChangeView> {
        let before = before?;
        let mut rows: Vec<ChangeRow> = now
            .scores
            .cards
            .iter()
            .filter_map(|card| change_row(&now, &before, card))
            .collect();
        rows.sort_by(|a, b| b.delta_value.cmp(&a.delta_value).then(a.rank.cmp(&b.rank)));
        for (i, row) in rows.iter_mut().enumerate() {
            row.position = i + 1;
        }
        let mut by_task: BTreeMap<String, (Decimal, usize)> = BTreeMap::new();
        let mut by_indicator: BTreeMap<String, (Decimal, usize)> = BTreeMap::new();
        let mut funds = Decimal::ZERO;
        for card in &now.scores.cards {
            for task in card.tasks.iter().filter(|t| t.lost > Decimal::ZERO) {
                let entry = by_task.entry(task.category.name().to_string()).or_default();
                entry.0 = entry.0.saturating_add(task.lost);
                entry.1 += 1;
            }
            for score in card.indicators.iter().filter(|i| i.lost > Decimal::ZERO) {
                let rule = &now.year.rules.indicators[score.rule];
                let name = now.project.indicators[rule.indicator].name.clone();
                let entry = by_indicator.entry(name).or_default();
                entry.0 = entry.0.saturating_add(score.lost);
                entry.1 += 1;
            }
            funds = funds.saturating_add(card.funds_lost);
        }
        Some(YearChangeView {
            previous: before.year.year,
            rows,
            by_task: losses(by_task),
            by_indicator: losses(by_indicator),
            funds_lost: format!("{:.2}", funds.round_dp(2)),
        })
    }
}

#[derive(Debug, Serialize)]
pub struct IndicatorChange {
    pub id: String,
    pub name: String,
    pub unit: String,
    pub value: String,
    pub previous: String,
    pub verdict: &'static str,
    pub verdict_class: &'static str,
}

/// A scorecard's comparison with the unit's previous year.
#[derive(Debug, Serialize)]
pub struct UnitChangeView {
    pub previous: u16,
    pub total: ChangeRow,
    /// The indicators both years have a value for, in the scorecard's order.
    pub indicators: Vec<IndicatorChange>,
    /// For each indicator of the scorecard, in its order, its entry in
    /// `indicators` (none where either year has no value), so the
    /// scorecard's indicator table shows the change as a column; a theme
    /// written for the list alone keeps working.
    pub row_change: Vec<Option<usize>>,
}

impl UnitChangeView {
    pub fn new(
        now: Scored<'_>,
        before: Option<Scored<'_>>,
        card: &Scorecard,
    ) -> Option<UnitChangeView> {
        let before = before?;
        let total = change_row(&now, &before, card)?;
        let region = &now.project.units[card.region];
        let previous = before.card(&region.id, card.region)?;
        let mut indicators = Vec::new();
        let mut row_change = Vec::with_capacity(card.indicators.len());
        for score in &card.indicators {
            let indicator =
                &now.project.indicators[now.year.rules.indicators[score.rule].indicator];
            let earlier = previous.indicators.iter().find(|p| {
                let rule = &before.year.rules.indicators[p.rule];
                before.project.indicators[rule.indicator].id == indicator.id
            });
            let compared = match (score.value, earlier.and_then(|p| p.value)) {
                (Some(value), Some(old)) => match indicator.better {
                    Better::Higher => value.checked_sub(old),
                    Better::Lower => old.checked_sub(value),
                }
                .map(|gain| (value, old, gain)),
                _ => None,
            };
            let Some((value, old, gain)) = compared else {
                row_change.push(None);
                continue;
            };
            let (verdict, verdict_class) = verdict(gain);
            row_change.push(Some(indicators.len()));
            indicators.push(IndicatorChange {
                id: indicator.id.clone(),
                name: indicator.name.clone(),
                unit: indicator.unit.clone(),
                value: value.normalize().to_string(),
                previous: old.normalize().to_string(),
                verdict,
                verdict_class,
            });
        }
        Some(UnitChangeView {
            previous: before.year.year,
            total,
            indicators,
            row_change,
        })
    }
}

/// One year of a unit's history page against the year before it.
#[derive(Debug, Serialize)]
pub struct UnitYearChange {
    pub year: u16,
    pub previous: u16,
    pub change: ChangeRow,
}

/// A unit's change in total and rank for every year after its first, each
/// against the year published before it: the comparison its scorecards show,
/// matched by unit id (usually at `hint` in each year's units). `years`
/// oldest first.
pub fn unit_years<'a>(
    unit_id: &str,
    hint: usize,
    years: impl IntoIterator<Item = Scored<'a>>,
) -> Vec<UnitYearChange> {
    let years: Vec<Scored<'a>> = years.into_iter().collect();
    years
        .windows(2)
        .filter_map(|pair| {
            let [before, now] = pair else { return None };
            let card = now.card(unit_id, hint)?;
            Some(UnitYearChange {
                year: now.year.year,
                previous: before.year.year,
                change: change_row(now, before, card)?,
            })
        })
        .collect()
}
