use std::path::PathBuf;

use clap::Args;
use ecoscore::documents::{letters, DocOptions};
use ecoscore::pdf::Pdf;

use super::{load_project, report, say, warn_no_pdf, Common, FAILURE};

/// Write one year's target letters (目标责任书) to letters/<year>/: one per
/// unit from targets.yaml and rules.yaml, and all of them in index.html.
/// Dated `issued:` of targets.yaml; works for a draft year.
///
/// Example: ecoscore letters --year 2025 --pdf
#[derive(Debug, Args)]
pub struct LettersArgs {
    /// The assessed year
    #[arg(long)]
    pub year: u16,
    /// Also print each letter to <unit>.pdf and all of them to letters.pdf with headless Chromium (A4, GB/T 9704 layout)
    #[arg(long)]
    pub pdf: bool,
    /// Letters folder; the year's go to <DIR>/<year>/, which is replaced.
    /// Refused inside a public output folder, the project's input or a folder
    /// ecoscore did not write (docs/output-paths.md) [default: <root>/letters]
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
}

pub fn execute(common: &Common, args: &LettersArgs) -> u8 {
    let Some(project) = load_project(common) else {
        return FAILURE;
    };
    let options = DocOptions {
        year: args.year,
        out: args
            .out
            .clone()
            .unwrap_or_else(|| common.root.join("letters")),
        pdf: args.pdf,
    };
    match letters::write_letters(&project, &options) {
        Ok(written) => {
            let folder = written.folder.display();
            let units = project.units.len();
            say(&format!(
                "wrote the {} target letters of {units} units → {folder}/{}",
                args.year,
                letters::ALL_HTML
            ));
            match written.pdf {
                Pdf::Written => say(&format!(
                    "printed → {folder}/{} and one PDF per unit",
                    letters::ALL_PDF
                )),
                Pdf::Missing(why) => warn_no_pdf(&why, &format!("{folder}/{}", letters::ALL_HTML)),
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
