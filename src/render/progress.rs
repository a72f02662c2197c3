//! The progress page of a year in progress (定期调度, `<year>/progress/`):
//! each unit's latest year-to-date value of every monitored indicator
//! against its annual target, a straight-line projection to December, and
//! the early warnings (预警) — binding indicators the projection misses.
//!
//! A draft year gets the page with `--drafts` and in `serve`; a public build
//! has it only for the years site.yaml lists under `progress.publish`
//! (alone, without the draft year's other pages, when the year is a draft).

use rust_decimal::Decimal;
use serde::Serialize;

use crate::model::{Better, Project, Year};

/// Where a year's progress page goes.
pub fn path(year: u16) -> String {
    format!("{year}/progress/index.html")
}

/// One unit's standing on one indicator.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Standing {
    pub region: usize,
    /// Index into `Rules::indicators`.
    pub rule: usize,
    pub month: u8,
    pub latest: Decimal,
    pub target: Decimal,
    pub projection: Decimal,
    /// How far the projection falls short of the target (0 when it meets it).
    pub short_by: Decimal,
    pub binding: bool,
}

impl Standing {
    pub fn warned(&self) -> bool {
        self.binding && self.short_by > Decimal::ZERO
    }
}

/// The straight line through the first and the latest month a value was
/// reported in, carried on to December and kept inside the indicator's
/// range; the latest value itself when there is only one month. None if a
/// step overflows (it cannot for values inside an indicator's range).
pub fn project(
    first: (u8, Decimal),
    latest: (u8, Decimal),
    range: (Decimal, Decimal),
) -> Option<Decimal> {
    let (m0, v0) = first;
    let (m1, v1) = latest;
    let projected = if m1 > m0 && m1 < 12 {
        let slope = v1.checked_sub(v0)?.checked_div(Decimal::from(m1 - m0))?;
        v1.checked_add(slope.checked_mul(Decimal::from(12 - m1))?)?
    } else {
        v1
    };
    Some(projected.clamp(range.0, range.1).round_dp(2))
}

/// How far `value` falls short of `target` (0 when it meets it).
pub fn shortfall(value: Decimal, target: Decimal, better: Better) -> Decimal {
    let gap = match better {
        Better::Higher => target.checked_sub(value),
        Better::Lower => value.checked_sub(target),
    };
    gap.unwrap_or(Decimal::ZERO).max(Decimal::ZERO)
}

/// Every unit × monitored indicator with a target and at least one
/// reported value, in regions.yaml and rules order.
pub fn standings(project: &Project, year: &Year) -> Vec<Standing> {
    let mut out = Vec::new();
    for unit in &year.units {
        for (rule_index, rule) in year.rules.indicators.iter().enumerate() {
            let Some(target) = unit.measures.get(rule_index).and_then(|m| m.target) else {
                continue;
            };
            let reported: Vec<(u8, Decimal)> = year
                .progress
                .iter()
                .filter_map(|r| {
                    let value = r.values.get(unit.region)?.get(rule_index).copied()??;
                    Some((r.month, value))
                })
                .collect();
            let (Some(&first), Some(&latest)) = (reported.first(), reported.last()) else {
                continue;
            };
            let indicator = &project.indicators[rule.indicator];
            let Some(projection) = self::project(first, latest, indicator.range) else {
                continue;
            };
            out.push(Standing {
                region: unit.region,
                rule: rule_index,
                month: latest.0,
                latest: latest.1,
                target,
                projection,
                short_by: shortfall(projection, target, indicator.better),
                binding: rule.binding,
            });
        }
    }
    out
}

#[derive(Debug, Serialize)]
pub struct StandingView {
    pub unit: String,
    pub unit_href: String,
    pub indicator: String,
    pub unit_of_measure: String,
    pub better: &'static str,
    pub binding: bool,
    pub month: u8,
    pub latest: String,
    pub target: String,
    pub projection: String,
    /// Empty when the projection meets the target.
    pub short_by: String,
    pub on_track: bool,
    pub warned: bool,
}

#[derive(Debug, Serialize)]
pub struct ProgressView {
    /// The latest month reported, 1–12.
    pub month: u8,
    pub months: Vec<u8>,
    pub rows: Vec<StandingView>,
    /// Binding indicators projected to miss, the furthest behind first
    /// (relative to the target, so indicators of different units compare).
    pub warnings: Vec<StandingView>,
}

fn figure(value: Decimal) -> String {
    value.normalize().to_string()
}

impl ProgressView {
    /// None for a year without progress reports. `scorecards`: whether the
    /// year's scorecards are built, for the units' links (else their history
    /// pages).
    pub fn new(project: &Project, year: &Year, scorecards: bool) -> Option<ProgressView> {
        let month = year.progress.last()?.month;
        let all = standings(project, year);
        let view = |s: &Standing| {
            let indicator = &project.indicators[year.rules.indicators[s.rule].indicator];
            let region = &project.units[s.region];
            StandingView {
                unit: region.name.clone(),
                unit_href: if scorecards {
                    format!("{}/regions/{}/index.html", year.year, region.id)
                } else {
                    format!("regions/{}/index.html", region.id)
                },
                indicator: indicator.name.clone(),
                unit_of_measure: indicator.unit.clone(),
                better: match indicator.better {
                    Better::Higher => "越高越好",
                    Better::Lower => "越低越好",
                },
                binding: s.binding,
                month: s.month,
                latest: figure(s.latest),
                target: figure(s.target),
                projection: figure(s.projection),
                short_by: if s.short_by > Decimal::ZERO {
                    figure(s.short_by)
                } else {
                    String::new()
                },
                on_track: s.short_by.is_zero(),
                warned: s.warned(),
            }
        };
        let mut warned: Vec<&Standing> = all.iter().filter(|s| s.warned()).collect();
        let relative = |s: &Standing| {
            s.short_by
                .checked_div(s.target.abs().max(Decimal::ONE))
                .unwrap_or(Decimal::MAX)
        };
        warned.sort_by(|a, b| {
            relative(b)
                .cmp(&relative(a))
                .then(a.region.cmp(&b.region))
                .then(a.rule.cmp(&b.rule))
        });
        Some(ProgressView {
            month,
            months: year.progress.iter().map(|r| r.month).collect(),
            rows: all.iter().map(view).collect(),
            warnings: warned.into_iter().map(view).collect(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dec(text: &str) -> Decimal {
        text.parse().unwrap()
    }

    #[test]
    fn a_straight_line_to_december_inside_the_range() {
        let range = (dec("0"), dec("100"));
        // 80 in March, 83 in September: +0.5 a month, 84.5 by December.
        assert_eq!(
            project((3, dec("80")), (9, dec("83")), range),
            Some(dec("84.5"))
        );
        // One month only: the value itself.
        assert_eq!(
            project((6, dec("80")), (6, dec("80")), range),
            Some(dec("80"))
        );
        // A steep line stops at the range.
        assert_eq!(
            project((1, dec("50")), (2, dec("90")), range),
            Some(dec("100"))
        );
        assert_eq!(
            shortfall(dec("84.5"), dec("86"), Better::Higher),
            dec("1.5")
        );
        assert_eq!(shortfall(dec("32"), dec("30"), Better::Lower), dec("2"));
        assert_eq!(shortfall(dec("28"), dec("30"), Better::Lower), dec("0"));
    }
}
