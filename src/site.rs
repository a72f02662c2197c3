//! The whole pipeline for one build: load → validate → score → render → write,
//! with archived years copied from `archive/` instead of rendered.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, PoisonError};
use std::time::Instant;

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::archive;
use crate::destination::{self, OutputKind};
use crate::diagnostic::{Diagnostic, Diagnostics, Pos};
use crate::links;
use crate::model::{Date, Project};
use crate::output::{self, OutputFile, Replaces};
use crate::pdf::{self, Pdf};
use crate::render::{self, RenderInput, Theme, YearInput};
use crate::score::{self, YearScores};
use crate::stamp;

#[derive(Debug, Clone)]
pub struct BuildOptions {
    /// The output folder, absolute or relative to the working directory.
    pub out: PathBuf,
    pub include_drafts: bool,
    /// Print each year's bulletin to `<year>/bulletin/bulletin.pdf` (headless Chromium).
    pub pdf: bool,
}

#[derive(Debug, Clone)]
pub struct BuildSummary {
    pub published: Published,
    pub warnings: Diagnostics,
    pub pdf: Pdf,
    pub millis: u128,
    /// Set when nothing changed since the build that made the output folder
    /// as it is: the folder was left alone and the counts are that build's.
    pub reused: Option<Reused>,
}

/// What a build put in the output folder: what its summary reports, and
/// what the build stamp keeps to report again when nothing changed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Published {
    pub pages: usize,
    /// SVG files the build generated (theme static files are not charts).
    pub charts: usize,
    pub files: usize,
    pub years: Vec<u16>,
    /// Years copied from `archive/`.
    pub archived: Vec<u16>,
    pub drafts_left_out: Vec<u16>,
}

/// What is known of the earlier build whose output was kept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reused {
    /// How many warnings it reported (`ecoscore check` shows them again;
    /// the summary's `warnings` is empty).
    pub warnings: usize,
}

/// What a build replaces: a site ecoscore built (or an empty folder).
const SITE: Replaces = Replaces::Output(OutputKind::SITE);

/// Scores of every year of the project, by year.
pub fn score_all(project: &Project) -> BTreeMap<u16, YearScores> {
    project
        .years
        .par_iter()
        .map(|(&number, year)| (number, score::score_year(year)))
        .collect()
}

/// A stage of the pipeline, announced as it starts (for progress display and
/// timings; the pipeline itself does not depend on who listens).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    Load,
    Score,
    Render,
    Write,
}

impl Stage {
    pub fn name(self) -> &'static str {
        match self {
            Stage::Load => "load",
            Stage::Score => "score",
            Stage::Render => "render",
            Stage::Write => "write",
        }
    }
}

/// The site in memory, and what went into it.
#[derive(Debug)]
pub struct Rendered {
    pub project: Project,
    /// Every file of the site, sorted by path.
    pub files: Vec<OutputFile>,
    pub warnings: Diagnostics,
    /// The years published, oldest first, archived ones included.
    pub years: Vec<u16>,
    /// The years whose pages were copied from `archive/`.
    pub archived: Vec<u16>,
}

/// Load, validate, score and render the site in memory; archived years are
/// copied from `archive/` instead of rendered. Writes nothing.
/// `bulletin_pdf`: the bulletin pages link to a PDF beside them.
pub fn render(
    root: &Path,
    include_drafts: bool,
    bulletin_pdf: bool,
) -> Result<Rendered, Diagnostics> {
    render_observed(root, include_drafts, bulletin_pdf, &mut |_| {})
}

/// [`render`], calling `on_stage` as each stage starts.
pub fn render_observed(
    root: &Path,
    include_drafts: bool,
    bulletin_pdf: bool,
    on_stage: &mut dyn FnMut(Stage),
) -> Result<Rendered, Diagnostics> {
    let files = Mutex::new(Vec::new());
    let outcome = render_into(root, include_drafts, bulletin_pdf, on_stage, &|file| {
        files
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(file);
        Ok(())
    })?;
    let mut files = files.into_inner().unwrap_or_else(PoisonError::into_inner);
    files.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(Rendered {
        project: outcome.project,
        files,
        warnings: outcome.warnings,
        years: outcome.years,
        archived: outcome.archived,
    })
}

/// What rendering the whole site (drafts included) showed, without keeping it.
#[derive(Debug)]
pub struct Checked {
    pub project: Project,
    /// How many files a build with drafts would write.
    pub files: usize,
    pub warnings: Diagnostics,
    pub archived: Vec<u16>,
}

/// Load, validate, score and render everything a build with drafts would,
/// dropping each file once counted: `check` without `--links` needs no page
/// kept, so a national project is checked in the memory of its input.
pub fn check(root: &Path) -> Result<Checked, Diagnostics> {
    let files = AtomicUsize::new(0);
    let outcome = render_into(root, true, false, &mut |_| {}, &|_| {
        files.fetch_add(1, Ordering::Relaxed);
        Ok(())
    })?;
    Ok(Checked {
        project: outcome.project,
        files: files.into_inner(),
        warnings: outcome.warnings,
        archived: outcome.archived,
    })
}

/// What a render produced besides its files.
struct Outcome {
    project: Project,
    warnings: Diagnostics,
    years: Vec<u16>,
    archived: Vec<u16>,
}

/// The pipeline up to render, every file going to `sink` as it is produced.
fn render_into(
    root: &Path,
    include_drafts: bool,
    bulletin_pdf: bool,
    on_stage: &mut dyn FnMut(Stage),
    sink: render::Sink<'_>,
) -> Result<Outcome, Diagnostics> {
    on_stage(Stage::Load);
    let (project, mut warnings) = Project::load(root)?;
    let archives = archive::load_archives(root, &project)?;
    warnings.extend(archives.warnings);
    let theme = Theme::load(root, &project.site.theme)?;
    on_stage(Stage::Score);
    let scores = score_all(&project);
    let mut years: BTreeMap<u16, YearInput<'_>> = project
        .public_years(include_drafts)
        .filter_map(|year| {
            scores.get(&year.year).map(|scores| {
                let input = YearInput {
                    project: &project,
                    year,
                    scores,
                    archived: None,
                };
                (year.year, input)
            })
        })
        .collect();
    // Archived years are listed on site-wide pages with the figures they
    // were published with (their frozen open data), never re-scored.
    for frozen in &archives.frozen {
        let archived = frozen.metadata.view();
        let read_in = match &frozen.project {
            Some(archived) => archived,
            None => &project,
        };
        match (read_in.years.get(&frozen.year), &frozen.scores) {
            (Some(year), Some(scores)) => {
                let input = YearInput {
                    project: read_in,
                    year,
                    scores,
                    archived,
                };
                years.insert(frozen.year, input);
            }
            _ => {
                years.remove(&frozen.year);
            }
        }
    }
    on_stage(Stage::Render);
    let year_numbers: Vec<u16> = years.keys().copied().collect();
    render::render_site_into(
        &RenderInput {
            project: &project,
            theme: &theme,
            years: years.into_values().collect(),
            bulletin_pdf,
        },
        sink,
    )?;
    let copied: Diagnostics = archives
        .frozen
        .iter()
        .flat_map(|frozen| &frozen.site_files)
        .filter_map(|file| sink(file.clone()).err())
        .collect();
    if copied.has_errors() {
        return Err(copied.sorted());
    }
    Ok(Outcome {
        warnings: warnings.sorted(),
        years: year_numbers,
        archived: archives.frozen.iter().map(|f| f.year).collect(),
        project,
    })
}

/// Build the public site into `options.out`; on any error nothing is written.
pub fn build(root: &Path, options: &BuildOptions) -> Result<BuildSummary, Diagnostics> {
    build_observed(root, options, &mut |_| {})
}

/// [`build`], calling `on_stage` as each stage starts.
pub fn build_observed(
    root: &Path,
    options: &BuildOptions,
    on_stage: &mut dyn FnMut(Stage),
) -> Result<BuildSummary, Diagnostics> {
    let started = Instant::now();
    // Resolved once, checked, and used for every write (see `destination`).
    let out = destination::output_folder(root, OutputKind::SITE, &options.out)?;
    destination::replaceable(OutputKind::SITE, &out)?;
    let options = &BuildOptions {
        out,
        ..options.clone()
    };
    if !options.pdf {
        // Hashed before anything is loaded: see `stamp`.
        let inputs = stamp::inputs_digest(root, &format!("drafts={}", options.include_drafts)).ok();
        if let Some(mut summary) = inputs.as_deref().and_then(|i| unchanged(&options.out, i)) {
            summary.millis = started.elapsed().as_millis();
            return Ok(summary);
        }
        let mut summary = build_streaming(root, options, on_stage)?;
        if let Some(inputs) = inputs {
            record(&options.out, inputs, &summary);
        }
        summary.millis = started.elapsed().as_millis();
        return Ok(summary);
    }
    // PDFs depend on the Chromium found, which no stamp can vouch for: the
    // swap-in leaves a stamp that marks the site and records no build.
    let chromium = match pdf::Chromium::find() {
        Ok(chromium) => chromium,
        Err(why) => {
            let mut summary = build_streaming(root, options, on_stage)?;
            summary.pdf = Pdf::Missing(why);
            summary.millis = started.elapsed().as_millis();
            return Ok(summary);
        }
    };
    let Rendered {
        project,
        mut files,
        warnings,
        years,
        archived,
    } = render_observed(root, options.include_drafts, true, on_stage)?;
    print_bulletins(&chromium, &project, options, &archived, &mut files)?;
    let broken = links::check(
        &files,
        &project.site.base_url,
        &links::Sources::of(&project),
    );
    if broken.has_errors() {
        return Err(broken);
    }
    on_stage(Stage::Write);
    output::write_site(&options.out, SITE, &files).map_err(|e| {
        Diagnostics::from_iter([Diagnostic::error(
            &options.out,
            Pos::FILE,
            format!("cannot write the site: {e}"),
        )
        .with_help("the previous output was left as it was; check permissions and free space")])
    })?;
    Ok(BuildSummary {
        published: Published {
            pages: files.iter().filter(|f| f.path.ends_with(".html")).count(),
            charts: count_charts(&files),
            files: files.len(),
            years,
            archived,
            drafts_left_out: drafts_left_out(&project, options),
        },
        warnings,
        pdf: Pdf::Written,
        millis: started.elapsed().as_millis(),
        reused: None,
    })
}

/// The summary of the build that made `out`, when its stamp says that
/// nothing changed since: same inputs, options and binary, output untouched.
fn unchanged(out: &Path, inputs: &str) -> Option<BuildSummary> {
    let built = stamp::read(out)?.build.filter(|b| b.inputs == inputs)?;
    if stamp::output_digest(out).ok()? != built.output {
        return None;
    }
    Some(BuildSummary {
        published: built.published,
        warnings: Diagnostics::new(),
        pdf: Pdf::NotAsked,
        millis: 0,
        reused: Some(Reused {
            warnings: built.warnings,
        }),
    })
}

/// Record the build in the stamp of the output just swapped in. Without a
/// record the next build is a full one (the stamp the swap-in wrote still
/// marks the site), so failing to write it is no error.
fn record(out: &Path, inputs: String, summary: &BuildSummary) {
    let Ok(output) = stamp::output_digest(out) else {
        return;
    };
    let _ = stamp::write(
        out,
        &stamp::Stamp {
            kind: OutputKind::SITE.id.to_string(),
            build: Some(stamp::Built {
                inputs,
                output,
                published: summary.published.clone(),
                warnings: summary.warnings.iter().count(),
            }),
        },
    );
}

/// Build without holding the site in memory: every file goes to the staging
/// folder as it is rendered, and the folder is swapped in at the end.
fn build_streaming(
    root: &Path,
    options: &BuildOptions,
    on_stage: &mut dyn FnMut(Stage),
) -> Result<BuildSummary, Diagnostics> {
    let write_error = |e: std::io::Error| {
        Diagnostic::error(
            &options.out,
            Pos::FILE,
            format!("cannot write the site: {e}"),
        )
        .with_help("the previous output was left as it was; check permissions and free space")
    };
    let staging = output::Staging::new(&options.out, SITE)
        .map_err(|e| Diagnostics::from_iter([write_error(e)]))?;
    let (pages, charts, files) = (
        AtomicUsize::new(0),
        AtomicUsize::new(0),
        AtomicUsize::new(0),
    );
    // The link checker needs every path and each page's links and ids, not
    // the pages themselves.
    let scanned = Mutex::new(Vec::new());
    let paths = Mutex::new(BTreeSet::new());
    let outcome = render_into(root, options.include_drafts, false, on_stage, &|file| {
        if file.path.ends_with(".html") {
            pages.fetch_add(1, Ordering::Relaxed);
        } else if is_chart(&file) {
            charts.fetch_add(1, Ordering::Relaxed);
        }
        files.fetch_add(1, Ordering::Relaxed);
        if let Some(links) = links::scan(&file) {
            scanned
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .push(links);
        }
        paths
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(file.path.clone());
        staging.write(&file).map_err(write_error)
    })?;
    let scanned = scanned.into_inner().unwrap_or_else(PoisonError::into_inner);
    let paths = paths.into_inner().unwrap_or_else(PoisonError::into_inner);
    let sources = links::Sources::of(&outcome.project);
    let base_url = &outcome.project.site.base_url;
    let broken = links::check_scanned(&scanned, &paths, base_url, &sources, |page| {
        let text = std::fs::read_to_string(staging.path().join(page)).ok()?;
        Some(std::sync::Arc::from(text))
    });
    if broken.has_errors() {
        return Err(broken);
    }
    on_stage(Stage::Write);
    staging
        .commit()
        .map_err(|e| Diagnostics::from_iter([write_error(e)]))?;
    let project = outcome.project;
    Ok(BuildSummary {
        published: Published {
            pages: pages.into_inner(),
            charts: charts.into_inner(),
            files: files.into_inner(),
            years: outcome.years,
            archived: outcome.archived,
            drafts_left_out: drafts_left_out(&project, options),
        },
        warnings: outcome.warnings,
        pdf: Pdf::NotAsked,
        millis: 0,
        reused: None,
    })
}

/// Print the bulletin of every year rendered in this build from the rendered pages
/// and add the PDFs beside them.
fn print_bulletins(
    chromium: &pdf::Chromium,
    project: &Project,
    options: &BuildOptions,
    archived: &[u16],
    files: &mut Vec<OutputFile>,
) -> Result<(), Diagnostics> {
    // An archived year is published exactly as frozen: no PDF is added to it.
    let years: Vec<_> = project
        .public_years(options.include_drafts)
        .filter(|y| !archived.contains(&y.year))
        .collect();
    let pages: Vec<(String, Date)> = years
        .iter()
        .map(|y| (format!("{}/bulletin/index.html", y.year), y.bulletin.date))
        .collect();
    let page_refs: Vec<(&str, Date)> = pages.iter().map(|(p, d)| (p.as_str(), *d)).collect();
    let base_url = &project.site.base_url;
    let printed =
        pdf::print_files(chromium, &options.out, files, &page_refs, base_url).map_err(|e| {
            Diagnostics::from_iter([Diagnostic::error(
                &options.out,
                Pos::FILE,
                format!("cannot print the bulletins to PDF: {e}"),
            )
            .with_help("nothing was written; build without --pdf to publish the HTML only")])
        })?;
    for (year, bytes) in years.iter().zip(printed) {
        files.push(OutputFile::new(
            format!("{}/bulletin/{}", year.year, render::BULLETIN_PDF),
            bytes,
        ));
    }
    files.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(())
}

/// Draft years the build left out (none with `--drafts`).
fn drafts_left_out(project: &Project, options: &BuildOptions) -> Vec<u16> {
    project
        .years
        .values()
        .filter(|y| !options.include_drafts && !y.is_published())
        .map(|y| y.year)
        .collect()
}

/// A generated SVG file: a chart (the theme's own static files are copied, not drawn).
fn is_chart(file: &OutputFile) -> bool {
    file.path.ends_with(".svg") && !file.path.starts_with("static/")
}

pub fn count_charts(files: &[OutputFile]) -> usize {
    files.iter().filter(|f| is_chart(f)).count()
}
