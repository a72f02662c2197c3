//! One file per subcommand: its arguments and an `execute` that calls the library.

pub mod archive;
pub mod brief;
pub mod build;
pub mod check;
pub mod scores;
pub mod verify;

use std::io::IsTerminal;
use std::path::PathBuf;

use clap::Args;
use ecoscore::Diagnostics;

/// Arguments every command takes.
#[derive(Debug, Args)]
pub struct Common {
    /// The project folder (holds site.yaml, data/, content/, themes/)
    #[arg(long, global = true, value_name = "DIR", default_value = ".")]
    pub root: PathBuf,
}

/// The process exit code for invalid input or a failed build.
pub const FAILURE: u8 = 1;

pub fn color() -> bool {
    std::env::var_os("NO_COLOR").is_none() && std::io::stderr().is_terminal()
}

/// Say why no PDF was printed and how to get one; the HTML was written.
pub fn warn_no_pdf(why: &str, html: &str) {
    eprintln!(
        "warning: no PDF: {why}.\n  install Chromium with `{}` (or set {} to a Chromium or Chrome binary) and run again,\n  or print {html} from a browser (A4, default margins, no headers and footers)",
        ecoscore::pdf::INSTALL_HINT,
        ecoscore::pdf::BROWSER_VARIABLE
    );
}

/// Print diagnostics to stderr, followed by a count.
pub fn report(diags: &Diagnostics) {
    if diags.is_empty() {
        return;
    }
    eprint!("{}", diags.render(color()));
    let errors = diags.error_count();
    let warnings = diags.len() - errors;
    let plural = |n: usize, word: &str| format!("{n} {word}{}", if n == 1 { "" } else { "s" });
    if errors > 0 {
        eprintln!(
            "{} and {}",
            plural(errors, "error"),
            plural(warnings, "warning")
        );
    } else {
        eprintln!("{}", plural(warnings, "warning"));
    }
}

/// " (2021, 2022 copied from archive/)", or nothing when no year is archived.
pub fn from_archive(years: &[u16]) -> String {
    if years.is_empty() {
        return String::new();
    }
    let years: Vec<String> = years.iter().map(u16::to_string).collect();
    format!(" ({} copied from archive/)", years.join(", "))
}
