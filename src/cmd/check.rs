use clap::Args;
use ecoscore::site;

use super::{report, say, Common, FAILURE};

/// Validate the whole project and print every problem; writes nothing.
///
/// Example: ecoscore check --root path/to/project
#[derive(Debug, Args)]
pub struct CheckArgs {}

pub fn execute(common: &Common, _args: &CheckArgs) -> u8 {
    match site::render(&common.root, true) {
        Ok((project, files, warnings)) => {
            report(&warnings);
            say(&format!(
                "ok: {} units, {} years, {} files would be written",
                project.regions.len(),
                project.years.len(),
                files.len()
            ));
            0
        }
        Err(diags) => {
            report(&diags);
            FAILURE
        }
    }
}
