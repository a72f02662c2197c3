//! 专项资金 tied to the results (实施方案: 「将考核结果与生态环境保护专项资金
//! 安排挂钩，向考核结果为优良的地区倾斜」): each unit's share of the year's
//! total by the weight of its grade, in exact decimals, allocated in whole
//! 万元 by largest remainder so the shares sum to the total exactly.
//!
//! Pure: no I/O, checked arithmetic.

use rust_decimal::Decimal;
use serde::Serialize;

use crate::model::{Funding, Grade, Project, Scorecard, Year};

/// One unit's share.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Share {
    /// Index into `Project::regions`.
    pub region: usize,
    pub grade: Grade,
    pub weight: Decimal,
    /// total × weight ÷ Σ weights, before allocation.
    pub exact: Decimal,
    /// Whole 万元; Σ over units = total.
    pub amount: Decimal,
}

/// Why shares cannot be computed for a year.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NoShares {
    /// The grades of the year all weigh 0.
    NothingWeighs,
    /// A figure beyond a 28-digit decimal.
    Overflow,
}

/// Shares of `total` (whole 万元) over `cards` by `funding`'s weights. The
/// units left after flooring each go one 万元 to the largest remainders, ties
/// to the earlier unit in official order; returned in official order.
pub fn shares(
    funding: &Funding,
    total: Decimal,
    cards: &[Scorecard],
) -> Result<Vec<Share>, NoShares> {
    let mut units: Vec<(usize, Grade)> = cards.iter().map(|c| (c.region, c.grade)).collect();
    units.sort();
    let sum = units
        .iter()
        .try_fold(Decimal::ZERO, |a, (_, g)| a.checked_add(funding.weight(*g)))
        .ok_or(NoShares::Overflow)?;
    if sum.is_zero() {
        return Err(NoShares::NothingWeighs);
    }
    let mut out = Vec::with_capacity(units.len());
    for (region, grade) in units {
        let weight = funding.weight(grade);
        let exact = total
            .checked_mul(weight)
            .and_then(|p| p.checked_div(sum))
            .ok_or(NoShares::Overflow)?;
        out.push(Share {
            region,
            grade,
            weight,
            exact,
            amount: exact.floor(),
        });
    }
    let allocated = out
        .iter()
        .try_fold(Decimal::ZERO, |a, s| a.checked_add(s.amount))
        .ok_or(NoShares::Overflow)?;
    let left = total.checked_sub(allocated).ok_or(NoShares::Overflow)?;
    let mut order: Vec<usize> = (0..out.len()).collect();
    // Largest remainder first; `sort_by` is stable, so ties keep official order.
    order.sort_by(|&a, &b| (out[b].exact - out[b].amount).cmp(&(out[a].exact - out[a].amount)));
    let mut left = left;
    for i in order {
        if left <= Decimal::ZERO {
            break;
        }
        out[i].amount += Decimal::ONE;
        left -= Decimal::ONE;
    }
    Ok(out)
}

#[derive(Debug, Serialize)]
pub struct WeightView {
    pub grade: &'static str,
    pub grade_name: &'static str,
    pub weight: String,
}

#[derive(Debug, Serialize)]
pub struct ShareView {
    pub id: String,
    pub name: String,
    pub grade_name: &'static str,
    pub weight: String,
    /// The exact share, to four decimals for reading.
    pub exact: String,
    /// Whole 万元.
    pub amount: String,
}

/// The year's funding rule and, with a total, every unit's share (for the
/// report and the briefing copy).
#[derive(Debug, Serialize)]
pub struct FundingView {
    pub weights: Vec<WeightView>,
    pub total: Option<String>,
    /// In official order; empty without a total.
    pub shares: Vec<ShareView>,
    /// Why there are no shares despite a total, in words.
    pub problem: Option<&'static str>,
}

impl FundingView {
    /// None when the year's rules have no `funding:`.
    pub fn new(project: &Project, year: &Year) -> Option<FundingView> {
        let funding = year.rules.funding.as_ref()?;
        let plain = |d: Decimal| d.normalize().to_string();
        let mut view = FundingView {
            weights: Grade::ALL
                .iter()
                .map(|&g| WeightView {
                    grade: g.key(),
                    grade_name: g.name(),
                    weight: plain(funding.weight(g)),
                })
                .collect(),
            total: funding.total.map(plain),
            shares: Vec::new(),
            problem: None,
        };
        if let Some(total) = funding.total {
            match shares(funding, total, &year.cards) {
                Ok(shares) => {
                    view.shares = shares
                        .into_iter()
                        .map(|s| ShareView {
                            id: project.units[s.region].id.clone(),
                            name: project.units[s.region].name.clone(),
                            grade_name: s.grade.name(),
                            weight: plain(s.weight),
                            exact: format!("{:.4}", s.exact.round_dp(4)),
                            amount: plain(s.amount),
                        })
                        .collect()
                }
                Err(NoShares::NothingWeighs) => {
                    view.problem = Some("本年度各地区等次的资金系数均为0，无法分配")
                }
                Err(NoShares::Overflow) => view.problem = Some("资金总额超出可计算范围"),
            }
        }
        Some(view)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Sections;
    use proptest::prelude::*;

    fn card(region: usize, grade: Grade) -> Scorecard {
        let zero = Decimal::ZERO;
        Scorecard {
            region,
            rank: 0,
            grade,
            base_grade: grade,
            total: zero,
            bonus: zero,
            bonus_claimed: zero,
            sections: Sections {
                indicators: zero,
                tasks: zero,
                funds: zero,
                satisfaction: zero,
            },
            indicators: vec![],
            applicable_points: zero,
            tasks: vec![],
            funds_lost: zero,
            downgrade_reasons: vec![],
            binding_missed: vec![],
            downgraded: false,
            vetoed: false,
        }
    }

    fn d(text: &str) -> Decimal {
        text.parse().unwrap()
    }

    fn funding() -> Funding {
        Funding {
            weights: [d("1.2"), d("1.0"), d("0.9"), d("0.7")],
            total: None,
        }
    }

    #[test]
    fn three_equal_units_split_100_as_34_33_33_by_official_order() {
        let cards = [
            card(2, Grade::Good),
            card(0, Grade::Good),
            card(1, Grade::Good),
        ];
        let shares = shares(&funding(), d("100"), &cards).unwrap();
        let amounts: Vec<(usize, Decimal)> = shares.iter().map(|s| (s.region, s.amount)).collect();
        assert_eq!(amounts, [(0, d("34")), (1, d("33")), (2, d("33"))]);
    }

    #[test]
    fn better_grades_get_more_and_the_sum_is_the_total() {
        let cards = [
            card(0, Grade::Excellent),
            card(1, Grade::Good),
            card(2, Grade::Pass),
            card(3, Grade::Fail),
        ];
        let shares = shares(&funding(), d("5000"), &cards).unwrap();
        // Σ weights 3.8: 5000 × 1.2 / 3.8 = 1578.947…
        assert_eq!(shares[0].amount, d("1579"));
        assert_eq!(shares[3].amount, d("921"));
        assert_eq!(shares.iter().map(|s| s.amount).sum::<Decimal>(), d("5000"));
    }

    #[test]
    fn nothing_to_share_by_when_every_present_grade_weighs_zero() {
        let zero = Funding {
            weights: [d("1"), d("1"), d("1"), Decimal::ZERO],
            total: None,
        };
        assert_eq!(
            shares(&zero, d("10"), &[card(0, Grade::Fail)]),
            Err(NoShares::NothingWeighs)
        );
    }

    proptest! {
        #[test]
        fn shares_always_sum_exactly_to_the_total(
            grades in proptest::collection::vec(0usize..4, 1..40),
            total in 0u64..10_000_000,
            weights in proptest::array::uniform4(0u32..500),
        ) {
            prop_assume!(weights.iter().any(|w| *w > 0));
            let funding = Funding {
                weights: weights.map(|w| Decimal::new(w.into(), 2)),
                total: None,
            };
            let cards: Vec<Scorecard> = grades.iter().enumerate().map(|(i, g)| card(i, Grade::ALL[*g])).collect();
            match shares(&funding, Decimal::from(total), &cards) {
                Ok(shares) => {
                    prop_assert_eq!(shares.iter().map(|s| s.amount).sum::<Decimal>(), Decimal::from(total));
                    for s in &shares {
                        prop_assert!(s.amount.fract().is_zero());
                        prop_assert!((s.amount - s.exact).abs() < Decimal::ONE);
                    }
                }
                Err(e) => prop_assert_eq!(e, NoShares::NothingWeighs),
            }
        }
    }
}
