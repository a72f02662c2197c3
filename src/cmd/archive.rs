use std::path::PathBuf;

use clap::{ArgGroup, Args};
use ecoscore::archive;
use ecoscore::destination;
use ecoscore::freeze::{self, FreezeOptions};
use ecoscore::model::Date;

use super::{report, say, Common, FAILURE};

/// Freeze a published year into archive/<year>/: its pages, the input that
/// produced them and a SHA-256 manifest. Later builds copy it unchanged.
///
/// Example: ecoscore archive --year 2023 --export jilin-2023.tar.gz
#[derive(Debug, Args)]
#[command(group(ArgGroup::new("forced").args(["reason", "export"]).multiple(true)))]
pub struct ArchiveArgs {
    /// The published year to archive
    #[arg(long)]
    pub year: u16,
    /// The archive date recorded in ARCHIVE.json [default: the bulletin's date]
    #[arg(long, value_name = "YYYY-MM-DD", value_parser = parse_date)]
    pub date: Option<Date>,
    /// With --reason: re-archive an archived year, keeping the earlier archive
    /// under archive/<year>/superseded/<revision>/. With --export: replace an
    /// existing FILE
    #[arg(long, requires = "forced")]
    pub force: bool,
    /// Why the year is re-archived (recorded in ARCHIVE.json)
    #[arg(long, value_name = "TEXT", requires = "force")]
    pub reason: Option<String>,
    /// Also write the archive as a reproducible tarball (an archived year is
    /// exported as it is, without re-archiving). An existing FILE is kept
    /// unless --force; never a file of the project's input or output folders
    #[arg(long, value_name = "FILE.tar.gz")]
    pub export: Option<PathBuf>,
}

fn parse_date(text: &str) -> Result<Date, String> {
    Date::parse(text).ok_or_else(|| format!("`{text}` is not a date written YYYY-MM-DD"))
}

pub fn execute(common: &Common, args: &ArchiveArgs) -> u8 {
    // A refused export must not leave a new archive behind.
    if let Some(file) = &args.export {
        if let Err(refusal) = destination::export_file(&common.root, file, args.force) {
            report(&refusal.into());
            return FAILURE;
        }
    }
    let archived = common
        .root
        .join(archive::ARCHIVE_DIR)
        .join(args.year.to_string())
        .exists();
    // An archived year is exported as it is, unless --reason re-archives it.
    if !(archived && args.export.is_some() && args.reason.is_none()) {
        let options = FreezeOptions {
            year: args.year,
            date: args.date,
            supersede: args.reason.clone().filter(|_| args.force),
        };
        match freeze::freeze(&common.root, &options) {
            Ok(summary) => {
                let m = &summary.metadata;
                say(&format!(
                    "archived {} (revision {}, {}): {} pages, their static files and input, {} files → {}",
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
        match freeze::export(&common.root, args.year, file, args.force) {
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
