//! Freezing a published year, above the pipeline: `ecoscore archive` stages
//! the year's input in a temporary folder, renders it with [`Site`] and keeps
//! the `<year>/` pages with the input and a manifest (layout: `crate::archive`).
//! `verify` repeats that rendering from an archive's own input; `export`
//! writes an archive as a reproducible tarball.
//!
//! A year's pages are rendered from its input staged in a temporary folder,
//! never from the project in place, so what is archived is by construction
//! what the archived input produces.

mod export;
mod verify;

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use crate::archive::{
    archive_dir, collect_input, inspect, manifest_text, read_archive, Metadata, Superseded, Tree,
    ARCHIVE_DIR, INPUT, MANIFEST, METADATA, SITE, SUPERSEDED, VERSION,
};
use crate::diagnostic::{Diagnostic, Diagnostics, Pos};
use crate::digest::sha256_hex;
use crate::model::{Date, Project};
use crate::output::{self, OutputFile};
use crate::site::{Options, Site};
pub use export::{export, ExportSummary};
pub use verify::{verify, Rebuild, YearReport};

/// Render `year`'s pages (everything under `<year>/`) from `input` alone,
/// staged in a temporary project folder.
fn render_year(input: &Tree, year: u16) -> Result<Vec<OutputFile>, Diagnostics> {
    let io_error = |e: io::Error| {
        Diagnostic::error(
            ARCHIVE_DIR,
            Pos::FILE,
            format!("cannot stage the input in a temporary folder: {e}"),
        )
    };
    let staging = tempfile::Builder::new()
        .prefix("ecoscore-archive-")
        .tempdir()
        .map_err(io_error)?;
    for (path, bytes) in input {
        let target = staging.path().join(path);
        if let Some(dir) = target.parent() {
            fs::create_dir_all(dir).map_err(io_error)?;
        }
        fs::write(&target, bytes).map_err(io_error)?;
    }
    let rendered = Site::new(staging.path(), &Options::default()).render()?;
    let prefix = format!("{year}/");
    Ok(rendered
        .files
        .into_iter()
        .filter(|f| f.path.starts_with(&prefix))
        .collect())
}

#[derive(Debug, Clone)]
pub struct FreezeOptions {
    pub year: u16,
    /// The archive date; the bulletin's date when absent.
    pub date: Option<Date>,
    /// Re-archive an archived year, keeping the old revision, for this reason.
    pub supersede: Option<String>,
}

#[derive(Debug)]
pub struct FreezeSummary {
    pub dir: PathBuf,
    pub metadata: Metadata,
    pub pages: usize,
}

/// A problem with the archive folder as a whole.
fn error(dir: &str, message: impl Into<String>) -> Diagnostic {
    Diagnostic::error(dir, Pos::FILE, message)
}

/// Freeze `options.year` into `root/archive/<year>/`, written whole or not at all.
pub fn freeze(root: &Path, options: &FreezeOptions) -> Result<FreezeSummary, Diagnostics> {
    let (project, _) = Project::load(root)?;
    let number = options.year;
    let year = project.year(number)?;
    if !year.is_published() {
        return Err(Diagnostic::error(
            &year.bulletin.file,
            Pos::FILE,
            format!("{number} is a draft; only a published year can be archived"),
        )
        .with_help("archive the year after publishing it: set `status: published` in the bulletin's front matter and build")
        .into());
    }
    if let Some(date) = options.date.filter(|date| *date < year.bulletin.date) {
        return Err(Diagnostic::error(
            &year.bulletin.file,
            Pos::FILE,
            format!(
                "--date {date} is before the {number} bulletin's date {}: a year cannot be archived before it was published",
                year.bulletin.date
            ),
        )
        .with_help("leave out --date to record the bulletin's date, or give the day the year was archived")
        .into());
    }
    let dir_name = archive_dir(number);
    let dir = root.join(&dir_name);
    let previous = if dir.exists() {
        let tree = read_archive(number, &dir)?;
        let (metadata, problems) = inspect(number, &tree);
        let Some(reason) = &options.supersede else {
            let when = metadata
                .as_ref()
                .map(|m| {
                    format!(
                        " on {} (revision {}, manifest {})",
                        m.archived_on, m.revision, m.manifest_sha256
                    )
                })
                .unwrap_or_default();
            return Err(Diagnostic::error(
                &dir_name,
                Pos::FILE,
                format!("{number} is already archived{when}; nothing was changed"),
            )
            .with_help(format!(
                "an archive is the record of what was published; to replace it, keep the old one as a superseded revision: ecoscore archive --year {number} --force --reason \"…\""
            ))
            .into());
        };
        if problems.has_errors() {
            let mut problems = problems;
            problems.push(
                Diagnostic::error(&dir_name, Pos::FILE, "the archive does not match its manifest, so it cannot be kept as a superseded revision")
                    .with_help("restore it from version control, then re-archive"),
            );
            return Err(problems.sorted());
        }
        let Some(metadata) = metadata else {
            return Err(error(&dir_name, "the archive has no readable ARCHIVE.json").into());
        };
        Some((metadata, tree, reason.trim().to_string()))
    } else {
        None
    };
    if previous
        .as_ref()
        .is_some_and(|(_, _, reason)| reason.is_empty())
    {
        return Err(error(
            &dir_name,
            "--reason is empty; say why the archive is replaced",
        )
        .into());
    }

    let input = collect_input(root, &project, number)?;
    let pages = render_year(&input, number)?;
    if pages.is_empty() {
        return Err(error(&dir_name, format!("rendering {number} produced no pages")).into());
    }
    let mut files: Tree = input
        .into_iter()
        .map(|(path, bytes)| (format!("{INPUT}{path}"), bytes))
        .collect();
    // The year's copy of the static files is kept with it but is not a page.
    let static_prefix = format!("{number}/static/");
    let page_count = pages
        .iter()
        .filter(|f| !f.path.starts_with(&static_prefix))
        .count();
    files.extend(
        pages
            .into_iter()
            .map(|f| (format!("{SITE}{}", f.path), f.bytes)),
    );
    let manifest = manifest_text(files.iter().map(|(p, b)| (p.as_str(), b.as_slice())));
    let mut metadata = Metadata {
        year: number,
        revision: 1,
        archived_on: options.date.unwrap_or(year.bulletin.date).to_string(),
        ecoscore: VERSION.to_string(),
        theme: project.site.theme.clone(),
        files: files.len(),
        manifest_sha256: sha256_hex(manifest.as_bytes()),
        superseded: Vec::new(),
    };
    if let Some((old, tree, reason)) = previous {
        // ARCHIVE.json can be edited by hand: the largest revision has no next.
        metadata.revision = old.revision.checked_add(1).ok_or_else(|| {
            error(
                &format!("{dir_name}/{METADATA}"),
                format!(
                    "revision {} is the largest there can be, so no next revision can replace this archive; restore {METADATA} from version control",
                    old.revision
                ),
            )
        })?;
        metadata.superseded = old.superseded.clone();
        metadata.superseded.push(Superseded {
            revision: old.revision,
            archived_on: old.archived_on.clone(),
            manifest_sha256: old.manifest_sha256.clone(),
            reason,
        });
        for (path, bytes) in tree {
            let kept = if path.starts_with(SUPERSEDED) {
                path
            } else {
                format!("{SUPERSEDED}{}/{path}", old.revision)
            };
            files.insert(kept, bytes);
        }
    }
    files.insert(MANIFEST.to_string(), manifest.into_bytes());
    files.insert(METADATA.to_string(), metadata.to_json().into_bytes());
    let files: Vec<OutputFile> = files
        .into_iter()
        .map(|(path, bytes)| OutputFile::new(path, bytes))
        .collect();
    output::write_site(&dir, output::Replaces::FolderHolding(MANIFEST), &files)
        .map_err(|e| output::cannot_write(&dir_name, "the archive", &e, "nothing was changed"))?;
    Ok(FreezeSummary {
        dir,
        metadata,
        pages: page_count,
    })
}
