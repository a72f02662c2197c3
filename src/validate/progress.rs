//! Progress reports (data/<year>/progress/<YYYY-MM>.yaml): a month of the
//! year in the file name and its `period`, units from data/regions.yaml,
//! indicators assessed in the year's rules, values in their range.

use super::{did_you_mean, Catalogue, Validator};
use crate::diagnostic::{Diagnostic, Pos};
use crate::load::yaml::pos;
use crate::load::{Doc, RawYear};
use crate::model::{ProgressReport, Rules};

/// The month of a `YYYY-MM` period of `year`.
fn month_of(period: &str, year: u16) -> Option<u8> {
    let (y, m) = period.split_once('-')?;
    if y.len() != 4 || m.len() != 2 || y.parse::<u16>().ok()? != year {
        return None;
    }
    m.parse::<u8>().ok().filter(|m| (1..=12).contains(m))
}

impl Validator {
    /// Every progress report of the year, by month.
    pub(super) fn progress(
        &mut self,
        year: u16,
        raw: &RawYear,
        rules: &Rules,
        catalogue: &Catalogue<'_>,
    ) -> Vec<ProgressReport> {
        let region_ids: Vec<&str> = catalogue.units.iter().map(|r| r.id.as_str()).collect();
        let ruled: Vec<&str> = rules
            .indicators
            .iter()
            .map(|r| catalogue.indicators[r.indicator].id.as_str())
            .collect();
        let mut reports = Vec::new();
        for (period, doc) in &raw.progress {
            let Doc::Ok(loaded) = doc else { continue };
            let Some(month) = month_of(period, year) else {
                self.diags.push(
                    Diagnostic::error(
                        &loaded.file,
                        Pos::FILE,
                        format!("`{period}` is not a month of {year}"),
                    )
                    .with_help(format!(
                        "name a progress file after the month its year-to-date values run to, e.g. data/{year}/progress/{year}-06.yaml"
                    )),
                );
                continue;
            };
            let doc = &loaded.doc;
            if doc.period.value.trim() != period {
                self.error(
                    loaded,
                    pos(&doc.period),
                    format!(
                        "period {} does not match the file name {period}.yaml",
                        doc.period.value
                    ),
                    Some(format!("write `period: {period}`, or rename the file")),
                );
            }
            let mut values = vec![vec![None; ruled.len()]; catalogue.units.len()];
            for (unit, map) in &doc.units.0 {
                let Some(region) = catalogue.region(&unit.value) else {
                    self.error(
                        loaded,
                        pos(unit),
                        format!("unknown unit `{}`", unit.value),
                        Some(did_you_mean(
                            &unit.value,
                            region_ids.iter().copied(),
                            &region_ids.join(", "),
                        )),
                    );
                    continue;
                };
                for (key, value) in &map.value.0 {
                    let Some(rule) = ruled.iter().position(|id| *id == key.value) else {
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
                    let indicator = &catalogue.indicators[rules.indicators[rule].indicator];
                    self.in_range(loaded, pos(value), value.value.0, indicator);
                    values[region][rule] = Some(value.value.0);
                }
            }
            reports.push(ProgressReport { month, values });
        }
        reports.sort_by_key(|r| r.month);
        reports
    }
}

#[cfg(test)]
mod tests {
    use super::month_of;

    #[test]
    fn periods_are_months_of_the_year() {
        assert_eq!(month_of("2025-06", 2025), Some(6));
        assert_eq!(month_of("2025-12", 2025), Some(12));
        assert_eq!(month_of("2025-13", 2025), None);
        assert_eq!(month_of("2025-00", 2025), None);
        assert_eq!(month_of("2024-06", 2025), None);
        assert_eq!(month_of("2025-6", 2025), None);
        assert_eq!(month_of("2025", 2025), None);
    }
}
