//! Stage 3, score: the year's rules applied to every unit, in decimal arithmetic.
//!
//! Pure: no I/O. Every operation that can overflow is checked: a figure a
//! 28-digit decimal cannot hold is an [`Uncomputable`], which validation
//! (the only caller of [`score_unit`]) reports at the input that caused it,
//! keeping the scorecards of a valid year in the model. Every lost point and
//! every grade change carries its reason into the [`Scorecard`].

use std::collections::BTreeMap;

use rayon::prelude::*;
use rust_decimal::{Decimal, RoundingStrategy};

use crate::model::*;
// The scorecard types live in the model, which keeps a valid year's cards
// (validation scores every unit); they are named from here, where they are computed.
pub use crate::model::{Grade, GradeChange, IndicatorScore, Scorecard, TaskScore, YearScores};

/// Half-up to two decimals, as the rules say (四舍五入).
///
/// Division can leave a non-terminating expansion cut at 28 digits, so a sum
/// that is exactly x.xx5 could arrive as x.xx4999…; snapping to 20 places first
/// restores it. No real input has denominators large enough for a true value
/// to sit within 1e-20 of a midpoint without being on it.
pub fn round2(value: Decimal) -> Decimal {
    let snapped = value.round_dp_with_strategy(20, RoundingStrategy::MidpointAwayFromZero);
    let mut rounded = snapped.round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero);
    rounded.rescale(2);
    rounded
}

/// Every unit of `year`, ranked: the scorecards validation computed.
pub fn score_year(year: &Year) -> YearScores {
    // Validation ranked the cards already: the scores share them.
    YearScores {
        year: year.year,
        cards: year.cards.clone(),
    }
}

/// Scores of every year of the project, by year.
pub fn score_all(project: &Project) -> BTreeMap<u16, YearScores> {
    project
        .years
        .par_iter()
        .map(|(&number, year)| (number, score_year(year)))
        .collect()
}

/// Sort by grade, then total descending, then official order; equal grade and
/// total share a rank (1, 2, 2, 4).
pub fn rank(cards: &mut [Scorecard]) {
    cards.sort_by(|a, b| {
        a.grade
            .cmp(&b.grade)
            .then(b.total.cmp(&a.total))
            .then(a.region.cmp(&b.region))
    });
    for i in 0..cards.len() {
        cards[i].rank = if i > 0
            && cards[i - 1].grade == cards[i].grade
            && cards[i - 1].total == cards[i].total
        {
            cards[i - 1].rank
        } else {
            i + 1
        };
    }
}

/// A figure of the scoring that a 28-digit decimal cannot hold, by what it
/// was computed for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Uncomputable {
    /// The points of the indicator rule at this index of `Rules::indicators`.
    Indicator(usize),
    /// A section, the bonus or the total.
    Total,
}

type Checked = Result<Decimal, Uncomputable>;

fn add(a: Decimal, b: Decimal, what: Uncomputable) -> Checked {
    a.checked_add(b).ok_or(what)
}

fn sub(a: Decimal, b: Decimal, what: Uncomputable) -> Checked {
    a.checked_sub(b).ok_or(what)
}

/// `a × b ÷ c`, the shape of every ratio in the rules (`c` is never zero).
fn mul_div(a: Decimal, b: Decimal, c: Decimal, what: Uncomputable) -> Checked {
    a.checked_mul(b)
        .and_then(|product| product.checked_div(c))
        .ok_or(what)
}

fn sum(values: impl IntoIterator<Item = Decimal>, what: Uncomputable) -> Checked {
    values
        .into_iter()
        .try_fold(Decimal::ZERO, |a, b| add(a, b, what))
}

fn amount(value: Decimal, unit: &str) -> String {
    let value = value.normalize();
    match unit {
        "%" => format!("{value}个百分点"),
        "" | "无量纲" => format!("{value}"),
        _ => format!("{value} {unit}"),
    }
}

fn points_text(value: Decimal) -> String {
    format!("{}分", round2(value).normalize())
}

/// Score one applicable or not-applicable indicator item (rule 1). The
/// points earned are never below 0 or above the rule's points.
pub fn score_indicator(
    rule: &IndicatorRule,
    indicator: &Indicator,
    measure: &Measure,
    index: usize,
) -> Result<IndicatorScore, Uncomputable> {
    let mut item = IndicatorScore {
        rule: index,
        target: measure.target,
        value: measure.value,
        source: measure.source,
        applicable: false,
        met: false,
        shortfall: Decimal::ZERO,
        earned: Decimal::ZERO,
        lost: Decimal::ZERO,
        reason: None,
    };
    let (Some(t), Some(v)) = (measure.target, measure.value) else {
        return Ok(item);
    };
    item.applicable = true;
    let failed = Uncomputable::Indicator(index);
    let (shortfall, direction) = match indicator.better {
        Better::Higher => (sub(t, v, failed)?.max(Decimal::ZERO), "低于目标"),
        Better::Lower => (sub(v, t, failed)?.max(Decimal::ZERO), "超过目标"),
    };
    item.shortfall = shortfall;
    item.met = shortfall.is_zero();
    let points = rule.points;
    item.earned = match rule.method {
        Method::PassFail => {
            if item.met {
                points
            } else {
                Decimal::ZERO
            }
        }
        Method::PerUnit { deduct, per } => {
            sub(points, mul_div(deduct, shortfall, per, failed)?, failed)?.max(Decimal::ZERO)
        }
        Method::Proportional => {
            let (numerator, denominator) = match indicator.better {
                Better::Higher => (v, t),
                Better::Lower => (t, v),
            };
            if item.met {
                points
            } else if denominator <= Decimal::ZERO {
                Decimal::ZERO
            } else {
                // A negative value would earn negative points: the share
                // stays within 0 and the points (check also refuses the method
                // for indicators that can be negative).
                mul_div(points, numerator, denominator, failed)?.clamp(Decimal::ZERO, points)
            }
        }
    };
    item.lost = sub(points, item.earned, failed)?;
    if !item.met {
        let gap = amount(shortfall, &indicator.unit);
        item.reason = Some(match rule.method {
            Method::PassFail => format!(
                "{direction}{gap}，未完成目标，不得分（扣{}）",
                points_text(points)
            ),
            Method::PerUnit { deduct, per } => {
                let floor = if item.earned.is_zero() {
                    "，扣完为止"
                } else {
                    ""
                };
                format!(
                    "{direction}{gap}，每{}扣{}分，扣{}{floor}",
                    amount(per, &indicator.unit),
                    deduct.normalize(),
                    points_text(item.lost)
                )
            }
            Method::Proportional => format!(
                "{direction}{gap}，按完成比例得分（扣{}）",
                points_text(item.lost)
            ),
        });
    }
    Ok(item)
}

/// Score one unit against the year's rules; `indicators` is the catalogue
/// the rules' indices point into.
pub fn score_unit(
    indicators: &[Indicator],
    rules: &Rules,
    unit: &UnitResult,
) -> Result<Scorecard, Uncomputable> {
    let catalogue = indicators;
    let total_failed = Uncomputable::Total;
    let indicators: Vec<IndicatorScore> = rules
        .indicators
        .iter()
        .zip(&unit.measures)
        .enumerate()
        .map(|(i, (rule, measure))| score_indicator(rule, &catalogue[rule.indicator], measure, i))
        .collect::<Result<_, _>>()?;

    // Rule 2: re-weight over the applicable indicators so n/a costs nothing.
    let applicable_points = sum(
        rules
            .indicators
            .iter()
            .zip(&indicators)
            .filter(|(_, s)| s.applicable)
            .map(|(r, _)| r.points),
        total_failed,
    )?;
    let earned = sum(indicators.iter().map(|s| s.earned), total_failed)?;
    let indicator_section = if applicable_points.is_zero() {
        Decimal::ZERO
    } else {
        mul_div(
            earned,
            rules.sections.indicators,
            applicable_points,
            total_failed,
        )?
    };

    // Rule 3.
    let tasks: Vec<TaskScore> = rules
        .tasks
        .iter()
        .map(|task| {
            let deductions: Vec<(Decimal, String)> = unit
                .tasks
                .iter()
                .filter(|d| d.category == task.category)
                .map(|d| (d.deduct, d.reason.clone()))
                .collect();
            let deducted = sum(deductions.iter().map(|(d, _)| *d), total_failed)?;
            let earned = sub(task.points, deducted, total_failed)?.max(Decimal::ZERO);
            Ok(TaskScore {
                category: task.category,
                points: task.points,
                deductions,
                lost: sub(task.points, earned, total_failed)?,
                earned,
            })
        })
        .collect::<Result<_, _>>()?;
    let tasks_section = sum(tasks.iter().map(|t| t.earned), total_failed)?;

    // Rules 4 and 5.
    let funds_deducted = sum(unit.funds.iter().map(|d| d.deduct), total_failed)?;
    let funds_section = sub(rules.sections.funds, funds_deducted, total_failed)?.max(Decimal::ZERO);
    let satisfaction_section = mul_div(
        unit.satisfaction,
        rules.sections.satisfaction,
        Decimal::ONE_HUNDRED,
        total_failed,
    )?;

    // Rule 6.
    let sections = Sections {
        indicators: round2(indicator_section),
        tasks: round2(tasks_section),
        funds: round2(funds_section),
        satisfaction: round2(satisfaction_section),
    };
    let bonus_claimed = sum(unit.bonus.iter().map(|b| b.points), total_failed)?;
    let mut bonus = bonus_claimed.min(rules.bonus_cap);
    bonus.rescale(2);
    let mut total = sum(
        [
            sections.indicators,
            sections.tasks,
            sections.funds,
            sections.satisfaction,
            bonus,
        ],
        total_failed,
    )?;
    total.rescale(2);

    // Rules 7–9.
    let base_grade = Grade::from_total(total, &rules.grades);
    let mut binding_missed: Vec<String> = rules
        .indicators
        .iter()
        .zip(&indicators)
        .filter(|(r, s)| r.binding && s.applicable && !s.met)
        .map(|(r, _)| catalogue[r.indicator].id.clone())
        .collect();
    binding_missed.sort();
    let mut downgrade_reasons: Vec<GradeChange> = unit
        .downgrade
        .iter()
        .map(|d| GradeChange {
            kind: match d.kind {
                DowngradeKind::RectificationOverdue => GRADE_CHANGE_KINDS[0],
                DowngradeKind::BindingTargetMissed => GRADE_CHANGE_KINDS[1],
            },
            reason: d.reason.clone(),
        })
        .collect();
    for rule in rules
        .indicators
        .iter()
        .zip(&indicators)
        .filter(|(r, s)| r.binding && s.applicable && !s.met)
    {
        let indicator = &catalogue[rule.0.indicator];
        downgrade_reasons.push(GradeChange {
            kind: GRADE_CHANGE_KINDS[2],
            reason: format!("{}未达到年度目标", indicator.name),
        });
    }
    let downgraded = !downgrade_reasons.is_empty();
    let vetoed = !unit.veto.is_empty();
    let grade = if vetoed {
        Grade::Fail
    } else if downgraded {
        base_grade.lower()
    } else {
        base_grade
    };

    Ok(Scorecard {
        region: unit.region,
        rank: 0,
        grade,
        base_grade,
        total,
        bonus,
        bonus_claimed,
        sections,
        indicators,
        applicable_points,
        tasks,
        funds_lost: sub(rules.sections.funds, sections.funds, total_failed)?,
        downgrade_reasons,
        binding_missed,
        downgraded,
        vetoed,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::collections::BTreeMap;
    use std::path::PathBuf;

    fn d(text: &str) -> Decimal {
        text.parse().unwrap()
    }

    fn indicator(id: &str, better: Better) -> Indicator {
        Indicator {
            id: id.into(),
            name: format!("指标{id}"),
            category: Category::Air,
            unit: "%".into(),
            better,
            range: (d("-1000"), d("1000")),
        }
    }

    fn project(indicators: Vec<Indicator>) -> Project {
        Project {
            root: PathBuf::new(),
            site: Site {
                title: "t".into(),
                publisher: "p".into(),
                base_url: "https://example.org/".into(),
                language: "zh-CN".into(),
                theme: "default".into(),
                site_id_code: None,
                icp: None,
                contact: None,
                description: None,
                sample_data: true,
                briefing_recipients: vec![],
                briefing_office: "p".into(),
                self_assessment_public: false,
                self_assessment_threshold: d("5"),
                province: None,
                report_issuers: vec![],
                report_recipient: None,
                report_signers: vec![],
                measures_public: false,
                progress_published: Vec::new(),
            },
            units: (0..4)
                .map(|i| Unit {
                    id: format!("r{i}"),
                    name: format!("单位{i}"),
                    kind: UnitKind::City,
                    code: None,
                })
                .collect(),
            indicators,
            years: BTreeMap::new(),
            pages: vec![],
        }
    }

    fn rules(indicators: Vec<IndicatorRule>) -> Rules {
        Rules {
            sections: Sections {
                indicators: d("40"),
                tasks: d("35"),
                funds: d("10"),
                satisfaction: d("15"),
            },
            indicators,
            tasks: TaskCategory::ALL
                .iter()
                .map(|&category| TaskRule {
                    category,
                    points: d("5"),
                })
                .collect(),
            bonus_cap: d("5"),
            grades: Thresholds {
                excellent: d("90"),
                good: d("80"),
                pass: d("60"),
            },
            funding: None,
        }
    }

    fn rule(indicator: usize, points: &str, method: Method, binding: bool) -> IndicatorRule {
        IndicatorRule {
            indicator,
            points: d(points),
            method,
            binding,
        }
    }

    fn measure(target: Option<&str>, value: Option<&str>) -> Measure {
        Measure {
            target: target.map(d),
            value: value.map(d),
            source: Source::Provincial,
        }
    }

    fn unit(measures: Vec<Measure>) -> UnitResult {
        UnitResult {
            region: 0,
            measures,
            tasks: vec![],
            funds: vec![],
            satisfaction: d("100"),
            bonus: vec![],
            veto: vec![],
            downgrade: vec![],
            self_assessment: None,
            actions: vec![],
            internal: BTreeMap::new(),
        }
    }

    fn per_unit(deduct: &str, per: &str) -> Method {
        Method::PerUnit {
            deduct: d(deduct),
            per: d(per),
        }
    }

    #[test]
    fn rounding_is_half_up_at_the_midpoint() {
        assert_eq!(round2(d("12.345")).to_string(), "12.35");
        assert_eq!(round2(d("12.3449")).to_string(), "12.34");
        assert_eq!(round2(d("0.005")).to_string(), "0.01");
        assert_eq!(round2(d("38")).to_string(), "38.00");
        // 1/3 + 2/3 computed in 28 digits still rounds as the exact sum.
        let third = Decimal::ONE / d("3");
        assert_eq!(round2(third + third + third).to_string(), "1.00");
        // An exact midpoint reached through a non-terminating division.
        let x = d("37.035") * d("3") / d("3");
        assert_eq!(round2(x).to_string(), "37.04");
    }

    #[test]
    fn per_unit_deducts_and_floors_at_zero() {
        let ind = indicator("pm25", Better::Lower);
        let r = rule(0, "2", per_unit("0.5", "1"), false);
        let s = score_indicator(&r, &ind, &measure(Some("30"), Some("31.5")), 0).unwrap();
        assert_eq!(s.shortfall, d("1.5"));
        assert_eq!(s.earned, d("1.25"));
        assert!(s.reason.as_deref().unwrap().contains("超过目标1.5个百分点"));
        let s = score_indicator(&r, &ind, &measure(Some("30"), Some("40")), 0).unwrap();
        assert_eq!(s.earned, Decimal::ZERO);
        assert_eq!(s.lost, d("2"));
        assert!(s.reason.as_deref().unwrap().contains("扣完为止"));
        let s = score_indicator(&r, &ind, &measure(Some("30"), Some("29")), 0).unwrap();
        assert!(s.met);
        assert_eq!(s.earned, d("2"));
        assert_eq!(s.reason, None);
    }

    #[test]
    fn pass_fail_is_all_or_nothing() {
        let ind = indicator("forest", Better::Higher);
        let r = rule(0, "2", Method::PassFail, false);
        assert_eq!(
            score_indicator(&r, &ind, &measure(Some("45"), Some("45")), 0)
                .unwrap()
                .earned,
            d("2")
        );
        assert_eq!(
            score_indicator(&r, &ind, &measure(Some("45"), Some("44.99")), 0)
                .unwrap()
                .earned,
            d("0")
        );
    }

    #[test]
    fn proportional_in_both_directions_and_zero_denominators() {
        let higher = indicator("sewage", Better::Higher);
        let lower = indicator("inferior", Better::Lower);
        let r = rule(0, "2", Method::Proportional, false);
        assert_eq!(
            score_indicator(&r, &higher, &measure(Some("80"), Some("60")), 0)
                .unwrap()
                .earned,
            d("1.5")
        );
        assert_eq!(
            score_indicator(&r, &higher, &measure(Some("80"), Some("90")), 0)
                .unwrap()
                .earned,
            d("2")
        );
        assert_eq!(
            score_indicator(&r, &lower, &measure(Some("6"), Some("8")), 0)
                .unwrap()
                .earned,
            d("1.5")
        );
        // Target 0 for "higher": met whatever the value, no division.
        assert_eq!(
            score_indicator(&r, &higher, &measure(Some("0"), Some("0")), 0)
                .unwrap()
                .earned,
            d("2")
        );
        // Value 0 for "lower": met, t/v would divide by zero.
        assert_eq!(
            score_indicator(&r, &lower, &measure(Some("5"), Some("0")), 0)
                .unwrap()
                .earned,
            d("2")
        );
        // Target 0 for "lower" and a positive value: t/v = 0.
        assert_eq!(
            score_indicator(&r, &lower, &measure(Some("0"), Some("3")), 0)
                .unwrap()
                .earned,
            d("0")
        );
    }

    #[test]
    fn not_applicable_reweights_the_section() {
        let p = project(vec![
            indicator("a", Better::Higher),
            indicator("b", Better::Higher),
        ]);
        let mut rs = rules(vec![
            rule(0, "30", Method::PassFail, false),
            rule(1, "10", Method::PassFail, false),
        ]);
        rs.sections.indicators = d("40");
        // b is n/a: a's 30 of 30 applicable points scale to the full 40.
        let card = score_unit(
            &p.indicators,
            &rs,
            &unit(vec![
                measure(Some("1"), Some("1")),
                measure(None, Some("5")),
            ]),
        )
        .unwrap();
        assert_eq!(card.applicable_points, d("30"));
        assert_eq!(card.sections.indicators.to_string(), "40.00");
        // a missed, b n/a by value: 0 of 30.
        let card = score_unit(
            &p.indicators,
            &rs,
            &unit(vec![
                measure(Some("2"), Some("1")),
                measure(Some("5"), None),
            ]),
        )
        .unwrap();
        assert_eq!(card.sections.indicators.to_string(), "0.00");
    }

    #[test]
    fn sections_bonus_cap_and_total() {
        let p = project(vec![indicator("a", Better::Higher)]);
        let rs = rules(vec![rule(0, "40", per_unit("1", "3"), false)]);
        let mut u = unit(vec![measure(Some("10"), Some("9"))]);
        u.tasks = vec![
            TaskDeduction {
                category: TaskCategory::Air,
                deduct: d("3"),
                reason: "x".into(),
            },
            TaskDeduction {
                category: TaskCategory::Air,
                deduct: d("4"),
                reason: "y".into(),
            },
            TaskDeduction {
                category: TaskCategory::Water,
                deduct: d("1.5"),
                reason: "z".into(),
            },
        ];
        u.funds = vec![Deduction {
            deduct: d("12"),
            reason: "f".into(),
        }];
        u.satisfaction = d("86.4");
        u.bonus = vec![
            Bonus {
                points: d("3"),
                reason: "b1".into(),
            },
            Bonus {
                points: d("2.5"),
                reason: "b2".into(),
            },
        ];
        let card = score_unit(&p.indicators, &rs, &u).unwrap();
        // 40 − 1/3 = 39.666… → 39.67
        assert_eq!(card.sections.indicators.to_string(), "39.67");
        // Air floored at 0 (lost 5 not 7), water 3.5: 35 − 5 − 1.5.
        assert_eq!(card.sections.tasks.to_string(), "28.50");
        assert_eq!(card.tasks[1].lost, d("5"));
        assert_eq!(card.sections.funds.to_string(), "0.00");
        assert_eq!(card.sections.satisfaction.to_string(), "12.96");
        assert_eq!(card.bonus_claimed, d("5.5"));
        assert_eq!(card.bonus.to_string(), "5.00");
        assert_eq!(card.total.to_string(), "86.13");
        assert_eq!(card.grade, Grade::Good);
    }

    #[test]
    fn downgrade_is_one_level_however_many_triggers_and_veto_wins() {
        let p = project(vec![
            indicator("a", Better::Higher),
            indicator("b", Better::Lower),
        ]);
        let rs = rules(vec![
            rule(0, "20", per_unit("0.1", "1"), true),
            rule(1, "20", per_unit("0.1", "1"), true),
        ]);
        let mut u = unit(vec![
            measure(Some("90"), Some("89")),
            measure(Some("30"), Some("31")),
        ]);
        u.downgrade = vec![Downgrade {
            kind: DowngradeKind::RectificationOverdue,
            reason: "督察整改逾期".into(),
        }];
        let card = score_unit(&p.indicators, &rs, &u).unwrap();
        assert_eq!(card.base_grade, Grade::Excellent);
        assert_eq!(card.grade, Grade::Good);
        assert!(card.downgraded);
        assert_eq!(card.binding_missed, vec!["a".to_string(), "b".to_string()]);
        assert_eq!(card.downgrade_reasons.len(), 3);

        u.veto = vec![Veto {
            date: Date::parse("2023-07-12").unwrap(),
            event: "特别重大突发环境事件".into(),
        }];
        let card = score_unit(&p.indicators, &rs, &u).unwrap();
        assert_eq!(card.base_grade, Grade::Excellent);
        assert_eq!(card.grade, Grade::Fail);
        assert!(card.vetoed);
    }

    #[test]
    fn binding_miss_on_a_not_applicable_indicator_does_not_downgrade() {
        let p = project(vec![
            indicator("a", Better::Higher),
            indicator("b", Better::Higher),
        ]);
        let rs = rules(vec![
            rule(0, "20", Method::PassFail, true),
            rule(1, "20", Method::PassFail, false),
        ]);
        let card = score_unit(
            &p.indicators,
            &rs,
            &unit(vec![
                measure(None, Some("1")),
                measure(Some("1"), Some("2")),
            ]),
        )
        .unwrap();
        assert!(!card.downgraded);
        assert_eq!(card.grade, Grade::Excellent);
    }

    fn card(region: usize, grade: Grade, total: &str) -> Scorecard {
        let p = project(vec![indicator("a", Better::Higher)]);
        let rs = rules(vec![rule(0, "40", Method::PassFail, false)]);
        let mut c = score_unit(
            &p.indicators,
            &rs,
            &unit(vec![measure(Some("1"), Some("1"))]),
        )
        .unwrap();
        c.region = region;
        c.grade = grade;
        c.total = d(total);
        c
    }

    #[test]
    fn ranking_shares_ranks_on_equal_grade_and_total() {
        let mut cards = vec![
            card(0, Grade::Good, "85.00"),
            card(1, Grade::Excellent, "92.00"),
            card(2, Grade::Good, "88.00"),
            card(3, Grade::Good, "88.00"),
        ];
        rank(&mut cards);
        let order: Vec<(usize, usize)> = cards.iter().map(|c| (c.region, c.rank)).collect();
        assert_eq!(order, vec![(1, 1), (2, 2), (3, 2), (0, 4)]);
        // A downgraded unit with the higher total still ranks below the better grade.
        let mut cards = vec![
            card(0, Grade::Good, "95.00"),
            card(1, Grade::Excellent, "90.00"),
        ];
        rank(&mut cards);
        assert_eq!(cards[0].region, 1);
        // Equal totals, different grades: distinct ranks.
        let mut cards = vec![
            card(0, Grade::Good, "90.00"),
            card(1, Grade::Excellent, "90.00"),
        ];
        rank(&mut cards);
        assert_eq!((cards[0].rank, cards[1].rank), (1, 2));
    }

    #[test]
    fn a_years_cards_in_rank_order_are_found_by_region() {
        let mut cards = vec![
            card(0, Grade::Good, "85.00"),
            card(1, Grade::Excellent, "92.00"),
            card(3, Grade::Good, "88.00"),
        ];
        rank(&mut cards);
        let scores = YearScores {
            year: 2025,
            cards: cards.into(),
        };
        assert_eq!(scores.cards[0].region, 1, "rank order, not region order");
        for region in [0, 1, 3] {
            assert_eq!(scores.card(region).map(|c| c.region), Some(region));
        }
        assert!(scores.card(2).is_none(), "a region without a card");
        assert!(scores.card(4).is_none() && scores.card(usize::MAX).is_none());
    }

    #[test]
    fn a_deduction_too_large_to_hold_is_uncomputable_not_a_panic() {
        let ind = indicator("pm25", Better::Lower);
        let r = rule(
            0,
            "2",
            per_unit("1", "0.0000000000000000000000000001"),
            false,
        );
        let met = score_indicator(&r, &ind, &measure(Some("30"), Some("30")), 3);
        assert_eq!(met.map(|s| s.earned), Ok(d("2")));
        // 10 ÷ 10⁻²⁸ is beyond the largest decimal, about 7.9 × 10²⁸.
        let missed = score_indicator(&r, &ind, &measure(Some("30"), Some("40")), 3);
        assert_eq!(missed.map(|s| s.earned), Err(Uncomputable::Indicator(3)));
        // A step small enough to take every point, but not beyond what a decimal holds.
        let r = rule(0, "2", per_unit("0.5", "0.000000000000000001"), false);
        let s = score_indicator(&r, &ind, &measure(Some("30"), Some("40")), 0).unwrap();
        assert_eq!(s.earned, Decimal::ZERO);
    }

    #[test]
    fn proportional_never_earns_below_zero_or_above_its_points() {
        let higher = indicator("co2", Better::Higher);
        let lower = indicator("x", Better::Lower);
        let r = rule(0, "2", Method::Proportional, false);
        let earned = |ind: &Indicator, t: &str, v: &str| {
            score_indicator(&r, ind, &measure(Some(t), Some(v)), 0).map(|s| (s.earned, s.lost))
        };
        // −52.63 points before: a negative value earns nothing.
        assert_eq!(earned(&higher, "3.8", "-100"), Ok((d("0"), d("2"))));
        // A negative target for "higher" is met by anything above it; below it, no share.
        assert_eq!(earned(&higher, "-5", "-10"), Ok((d("0"), d("2"))));
        assert_eq!(earned(&lower, "-5", "3"), Ok((d("0"), d("2"))));
        assert_eq!(
            earned(&higher, "0.0000000000000000000000000001", "0"),
            Ok((d("0"), d("2")))
        );
    }

    /// Any figure validation lets through: up to 28 digits and 28 decimal
    /// places, at most 10¹² in magnitude.
    fn any_figure() -> impl Strategy<Value = Decimal> {
        ("-?[1-9][0-9]{0,27}", 0u32..=28).prop_filter_map(
            "beyond the magnitude limit",
            |(digits, scale)| {
                let value = Decimal::from_i128_with_scale(digits.parse().ok()?, scale);
                (value.abs() <= d("1000000000000")).then_some(value)
            },
        )
    }

    proptest! {
        /// Scoring any figures that pass validation either succeeds within
        /// the rules' bounds or says which rule it cannot compute: it never
        /// panics.
        #[test]
        fn scoring_extreme_figures_never_panics(
            figures in proptest::collection::vec((any_figure(), any_figure(), 0u8..3, any::<bool>()), 1..5),
            step in any_figure(),
            deduct in any_figure(),
            points in any_figure(),
            satisfaction in 0u32..=100,
        ) {
            let points = points.abs().max(d("0.01"));
            let step = step.abs().max(d("0.0000000000000000000000000001"));
            let inds: Vec<Indicator> = figures.iter().enumerate().map(|(i, f)| indicator(&format!("i{i}"), if f.3 { Better::Higher } else { Better::Lower })).collect();
            let p = project(inds);
            let rs = rules(figures.iter().enumerate().map(|(i, f)| {
                let method = match f.2 { 0 => Method::PassFail, 1 => Method::PerUnit { deduct: deduct.abs(), per: step }, _ => Method::Proportional };
                IndicatorRule { indicator: i, points, method, binding: false }
            }).collect());
            let u = unit(figures.iter().map(|f| Measure { target: Some(f.0), value: Some(f.1), source: Source::Provincial }).collect());
            let mut u = u;
            u.satisfaction = Decimal::from(satisfaction);
            match score_unit(&p.indicators, &rs, &u) {
                Ok(card) => {
                    for s in &card.indicators {
                        prop_assert!(s.earned >= Decimal::ZERO && s.earned <= points);
                        prop_assert_eq!(s.earned + s.lost, points);
                    }
                    prop_assert_eq!(card.total.scale(), 2);
                }
                Err(Uncomputable::Indicator(i)) => prop_assert!(i < figures.len()),
                Err(Uncomputable::Total) => {}
            }
        }
    }

    fn decimal(max_hundredths: i64) -> impl Strategy<Value = Decimal> {
        (0..=max_hundredths).prop_map(|n| Decimal::new(n, 2))
    }

    proptest! {
        #[test]
        fn score_properties(
            values in proptest::collection::vec((decimal(20_000), decimal(20_000), 0u8..4, any::<bool>(), any::<bool>()), 1..6),
            task_deducts in proptest::collection::vec((0usize..7, decimal(1_000)), 0..6),
            funds_deduct in decimal(1_500),
            satisfaction in decimal(10_000),
            bonus in proptest::collection::vec(decimal(400), 0..4),
            manual_downgrade in any::<bool>(),
            veto in any::<bool>(),
        ) {
            let inds: Vec<Indicator> = values.iter().enumerate().map(|(i, v)| indicator(&format!("i{i}"), if v.3 { Better::Higher } else { Better::Lower })).collect();
            let p = project(inds);
            let share = d("40") / Decimal::from(values.len());
            let rule_list: Vec<IndicatorRule> = values.iter().enumerate().map(|(i, v)| {
                let method = match v.2 { 0 => Method::PassFail, 1 => per_unit("0.5", "1"), 2 => per_unit("0.3", "0.7"), _ => Method::Proportional };
                IndicatorRule { indicator: i, points: share, method, binding: v.4 }
            }).collect();
            let rs = rules(rule_list);
            let mut u = unit(values.iter().map(|v| Measure { target: Some(v.0), value: Some(v.1), source: Source::Provincial }).collect());
            u.tasks = task_deducts.iter().map(|(c, x)| TaskDeduction { category: TaskCategory::ALL[*c], deduct: *x, reason: "r".into() }).collect();
            u.funds = vec![Deduction { deduct: funds_deduct, reason: "f".into() }];
            u.satisfaction = satisfaction;
            u.bonus = bonus.iter().map(|b| Bonus { points: *b, reason: "b".into() }).collect();
            if manual_downgrade {
                u.downgrade = vec![Downgrade { kind: DowngradeKind::RectificationOverdue, reason: "x".into() }];
            }
            if veto {
                u.veto = vec![Veto { date: Date::parse("2023-01-01").unwrap(), event: "e".into() }];
            }
            let c = score_unit(&p.indicators, &rs, &u).unwrap();
            prop_assert!(c.total >= Decimal::ZERO);
            prop_assert!(c.total <= d("100") + rs.bonus_cap);
            prop_assert!(c.bonus <= rs.bonus_cap);
            prop_assert_eq!(c.total.scale(), 2);
            prop_assert_eq!(c.total, c.sections.indicators + c.sections.tasks + c.sections.funds + c.sections.satisfaction + c.bonus);
            prop_assert_eq!(c.base_grade, Grade::from_total(c.total, &rs.grades));
            if veto {
                prop_assert_eq!(c.grade, Grade::Fail);
            } else if c.downgraded {
                prop_assert_eq!(c.grade, c.base_grade.lower());
                prop_assert!(c.base_grade == Grade::Fail || c.grade != c.base_grade);
            } else {
                prop_assert_eq!(c.grade, c.base_grade);
            }
            prop_assert_eq!(c.downgraded, manual_downgrade || !c.binding_missed.is_empty());
            for s in &c.indicators {
                prop_assert!(s.earned >= Decimal::ZERO && s.earned <= share);
                prop_assert_eq!(s.reason.is_some(), !s.met);
            }
        }
    }
}
