use std::path::PathBuf;

use clap::Args;
use ecoscore::pdf::Pdf;
use ecoscore::site::{self, BuildOptions};

use super::{from_archive, report, warn_no_pdf, Common, FAILURE};

/// Validate, score and render the public site.
///
/// Example: ecoscore build --out public
#[derive(Debug, Args)]
pub struct BuildArgs {
    /// Output folder, replaced as a whole when the build succeeds [default: <root>/public]
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Include draft years, marked as drafts
    #[arg(long)]
    pub drafts: bool,
    /// Also print each year's bulletin to <year>/bulletin/bulletin.pdf with headless Chromium
    #[arg(long)]
    pub pdf: bool,
}

pub fn execute(common: &Common, args: &BuildArgs) -> u8 {
    let out = args
        .out
        .clone()
        .unwrap_or_else(|| common.root.join("public"));
    let options = BuildOptions {
        out: out.clone(),
        include_drafts: args.drafts,
        pdf: args.pdf,
    };
    match site::build(&common.root, &options) {
        Ok(summary) => {
            report(&summary.warnings);
            let years: Vec<String> = summary.years.iter().map(u16::to_string).collect();
            let mut line = format!(
                "built {} pages ({} files) for {}{} in {} ms → {}",
                summary.pages,
                summary.files,
                if years.is_empty() {
                    "no year".to_string()
                } else {
                    years.join(", ")
                },
                from_archive(&summary.archived),
                summary.millis,
                out.join("index.html").display()
            );
            if !summary.drafts_left_out.is_empty() {
                let drafts: Vec<String> =
                    summary.drafts_left_out.iter().map(u16::to_string).collect();
                line.push_str(&format!(
                    "; draft {} left out (use --drafts to include)",
                    drafts.join(", ")
                ));
            }
            println!("{line}");
            match summary.pdf {
                Pdf::Written => println!(
                    "printed the bulletins → {}",
                    out.join("<year>/bulletin/bulletin.pdf").display()
                ),
                Pdf::Missing(why) => warn_no_pdf(
                    &why,
                    &out.join("<year>/bulletin/index.html").display().to_string(),
                ),
                Pdf::NotAsked => {}
            }
            0
        }
        Err(diags) => {
            report(&diags);
            eprintln!(
                "build failed: nothing was written; {} is as it was",
                out.display()
            );
            FAILURE
        }
    }
}
