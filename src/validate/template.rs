//! One year's rules and targets without its results: what `ecoscore forms`
//! issues before any result exists, and what `import` checks filled forms
//! against.

use rust_decimal::Decimal;

use super::history::History;
use super::{Catalogue, Validator};
use crate::diagnostic::Diagnostics;
use crate::load::{Doc, RawProject};
use crate::model::{Indicator, Rules, Site, Unit};

/// One year's rules and targets, validated with the catalogue they refer to
/// but without the year's results: what `forms` issues before any result
/// exists, and what `import` reads the filled forms against.
#[derive(Debug)]
pub struct YearTemplate {
    pub site: Site,
    pub units: Vec<Unit>,
    pub indicators: Vec<Indicator>,
    pub year: u16,
    pub rules: Rules,
    /// Per region (regions.yaml order), one target per rule (`None`: n/a).
    pub targets: Vec<Vec<Option<Decimal>>>,
}

/// Validate what [`YearTemplate`] holds; the errors are those of its own
/// files only (site.yaml, regions, indicators, the year's rules and targets).
pub fn year_template(raw: &RawProject, year: u16) -> Result<YearTemplate, Diagnostics> {
    let mut v = Validator {
        diags: Diagnostics::new(),
        history: History::default(),
    };
    let site = v.site(&raw.site, &raw.root);
    let regions = v.regions(&raw.regions);
    let indicators = v.indicators(&raw.indicators);
    let template = match (site, regions, indicators, raw.years.get(&year)) {
        (Some(site), Some(regions), Some(indicators), Some(raw_year)) => {
            let catalogue = Catalogue {
                units: &regions,
                indicators: &indicators,
            };
            let rules = match &raw_year.rules {
                Some(Doc::Ok(loaded)) => v.rules(year, loaded, &catalogue),
                Some(Doc::Broken) => None,
                None | Some(Doc::Missing) => {
                    v.missing(
                        format!("data/{year}/rules.yaml"),
                        format!("the {year} rules (年度考核细则) are missing"),
                        "forms and import need the year's rules.yaml and targets.yaml",
                    );
                    None
                }
            };
            let targets = match (&raw_year.targets, &rules) {
                (Some(Doc::Ok(loaded)), Some(rules)) => v.targets(year, loaded, rules, &catalogue),
                (Some(Doc::Ok(_)), None) | (Some(Doc::Broken), _) => None,
                (None | Some(Doc::Missing), _) => {
                    v.missing(
                        format!("data/{year}/targets.yaml"),
                        format!("the {year} targets (目标责任书) are missing"),
                        "forms and import need the year's rules.yaml and targets.yaml",
                    );
                    None
                }
            };
            rules.zip(targets).map(|(rules, targets)| YearTemplate {
                site,
                units: regions,
                indicators,
                year,
                rules,
                targets,
            })
        }
        _ => None,
    };
    match template {
        Some(template) if !v.diags.has_errors() => Ok(template),
        _ => Err(v.diags.sorted()),
    }
}
