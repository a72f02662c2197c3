use std::path::PathBuf;

use clap::Args;
use ecoscore::archive::{self, FreezeOptions};
use ecoscore::model::Date;

use super::{report, say, Common, FAILURE};

/// Freeze a published year into archive/<year>/: its pages, the input that
/// produced them and a SHA-256 manifest. Later builds copy it unchanged.
///
/// Example: ecoscore archive --year 2023 --export jilin-2023.tar.gz
#[derive(Debug, Args)]
pub struct ArchiveArgs {
    /// The published year to archive
    #[arg(long)]
    pub year: u16,
    /// The archive date recorded in ARCHIVE.json [default: the bulletin's date]
    #[arg(long, value_name = "YYYY-MM-DD", value_parser = parse_date)]
    pub date: Option<Date>,
    /// Re-archive an archived year; the earlier archive is kept under
    /// archive/<year>/superseded/<revision>/
    #[arg(long, requires = "reason")]
    pub force: bool,
    /// Why the year is re-archived (recorded in ARCHIVE.json)
    #[arg(long, value_name = "TEXT", requires = "force")]
    pub reason: Option<String>,
    /// Also write the archive as a reproducible tarball (an archived year is
    /// exported as it is, without re-archiving)
    #[arg(long, value_name = "FILE.tar.gz")]
    pub export: Option<PathBuf>,
}

fn parse_date(text: &str) -> Result<Date, String> {
    Date::parse(text).ok_or_else(|| format!("`{text}` is not a date written YYYY-MM-DD"))
}

pub fn execute(common: &Common, args: &ArchiveArgs) -> u8 {
    let archived = common
        .root
        .join(archive::ARCHIVE_DIR)
        .join(args.year.to_string())
        .exists();
    if !(archived && args.export.is_some() && !args.force) {
        let options = FreezeOptions {
            year: args.year,
            date: args.date,
            supersede: args.reason.clone().filter(|_| args.force),
        };
        match archive::freeze(&common.root, &options) {
            Ok(summary) => {
                let m = &summary.metadata;
                say(&format!(
                    "archived {} (revision {}, {}): {} pages and their input, {} files → {}",
                    m.year,
                    m.revision,
                    m.archived_on,
                    summary.pages,
                    m.files,
                    summary.dir.display()
                ));
                say(&format!("manifest sha256 {}", m.manifest_sha256));
                if let Some(old) = m.superseded.last() {
                    say(&format!(
                        "revision {} kept in {}/superseded/{}/",
                        old.revision,
                        summary.dir.display(),
                        old.revision
                    ));
                }
            }
            Err(diags) => {
                report(&diags);
                return FAILURE;
            }
        }
    }
    if let Some(file) = &args.export {
        match archive::export(&common.root, args.year, file) {
            Ok(summary) => say(&format!(
                "exported archive/{} → {} ({} bytes, sha256 {})",
                args.year,
                file.display(),
                summary.bytes,
                summary.sha256
            )),
            Err(diags) => {
                report(&diags);
                return FAILURE;
            }
        }
    }
    0
}
