//! Stage 2, validate: check that the loaded documents agree with each other
//! and with the rules, and build the typed [`Project`].
//!
//! Every check runs and reports; a `Project` exists only when no error was
//! found, so nothing half-valid is ever scored.

//!
//! One file per document: `catalogue.rs` (site.yaml, the units, the
//! indicators), `rules.rs`, `targets.rs`, `results.rs` and `content.rs`
//! (bulletins, narratives, pages); this file holds the entry point, the
//! order a year's documents are checked in, and the helpers they share.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

use crate::load::yaml::Spanned;
use rayon::prelude::*;
use rust_decimal::Decimal;

mod address;
mod catalogue;
mod content;
mod figures;
mod history;
mod kept;
mod progress;
mod projects;
mod results;
mod rules;
mod scoring;
mod targets;
mod template;

use crate::diagnostic::suggest;
use crate::diagnostic::{Diagnostic, Diagnostics, Pos};
use crate::load::yaml::{pos, Dec};
use crate::load::{Doc, Loaded, RawProject, RawYear};
use crate::model::{Indicator, Project, Unit, Year};
use history::History;
pub use kept::KeptYear;
use scoring::RulesFile;
pub use template::{year_template, YearTemplate};

/// Build the project, or return every error found. Warnings come back with
/// the project.
pub fn validate(raw: RawProject) -> Result<(Project, Diagnostics), Diagnostics> {
    validate_keeping(raw, &BTreeMap::new(), false).0
}

/// [`validate`], with the years in `kept` taken as they are (`raw` holds no
/// documents for them; see `kept.rs` for why a kept year is what validating
/// it again would give). With `record`, also returns each year that
/// validated without an error, for the next validation to keep.
pub fn validate_keeping(
    mut raw: RawProject,
    kept: &BTreeMap<u16, KeptYear>,
    record: bool,
) -> (
    Result<(Project, Diagnostics), Diagnostics>,
    BTreeMap<u16, KeptYear>,
) {
    let mut v = Validator {
        diags: Diagnostics::new(),
        history: History::default(),
    };
    let mut records = BTreeMap::new();
    let mut site = v.site(&raw.site, &raw.root);
    let mut raw_years: Vec<u16> = raw.years.keys().chain(kept.keys()).copied().collect();
    raw_years.sort_unstable();
    raw_years.dedup();
    let regions = v.regions(&raw.regions);
    let indicators = v.indicators(&raw.indicators);
    let mut years = BTreeMap::new();
    if let (Some(regions), Some(indicators)) = (&regions, &indicators) {
        let catalogue = Catalogue {
            units: regions,
            indicators,
        };
        // Years are independent until their histories are joined, in order.
        // Each year's documents are dropped as soon as its model is built:
        // with the model, they are what sets the peak memory of a build.
        let mut validated: BTreeMap<u16, (Option<Year>, Validator)> =
            std::mem::take(&mut raw.years)
                .into_par_iter()
                .map(|(year, raw_year)| {
                    let mut own = Validator {
                        diags: Diagnostics::new(),
                        history: v.history.for_a_year(),
                    };
                    let built = own.year(year, &raw_year, &catalogue);
                    (year, (built, own))
                })
                .collect();
        for &year in &raw_years {
            let Some((built, own)) = validated.remove(&year) else {
                if let Some(kept) = kept.get(&year) {
                    for warning in &kept.warnings {
                        v.diags.push(warning.clone());
                    }
                    v.history.resume(&kept.history);
                    years.insert(year, Arc::clone(&kept.year));
                    if record {
                        records.insert(year, kept.clone());
                    }
                }
                continue;
            };
            let clean = !own.diags.has_errors();
            let mut warnings: Vec<Diagnostic> = match record && clean {
                true => own.diags.iter().cloned().collect(),
                false => Vec::new(),
            };
            v.diags.extend(own.diags);
            for warning in v.history.absorb(own.history) {
                if record && clean {
                    warnings.push(warning.clone());
                }
                v.diags.push(warning);
            }
            if let Some(built) = built {
                let built = Arc::new(built);
                let history = (record && clean)
                    .then(|| v.history.year_state(year))
                    .flatten();
                if let Some(history) = history {
                    let year_model = Arc::clone(&built);
                    let kept = KeptYear {
                        year: year_model,
                        warnings: std::mem::take(&mut warnings),
                        history,
                    };
                    records.insert(year, kept);
                }
                years.insert(year, built);
            }
        }
    }
    if let (Some(units), Some(indicators)) = (&regions, &indicators) {
        for (year, warning) in v.history.warnings(units, indicators) {
            if let Some(record) = records.get_mut(&year) {
                record.warnings.push(warning.clone());
            }
            v.diags.push(warning);
        }
    }
    let progress = v.progress_published(&raw.site, &raw_years, &years);
    if let Some(site) = &mut site {
        site.progress_published = progress;
    }
    let pages = v.pages(&raw);
    let diags = v.diags.sorted();
    let result = match (site, regions, indicators) {
        (Some(site), Some(regions), Some(indicators)) if !diags.has_errors() => Ok((
            Project {
                root: raw.root,
                site,
                units: regions,
                indicators,
                years,
                pages,
            },
            diags,
        )),
        _ => Err(diags),
    };
    (result, records)
}

/// How many points a unit's self-assessed total may exceed the verified one
/// before the briefing copy lists it (site.yaml `self_assessment.threshold`).
pub const DEFAULT_SELF_ASSESSMENT_THRESHOLD: Decimal = Decimal::from_parts(5, 0, 0, false, 0);

struct Validator {
    diags: Diagnostics,
    history: History,
}

struct Catalogue<'a> {
    units: &'a [Unit],
    indicators: &'a [Indicator],
}

impl Catalogue<'_> {
    fn region(&self, id: &str) -> Option<usize> {
        self.units.iter().position(|r| r.id == id)
    }

    fn indicator(&self, id: &str) -> Option<usize> {
        self.indicators.iter().position(|i| i.id == id)
    }
}

pub fn is_slug(id: &str) -> bool {
    !id.is_empty()
        && id
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

/// What to write instead of an id that is not a slug.
fn slug_help(id: &str, example: &str) -> String {
    let slug: String = id
        .trim()
        .to_lowercase()
        .chars()
        .map(|c| if c == ' ' || c == '_' { '-' } else { c })
        .filter(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == '-')
        .collect();
    let example = if slug.is_empty() || slug == id {
        example
    } else {
        &slug
    };
    format!(
        "ids are lowercase letters, digits and `-` (they become URL segments), e.g. `{example}`"
    )
}

fn did_you_mean<'a>(
    word: &str,
    candidates: impl IntoIterator<Item = &'a str>,
    all: &str,
) -> String {
    match suggest(word, candidates) {
        Some(close) => format!("did you mean `{close}`?"),
        None => format!("known ids: {all}"),
    }
}

impl Validator {
    fn error<T>(
        &mut self,
        loaded: &Loaded<T>,
        at: Pos,
        message: impl Into<String>,
        help: Option<String>,
    ) {
        let mut d = Diagnostic::error(&loaded.file, at, message).with_source(loaded.text.clone());
        if let Some(help) = help {
            d = d.with_help(help);
        }
        self.diags.push(d);
    }

    fn warning<T>(&mut self, loaded: &Loaded<T>, at: Pos, message: impl Into<String>) {
        self.diags
            .push(Diagnostic::warning(&loaded.file, at, message).with_source(loaded.text.clone()));
    }

    fn missing(
        &mut self,
        file: impl AsRef<Path>,
        message: impl Into<String>,
        help: impl Into<String>,
    ) {
        self.diags
            .push(Diagnostic::error(file.as_ref(), Pos::FILE, message).with_help(help));
    }

    /// The loaded document, or `None` after reporting it missing (a broken one is already reported).
    fn required<'d, T>(
        &mut self,
        doc: &'d Doc<T>,
        file: &str,
        help: &str,
    ) -> Option<&'d Loaded<T>> {
        match doc {
            Doc::Ok(loaded) => Some(loaded),
            Doc::Missing => {
                self.missing(file, format!("{file} is missing"), help);
                None
            }
            Doc::Broken => None,
        }
    }

    fn non_empty<T>(&mut self, loaded: &Loaded<T>, text: &Spanned<String>, what: &str) -> String {
        let value = text.value.trim().to_string();
        if value.is_empty() {
            self.error(
                loaded,
                pos(text),
                format!("{what} is empty"),
                Some(format!("write the {what}")),
            );
        }
        value
    }

    fn year(&mut self, year: u16, raw: &RawYear, catalogue: &Catalogue<'_>) -> Option<Year> {
        let dir = format!("data/{year}");
        let errors_before = self.diags.error_count();
        let rules = match &raw.rules {
            Some(Doc::Ok(loaded)) => self.rules(year, loaded, catalogue),
            Some(Doc::Broken) => None,
            None | Some(Doc::Missing) => {
                self.missing(
                    format!("{dir}/rules.yaml"),
                    format!("the {year} rules (年度考核细则) are missing"),
                    "add rules.yaml with sections, indicators, tasks, bonus_cap and grades",
                );
                None
            }
        };
        let targets = match (&raw.targets, &rules) {
            (Some(Doc::Ok(loaded)), Some(rules)) => self.targets(year, loaded, rules, catalogue),
            (Some(Doc::Ok(_)), None) | (Some(Doc::Broken), _) => None,
            (None | Some(Doc::Missing), _) => {
                self.missing(
                    format!("{dir}/targets.yaml"),
                    format!("the {year} targets (目标责任书) are missing"),
                    "add targets.yaml with a default target for each indicator and per-unit overrides",
                );
                None
            }
        };
        let units = match (&raw.rules, &rules, &targets) {
            (Some(Doc::Ok(loaded)), Some(rules), Some(targets)) => {
                let mut rules = RulesFile {
                    loaded,
                    rules,
                    reported: Default::default(),
                };
                self.results(year, raw, &mut rules, targets, catalogue)
            }
            _ => None,
        };
        let targets_issued = match &raw.targets {
            Some(Doc::Ok(loaded)) => self.targets_issued(year, loaded),
            _ => None,
        };
        let bulletin = self.bulletin(year, raw);
        let narratives = self.narratives(raw, catalogue);
        let projects = self.projects(year, raw, catalogue);
        let progress = match &rules {
            Some(rules) => self.progress(year, raw, rules, catalogue),
            None => Vec::new(),
        };
        if self.diags.error_count() != errors_before {
            return None;
        }
        let (units, mut cards) = units?;
        // Ranked once here, so that scores share the cards (`score::score_year`).
        crate::score::rank(&mut cards);
        Some(Year {
            year,
            rules: rules?,
            targets_issued,
            units,
            cards: cards.into(),
            bulletin: bulletin?,
            narratives,
            projects,
            progress,
        })
    }

    fn check_year_field<T>(&mut self, loaded: &Loaded<T>, field: &Spanned<u16>, year: u16) {
        if field.value != year {
            self.error(
                loaded,
                pos(field),
                format!(
                    "year {} does not match the folder data/{year}/",
                    field.value
                ),
                Some(format!(
                    "write `year: {year}`, or move the file to data/{}/",
                    field.value
                )),
            );
        }
    }

    fn non_negative<T>(&mut self, loaded: &Loaded<T>, value: &Spanned<Dec>, what: &str) -> Decimal {
        let number = value.value.0;
        if number.is_sign_negative() && !number.is_zero() {
            self.error(
                loaded,
                pos(value),
                format!("{what} cannot be negative, found {number}"),
                Some(format!(
                    "write it as a positive number, e.g. {}; whether points are taken off or added is given by where it is written",
                    number.abs()
                )),
            );
        }
        number
    }

    fn in_range<T>(&mut self, loaded: &Loaded<T>, at: Pos, value: Decimal, indicator: &Indicator) {
        let (low, high) = indicator.range;
        if value < low || value > high {
            self.error(
                loaded,
                at,
                format!(
                    "{value} is outside the range of `{}` ({}), [{low}, {high}] {}",
                    indicator.id, indicator.name, indicator.unit
                ),
                Some(
                    "check the figure and its unit; the range is set in data/indicators.yaml"
                        .into(),
                ),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggestions_catch_typos_only() {
        let ids = ["pm25", "good_air_days", "forest_coverage"];
        assert_eq!(suggest("pm_25", ids), Some("pm25"));
        assert_eq!(suggest("good_air_day", ids), Some("good_air_days"));
        assert_eq!(suggest("water", ids), None);
    }

    #[test]
    fn slugs() {
        assert!(is_slug("changchun"));
        assert!(is_slug("a-1"));
        assert!(!is_slug("Changchun"));
        assert!(!is_slug("长春"));
        assert!(!is_slug(""));
        assert!(!is_slug("a/b"));
    }
}
