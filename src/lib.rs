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
        let (raw, mut diags) = load::load_with(root, cache);
        match validate::validate(raw) {
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

    /// The year `number`, or the report that the project has no data for it,
    /// naming the years it has.
    pub fn year(&self, number: u16) -> Result<&model::Year, Diagnostic> {
        self.years.get(&number).ok_or_else(|| {
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
            .filter(move |y| include_drafts || y.is_published())
    }
}
