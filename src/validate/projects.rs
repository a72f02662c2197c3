//! The project library (data/<year>/projects/<unit id>.yaml): each key
//! project's programme and status from their fixed lists, investments as
//! exact non-negative 万元, and its dates in order.

use std::collections::BTreeMap;

use crate::load::yaml::Spanned;
use rust_decimal::Decimal;

use super::{did_you_mean, is_slug, slug_help, Catalogue, Validator};
use crate::diagnostic::Pos;
use crate::load::projects::{RawProjectEntry, RawProjects};
use crate::load::yaml::{pos, Dec};
use crate::load::{Doc, Loaded, RawYear};
use crate::model::{KeyProject, PROGRAMMES, PROJECT_STATUSES};

impl Validator {
    /// Every unit's projects, by region index (empty without a file).
    pub(super) fn projects(
        &mut self,
        year: u16,
        raw: &RawYear,
        catalogue: &Catalogue<'_>,
    ) -> Vec<Vec<KeyProject>> {
        let region_ids: Vec<&str> = catalogue.units.iter().map(|r| r.id.as_str()).collect();
        let mut by_region = vec![Vec::new(); catalogue.units.len()];
        // Project ids are unique within a year: they name rows of projects.csv.
        let mut seen: BTreeMap<String, String> = BTreeMap::new();
        for (id, doc) in &raw.projects {
            let Doc::Ok(loaded) = doc else { continue };
            let Some(region) = catalogue.region(id) else {
                self.error(
                    loaded,
                    Pos::FILE,
                    format!("projects for unknown unit `{id}`"),
                    Some(format!(
                        "name the file after a unit id in data/regions.yaml; {}",
                        did_you_mean(id, region_ids.iter().copied(), &region_ids.join(", "))
                    )),
                );
                continue;
            };
            self.check_year_field(loaded, &loaded.doc.year, year);
            for entry in &loaded.doc.projects {
                let at = format!("{}:{}", loaded.file.display(), pos(&entry.value.id).line);
                if let Some(project) = self.project(year, loaded, &entry.value) {
                    if let Some(first) = seen.insert(project.id.clone(), at) {
                        self.error(
                            loaded,
                            pos(&entry.value.id),
                            format!("project id `{}` is used twice in {year}", project.id),
                            Some(format!(
                                "it is already used in {first}; give each project its own id"
                            )),
                        );
                    }
                    by_region[region].push(project);
                }
            }
        }
        by_region
    }

    /// An investment in 万元: never negative.
    fn investment(
        &mut self,
        loaded: &Loaded<RawProjects>,
        value: &Spanned<Dec>,
        key: &str,
    ) -> Decimal {
        let number = value.value.0;
        if number.is_sign_negative() && !number.is_zero() {
            self.error(
                loaded,
                pos(value),
                format!("{key} cannot be negative, found {number} 万元"),
                Some(format!(
                    "an investment is written in 万元 as 0 or more, e.g. `{key}: {}`",
                    number.abs()
                )),
            );
        }
        number
    }

    fn project(
        &mut self,
        year: u16,
        loaded: &Loaded<RawProjects>,
        raw: &RawProjectEntry,
    ) -> Option<KeyProject> {
        let errors_before = self.diags.error_count();
        let id = raw.id.value.trim().to_string();
        if !is_slug(&id) {
            self.error(
                loaded,
                pos(&raw.id),
                format!("project id `{id}` is not a slug"),
                Some(slug_help(&id, "cc-2024-01")),
            );
        }
        let name = self.non_empty(loaded, &raw.name, "project name");
        let programme = PROGRAMMES
            .iter()
            .position(|p| *p == raw.programme.value.trim());
        if programme.is_none() {
            self.error(
                loaded,
                pos(&raw.programme),
                format!("unknown programme `{}`", raw.programme.value),
                Some(did_you_mean(
                    raw.programme.value.trim(),
                    PROGRAMMES,
                    &format!(
                        "{} (the eight programmes of the plan)",
                        PROGRAMMES.join("、")
                    ),
                )),
            );
        }
        let status = PROJECT_STATUSES
            .iter()
            .position(|s| *s == raw.status.value.trim());
        if status.is_none() {
            self.error(
                loaded,
                pos(&raw.status),
                format!("unknown status `{}`", raw.status.value),
                Some(did_you_mean(
                    raw.status.value.trim(),
                    PROJECT_STATUSES,
                    &PROJECT_STATUSES.join("、"),
                )),
            );
        }
        let planned = self.investment(loaded, &raw.planned_investment, "planned_investment");
        let completed = self.investment(loaded, &raw.completed_investment, "completed_investment");
        if completed > planned && !planned.is_sign_negative() {
            self.warning(
                loaded,
                pos(&raw.completed_investment),
                format!(
                    "completed investment {completed} 万元 is more than the planned {planned} 万元"
                ),
            );
        }
        let start = raw.start.as_ref().map(|d| d.value);
        let planned_completion = raw.planned_completion.value;
        let actual_completion = raw.actual_completion.as_ref().map(|d| d.value);
        if let Some(start_at) = &raw.start {
            if planned_completion < start_at.value {
                self.error(
                    loaded,
                    pos(&raw.planned_completion),
                    format!(
                        "planned completion {planned_completion} is before the start {}",
                        start_at.value
                    ),
                    Some("a project is planned to finish on or after the day it starts".into()),
                );
            }
            if let Some(actual) = &raw.actual_completion {
                if actual.value < start_at.value {
                    self.error(
                        loaded,
                        pos(actual),
                        format!(
                            "actual completion {} is before the start {}",
                            actual.value, start_at.value
                        ),
                        Some("a project finishes on or after the day it starts".into()),
                    );
                }
            }
        }
        if let Some(actual) = &raw.actual_completion {
            if actual.value.year > year {
                self.error(
                    loaded,
                    pos(actual),
                    format!(
                        "actual completion {} is after the assessed year {year}",
                        actual.value
                    ),
                    Some(format!("data/{year}/ reports what was done by the end of {year}; list the completion in a later year's file")),
                );
            }
        }
        let label = status.map(|s| PROJECT_STATUSES[s]);
        match (label, &raw.actual_completion, &raw.start) {
            (Some("完工"), None, _) => self.error(
                loaded,
                pos(&raw.status),
                "a completed project (完工) has no actual_completion date",
                Some("add `actual_completion: YYYY-MM-DD`".into()),
            ),
            (Some(s @ ("未开工" | "在建" | "延期")), Some(actual), _) => self.error(
                loaded,
                pos(actual),
                format!("a project that is {s} has an actual_completion date"),
                Some("set `status: 完工`, or remove actual_completion".into()),
            ),
            (Some("未开工"), None, Some(start_at)) => self.error(
                loaded,
                pos(start_at),
                "a project that has not started (未开工) has a start date",
                Some("set `status: 在建`, or remove start".into()),
            ),
            (Some("在建" | "完工" | "延期"), _, None) => self.error(
                loaded,
                pos(&raw.status),
                format!(
                    "a project that is {} has no start date",
                    label.unwrap_or_default()
                ),
                Some("add `start: YYYY-MM-DD` (开工日期)".into()),
            ),
            _ => {}
        }
        let delay_reason = raw
            .delay_reason
            .as_ref()
            .map(|r| r.value.trim().to_string())
            .filter(|r| !r.is_empty());
        if label == Some("延期") && delay_reason.is_none() {
            self.error(
                loaded,
                pos(&raw.status),
                "a delayed project (延期) gives no delay_reason",
                Some("add `delay_reason:` saying why it is late and what is done about it".into()),
            );
        }
        if self.diags.error_count() != errors_before {
            return None;
        }
        Some(KeyProject {
            id,
            name,
            programme: programme?,
            planned,
            completed,
            start,
            planned_completion,
            actual_completion,
            status: status?,
            delay_reason,
        })
    }
}
