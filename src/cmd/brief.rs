use std::path::PathBuf;

use clap::Args;
use ecoscore::brief::{self, BriefOptions};
use ecoscore::pdf::Pdf;

use super::{load_project, report, say, warn_no_pdf, Common, FAILURE};

/// Write one year's briefing copy (抄送件) to briefing/<year>/: the bulletin
/// with every deduction and its reason, vetoes, downgrades, year-over-year
/// changes and the internal notes. Never published.
///
/// Example: ecoscore brief --year 2023 --pdf
#[derive(Debug, Args)]
pub struct BriefArgs {
    /// The assessed year
    #[arg(long)]
    pub year: u16,
    /// Also print it to briefing.pdf with headless Chromium (A4, GB/T 9704 layout)
    #[arg(long)]
    pub pdf: bool,
    /// Briefing folder; the copy goes to <DIR>/<year>/, which is replaced.
    /// Refused inside a public output folder, the project's input or a folder
    /// ecoscore did not write (docs/output-paths.md) [default: <root>/briefing]
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
}

pub fn execute(common: &Common, args: &BriefArgs) -> u8 {
    let Some(project) = load_project(common) else {
        return FAILURE;
    };
    let options = BriefOptions {
        year: args.year,
        out: args
            .out
            .clone()
            .unwrap_or_else(|| common.root.join("briefing")),
        pdf: args.pdf,
    };
    match brief::write(&project, &options) {
        Ok(summary) => {
            report(&summary.warnings);
            let folder = summary.folder.display();
            let draft = if summary.draft {
                " (draft year: marked 草稿)"
            } else {
                ""
            };
            say(&format!(
                "wrote the {} briefing copy{draft} → {folder}/{}",
                args.year,
                brief::HTML
            ));
            match summary.pdf {
                Pdf::Written => say(&format!("printed → {folder}/{}", brief::PDF)),
                Pdf::Missing(why) => warn_no_pdf(&why, &format!("{folder}/{}", brief::HTML)),
                Pdf::NotAsked => {}
            }
            0
        }
        Err(diags) => {
            report(&diags);
            FAILURE
        }
    }
}
