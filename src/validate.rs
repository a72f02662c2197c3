//! Stage 2, validate: check that the loaded documents agree with each other
//! and with the rules, and build the typed [`Project`].
//!
//! Every check runs and reports; a `Project` exists only when no error was
//! found, so nothing half-valid is ever scored.

use std::collections::BTreeMap;
use std::path::Path;

use rayon::prelude::*;
use rust_decimal::Decimal;
use serde_saphyr::Spanned;

mod address;
mod figures;
mod history;
mod scoring;

pub use crate::diagnostic::suggest;
use crate::diagnostic::{Diagnostic, Diagnostics, Pos};
use crate::load::raw::*;
use crate::load::yaml::{key_line, key_pos, pos, Dec, Figure, IdMap};
use crate::load::{Doc, Loaded, Markdown, RawProject, RawYear};
use crate::model::*;
use crate::score::Scorecard;
use history::{History, ResultFigures, TargetFrom};
use scoring::RulesFile;

/// Build the project, or return every error found. Warnings come back with
/// the project.
pub fn validate(mut raw: RawProject) -> Result<(Project, Diagnostics), Diagnostics> {
    let mut v = Validator {
        diags: Diagnostics::new(),
        history: History::default(),
    };
    let site = v.site(&raw.site, &raw.root);
    let regions = v.regions(&raw.regions);
    let indicators = v.indicators(&raw.indicators);
    let mut years = BTreeMap::new();
    if let (Some(regions), Some(indicators)) = (&regions, &indicators) {
        let catalogue = Catalogue {
            regions,
            indicators,
        };
        // Years are independent until their histories are joined, in order.
        // Each year's documents are dropped as soon as its model is built:
        // with the model, they are what sets the peak memory of a build.
        let validated: Vec<(u16, Option<Year>, Validator)> = std::mem::take(&mut raw.years)
            .into_par_iter()
            .map(|(year, raw_year)| {
                let mut own = Validator {
                    diags: Diagnostics::new(),
                    history: v.history.for_a_year(),
                };
                let built = own.year(year, &raw_year, &catalogue);
                (year, built, own)
            })
            .collect();
        for (year, built, own) in validated {
            v.diags.extend(own.diags);
            for warning in v.history.absorb(own.history) {
                v.diags.push(warning);
            }
            if let Some(built) = built {
                years.insert(year, built);
            }
        }
    }
    for warning in v.history.warnings() {
        v.diags.push(warning);
    }
    let pages = v.pages(&raw);
    let diags = v.diags.sorted();
    match (site, regions, indicators) {
        (Some(site), Some(regions), Some(indicators)) if !diags.has_errors() => Ok((
            Project {
                root: raw.root,
                site,
                regions,
                indicators,
                years,
                pages,
            },
            diags,
        )),
        _ => Err(diags),
    }
}

struct Validator {
    diags: Diagnostics,
    history: History,
}

struct Catalogue<'a> {
    regions: &'a [Region],
    indicators: &'a [Indicator],
}

impl Catalogue<'_> {
    fn region(&self, id: &str) -> Option<usize> {
        self.regions.iter().position(|r| r.id == id)
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

/// Targets by rule indicator index: the target (`None` for n/a) and where it is written.
type TargetMap = BTreeMap<usize, (Option<Decimal>, Pos)>;

fn sum(values: impl IntoIterator<Item = Decimal>) -> Decimal {
    values.into_iter().fold(Decimal::ZERO, |a, b| a + b)
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

    fn site(&mut self, doc: &Doc<RawSite>, root: &Path) -> Option<Site> {
        let loaded = self.required(doc, "site.yaml", "every project has a site.yaml with at least title, publisher and base_url (see docs/data-format.md)")?;
        let raw = &loaded.doc;
        let title = self.non_empty(loaded, &raw.title, "title");
        let publisher = self.non_empty(loaded, &raw.publisher, "publisher");
        let base_url = address::base_url(&raw.base_url.value).unwrap_or_else(|problem| {
            self.error(
                loaded,
                pos(&raw.base_url),
                format!(
                    "base_url `{}` is not an absolute http(s) address: {problem}",
                    raw.base_url.value.trim()
                ),
                Some("write the address the site is published at, e.g. https://sthjt.jl.gov.cn/kaohe/".into()),
            );
            String::new()
        });
        let theme = raw.theme.value.clone();
        if !is_slug(&theme) || !root.join("themes").join(&theme).is_dir() {
            self.error(
                loaded,
                pos(&raw.theme),
                format!("theme `{theme}` not found: there is no themes/{theme}/ folder"),
                Some("use `default` or the name of a folder under themes/".into()),
            );
        }
        if let Some(code) = &raw.site_id_code {
            if !code.value.bytes().all(|b| b.is_ascii_digit()) || code.value.is_empty() {
                self.error(
                    loaded,
                    pos(code),
                    format!(
                        "site_id_code `{}` must be digits (网站标识码), quoted",
                        code.value
                    ),
                    Some("write it as a quoted string, e.g. site_id_code: \"2200000000\"".into()),
                );
            }
        }
        let briefing_office = match &raw.briefing.office {
            Some(office) => self.non_empty(loaded, office, "briefing.office"),
            None => publisher.clone(),
        };
        Some(Site {
            title,
            publisher,
            base_url,
            language: raw.language.clone(),
            theme,
            site_id_code: raw.site_id_code.as_ref().map(|c| c.value.clone()),
            icp: raw.icp.clone(),
            contact: raw.contact.clone(),
            description: raw.description.clone(),
            sample_data: raw.sample_data,
            briefing_recipients: raw.briefing.recipients.clone(),
            briefing_office,
        })
    }

    fn regions(&mut self, doc: &Doc<RawRegions>) -> Option<Vec<Region>> {
        let loaded = self.required(
            doc,
            "data/regions.yaml",
            "list the assessed units under `regions:` (see docs/data-format.md)",
        )?;
        let mut regions = Vec::new();
        let mut seen: BTreeMap<String, Pos> = BTreeMap::new();
        // A wrong name or code leaves the list usable, so the years are still
        // checked against it (and their problems reported in the same run);
        // a wrong id does not.
        let mut usable = true;
        for entry in &loaded.doc.regions {
            let raw = &entry.value;
            let id = raw.id.value.clone();
            if !is_slug(&id) {
                usable = false;
                self.error(
                    loaded,
                    pos(&raw.id),
                    format!("region id `{id}` is not a slug"),
                    Some(slug_help(&id, "changchun")),
                );
            }
            if let Some(first) = seen.insert(id.clone(), pos(&raw.id)) {
                usable = false;
                self.error(
                    loaded,
                    pos(&raw.id),
                    format!(
                        "duplicate region id `{id}`, first used on line {}",
                        first.line
                    ),
                    Some("every assessed unit needs its own id".into()),
                );
            }
            let name = self.non_empty(loaded, &raw.name, "region name");
            if let Some(code) = &raw.code {
                if code.value.len() != 6 || !code.value.bytes().all(|b| b.is_ascii_digit()) {
                    self.error(
                        loaded,
                        pos(code),
                        format!("code `{}` is not a six-digit GB/T 2260 code", code.value),
                        Some("write it quoted, e.g. code: \"220100\", or leave it out".into()),
                    );
                }
            }
            regions.push(Region {
                id,
                name,
                kind: raw.kind,
                code: raw.code.as_ref().map(|c| c.value.clone()),
            });
        }
        if regions.is_empty() {
            self.error(
                loaded,
                Pos::new(1, 1),
                "no assessed units are listed",
                Some("add at least one entry under `regions:`".into()),
            );
        }
        (usable && !regions.is_empty()).then_some(regions)
    }

    fn indicators(&mut self, doc: &Doc<RawIndicators>) -> Option<Vec<Indicator>> {
        let loaded = self.required(
            doc,
            "data/indicators.yaml",
            "list the indicator catalogue under `indicators:` (see docs/data-format.md)",
        )?;
        // A wrong name leaves the catalogue usable, so the years are still
        // checked against it; a wrong id or range does not.
        let mut usable = true;
        let mut seen: BTreeMap<String, Pos> = BTreeMap::new();
        let mut indicators = Vec::new();
        for entry in &loaded.doc.indicators {
            let raw = &entry.value;
            let id = raw.id.value.clone();
            if !is_slug(&id.replace('_', "-")) {
                usable = false;
                self.error(
                    loaded,
                    pos(&raw.id),
                    format!("indicator id `{id}` is not a valid id"),
                    Some(format!(
                        "{} (`_` is allowed in indicator ids)",
                        slug_help(&id, "good_air_days")
                    )),
                );
            }
            if let Some(first) = seen.insert(id.clone(), pos(&raw.id)) {
                usable = false;
                self.error(
                    loaded,
                    pos(&raw.id),
                    format!(
                        "duplicate indicator id `{id}`, first used on line {}",
                        first.line
                    ),
                    None,
                );
            }
            let name = self.non_empty(loaded, &raw.name, "indicator name");
            let [Dec(low), Dec(high)] = raw.range.value;
            if low >= high {
                usable = false;
                self.error(
                    loaded,
                    pos(&raw.range),
                    format!("range [{low}, {high}] is empty"),
                    Some(
                        "write [lowest possible value, highest possible value], e.g. [0, 100]"
                            .into(),
                    ),
                );
            }
            if raw.fixed_target {
                self.history.fixed_target(&id);
            }
            indicators.push(Indicator {
                id,
                name,
                category: raw.category,
                unit: raw.unit.clone(),
                better: raw.better,
                range: (low, high),
            });
        }
        usable.then_some(indicators)
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
        let bulletin = self.bulletin(year, raw);
        let mut narratives = BTreeMap::new();
        for (id, loaded) in &raw.narratives {
            if catalogue.region(id).is_none() {
                let ids: Vec<&str> = catalogue.regions.iter().map(|r| r.id.as_str()).collect();
                self.error(
                    loaded,
                    Pos::FILE,
                    format!("narrative for unknown unit `{id}`"),
                    Some(format!(
                        "name the file after a unit id in data/regions.yaml; {}",
                        did_you_mean(id, ids.iter().copied(), &ids.join(", "))
                    )),
                );
            }
            narratives.insert(
                id.clone(),
                Narrative {
                    file: loaded.file.clone(),
                    markdown: loaded.doc.clone(),
                },
            );
        }
        if self.diags.error_count() != errors_before {
            return None;
        }
        let (units, cards) = units?;
        Some(Year {
            year,
            rules: rules?,
            units,
            cards,
            bulletin: bulletin?,
            narratives,
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

    fn rules(
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
        (!unknown_entry && !unknown_category).then_some(Rules {
            sections,
            indicators,
            tasks,
            bonus_cap,
            grades,
        })
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

    /// Targets per unit (by region index), one per rule indicator.
    fn targets(
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
        let region_ids: Vec<&str> = catalogue.regions.iter().map(|r| r.id.as_str()).collect();
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
        for (region_index, region) in catalogue.regions.iter().enumerate() {
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
                            self.history
                                .target(loaded, region, indicator, year, value, at, from);
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
                .map(|&r| {
                    format!(
                        "{} ({})",
                        catalogue.regions[r].name, catalogue.regions[r].id
                    )
                })
                .collect();
            let (at, whom, help) = match regions.as_slice() {
                [only] if regions.len() < catalogue.regions.len() => (
                    overrides.get(only).map(|(p, _)| *p).or(default_key).unwrap_or(Pos::FILE),
                    names[0].clone(),
                    format!(
                        "add `{id}: <target>` under `regions: {}:` or under `default:`; write n/a if it does not apply",
                        catalogue.regions[*only].id
                    ),
                ),
                _ if regions.len() == catalogue.regions.len() => (
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

    fn results(
        &mut self,
        year: u16,
        raw_year: &RawYear,
        rules: &mut RulesFile<'_>,
        targets: &[Vec<Option<Decimal>>],
        catalogue: &Catalogue<'_>,
    ) -> Option<(Vec<UnitResult>, Vec<Scorecard>)> {
        let errors_before = self.diags.error_count();
        let region_ids: Vec<&str> = catalogue.regions.iter().map(|r| r.id.as_str()).collect();
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
        for (region_index, region) in catalogue.regions.iter().enumerate() {
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
        let region = &catalogue.regions[region_index];
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
        let mut given: Vec<Option<crate::load::yaml::Measurement>> = vec![None; ruled.len()];
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
            internal: raw.internal.clone(),
        })
    }

    fn bulletin(&mut self, year: u16, raw: &RawYear) -> Option<Bulletin> {
        let loaded = match &raw.bulletin {
            Some(Doc::Ok(loaded)) => loaded,
            Some(Doc::Broken) => return None,
            None | Some(Doc::Missing) => {
                self.missing(
                    format!("content/{year}/bulletin.md"),
                    format!("the {year} bulletin (通报) is missing"),
                    "add content/<year>/bulletin.md with front matter title, doc_number, issuer, date and status",
                );
                return None;
            }
        };
        let meta = &loaded.doc.meta;
        let title = self.non_empty(loaded, &meta.title, "title");
        let doc_number = self.non_empty(loaded, &meta.doc_number, "doc_number");
        let issuer = self.non_empty(loaded, &meta.issuer, "issuer");
        let date = meta.date.value;
        if date.year <= year {
            self.warning(
                loaded,
                pos(&meta.date),
                format!("the bulletin is dated {date}, before the assessed year {year} ended"),
            );
        }
        let briefing = self.briefing_meta(loaded, date);
        Some(Bulletin {
            file: loaded.file.clone(),
            title,
            doc_number,
            issuer,
            date,
            status: meta.status,
            briefing,
            body: loaded.doc.body.clone(),
            body_line: loaded.doc.body_line,
        })
    }

    /// The bulletin's `briefing:` front matter: 印发日期 (default: the
    /// bulletin's date), 份号 and 密级.
    fn briefing_meta(
        &mut self,
        loaded: &Loaded<Markdown<RawBulletinMeta>>,
        date: Date,
    ) -> BriefingMeta {
        let Some(raw) = &loaded.doc.meta.briefing else {
            return BriefingMeta {
                printed: date,
                copy_number: None,
                classification: None,
            };
        };
        let printed = raw.printed.as_ref().map_or(date, |p| p.value);
        if let Some(at) = &raw.printed {
            if printed < date {
                self.error(
                    loaded,
                    pos(at),
                    format!("briefing.printed {printed} is before the bulletin's date {date}"),
                    Some("印发日期 is the day the document was printed, on or after its date (成文日期)".into()),
                );
            }
        }
        let copy_number = raw.copy_number.as_ref().map(|n| {
            let digits = n.value.trim();
            if digits.is_empty() || digits.len() > 6 || !digits.bytes().all(|b| b.is_ascii_digit())
            {
                self.error(
                    loaded,
                    pos(n),
                    format!("briefing.copy_number `{digits}` is not a copy number (份号)"),
                    Some("write one to six digits, quoted, e.g. copy_number: \"000001\"".into()),
                );
            }
            format!("{digits:0>6}")
        });
        let classification = raw
            .classification
            .as_ref()
            .map(|c| self.non_empty(loaded, c, "briefing.classification"));
        BriefingMeta {
            printed,
            copy_number,
            classification,
        }
    }

    fn pages(&mut self, raw: &RawProject) -> Vec<Page> {
        let mut pages = Vec::new();
        for (slug, loaded) in &raw.pages {
            if !is_slug(slug) {
                self.error(
                    loaded,
                    Pos::FILE,
                    format!("page file name `{slug}.md` is not a slug"),
                    Some("name pages with lowercase letters, digits and `-`, e.g. about.md".into()),
                );
            }
            pages.push(Page {
                slug: slug.clone(),
                file: loaded.file.clone(),
                title: loaded.doc.meta.title.clone(),
                markdown: loaded.doc.body.clone(),
                body_line: loaded.doc.body_line,
            });
        }
        pages
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
