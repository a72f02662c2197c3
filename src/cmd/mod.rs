//! One file per subcommand: its arguments and an `execute` that calls the library.

pub mod archive;
pub mod brief;
pub mod build;
pub mod check;
pub mod completions;
pub mod forms;
pub mod import;
pub mod init;
pub mod letters;
pub mod progress;
pub mod report;
pub mod scores;
#[cfg(feature = "serve")]
pub mod serve;
pub mod verify;

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use clap::Args;
use ecoscore::Diagnostics;

/// Arguments every command takes.
#[derive(Debug, Args)]
pub struct Common {
    /// The project folder (holds site.yaml, data/, content/, themes/)
    #[arg(long, global = true, value_name = "DIR", default_value = ".")]
    pub root: PathBuf,
    /// Print only errors: no summary line, no warnings, no progress
    #[arg(short, long, global = true, conflicts_with = "verbose")]
    pub quiet: bool,
    /// Print more: stage timings, watched folders, the files behind each rebuild
    #[arg(short, long, global = true)]
    pub verbose: bool,
}

/// How much the commands print, set once from the global flags.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Verbosity {
    Quiet,
    Normal,
    Verbose,
}

static VERBOSITY: OnceLock<Verbosity> = OnceLock::new();

impl Common {
    /// Record the global `--quiet`/`--verbose` for [`verbosity`]; called once by main.
    pub fn init_verbosity(&self) {
        let level = if self.quiet {
            Verbosity::Quiet
        } else if self.verbose {
            Verbosity::Verbose
        } else {
            Verbosity::Normal
        };
        let _ = VERBOSITY.set(level);
    }
}

pub fn verbosity() -> Verbosity {
    VERBOSITY.get().copied().unwrap_or(Verbosity::Normal)
}

/// Print a line of normal output to stdout, unless `--quiet`.
pub fn say(line: &str) {
    if verbosity() > Verbosity::Quiet {
        println!("{line}");
    }
}

/// Print a detail to stderr, only with `--verbose`.
pub fn detail(line: &str) {
    if verbosity() == Verbosity::Verbose {
        eprintln!("{line}");
    }
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

/// "built 182 pages, 5 charts (190 files) for 2021, 2022 in 95 ms": the
/// summary line of build and serve.
pub fn built_line(
    pages: usize,
    charts: usize,
    files: usize,
    years: &[u16],
    millis: u128,
) -> String {
    let charts = match charts {
        0 => String::new(),
        1 => ", 1 chart".to_string(),
        n => format!(", {n} charts"),
    };
    let years = if years.is_empty() {
        "no year".to_string()
    } else {
        years
            .iter()
            .map(u16::to_string)
            .collect::<Vec<_>>()
            .join(", ")
    };
    format!("built {pages} pages{charts} ({files} files) for {years} in {millis} ms")
}

/// A folder with neither `site.yaml` nor `data/` is no project at all: one
/// problem that says how to start one, instead of a missing-file error for
/// each of the files a project has.
pub fn no_project(root: &Path) -> Option<Diagnostics> {
    let present = |name: &str| std::fs::symlink_metadata(root.join(name)).is_ok();
    // A folder that is not there has its own report from the loader.
    if !root.is_dir() || present("site.yaml") || present("data") {
        return None;
    }
    // The folder as the user named it (`--root`), or the current one.
    let folder = if root == Path::new(".") {
        "the current folder".to_string()
    } else {
        root.display().to_string()
    };
    let diagnostic = ecoscore::Diagnostic::error(
        "site.yaml",
        ecoscore::diagnostic::Pos::FILE,
        format!("no ecoscore project in {folder}: there is no site.yaml and no data/ folder"),
    )
    .with_help(
        "start a project here with `ecoscore init` (or in a new folder with `ecoscore init DIR`), \
         or pass --root DIR to name an existing project",
    );
    Some(diagnostic.into())
}

/// Load and validate the project, reporting its warnings; on errors, report
/// them and return none (the caller exits with `FAILURE`).
pub fn load_project(common: &Common) -> Option<ecoscore::Project> {
    if let Some(problem) = no_project(&common.root) {
        report(&problem);
        return None;
    }
    match ecoscore::Project::load(&common.root) {
        Ok((project, warnings)) => {
            report(&warnings);
            Some(project)
        }
        Err(diags) => {
            report(&diags);
            None
        }
    }
}

/// Print diagnostics to stderr, followed by a count; with `--quiet`, errors only.
pub fn report(diags: &Diagnostics) {
    let shown: Diagnostics = diags
        .iter()
        .filter(|d| d.is_error() || verbosity() > Verbosity::Quiet)
        .cloned()
        .collect();
    if shown.is_empty() {
        return;
    }
    eprint!("{}", shown.render(color()));
    let errors = shown.error_count();
    let warnings = shown.len() - errors;
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
