//! The project library (重点工程项目库): `data/<year>/projects/<unit id>.yaml`,
//! each unit's key projects as written, read beside its results.

use std::path::Path;

use super::yaml::Spanned;
use rayon::prelude::*;
use serde::Deserialize;

use super::yaml::{Date, Dec};
use super::{into_doc, layout::unexpected, rel, RawYear, Reader, DATA};
use crate::diagnostic::Diagnostics;

type S<T> = Spanned<T>;

/// One unit's projects for one year.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawProjects {
    pub year: S<u16>,
    #[serde(default)]
    pub projects: Vec<S<RawProjectEntry>>,
}

/// One key project. Programme and status are checked against their fixed
/// lists by validation, so a misspelling is reported with a suggestion.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawProjectEntry {
    pub id: S<String>,
    pub name: S<String>,
    pub programme: S<String>,
    /// 计划投资, 万元.
    pub planned_investment: S<Dec>,
    /// 完成投资, 万元.
    pub completed_investment: S<Dec>,
    /// 开工日期; absent while the project has not started.
    #[serde(default)]
    pub start: Option<S<Date>>,
    pub planned_completion: S<Date>,
    #[serde(default)]
    pub actual_completion: Option<S<Date>>,
    pub status: S<String>,
    #[serde(default)]
    pub delay_reason: Option<S<String>>,
}

impl Reader<'_> {
    /// `data/<dir>/projects/`: one file per unit, read in parallel.
    pub(super) fn year_projects(&self, dir: &str, year: &mut RawYear, diags: &mut Diagnostics) {
        let folder = rel(&[DATA, dir, "projects"]);
        let mut files = Vec::new();
        for (name, is_dir) in self.entries(&folder, diags) {
            match name.strip_suffix(".yaml").filter(|_| !is_dir) {
                Some(id) => files.push((id.to_string(), folder.join(&name))),
                None => diags.push(unexpected(
                    folder.join(&name),
                    "projects/ holds one <unit id>.yaml file of key projects per unit",
                )),
            }
        }
        let parsed: Vec<_> = files
            .into_par_iter()
            .map(|(id, file)| {
                let result = self.yaml::<RawProjects>(Path::new(&file));
                (id, result)
            })
            .collect();
        for (id, result) in parsed {
            year.projects.insert(id, into_doc(result, diags));
        }
    }
}
