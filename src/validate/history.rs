//! Plausibility across years: figures that stayed the same when they should
//! have moved. These are warnings, not errors: an unchanged figure may be
//! true, but it is also what a file copied from last year and not updated
//! looks like.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;
use std::sync::Arc;

use rust_decimal::Decimal;

use crate::diagnostic::{Diagnostic, Pos};
use crate::load::Loaded;
use crate::model::{Indicator, Unit};

/// A target this many consecutive years the same is worth a second look.
pub const UNCHANGED_TARGET_YEARS: usize = 5;

/// Where a unit's target was written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TargetFrom {
    Default,
    Unit,
}

#[derive(Debug)]
struct Place {
    file: PathBuf,
    text: Arc<str>,
    at: Pos,
}

impl Place {
    fn of<T>(loaded: &Loaded<T>, at: Pos) -> Place {
        Place {
            file: loaded.file.clone(),
            text: Arc::clone(&loaded.text),
            at,
        }
    }

    fn warning(&self, message: String, help: &str) -> Diagnostic {
        Diagnostic::warning(&self.file, self.at, message)
            .with_help(help)
            .with_source(Arc::clone(&self.text))
    }
}

#[derive(Debug)]
struct TargetSeen {
    year: u16,
    value: Decimal,
    from: TargetFrom,
    unit: String,
    place: Place,
}

/// One unit's results for one year, as far as the comparison needs them.
#[derive(Debug, PartialEq, Eq)]
pub struct ResultFigures {
    pub indicators: BTreeMap<String, Option<Decimal>>,
    pub satisfaction: Decimal,
}

/// What one or more years showed. Each year is validated with its own
/// history (years run in parallel); [`History::absorb`] joins them in year
/// order and makes the comparisons across years.
#[derive(Debug, Default)]
pub struct History {
    /// Targets by (unit id, indicator id), in year order.
    targets: BTreeMap<(String, String), Vec<TargetSeen>>,
    /// The latest results seen for each unit id.
    results: BTreeMap<String, ResultsSeen>,
    /// Indicators whose target is meant to stay the same (`fixed_target: true`).
    fixed: BTreeSet<String>,
}

#[derive(Debug)]
struct ResultsSeen {
    year: u16,
    unit: String,
    figures: ResultFigures,
    place: Place,
}

impl History {
    pub fn fixed_target(&mut self, indicator: &str) {
        self.fixed.insert(indicator.to_string());
    }

    /// An empty history for one more year, knowing the fixed targets.
    pub fn for_a_year(&self) -> History {
        History {
            fixed: self.fixed.clone(),
            ..History::default()
        }
    }

    /// Remember a unit's target. A target at the edge of the indicator's range
    /// (100% of drinking water sources up to standard, zero inferior water
    /// sections) cannot tighten, and a fixed one is not meant to, so neither
    /// is remembered.
    #[allow(clippy::too_many_arguments)]
    pub fn target<T>(
        &mut self,
        loaded: &Loaded<T>,
        region: &Unit,
        indicator: &Indicator,
        year: u16,
        value: Decimal,
        at: Pos,
        from: TargetFrom,
    ) {
        let (low, high) = indicator.range;
        if value == low || value == high || self.fixed.contains(&indicator.id) {
            return;
        }
        self.targets
            .entry((region.id.clone(), indicator.id.clone()))
            .or_default()
            .push(TargetSeen {
                year,
                value,
                from,
                unit: region.name.clone(),
                place: Place::of(loaded, at),
            });
    }

    /// Remember a unit's results for `year`.
    pub fn results<T>(
        &mut self,
        loaded: &Loaded<T>,
        region: &Unit,
        year: u16,
        figures: ResultFigures,
        at: Pos,
    ) {
        self.results.insert(
            region.id.clone(),
            ResultsSeen {
                year,
                unit: region.name.clone(),
                figures,
                place: Place::of(loaded, at),
            },
        );
    }

    /// Add what a later year showed; a warning for each unit whose results
    /// are exactly the year before's.
    pub fn absorb(&mut self, later: History) -> Vec<Diagnostic> {
        for (key, seen) in later.targets {
            self.targets.entry(key).or_default().extend(seen);
        }
        let mut warnings = Vec::new();
        for (id, now) in later.results {
            if let Some(last) = self.results.get(&id) {
                if last.year + 1 == now.year && last.figures == now.figures {
                    warnings.push(now.place.warning(
                        format!(
                            "every indicator value and the satisfaction score of {} are the same as in {} ({})",
                            now.unit,
                            last.year,
                            last.place.file.display()
                        ),
                        "was this file copied from last year and not updated? If the figures really did not change, ignore this warning",
                    ));
                }
            }
            self.results.insert(id, now);
        }
        warnings
    }

    /// Warnings for targets unchanged for [`UNCHANGED_TARGET_YEARS`] years in a row.
    pub fn warnings(&self) -> Vec<Diagnostic> {
        // A default target is seen once per unit; its warning is one place
        // and one sentence, so it is collected once before the source is
        // attached (attaching scans the file, and targets.yaml can be large).
        let mut out: BTreeMap<(&PathBuf, Pos, String), &Place> = BTreeMap::new();
        for ((_, indicator), seen) in &self.targets {
            let mut run = 1;
            for pair in seen.windows(2) {
                let (before, now) = (&pair[0], &pair[1]);
                run = if now.year == before.year + 1 && now.value == before.value {
                    run + 1
                } else {
                    1
                };
                if run != UNCHANGED_TARGET_YEARS {
                    continue;
                }
                let first = now.year as usize + 1 - UNCHANGED_TARGET_YEARS;
                let whose = match now.from {
                    TargetFrom::Default => format!("the default target for `{indicator}`"),
                    TargetFrom::Unit => {
                        format!("the target for `{indicator}` for {}", now.unit)
                    }
                };
                let message = format!(
                    "{whose} has been {} for five years in a row ({first}–{})",
                    now.value, now.year
                );
                out.entry((&now.place.file, now.place.at, message))
                    .or_insert(&now.place);
            }
        }
        out.into_iter()
            .map(|((_, _, message), place)| {
                place.warning(
                    message,
                    "targets usually tighten from year to year; check that this year's target was entered. If it really is unchanged, ignore this warning",
                )
            })
            .collect()
    }
}
