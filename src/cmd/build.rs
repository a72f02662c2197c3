use std::path::PathBuf;

use clap::Args;
use ecoscore::site::{self, BuildOptions};

use super::progress::{format_timings, Progress};
use super::{built_line, detail, report, say, Common, FAILURE};

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
}

pub fn execute(common: &Common, args: &BuildArgs) -> u8 {
    let out = args
        .out
        .clone()
        .unwrap_or_else(|| common.root.join("public"));
    let options = BuildOptions {
        out: out.clone(),
        include_drafts: args.drafts,
    };
    let mut progress = Progress::start();
    let result = site::build_observed(&common.root, &options, &mut |stage| progress.stage(stage));
    detail(&format_timings(&progress.finish()));
    match result {
        Ok(summary) => {
            report(&summary.warnings);
            let mut line = format!(
                "{} → {}",
                built_line(
                    summary.pages,
                    summary.charts,
                    summary.files,
                    &summary.years,
                    summary.millis
                ),
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
            say(&line);
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
