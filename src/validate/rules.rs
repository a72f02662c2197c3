//! A year's rules (data/<year>/rules.yaml, 年度考核细则): the sections of
//! the 100 points, how each indicator is scored, the key-task categories,
//! the bonus cap and the grade thresholds.

use crate::load::yaml::Spanned;
use rust_decimal::Decimal;

use super::{did_you_mean, Catalogue, Validator};
use crate::load::raw::{RawMethod, RawRules};
use crate::load::yaml::{key_pos, pos, Dec};
use crate::load::Loaded;
use crate::model::{
    Funding, IndicatorRule, Method, Rules, Sections, TaskCategory, TaskRule, Thresholds,
};

fn sum(values: impl IntoIterator<Item = Decimal>) -> Decimal {
    values.into_iter().fold(Decimal::ZERO, |a, b| a + b)
}

impl Validator {
    pub(super) fn rules(
        &mut self,
        year: u16,
        loaded: &Loaded<RawRules>,
        catalogue: &Catalogue<'_>,
    ) -> Option<Rules> {
        let raw = &loaded.doc;
        self.check_year_field(loaded, &raw.year, year);
        let s = &raw.sections.value;
        let sections = Sections {
            indicators: self.non_negative(loaded, &s.indicators, "the indicators section"),
            tasks: self.non_negative(loaded, &s.tasks, "the tasks section"),
            funds: self.non_negative(loaded, &s.funds, "the funds section"),
            satisfaction: self.non_negative(loaded, &s.satisfaction, "the satisfaction section"),
        };
        let section_total =
            sections.indicators + sections.tasks + sections.funds + sections.satisfaction;
        if section_total != Decimal::ONE_HUNDRED {
            self.error(
                loaded,
                key_pos(&loaded.text, "sections", pos(&raw.sections)),
                format!("the sections sum to {section_total}, not 100"),
                Some("the assessment is out of 100 points (百分制): make indicators + tasks + funds + satisfaction = 100".into()),
            );
        }

        let mut indicators = Vec::new();
        let known: Vec<&str> = catalogue.indicators.iter().map(|i| i.id.as_str()).collect();
        // A sum over a list with an unknown entry says nothing new.
        let mut unknown_entry = false;
        for (key, rule) in &raw.indicators.value.0 {
            let Some(index) = catalogue.indicator(&key.value) else {
                unknown_entry = true;
                self.error(
                    loaded,
                    pos(key),
                    format!("unknown indicator `{}`", key.value),
                    Some(did_you_mean(
                        &key.value,
                        known.iter().copied(),
                        &format!("{} (data/indicators.yaml)", known.join(", ")),
                    )),
                );
                continue;
            };
            let r = &rule.value;
            let points = r.points.value.0;
            if points <= Decimal::ZERO {
                self.error(
                    loaded,
                    pos(&r.points),
                    format!("points must be positive, found {points}"),
                    None,
                );
            }
            let method = match r.method.value {
                RawMethod::PerUnit => {
                    let mut param = |p: &Option<Spanned<Dec>>, name: &str, example: &str| match p {
                        Some(v) if v.value.0 > Decimal::ZERO => v.value.0,
                        Some(v) => {
                            self.error(
                                loaded,
                                pos(v),
                                format!("`{name}` must be greater than zero, found {}", v.value.0),
                                Some(format!("per_unit deducts `deduct` points for every `per` of shortfall, e.g. {example}")),
                            );
                            Decimal::ONE
                        }
                        None => {
                            self.error(
                                loaded,
                                pos(rule),
                                format!("method per_unit needs `{name}`"),
                                Some("write e.g. { points: 2, method: per_unit, deduct: 0.5, per: 1 }".into()),
                            );
                            Decimal::ONE
                        }
                    };
                    let deduct = param(&r.deduct, "deduct", "deduct: 0.5");
                    let per = param(&r.per, "per", "per: 1");
                    Method::PerUnit { deduct, per }
                }
                other => {
                    for (p, name) in [(&r.deduct, "deduct"), (&r.per, "per")] {
                        if let Some(p) = p {
                            self.error(
                                loaded,
                                pos(p),
                                format!("`{name}` only applies to method per_unit"),
                                Some("remove it, or set method: per_unit".into()),
                            );
                        }
                    }
                    if other == RawMethod::PassFail {
                        Method::PassFail
                    } else {
                        self.proportional_range(loaded, &r.method, &catalogue.indicators[index]);
                        Method::Proportional
                    }
                }
            };
            indicators.push(IndicatorRule {
                indicator: index,
                points,
                method,
                binding: r.binding,
            });
        }
        if indicators.is_empty() {
            self.error(
                loaded,
                key_pos(&loaded.text, "indicators", pos(&raw.indicators)),
                "no indicators are assessed",
                Some("list at least one indicator".into()),
            );
        }
        let points_total = sum(indicators.iter().map(|r| r.points));
        if !indicators.is_empty() && !unknown_entry && points_total != sections.indicators {
            self.error(
                loaded,
                key_pos(&loaded.text, "indicators", pos(&raw.indicators)),
                format!(
                    "indicator points sum to {points_total}, but the indicators section is worth {}",
                    sections.indicators
                ),
                Some("make the points add up to sections.indicators".into()),
            );
        }

        let mut tasks = Vec::new();
        let categories: Vec<&str> = TaskCategory::ALL.iter().map(|c| c.id()).collect();
        let mut unknown_category = false;
        for (key, points) in &raw.tasks.value.0 {
            let Some(category) = TaskCategory::from_id(&key.value) else {
                unknown_category = true;
                self.error(
                    loaded,
                    pos(key),
                    format!("unknown key-task category `{}`", key.value),
                    Some(did_you_mean(
                        &key.value,
                        categories.iter().copied(),
                        &categories.join(", "),
                    )),
                );
                continue;
            };
            let points = self.non_negative(loaded, points, "task points");
            tasks.push(TaskRule { category, points });
        }
        let tasks_total = sum(tasks.iter().map(|t| t.points));
        if !unknown_category && tasks_total != sections.tasks {
            self.error(
                loaded,
                key_pos(&loaded.text, "tasks", pos(&raw.tasks)),
                format!(
                    "task points sum to {tasks_total}, but the tasks section is worth {}",
                    sections.tasks
                ),
                Some("make the seven categories add up to sections.tasks".into()),
            );
        }

        let bonus_cap = self.non_negative(loaded, &raw.bonus_cap, "bonus_cap");
        let g = &raw.grades.value;
        let grades = Thresholds {
            excellent: g.excellent.value.0,
            good: g.good.value.0,
            pass: g.pass.value.0,
        };
        let out_of_order = if g.good.value.0 >= g.excellent.value.0 {
            Some((&g.good, "good", "below excellent"))
        } else if g.pass.value.0 >= g.good.value.0 {
            Some((&g.pass, "pass", "below good"))
        } else if g.pass.value.0 <= Decimal::ZERO {
            Some((&g.pass, "pass", "above 0"))
        } else {
            None
        };
        if let Some((at, name, should)) = out_of_order {
            self.error(
                loaded,
                pos(at),
                format!(
                    "the `{name}` threshold {} is not {should}: grade thresholds must strictly descend (excellent {} > good {} > pass {} > 0)",
                    at.value.0, grades.excellent, grades.good, grades.pass
                ),
                Some("e.g. grades: { excellent: 90, good: 80, pass: 60 }".into()),
            );
        }
        // A wrong figure in the rules does not change which indicators and
        // categories exist, so targets and results are still checked against
        // them (the year is not built either way); an unknown id would.
        let funding = raw.funding.as_ref().map(|f| {
            let f = &f.value;
            let weights = [
                self.non_negative(loaded, &f.excellent, "funding.excellent"),
                self.non_negative(loaded, &f.good, "funding.good"),
                self.non_negative(loaded, &f.pass, "funding.pass"),
                self.non_negative(loaded, &f.fail, "funding.fail"),
            ];
            if weights.iter().all(|w| w.is_zero()) {
                self.error(
                    loaded,
                    pos(&f.excellent),
                    "every funding weight is 0, so there is nothing to share by".to_string(),
                    Some(
                        "e.g. funding: { excellent: 1.2, good: 1.0, pass: 0.9, fail: 0.7 }".into(),
                    ),
                );
            }
            let total = f.total.as_ref().map(|t| {
                let total = self.non_negative(loaded, t, "funding.total");
                if total.fract() != Decimal::ZERO {
                    self.error(
                        loaded,
                        pos(t),
                        format!("funding.total {total} is not a whole number of 万元"),
                        Some(format!(
                            "write the total in 万元, e.g. total: {}",
                            total.trunc()
                        )),
                    );
                }
                total
            });
            Funding { weights, total }
        });
        (!unknown_entry && !unknown_category).then_some(Rules {
            sections,
            indicators,
            tasks,
            bonus_cap,
            grades,
            funding,
        })
    }
}
