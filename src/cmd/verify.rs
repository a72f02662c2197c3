use clap::Args;
use ecoscore::archive;
use ecoscore::freeze::{self, Rebuild};

use super::{report, Common, FAILURE};

/// Check every archive against its manifest, and rebuild each archived year
/// from its archived input to confirm the pages are byte-identical.
///
/// Example: ecoscore verify --root path/to/project
#[derive(Debug, Args)]
pub struct VerifyArgs {}

pub fn execute(common: &Common, _args: &VerifyArgs) -> u8 {
    let reports = match freeze::verify(&common.root) {
        Ok(reports) => reports,
        Err(diags) => {
            report(&diags);
            return FAILURE;
        }
    };
    if reports.is_empty() {
        println!(
            "no archives under {}",
            common.root.join(archive::ARCHIVE_DIR).display()
        );
        return 0;
    }
    let mut failures = 0;
    for year in &reports {
        report(&year.problems);
        let heading = match &year.metadata {
            Some(m) => format!(
                "archive/{}: revision {}, archived {} with ecoscore {}, manifest sha256 {}",
                year.year, m.revision, m.archived_on, m.ecoscore, m.manifest_sha256
            ),
            None => format!("archive/{}: no readable ARCHIVE.json", year.year),
        };
        println!("{heading}");
        let problems = year.problems.error_count();
        if problems == 0 {
            println!("  manifest: ok, {} files as archived", year.files);
        } else {
            println!(
                "  manifest: {problems} difference{} (listed above)",
                if problems == 1 { "" } else { "s" }
            );
        }
        let why = match year.version_changed() {
            Some(then) => format!(
                "archived with ecoscore {then}, rebuilt with ecoscore {}: every page names the generator's version, and rendering may have changed since",
                archive::VERSION
            ),
            None => "same ecoscore version, so the archived pages are not what the archived input produces: one of them was changed after archiving".to_string(),
        };
        match &year.rebuild {
            Rebuild::Identical { pages } => {
                println!(
                    "  rebuild: byte-identical ({pages} files from the archived input and theme)"
                );
            }
            Rebuild::Differs(diff) => {
                println!("  rebuild: differs ({diff})");
                println!("  why: {why}");
            }
            Rebuild::Failed(diags) => {
                report(diags);
                println!("  rebuild: the archived input does not build (problems listed above)");
                println!("  why: {why}");
            }
        }
        if year.is_failure() {
            failures += 1;
        }
    }
    if failures > 0 {
        eprintln!(
            "verify failed: {failures} of {} archives differ from their record",
            reports.len()
        );
        return FAILURE;
    }
    println!(
        "verified {} archive{}: intact",
        reports.len(),
        if reports.len() == 1 { "" } else { "s" }
    );
    0
}
