//! Plausibility across years: figures that stayed the same when they should
//! have moved. These are warnings, not errors: an unchanged figure may be
//! true, but it is also what a file copied from last year and not updated
//! looks like.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rust_decimal::Decimal;
use sha2::{Digest, Sha256};

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

/// A unit's target for one indicator in the latest year seen. Kept small
/// and without names or paths: a national project has one per unit and
/// indicator (150,000 at 3,000 units), and only a target unchanged for
/// [`UNCHANGED_TARGET_YEARS`] needs its place spelled out ([`Unchanged`]).
#[derive(Debug)]
struct TargetSeen {
    year: u16,
    value: Decimal,
    from: TargetFrom,
    at: Pos,
    /// Index into [`History::files`].
    file: usize,
    /// How many years in a row, up to this one, the target was `value`.
    run: usize,
}

/// A target unchanged for [`UNCHANGED_TARGET_YEARS`] years, found as the
/// years are joined.
#[derive(Debug)]
struct Unchanged {
    /// Indices into the units and the indicators.
    unit: usize,
    indicator: usize,
    year: u16,
    value: Decimal,
    from: TargetFrom,
    place: Place,
}

/// Unit and indicator indices into the catalogue.
type TargetKey = (usize, usize);

/// One unit's results for one year, as far as the comparison needs them.
#[derive(Debug, PartialEq, Eq)]
pub struct ResultFigures {
    pub indicators: BTreeMap<String, Option<Decimal>>,
    pub satisfaction: Decimal,
}

impl ResultFigures {
    /// A digest that two figures share exactly when they are equal (each
    /// value normalised, as `Decimal`'s `==` compares: 91.1 is 91.10): what
    /// a year's history keeps of a unit's results, 32 bytes in place of a
    /// map of 20 indicators, for the next year to compare with.
    fn digest(&self) -> [u8; 32] {
        let mut hasher = Sha256::new();
        for (id, value) in &self.indicators {
            hasher.update((id.len() as u64).to_le_bytes());
            hasher.update(id.as_bytes());
            match value {
                Some(value) => {
                    hasher.update([1]);
                    hasher.update(value.normalize().serialize());
                }
                None => hasher.update([0]),
            }
        }
        hasher.update(self.satisfaction.normalize().serialize());
        hasher.finalize().into()
    }
}

/// What one or more years showed. Each year is validated with its own
/// history (years run in parallel); [`History::absorb`] joins them in year
/// order and makes the comparisons across years.
#[derive(Debug, Default)]
pub struct History {
    /// The files targets were read from (one targets.yaml per year).
    files: Vec<(PathBuf, Arc<str>)>,
    /// The latest target seen by (unit, indicator).
    targets: BTreeMap<TargetKey, TargetSeen>,
    /// Targets unchanged for [`UNCHANGED_TARGET_YEARS`] years in a row.
    unchanged: Vec<Unchanged>,
    /// The latest results seen for each unit id.
    results: BTreeMap<String, ResultsSeen>,
    /// Indicators whose target is meant to stay the same (`fixed_target: true`).
    fixed: BTreeSet<String>,
}

/// What the joined history holds of one year that a later year compares
/// with: its targets, with how many years in a row each held, and its units'
/// results, without the files' text. A year's comparisons look only at the
/// year before it, so this is all a rebuild that keeps the year (its input
/// unchanged, `validate::KeptYear`) needs to join the years after it.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct YearHistory {
    year: u16,
    /// Unit and indicator index, the target, the run of years it held:
    /// 28 bytes (a national project holds one per unit and indicator, and
    /// serve holds these of every year, 60,000 each at 3,000 units).
    targets: Vec<(u32, u32, Decimal, u32)>,
    /// Unit id, [`ResultFigures::digest`], the results file.
    results: Vec<(String, [u8; 32], PathBuf)>,
}

#[derive(Debug)]
struct ResultsSeen {
    year: u16,
    unit: String,
    /// [`ResultFigures::digest`].
    figures: [u8; 32],
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
    /// `key`: the unit's and the indicator's index in the catalogue.
    #[allow(clippy::too_many_arguments)]
    pub fn target<T>(
        &mut self,
        loaded: &Loaded<T>,
        key: TargetKey,
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
        let file = self.file(&loaded.file, &loaded.text);
        let seen = TargetSeen {
            year,
            value,
            from,
            at,
            file,
            run: 1,
        };
        self.targets.insert(key, seen);
    }

    /// The index of a targets file in `files`, added if new.
    fn file(&mut self, file: &Path, text: &Arc<str>) -> usize {
        if let Some(index) = self.files.iter().position(|(_, t)| Arc::ptr_eq(t, text)) {
            return index;
        }
        self.files.push((file.to_path_buf(), Arc::clone(text)));
        self.files.len() - 1
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
                figures: figures.digest(),
                place: Place::of(loaded, at),
            },
        );
    }

    /// What later years compare with from `year`, once joined (see
    /// [`YearHistory`]); None if an index does not fit in 32 bits.
    pub fn year_state(&self, year: u16) -> Option<YearHistory> {
        let narrow = |n: usize| u32::try_from(n).ok();
        Some(YearHistory {
            year,
            targets: self
                .targets
                .iter()
                .filter(|(_, seen)| seen.year == year)
                .map(|((unit, indicator), seen)| {
                    Some((
                        narrow(*unit)?,
                        narrow(*indicator)?,
                        seen.value,
                        narrow(seen.run)?,
                    ))
                })
                .collect::<Option<_>>()?,
            results: self
                .results
                .iter()
                .filter(|(_, seen)| seen.year == year)
                .map(|(id, seen)| (id.clone(), seen.figures, seen.place.file.clone()))
                .collect(),
        })
    }

    /// Join a year kept from an earlier validation as [`History::absorb`]
    /// would have: what it showed replaces what the years before showed,
    /// which no later year compares with. Its warnings were kept with it.
    pub fn resume(&mut self, kept: &YearHistory) {
        // Only the text of the year being joined is ever quoted, so a kept
        // year's entries need none.
        let none: Arc<str> = Arc::from("");
        let file = self.files.len();
        self.files.push((PathBuf::new(), Arc::clone(&none)));
        for &(unit, indicator, value, run) in &kept.targets {
            let seen = TargetSeen {
                year: kept.year,
                value,
                from: TargetFrom::Default,
                at: Pos::FILE,
                file,
                run: run as usize,
            };
            self.targets
                .insert((unit as usize, indicator as usize), seen);
        }
        for (id, figures, path) in &kept.results {
            let seen = ResultsSeen {
                year: kept.year,
                unit: String::new(),
                figures: *figures,
                place: Place {
                    file: path.clone(),
                    text: Arc::clone(&none),
                    at: Pos::FILE,
                },
            };
            self.results.insert(id.clone(), seen);
        }
    }

    /// Add what a later year showed; a warning for each unit whose results
    /// are exactly the year before's.
    pub fn absorb(&mut self, later: History) -> Vec<Diagnostic> {
        for (key, mut now) in later.targets {
            let (file, text) = &later.files[now.file];
            now.file = self.file(file, text);
            if let Some(before) = self.targets.get(&key) {
                if now.year == before.year + 1 && now.value == before.value {
                    now.run = before.run + 1;
                }
            }
            if now.run == UNCHANGED_TARGET_YEARS {
                self.unchanged.push(Unchanged {
                    unit: key.0,
                    indicator: key.1,
                    year: now.year,
                    value: now.value,
                    from: now.from.clone(),
                    place: Place {
                        file: file.clone(),
                        text: Arc::clone(text),
                        at: now.at,
                    },
                });
            }
            self.targets.insert(key, now);
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

    /// Warnings for targets unchanged for [`UNCHANGED_TARGET_YEARS`] years
    /// in a row; `units` and `indicators` are the catalogue the targets'
    /// indices point into.
    /// Each comes with the year whose target it is.
    pub fn warnings(&self, units: &[Unit], indicators: &[Indicator]) -> Vec<(u16, Diagnostic)> {
        // A default target is seen once per unit; its warning is one place
        // and one sentence, so it is collected once before the source is
        // attached (attaching scans the file, and targets.yaml can be large).
        let mut out: BTreeMap<(&PathBuf, Pos, String), (u16, &Place)> = BTreeMap::new();
        for now in &self.unchanged {
            let (Some(unit), Some(indicator)) =
                (units.get(now.unit), indicators.get(now.indicator))
            else {
                continue;
            };
            let indicator = &indicator.id;
            let first = now.year as usize + 1 - UNCHANGED_TARGET_YEARS;
            let whose = match now.from {
                TargetFrom::Default => format!("the default target for `{indicator}`"),
                TargetFrom::Unit => {
                    format!("the target for `{indicator}` for {}", unit.name)
                }
            };
            let message = format!(
                "{whose} has been {} for five years in a row ({first}–{})",
                now.value, now.year
            );
            out.entry((&now.place.file, now.place.at, message))
                .or_insert((now.year, &now.place));
        }
        out.into_iter()
            .map(|((_, _, message), (year, place))| {
                let warning = place.warning(
                    message,
                    "targets usually tighten from year to year; check that this year's target was entered. If it really is unchanged, ignore this warning",
                );
                (year, warning)
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::load::raw::{Better, Category, UnitKind};

    fn targets_file(year: u16) -> Loaded<()> {
        Loaded {
            file: PathBuf::from(format!("data/{year}/targets.yaml")),
            text: Arc::from("default:\n  pm25: 30\n"),
            doc: Arc::new(()),
        }
    }

    /// Years joined in order, each with its own history, as `validate` does.
    fn unchanged_warnings(years: &[(u16, &str)]) -> Vec<String> {
        let unit = Unit {
            id: "a".into(),
            name: "甲市".into(),
            kind: UnitKind::City,
            code: None,
        };
        let indicator = Indicator {
            id: "pm25".into(),
            name: "PM2.5".into(),
            category: Category::Air,
            unit: "μg/m³".into(),
            better: Better::Lower,
            range: (Decimal::ZERO, Decimal::from(500)),
        };
        let mut joined = History::default();
        for &(year, value) in years {
            let mut own = joined.for_a_year();
            let value: Decimal = value.parse().unwrap();
            let at = Pos { line: 2, column: 9 };
            own.target(
                &targets_file(year),
                (0, 0),
                &indicator,
                year,
                value,
                at,
                TargetFrom::Unit,
            );
            assert!(joined.absorb(own).is_empty());
        }
        let warnings = joined.warnings(&[unit], &[indicator]);
        warnings.iter().map(|(_, d)| format!("{d}")).collect()
    }

    #[test]
    fn a_target_unchanged_for_five_years_in_a_row_is_reported_once_where_the_fifth_is() {
        let same: Vec<(u16, &str)> = (2019..=2025).map(|y| (y, "30")).collect();
        assert_eq!(
            unchanged_warnings(&same),
            ["data/2023/targets.yaml:2:9: the target for `pm25` for 甲市 has been 30 for five years in a row (2019–2023)"]
        );
        // A year missing, or a change, starts the count again.
        let gap = [
            (2019, "30"),
            (2020, "30"),
            (2022, "30"),
            (2023, "30"),
            (2024, "30"),
        ];
        assert!(unchanged_warnings(&gap).is_empty());
        let moved = [
            (2020, "30"),
            (2021, "29"),
            (2022, "29"),
            (2023, "29"),
            (2024, "29"),
        ];
        assert!(unchanged_warnings(&moved).is_empty());
    }
}
