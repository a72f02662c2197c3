//! ecoscore: score a province's government eco-environment protection target
//! responsibility assessment (政府生态环境保护目标责任制考核) and publish it as a
//! static site.
//!
//! The pipeline runs one way: [`load`] reads files into located raw documents,
//! [`validate`] checks them and builds a [`model::Project`], [`score`] computes
//! every unit's [`score::Scorecard`], [`render`] turns project and scores into
//! pages in memory, and [`output`] is the only code that writes the site.
//! [`archive`] freezes a published year and brings it back, unchanged, into
//! every later build.

pub mod archive;
pub mod brief;
pub mod diagnostic;
pub mod export;
pub mod fixture;
pub mod init;
pub mod links;
pub mod load;
pub mod model;
pub mod output;
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
pub use site::{BuildOptions, BuildSummary};

use std::path::Path;

impl Project {
    /// Load and validate the project at `root`: `Ok` with any warnings, or
    /// every error found.
    pub fn load(root: &Path) -> Result<(Project, Diagnostics), Diagnostics> {
        let (raw, mut diags) = load::load(root);
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

    /// Years that go into the public site: published ones, and drafts on request.
    pub fn public_years(&self, include_drafts: bool) -> impl Iterator<Item = &model::Year> {
        self.years
            .values()
            .filter(move |y| include_drafts || y.is_published())
    }
}
