use std::path::PathBuf;

use clap::Args;
use ecoscore::documents::{report, DocOptions};
use ecoscore::pdf::Pdf;

use super::{load_project, report as print_report, say, warn_no_pdf, Common, FAILURE};

/// Write one year's results report (考核结果报告) to the provincial government
/// to report/<year>/: a 上行文 from the joint issuers of site.yaml, with the
/// results by grade, grounds, funding shares, proposals and the internal
/// notes. Never published.
///
/// Example: ecoscore report --year 2024 --pdf
#[derive(Debug, Args)]
pub struct ReportArgs {
    /// The assessed year
    #[arg(long)]
    pub year: u16,
    /// Also print it to report.pdf with headless Chromium (A4, GB/T 9704 layout)
    #[arg(long)]
    pub pdf: bool,
    /// Report folder; the year's goes to <DIR>/<year>/, which is replaced.
    /// Refused inside a public output folder, the project's input or a folder
    /// ecoscore did not write (docs/output-paths.md) [default: <root>/report]
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
}

pub fn execute(common: &Common, args: &ReportArgs) -> u8 {
    let Some(project) = load_project(common) else {
        return FAILURE;
    };
    let options = DocOptions {
        year: args.year,
        out: args
            .out
            .clone()
            .unwrap_or_else(|| common.root.join("report")),
        pdf: args.pdf,
    };
    match report::write_report(&project, &options) {
        Ok(written) => {
            let folder = written.folder.display();
            say(&format!(
                "wrote the {} results report → {folder}/{}",
                args.year,
                report::HTML
            ));
            match written.pdf {
                Pdf::Written => say(&format!("printed → {folder}/{}", report::PDF)),
                Pdf::Missing(why) => warn_no_pdf(&why, &format!("{folder}/{}", report::HTML)),
                Pdf::NotAsked => {}
            }
            0
        }
        Err(diags) => {
            print_report(&diags);
            FAILURE
        }
    }
}
