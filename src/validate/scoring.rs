//! Scoring as the last check of a unit: every unit is scored while its
//! figures can still be pointed at, so a result a 28-digit decimal cannot
//! hold is reported where the figure that caused it is written, and a valid
//! year carries its scorecards (`Year::cards`) into the model.

use std::collections::BTreeSet;

use rust_decimal::Decimal;

use super::{Catalogue, Validator};
use crate::load::raw::{RawResults, RawRules};
use crate::load::yaml::{key_pos, pos};
use crate::load::Loaded;
use crate::model::{Method, Rules, UnitResult};
use crate::score::{self, Scorecard, Uncomputable};

/// The rules of one year, with their file, for locating a rule's figures.
pub(super) struct RulesFile<'a> {
    pub loaded: &'a Loaded<RawRules>,
    pub rules: &'a Rules,
    /// Rules already reported as uncomputable: a `per` too small for one
    /// unit's shortfall is said once, not once per unit.
    pub reported: BTreeSet<usize>,
}

impl Validator {
    /// The scorecard of `unit`, or `None` after reporting why it cannot be
    /// computed.
    pub(super) fn scored(
        &mut self,
        results: &Loaded<RawResults>,
        rules: &mut RulesFile<'_>,
        unit: &UnitResult,
        catalogue: &Catalogue<'_>,
    ) -> Option<Scorecard> {
        let failure = match score::score_unit(catalogue.indicators, rules.rules, unit) {
            Ok(card) => return Some(card),
            Err(failure) => failure,
        };
        let region = &catalogue.units[unit.region];
        match failure {
            Uncomputable::Indicator(index) => {
                let rule = &rules.rules.indicators[index];
                let id = catalogue.indicators[rule.indicator].id.as_str();
                let measure = &unit.measures[index];
                let figures = format!(
                    "{} ({}) against the target {}",
                    shown(measure.value),
                    region.name,
                    shown(measure.target)
                );
                // The rules' indicators are built in file order, so the
                // rule's entry is the index-th one.
                let per = rules.loaded.doc.indicators.value.0.get(index);
                let per = per.and_then(|(_, r)| r.value.per.as_ref());
                match (rule.method, per) {
                    (Method::PerUnit { per: step, .. }, Some(written)) => {
                        if rules.reported.insert(index) {
                            self.error(
                                rules.loaded,
                                pos(written),
                                format!(
                                    "`per: {step}` is too small to score `{id}`: the deduction for {figures} is more than a figure can hold"
                                ),
                                Some("per_unit takes `deduct` points off for every `per` of shortfall; write the step the rules count in, e.g. per: 1 or per: 0.5".into()),
                            );
                        }
                    }
                    _ => {
                        let at = results
                            .doc
                            .indicators
                            .value
                            .0
                            .iter()
                            .find(|(key, _)| key.value == id)
                            .map_or(pos(&results.doc.indicators), |(_, value)| pos(value));
                        self.error(
                            results,
                            at,
                            format!(
                                "the points for `{id}` cannot be computed from {figures}: the result is more than a figure can hold"
                            ),
                            Some("check this value, and the target in targets.yaml".into()),
                        );
                    }
                }
            }
            Uncomputable::Total => self.error(
                results,
                key_pos(&results.text, "indicators", pos(&results.doc.indicators)),
                format!(
                    "the total of {} cannot be computed: its figures add up to more than a figure can hold",
                    region.name
                ),
                Some("check the figures under tasks:, funds: and bonus:".into()),
            ),
        }
        None
    }
}

fn shown(figure: Option<Decimal>) -> String {
    figure.map_or_else(|| "n/a".to_string(), |x| x.to_string())
}
