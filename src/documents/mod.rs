//! The private documents of the assessment cycle, written outside the
//! public site: the target letters (目标责任书, [`letters`]) issued in spring
//! and the results report (考核结果报告, [`report`]) to the provincial
//! government. Each has its own view, rendered with a theme template into
//! its own output kind (`src/destination.rs`), so nothing here reaches
//! `public/`.

pub mod letters;
pub mod report;

use std::path::{Path, PathBuf};

use crate::destination::{self, OutputKind};
use crate::diagnostic::{Diagnostic, Diagnostics, Pos};
use crate::model::{Date, Project};
use crate::output::{self, OutputFile, Replaces};
use crate::pdf::{self, Pdf};
use crate::render::Theme;

/// Where and what to write.
#[derive(Debug, Clone)]
pub struct DocOptions {
    pub year: u16,
    /// The folder of this kind of document; the year's go to `<out>/<year>/`.
    pub out: PathBuf,
    pub pdf: bool,
}

/// What a run wrote, for the command's summary.
#[derive(Debug)]
pub struct Written {
    /// `<out>/<year>` as given.
    pub folder: PathBuf,
    /// The files written, by name inside `folder`.
    pub files: Vec<String>,
    pub pdf: Pdf,
}

/// A page to print: the HTML file, the PDF it becomes, the document's date.
pub struct Print {
    pub html: String,
    pub pdf: String,
    pub date: Date,
}

/// The theme's template `name`, which `command` needs (the site does not).
fn require_template(
    project: &Project,
    theme: &Theme,
    name: &str,
    command: &str,
) -> Result<(), Diagnostics> {
    if theme.has_template(name) {
        return Ok(());
    }
    let dir = theme.templates_dir();
    let file = dir.strip_prefix(&project.root).unwrap_or(dir).join(name);
    Err(Diagnostic::error(
        file,
        Pos::FILE,
        format!(
            "the theme `{}` has no template {name}, which `ecoscore {command}` needs",
            project.site.theme
        ),
    )
    .with_help(format!(
        "copy themes/default/templates/{name} (and official.html, static/official.css) into your theme; the public site does not need it"
    ))
    .into())
}

/// The year's folder of `kind`, resolved and checked before anything is
/// rendered: a refused folder costs nothing and changes nothing.
fn folder(
    project: &Project,
    kind: OutputKind,
    options: &DocOptions,
) -> Result<PathBuf, Diagnostics> {
    let folder = destination::output_folder(&project.root, kind, &options.out)?
        .join(options.year.to_string());
    destination::replaceable(kind, &folder)?;
    Ok(folder)
}

/// Print `prints` (when asked and Chromium is installed), then write the
/// HTML and PDFs to `folder` as one swap: a failure leaves the previous
/// documents as they were.
fn write(
    project: &Project,
    kind: OutputKind,
    folder: &Path,
    options: &DocOptions,
    mut files: Vec<OutputFile>,
    prints: &[Print],
) -> Result<Written, Diagnostics> {
    let pdf = match options.pdf.then(pdf::Chromium::find) {
        None => Pdf::NotAsked,
        Some(Err(missing)) => Pdf::Missing(missing),
        Some(Ok(chromium)) => {
            let pages: Vec<(&str, Date)> =
                prints.iter().map(|p| (p.html.as_str(), p.date)).collect();
            let printed = pdf::print_files(&chromium, folder, &files, &pages, &project.site.base_url)
                .map_err(|e| {
                    Diagnostic::error(
                        folder,
                        Pos::FILE,
                        format!("cannot print {} to PDF: {e}", kind.what),
                    )
                    .with_help("nothing was written; the HTML prints from any browser too (A4, no headers and footers)")
                })?;
            files.extend(
                prints
                    .iter()
                    .zip(printed)
                    .map(|(p, bytes)| OutputFile::new(p.pdf.clone(), bytes)),
            );
            Pdf::Written
        }
    };
    output::write_site(folder, Replaces::Output(kind), &files).map_err(|e| {
        output::cannot_write(
            folder,
            kind.what,
            &e,
            "the previous documents were left as they were",
        )
    })?;
    let mut names: Vec<String> = files.iter().map(|f| f.path.clone()).collect();
    names.sort();
    Ok(Written {
        folder: options.out.join(options.year.to_string()),
        files: names,
        pdf,
    })
}
