use std::path::PathBuf;

use clap::Args;
use ecoscore::sheets::import::{self, Change, ImportOptions};

use super::{report, say, Common, FAILURE};

/// Read filled forms into data/<year>/results/, every cell checked
///
/// Reads .xlsx (and .xls, .ods) forms made by `ecoscore forms` and writes
/// data/<year>/results/<id>.yaml. Every cell is checked again; one problem
/// in any form means nothing is written. A results file already there is
/// replaced only with --force: without it, import lists what would change
/// and exits 1.
///
/// Example: ecoscore import 回收/2024/*.xlsx
#[derive(Debug, Args)]
pub struct ImportArgs {
    /// Filled forms, or folders holding them
    #[arg(required = true, value_name = "FILE")]
    pub files: Vec<PathBuf>,
    /// Replace results files that are already there (the changes are listed)
    #[arg(long)]
    pub force: bool,
    /// Accept only forms of this year
    #[arg(long)]
    pub year: Option<u16>,
}

pub fn execute(common: &Common, args: &ImportArgs) -> u8 {
    let options = ImportOptions {
        files: args.files.clone(),
        force: args.force,
        year: args.year,
    };
    let outcome = match import::import(&common.root, &options) {
        Ok(outcome) => outcome,
        Err(diags) => {
            report(&diags);
            eprintln!("nothing was written");
            return FAILURE;
        }
    };
    let (mut new, mut replaced, mut unchanged) = (0, 0, 0);
    for p in &outcome.planned {
        let file = p.file.display();
        match &p.change {
            Change::New => {
                new += 1;
                say(&format!("new        {file} ← {}", p.workbook));
            }
            Change::Unchanged if p.writes(args.force) => {
                unchanged += 1;
                say(&format!(
                    "rewritten  {file} ← {} (no field changed)",
                    p.workbook
                ));
            }
            Change::Unchanged => {
                unchanged += 1;
                say(&format!("unchanged  {file} ← {}", p.workbook));
            }
            Change::Changed(lines) => {
                replaced += 1;
                let verb = if outcome.written {
                    "replaced"
                } else {
                    "would change"
                };
                println!("{verb} {file} ← {} ({}):", p.workbook, p.unit_name);
                for line in lines {
                    println!("    {line}");
                }
            }
            Change::Unreadable => {
                replaced += 1;
                let verb = if outcome.written {
                    "replaced"
                } else {
                    "would replace"
                };
                println!(
                    "{verb} {file} ← {} (the file there cannot be read, see `ecoscore check`)",
                    p.workbook
                );
            }
        }
    }
    if !outcome.written {
        eprintln!(
            "error: {replaced} results file{} already there would change; nothing was written.\n  check the changes above, then run again with --force to replace {}",
            if replaced == 1 { "" } else { "s" },
            if replaced == 1 { "it" } else { "them" }
        );
        return FAILURE;
    }
    say(&format!(
        "imported {} form{}: {new} new, {replaced} replaced, {unchanged} unchanged",
        outcome.planned.len(),
        if outcome.planned.len() == 1 { "" } else { "s" }
    ));
    say("next: ecoscore check, then ecoscore build");
    0
}
