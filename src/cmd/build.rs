use std::path::PathBuf;

use clap::Args;
use ecoscore::pdf::Pdf;
use ecoscore::site::{BuildSummary, KeptYears, Options, Site, YearStore};

use super::progress::{format_timings, Progress};
use super::{
    built_line, detail, from_archive, no_project, report, say, warn_no_pdf, Common, FAILURE,
};

/// Validate, score and render the public site.
///
/// Example: ecoscore build --out public
#[derive(Debug, Args)]
pub struct BuildArgs {
    /// Output folder, replaced as a whole when the build succeeds: only a new or
    /// empty folder or a site ecoscore built, never the project or its input
    /// (docs/output-paths.md) [default: <root>/public]
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
    let options = Options {
        drafts: args.drafts,
        pdf: args.pdf,
    };
    if let Some(problem) = no_project(&common.root) {
        report(&problem);
        eprintln!("build failed: nothing was written");
        return FAILURE;
    }
    let mut progress = Progress::start();
    // The years validated by the last build of this project, from its
    // cache folder (docs/rebuilds.md).
    let kept = KeptYears::stored(YearStore::for_project(&common.root, args.drafts));
    let result = Site::new(&common.root, &options)
        .observe(&mut |stage| progress.stage(stage))
        .keep_years(&kept)
        .build(&out);
    detail(&format_timings(&progress.finish()));
    match result {
        Ok(BuildSummary {
            published,
            millis,
            reused: Some(reused),
            ..
        }) => {
            let mut line = format!(
                "up to date: nothing changed since the last build of {} ({} pages, {} files); checked in {millis} ms",
                out.join("index.html").display(),
                published.pages,
                published.files,
            );
            match reused.warnings {
                0 => {}
                1 => line.push_str("; it had 1 warning (ecoscore check shows it)"),
                n => line.push_str(&format!(
                    "; it had {n} warnings (ecoscore check shows them)"
                )),
            }
            say(&line);
            0
        }
        Ok(summary) => {
            report(&summary.warnings);
            let validated_before = kept.used_years();
            if !validated_before.is_empty() {
                let years: Vec<String> = validated_before.iter().map(u16::to_string).collect();
                detail(&format!(
                    "took the validation of {} from the last build ({}): their input did not change",
                    years.join(", "),
                    ecoscore::paths::CACHE
                ));
            }
            if !summary.kept.is_empty() {
                let kept: Vec<String> = summary.kept.iter().map(u16::to_string).collect();
                detail(&format!(
                    "kept the pages of {} from the previous build: their input did not change",
                    kept.join(", ")
                ));
            }
            if summary.kept_pages > 0 {
                detail(&format!(
                    "kept {} unchanged {} from the previous build: what they show did not change",
                    summary.kept_pages,
                    if summary.kept_pages == 1 {
                        "page"
                    } else {
                        "pages"
                    }
                ));
            }
            let mut line = format!(
                "{}{} → {}",
                built_line(
                    summary.published.pages,
                    summary.published.charts,
                    summary.published.files,
                    &summary.published.years,
                    summary.millis
                ),
                from_archive(&summary.published.archived),
                out.join("index.html").display()
            );
            let left_out = &summary.published.drafts_left_out;
            if !left_out.is_empty() {
                let drafts: Vec<String> = left_out.iter().map(u16::to_string).collect();
                line.push_str(&format!(
                    "; draft {} left out (use --drafts to include)",
                    drafts.join(", ")
                ));
            }
            say(&line);
            match summary.pdf {
                Pdf::Written => say(&format!(
                    "printed the bulletins → {}",
                    out.join("<year>/bulletin/bulletin.pdf").display()
                )),
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
