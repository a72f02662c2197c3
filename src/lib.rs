//! ecoscore: score a province's government eco-environment protection target
//! responsibility assessment (政府生态环境保护目标责任制考核) and publish it as a
//! static site.
//!
//! The pipeline runs one way: [`load`] reads files into located raw documents,
//! [`validate`] checks them and builds a [`model::Project`], [`score`] computes
//! every unit's [`score::Scorecard`], [`render`] turns project and scores into
//! pages in memory, and [`output`] is the only code that writes the site.
//! [`site::Site`] runs these stages for a check, a render or a build, and
//! copies the years [`archive`] holds into it unchanged; [`freeze`], above
//! the pipeline, archives a published year, verifies archives and exports them.

pub mod archive;
pub mod brief;
pub mod destination;
pub mod diagnostic;
pub mod digest;
pub mod documents;
// For the benchmarks, the fixture example and scale tests; not the library's API.
#[doc(hidden)]
pub mod fixture;
pub mod freeze;
pub mod funding;
pub mod init;
pub mod links;
pub mod load;
pub mod model;
pub mod open_data;
pub mod output;
pub mod paths;
pub mod pdf;
pub mod render;
pub mod score;
#[cfg(feature = "serve")]
pub mod serve;
pub mod sheets;
pub mod site;
pub mod stamp;
pub mod validate;

pub use diagnostic::{Diagnostic, Diagnostics};
pub use model::Project;
pub use site::{BuildSummary, Options, Site};

use std::path::Path;

use diagnostic::Pos;
use std::collections::BTreeMap;

/// The loader's diagnostics and validation's outcome as one: a project only
/// when neither found an error, every diagnostic sorted.
fn joined(
    mut diags: Diagnostics,
    validated: Result<(Project, Diagnostics), Diagnostics>,
) -> Result<(Project, Diagnostics), Diagnostics> {
    match validated {
        Ok((project, warnings)) if !diags.has_errors() => {
            diags.extend(warnings);
            Ok((project, diags.sorted()))
        }
        Ok((_, warnings)) | Err(warnings) => {
            diags.extend(warnings);
            Err(diags.sorted())
        }
    }
}

impl Project {
    /// Load and validate the project at `root`: `Ok` with any warnings, or
    /// every error found.
    pub fn load(root: &Path) -> Result<(Project, Diagnostics), Diagnostics> {
        Project::load_with(root, None)
    }

    /// [`Project::load`], parsing only the files whose text `cache` does
    /// not hold from the previous load (`serve` keeps one between rebuilds).
    pub fn load_with(
        root: &Path,
        cache: Option<&load::ParseCache>,
    ) -> Result<(Project, Diagnostics), Diagnostics> {
        let (raw, diags) = load::load_with(root, cache);
        joined(diags, validate::validate(raw))
    }

    /// [`Project::load_with`], taking the years in `kept` as validated
    /// before, their input unchanged since (the caller compares year keys,
    /// `site/incremental.rs`), where the loader can leave them unread
    /// (`load::load_keeping`). Returns beside the outcome the years the next
    /// load may keep: every year validated without a problem, or, when the
    /// load reported one, the kept years it used.
    pub fn load_keeping(
        root: &Path,
        cache: Option<&load::ParseCache>,
        mut kept: BTreeMap<u16, validate::KeptYear>,
    ) -> (
        Result<(Project, Diagnostics), Diagnostics>,
        BTreeMap<u16, validate::KeptYear>,
    ) {
        let keep = kept.keys().copied().collect();
        let (raw, diags, left_out) = load::load_keeping(root, cache, &keep);
        kept.retain(|year, _| left_out.contains(year));
        let (validated, records) = validate::validate_keeping(raw, &kept, true);
        // A problem the loader reported may have left a year's documents
        // out (a broken file, a file read twice) with no error of its own.
        let records = if diags.is_empty() { records } else { kept };
        (joined(diags, validated), records)
    }

    /// The year `number`, or the report that the project has no data for it,
    /// naming the years it has.
    pub fn year(&self, number: u16) -> Result<&model::Year, Diagnostic> {
        self.years.get(&number).map(|y| &**y).ok_or_else(|| {
            let known: Vec<String> = self.years.keys().map(u16::to_string).collect();
            let known = if known.is_empty() {
                "none".to_string()
            } else {
                known.join(", ")
            };
            Diagnostic::error(
                format!("data/{number}"),
                Pos::FILE,
                format!("there is no data for {number}"),
            )
            .with_help(format!("years in this project: {known}"))
        })
    }

    /// Years that go into the public site: published ones, and drafts on request.
    pub fn public_years(&self, include_drafts: bool) -> impl Iterator<Item = &model::Year> {
        self.years
            .values()
            .map(|y| &**y)
            .filter(move |y| include_drafts || y.is_published())
    }
}
