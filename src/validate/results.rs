//! A year's results (data/<year>/results/<unit>.yaml): one file per
//! assessed unit, checked against the year's rules and targets, then scored.

use crate::load::yaml::Spanned;
use rust_decimal::Decimal;

use super::history::ResultFigures;
use super::scoring::RulesFile;
use super::{did_you_mean, Catalogue, Validator};
use crate::diagnostic::{suggest, Pos};
use crate::load::raw::{RawResults, RawSelfAssessment};
use crate::load::yaml::{key_pos, pos, Dec, Figure, Measurement};
use crate::load::{Doc, Loaded, RawYear};
use crate::model::{
    Action, Bonus, Deduction, Downgrade, Measure, Rules, Sections, SelfAssessment, TaskCategory,
    TaskDeduction, UnitResult, Veto,
};
use crate::score::Scorecard;

impl Validator {
    pub(super) fn results(
        &mut self,
        year: u16,
        raw_year: &RawYear,
        rules: &mut RulesFile<'_>,
        targets: &[Vec<Option<Decimal>>],
        catalogue: &Catalogue<'_>,
    ) -> Option<(Vec<UnitResult>, Vec<Scorecard>)> {
        let errors_before = self.diags.error_count();
        let region_ids: Vec<&str> = catalogue.units.iter().map(|r| r.id.as_str()).collect();
        for (id, doc) in &raw_year.results {
            if catalogue.region(id).is_none() {
                if let Doc::Ok(loaded) = doc {
                    self.error(
                        loaded,
                        Pos::FILE,
                        format!("results for unknown unit `{id}`"),
                        Some(format!(
                            "name the file after a unit id in data/regions.yaml; {}",
                            did_you_mean(id, region_ids.iter().copied(), &region_ids.join(", "))
                        )),
                    );
                }
            }
        }
        let mut units = Vec::new();
        let mut cards = Vec::new();
        for (region_index, region) in catalogue.units.iter().enumerate() {
            match raw_year.results.get(&region.id) {
                Some(Doc::Ok(loaded)) => {
                    let unit = self.unit(
                        year,
                        loaded,
                        region_index,
                        rules.rules,
                        &targets[region_index],
                        catalogue,
                    );
                    if let Some(unit) = unit {
                        if let Some(card) = self.scored(loaded, rules, &unit, catalogue) {
                            cards.push(card);
                        }
                        units.push(unit);
                    }
                }
                Some(Doc::Broken) => {}
                None | Some(Doc::Missing) => self.missing(
                    format!("data/{year}/results/{}.yaml", region.id),
                    format!("no {year} results for {} ({})", region.name, region.id),
                    "every assessed unit needs a results file each year",
                ),
            }
        }
        (self.diags.error_count() == errors_before).then_some((units, cards))
    }

    fn reason<T>(&mut self, loaded: &Loaded<T>, reason: &Spanned<String>) -> String {
        self.non_empty(loaded, reason, "reason")
    }

    fn unit(
        &mut self,
        year: u16,
        loaded: &Loaded<RawResults>,
        region_index: usize,
        rules: &Rules,
        targets: &[Option<Decimal>],
        catalogue: &Catalogue<'_>,
    ) -> Option<UnitResult> {
        let raw = &loaded.doc;
        let errors_before = self.diags.error_count();
        let region = &catalogue.units[region_index];
        if raw.region.value != region.id {
            self.error(
                loaded,
                pos(&raw.region),
                format!(
                    "region `{}` does not match the file name {}.yaml",
                    raw.region.value, region.id
                ),
                Some(format!("write `region: {}`, or rename the file", region.id)),
            );
        }
        self.check_year_field(loaded, &raw.year, year);

        let ruled: Vec<&str> = rules
            .indicators
            .iter()
            .map(|r| catalogue.indicators[r.indicator].id.as_str())
            .collect();
        let mut given: Vec<Option<Measurement>> = vec![None; ruled.len()];
        // Ids that an unknown key was taken for a typo of: their "did you mean"
        // already says what is missing.
        let mut suggested: Vec<&str> = Vec::new();
        for (key, measurement) in &raw.indicators.value.0 {
            let Some(rule_index) = ruled.iter().position(|id| *id == key.value) else {
                suggested.extend(suggest(&key.value, ruled.iter().copied()));
                self.error(
                    loaded,
                    pos(key),
                    format!("unknown indicator `{}`", key.value),
                    Some(did_you_mean(
                        &key.value,
                        ruled.iter().copied(),
                        &format!(
                            "{} (the indicators of data/{year}/rules.yaml)",
                            ruled.join(", ")
                        ),
                    )),
                );
                continue;
            };
            if let Figure::Value(x) = measurement.value.value {
                let indicator = &catalogue.indicators[rules.indicators[rule_index].indicator];
                self.in_range(loaded, pos(measurement), x, indicator);
            }
            given[rule_index] = Some(measurement.value);
        }
        let mut measures = Vec::new();
        for (rule_index, measurement) in given.iter().enumerate() {
            match measurement {
                Some(m) => measures.push(Measure {
                    target: targets[rule_index],
                    value: match m.value {
                        Figure::Value(x) => Some(x),
                        Figure::NotApplicable => None,
                    },
                    source: m.source,
                }),
                None if suggested.contains(&ruled[rule_index]) => {}
                None => self.error(
                    loaded,
                    key_pos(&loaded.text, "indicators", pos(&raw.indicators)),
                    format!(
                        "no value for indicator `{}` under `indicators:`",
                        ruled[rule_index]
                    ),
                    Some(
                        "add the value; write n/a if the indicator does not apply to this unit"
                            .into(),
                    ),
                ),
            }
        }
        if measures.len() == ruled.len()
            && measures
                .iter()
                .all(|m| m.target.is_none() || m.value.is_none())
        {
            self.error(
                loaded,
                key_pos(&loaded.text, "indicators", pos(&raw.indicators)),
                format!(
                    "no indicator applies to {}: every target or value is n/a",
                    region.name
                ),
                Some("a unit must be assessed on at least one indicator".into()),
            );
        }

        let mut tasks = Vec::new();
        let ruled_categories: Vec<&str> = rules.tasks.iter().map(|t| t.category.id()).collect();
        for entry in &raw.tasks {
            let t = &entry.value;
            let category = TaskCategory::from_id(&t.category.value)
                .filter(|c| rules.tasks.iter().any(|r| r.category == *c));
            let Some(category) = category else {
                self.error(
                    loaded,
                    pos(&t.category),
                    format!("unknown key-task category `{}`", t.category.value),
                    Some(did_you_mean(
                        &t.category.value,
                        ruled_categories.iter().copied(),
                        &ruled_categories.join(", "),
                    )),
                );
                continue;
            };
            let deduct = self.entry(loaded, &t.deduct, "a deduction");
            let reason = self.reason(loaded, &t.reason);
            tasks.push(TaskDeduction {
                category,
                deduct,
                reason,
            });
        }
        let mut funds = Vec::new();
        for entry in &raw.funds {
            let deduct = self.entry(loaded, &entry.value.deduct, "a deduction");
            let reason = self.reason(loaded, &entry.value.reason);
            funds.push(Deduction { deduct, reason });
        }
        let satisfaction = raw.satisfaction.value.0;
        if satisfaction < Decimal::ZERO || satisfaction > Decimal::ONE_HUNDRED {
            self.error(
                loaded,
                pos(&raw.satisfaction),
                format!("satisfaction {satisfaction} is outside 0–100"),
                Some("write the survey score out of 100".into()),
            );
        }
        let mut bonus = Vec::new();
        for entry in &raw.bonus {
            let points = self.entry(loaded, &entry.value.points, "bonus points");
            let reason = self.reason(loaded, &entry.value.reason);
            bonus.push(Bonus { points, reason });
        }
        let mut veto = Vec::new();
        for entry in &raw.veto {
            let date = entry.value.date.value;
            if date.year != year {
                self.warning(
                    loaded,
                    pos(&entry.value.date),
                    format!("the event date {date} is outside the assessed year {year}"),
                );
            }
            let event = self.non_empty(loaded, &entry.value.event, "event");
            veto.push(Veto { date, event });
        }
        let mut downgrade = Vec::new();
        for entry in &raw.downgrade {
            let reason = self.reason(loaded, &entry.value.reason);
            downgrade.push(Downgrade {
                kind: entry.value.kind,
                reason,
            });
        }
        let self_assessment = raw
            .self_assessment
            .as_ref()
            .and_then(|s| self.self_assessment(loaded, s, rules));
        let mut actions = Vec::new();
        for entry in &raw.measures {
            let date = entry.value.date.value;
            if date.year < year {
                self.error(
                    loaded,
                    pos(&entry.value.date),
                    format!("a measure on the {year} results dated {date}, before {year}"),
                    Some(format!(
                        "measures follow the results: date it in {year} or later"
                    )),
                );
            }
            let reason = self.reason(loaded, &entry.value.reason);
            actions.push(Action {
                kind: entry.value.kind,
                date,
                reason,
            });
        }
        if self.diags.error_count() == errors_before {
            let figures = ResultFigures {
                indicators: ruled
                    .iter()
                    .zip(&measures)
                    .map(|(id, m)| (id.to_string(), m.value))
                    .collect(),
                satisfaction,
            };
            let at = key_pos(&loaded.text, "indicators", pos(&raw.indicators));
            self.history.results(loaded, region, year, figures, at);
        }
        (self.diags.error_count() == errors_before).then_some(UnitResult {
            region: region_index,
            measures,
            tasks,
            funds,
            satisfaction,
            bonus,
            veto,
            downgrade,
            self_assessment,
            actions,
            internal: raw.internal.clone(),
        })
    }

    /// The unit's self-assessed scores: each part within its section's
    /// points, the bonus within the cap, the total their sum.
    fn self_assessment(
        &mut self,
        loaded: &Loaded<RawResults>,
        raw: &Spanned<RawSelfAssessment>,
        rules: &Rules,
    ) -> Option<SelfAssessment> {
        let errors_before = self.diags.error_count();
        let s = &raw.value;
        let part = |v: &mut Validator, value: &Spanned<Dec>, what: &str, max: Decimal| {
            let number = v.non_negative(loaded, value, what);
            if number > max {
                v.error(
                    loaded,
                    pos(value),
                    format!(
                        "the self-assessed {what} {number} is more than its {} points",
                        max.normalize()
                    ),
                    Some(format!("write a score from 0 to {}", max.normalize())),
                );
            }
            number
        };
        let sections = Sections {
            indicators: part(
                self,
                &s.indicators,
                "indicators score",
                rules.sections.indicators,
            ),
            tasks: part(self, &s.tasks, "tasks score", rules.sections.tasks),
            funds: part(self, &s.funds, "funds score", rules.sections.funds),
            satisfaction: part(
                self,
                &s.satisfaction,
                "satisfaction score",
                rules.sections.satisfaction,
            ),
        };
        let bonus = match &s.bonus {
            Some(bonus) => part(self, bonus, "bonus", rules.bonus_cap),
            None => Decimal::ZERO,
        };
        let total = s.total.value.0;
        let sum =
            sections.indicators + sections.tasks + sections.funds + sections.satisfaction + bonus;
        if total != sum {
            self.error(
                loaded,
                pos(&s.total),
                format!(
                    "the self-assessed total {} is not the sum of the sections and the bonus, {}",
                    total.normalize(),
                    sum.normalize()
                ),
                Some(format!(
                    "write `total: {}`, or correct the section scores",
                    sum.normalize()
                )),
            );
        }
        (self.diags.error_count() == errors_before).then_some(SelfAssessment {
            sections,
            bonus,
            total,
        })
    }
}
