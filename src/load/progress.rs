//! Progress through the year (定期调度): `data/<year>/progress/<YYYY-MM>.yaml`,
//! each unit's year-to-date values of the monitored indicators at the end
//! of one month.

use std::path::Path;

use super::yaml::Spanned;
use rayon::prelude::*;
use serde::Deserialize;

use super::yaml::{Dec, IdMap};
use super::{into_doc, layout::unexpected, rel, RawYear, Reader, DATA};
use crate::diagnostic::Diagnostics;

/// One period's report: year-to-date values by unit id, then indicator id.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawProgress {
    /// `YYYY-MM`, the same as the file name.
    pub period: Spanned<String>,
    pub units: IdMap<IdMap<Dec>>,
}

impl Reader<'_> {
    /// `data/<dir>/progress/`: one file per period, read in parallel.
    pub(super) fn year_progress(&self, dir: &str, year: &mut RawYear, diags: &mut Diagnostics) {
        let folder = rel(&[DATA, dir, "progress"]);
        let mut files = Vec::new();
        for (name, is_dir) in self.entries(&folder, diags) {
            match name.strip_suffix(".yaml").filter(|_| !is_dir) {
                Some(period) => files.push((period.to_string(), folder.join(&name))),
                None => diags.push(unexpected(
                    folder.join(&name),
                    "progress/ holds one <YYYY-MM>.yaml file of year-to-date values per month",
                )),
            }
        }
        let parsed: Vec<_> = files
            .into_par_iter()
            .map(|(period, file)| {
                let result = self.yaml::<RawProgress>(Path::new(&file));
                (period, result)
            })
            .collect();
        for (period, result) in parsed {
            year.progress.insert(period, into_doc(result, diags));
        }
    }
}
