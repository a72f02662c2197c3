//! A year's targets (data/<year>/targets.yaml, 目标责任书): a default
//! target per rule indicator and per-unit overrides, resolved into one
//! target table, each target remembered for the cross-year history.

use std::collections::BTreeMap;

use rust_decimal::Decimal;

use super::history::TargetFrom;
use super::{did_you_mean, Catalogue, Validator};
use crate::diagnostic::{suggest, Pos};
use crate::load::raw::RawTargets;
use crate::load::yaml::{key_line, pos, Date, Figure, IdMap};
use crate::load::Loaded;
use crate::model::Rules;

/// Targets by rule indicator index: the target (`None` for n/a) and where it is written.
type TargetMap = BTreeMap<usize, (Option<Decimal>, Pos)>;

impl Validator {
    /// `issued:`, the date the letters carry: within the year or the one
    /// before it (targets are set before the year's work starts).
    pub(super) fn targets_issued(
        &mut self,
        year: u16,
        loaded: &Loaded<RawTargets>,
    ) -> Option<Date> {
        let issued = loaded.doc.issued.as_ref()?;
        let date = issued.value;
        if date.year != year && Some(date.year) != year.checked_sub(1) {
            self.error(
                loaded,
                pos(issued),
                format!("issued {date} is not in {year} or the year before"),
                Some(format!(
                    "the {year} 目标责任书 are issued before or during {year}: write e.g. `issued: {year}-03-15`"
                )),
            );
            return None;
        }
        Some(date)
    }

    /// Targets per unit (by region index), one per rule indicator.
    pub(super) fn targets(
        &mut self,
        year: u16,
        loaded: &Loaded<RawTargets>,
        rules: &Rules,
        catalogue: &Catalogue<'_>,
    ) -> Option<Vec<Vec<Option<Decimal>>>> {
        let raw = &loaded.doc;
        self.check_year_field(loaded, &raw.year, year);
        let ruled: Vec<&str> = rules
            .indicators
            .iter()
            .map(|r| catalogue.indicators[r.indicator].id.as_str())
            .collect();
        // Ids an unknown key was taken for a typo of: their "did you mean"
        // already says what is missing.
        let mut suggested: Vec<&str> = Vec::new();
        let mut check_map = |v: &mut Validator, map: &IdMap<Figure>| -> TargetMap {
            let mut out = BTreeMap::new();
            for (key, figure) in &map.0 {
                let Some(rule_index) = ruled.iter().position(|id| *id == key.value) else {
                    let help = if catalogue.indicator(&key.value).is_some() {
                        format!("`{}` is not assessed in data/{year}/rules.yaml; add it there or remove this target", key.value)
                    } else {
                        suggested.extend(suggest(&key.value, ruled.iter().copied()));
                        did_you_mean(
                            &key.value,
                            ruled.iter().copied(),
                            &format!(
                                "{} (the indicators of data/{year}/rules.yaml)",
                                ruled.join(", ")
                            ),
                        )
                    };
                    v.error(
                        loaded,
                        pos(key),
                        format!("unknown indicator `{}`", key.value),
                        Some(help),
                    );
                    continue;
                };
                let value = match figure.value {
                    Figure::Value(x) => {
                        let indicator =
                            &catalogue.indicators[rules.indicators[rule_index].indicator];
                        v.in_range(loaded, pos(figure), x, indicator);
                        Some(x)
                    }
                    Figure::NotApplicable => None,
                };
                out.insert(rule_index, (value, pos(figure)));
            }
            out
        };
        let defaults = check_map(self, &raw.default);
        let mut overrides: BTreeMap<usize, (Pos, TargetMap)> = BTreeMap::new();
        let region_ids: Vec<&str> = catalogue.units.iter().map(|r| r.id.as_str()).collect();
        for (key, map) in &raw.regions.0 {
            let checked = check_map(self, &map.value);
            match catalogue.region(&key.value) {
                Some(index) => {
                    overrides.insert(index, (pos(key), checked));
                }
                None => self.error(
                    loaded,
                    pos(key),
                    format!("unknown unit `{}`", key.value),
                    Some(did_you_mean(
                        &key.value,
                        region_ids.iter().copied(),
                        &region_ids.join(", "),
                    )),
                ),
            }
        }
        let default_key = key_line(&loaded.text, "default");
        let mut table = Vec::new();
        // Units without a target, by rule indicator: one error per indicator.
        let mut without: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
        for region_index in 0..catalogue.units.len() {
            let own = overrides.get(&region_index);
            let mut row = Vec::new();
            for rule_index in 0..ruled.len() {
                let own_target = own.and_then(|(_, m)| m.get(&rule_index));
                match own_target.or_else(|| defaults.get(&rule_index)) {
                    Some(&(target, at)) => {
                        if let Some(value) = target {
                            let from = if own_target.is_some() {
                                TargetFrom::Unit
                            } else {
                                TargetFrom::Default
                            };
                            let indicator =
                                &catalogue.indicators[rules.indicators[rule_index].indicator];
                            let key = (region_index, rules.indicators[rule_index].indicator);
                            self.history
                                .target(loaded, key, indicator, year, value, at, from);
                        }
                        row.push(target);
                    }
                    None => {
                        without.entry(rule_index).or_default().push(region_index);
                        row.push(None);
                    }
                }
            }
            table.push(row);
        }
        // Results are still checked against a table with wrong figures, not
        // against one with holes (every hole would say "no indicator applies").
        let complete = without.is_empty();
        for (rule_index, regions) in without {
            let id = ruled[rule_index];
            if suggested.contains(&id) {
                continue;
            }
            let names: Vec<String> = regions
                .iter()
                .map(|&r| format!("{} ({})", catalogue.units[r].name, catalogue.units[r].id))
                .collect();
            let (at, whom, help) = match regions.as_slice() {
                [only] if regions.len() < catalogue.units.len() => (
                    overrides.get(only).map(|(p, _)| *p).or(default_key).unwrap_or(Pos::FILE),
                    names[0].clone(),
                    format!(
                        "add `{id}: <target>` under `regions: {}:` or under `default:`; write n/a if it does not apply",
                        catalogue.units[*only].id
                    ),
                ),
                _ if regions.len() == catalogue.units.len() => (
                    default_key.unwrap_or(Pos::FILE),
                    "any unit".to_string(),
                    format!("add `{id}: <target>` under `default:` (and per-unit overrides under `regions:`); write n/a if it does not apply"),
                ),
                _ => (
                    default_key.unwrap_or(Pos::FILE),
                    format!("{} units: {}", regions.len(), names.join(", ")),
                    format!("add `{id}: <target>` under `default:` or under each of these units in `regions:`; write n/a if it does not apply"),
                ),
            };
            self.error(
                loaded,
                at,
                format!("no target for `{id}` for {whom}"),
                Some(help),
            );
        }
        complete.then_some(table)
    }
}
