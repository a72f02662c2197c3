//! The catalogue every year is checked against: site.yaml, the assessed
//! units (data/regions.yaml) and the indicators (data/indicators.yaml).

use std::collections::BTreeMap;
use std::path::Path;

use super::{address, is_slug, slug_help, Validator};
use crate::diagnostic::Pos;
use crate::load::raw::{RawIndicators, RawRegions, RawSite};
use crate::load::yaml::{pos, Dec};
use crate::load::{Doc, THEMES};
use crate::model::{Indicator, Site, Unit};

impl Validator {
    pub(super) fn site(&mut self, doc: &Doc<RawSite>, root: &Path) -> Option<Site> {
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
        if !is_slug(&theme) || !root.join(THEMES).join(&theme).is_dir() {
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
        let self_assessment_threshold = match &raw.self_assessment.threshold {
            Some(threshold) => {
                let points = threshold.value.0;
                if points.is_sign_negative() && !points.is_zero() {
                    self.error(
                        loaded,
                        pos(threshold),
                        format!("self_assessment.threshold cannot be negative, found {points}"),
                        Some("write how many points a unit's self-assessed total may exceed the verified total before the briefing copy lists it, e.g. 5".into()),
                    );
                }
                points
            }
            None => super::DEFAULT_SELF_ASSESSMENT_THRESHOLD,
        };
        let report_issuers = if raw.report.issuers.is_empty() {
            vec![publisher.clone()]
        } else {
            raw.report.issuers.clone()
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
            self_assessment_public: raw.self_assessment.public,
            self_assessment_threshold,
            province: raw
                .province
                .as_ref()
                .map(|p| self.non_empty(loaded, p, "province")),
            report_issuers,
            report_recipient: raw.report.recipient.clone(),
            report_signers: raw.report.signers.clone(),
            measures_public: raw.measures_public,
            // Checked once the years are read (`progress_published`).
            progress_published: Vec::new(),
        })
    }

    /// `progress.publish` in site.yaml: each year must be in data/ with
    /// progress files; the valid ones, in year order, without repeats.
    pub(super) fn progress_published(
        &mut self,
        doc: &Doc<RawSite>,
        raw_years: &[u16],
        years: &BTreeMap<u16, std::sync::Arc<crate::model::Year>>,
    ) -> Vec<u16> {
        let Some(loaded) = doc.ok() else {
            return Vec::new();
        };
        let with_progress: Vec<String> = years
            .values()
            .filter(|y| !y.progress.is_empty())
            .map(|y| y.year.to_string())
            .collect();
        let known = if with_progress.is_empty() {
            "no year has progress files (data/<year>/progress/<year>-<month>.yaml)".to_string()
        } else {
            format!("years with progress files: {}", with_progress.join(", "))
        };
        let mut out: Vec<u16> = Vec::new();
        for entry in &loaded.doc.progress.publish {
            let year = entry.value;
            if out.contains(&year) {
                self.error(
                    loaded,
                    pos(entry),
                    format!("progress.publish lists {year} twice"),
                    Some("list each year once".into()),
                );
                continue;
            }
            let problem = if !raw_years.contains(&year) {
                Some(format!(
                    "progress.publish lists {year}, but there is no data/{year}/ folder"
                ))
            } else {
                match years.get(&year) {
                    // Its own errors are reported at its files.
                    None => None,
                    Some(y) if y.progress.is_empty() => Some(format!(
                        "progress.publish lists {year}, but data/{year}/progress/ has no progress file"
                    )),
                    Some(_) => {
                        out.push(year);
                        None
                    }
                }
            };
            if let Some(problem) = problem {
                let help = match crate::diagnostic::suggest(
                    &year.to_string(),
                    with_progress.iter().map(String::as_str),
                ) {
                    Some(close) if close != year.to_string() => {
                        format!("did you mean {close}? ({known})")
                    }
                    _ => format!("list years that have progress files ({known})"),
                };
                self.error(loaded, pos(entry), problem, Some(help));
            }
        }
        out.sort_unstable();
        out
    }

    pub(super) fn regions(&mut self, doc: &Doc<RawRegions>) -> Option<Vec<Unit>> {
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
            regions.push(Unit {
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

    pub(super) fn indicators(&mut self, doc: &Doc<RawIndicators>) -> Option<Vec<Indicator>> {
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
}
