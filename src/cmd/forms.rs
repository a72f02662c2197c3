use std::path::PathBuf;

use clap::Args;
use ecoscore::sheets::issue::{self, FormsOptions};

use super::{report, say, Common, FAILURE};

/// Write each unit's fill-in form (.xlsx) for a year, targets prefilled
///
/// One workbook per unit goes to <DIR>/<year>/<unit>.xlsx: targets
/// prefilled and locked, input cells shaded and validated, the year's rules
/// in words. Units fill them in and send them back for `ecoscore import`.
///
/// Example: ecoscore forms --year 2024
#[derive(Debug, Args)]
pub struct FormsArgs {
    /// The assessed year (needs data/<year>/rules.yaml and targets.yaml)
    #[arg(long)]
    pub year: u16,
    /// Forms folder; refused inside the public output and the project's
    /// input folders [default: <root>/forms]
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Replace forms in <DIR>/<year>/ that differ from the ones written now
    /// (e.g. a filled form saved under the same name)
    #[arg(long)]
    pub force: bool,
}

pub fn execute(common: &Common, args: &FormsArgs) -> u8 {
    let options = FormsOptions {
        year: args.year,
        out: args
            .out
            .clone()
            .unwrap_or_else(|| common.root.join("forms")),
        force: args.force,
    };
    match issue::write_all(&common.root, &options) {
        Ok(summary) => {
            say(&format!(
                "wrote {} forms for {} ({} unchanged) → {}",
                summary.written,
                args.year,
                summary.unchanged,
                summary.folder.display()
            ));
            say("next: send each unit its form; import the filled ones with `ecoscore import FILE.xlsx...`");
            0
        }
        Err(diags) => {
            report(&diags);
            FAILURE
        }
    }
}
