use clap::Args;
use ecoscore::site;

use super::{from_archive, report, Common, FAILURE};

/// Validate the whole project and print every problem; writes nothing.
///
/// Example: ecoscore check --root path/to/project
#[derive(Debug, Args)]
pub struct CheckArgs {}

pub fn execute(common: &Common, _args: &CheckArgs) -> u8 {
    match site::render(&common.root, true) {
        Ok(rendered) => {
            report(&rendered.warnings);
            println!(
                "ok: {} units, {} years, {} files would be written{}",
                rendered.project.regions.len(),
                rendered.project.years.len(),
                rendered.files.len(),
                from_archive(&rendered.archived)
            );
            0
        }
        Err(diags) => {
            report(&diags);
            FAILURE
        }
    }
}
