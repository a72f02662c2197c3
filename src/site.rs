//! The whole pipeline for one build: load → validate → score → render → write.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Instant;

use rayon::prelude::*;

use crate::diagnostic::{Diagnostic, Diagnostics, Pos};
use crate::model::Project;
use crate::output::{self, OutputFile};
use crate::render::{self, RenderInput, Theme};
use crate::score::{self, YearScores};

#[derive(Debug, Clone)]
pub struct BuildOptions {
    /// The output folder, absolute or relative to the working directory.
    pub out: PathBuf,
    pub include_drafts: bool,
}

#[derive(Debug, Clone)]
pub struct BuildSummary {
    pub pages: usize,
    /// SVG files the build generated (theme static files are not charts).
    pub charts: usize,
    pub files: usize,
    pub years: Vec<u16>,
    pub drafts_left_out: Vec<u16>,
    pub warnings: Diagnostics,
    pub millis: u128,
}

/// Scores of every year of the project, by year.
pub fn score_all(project: &Project) -> BTreeMap<u16, YearScores> {
    project
        .years
        .par_iter()
        .map(|(&number, year)| (number, score::score_year(project, year)))
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

/// Load, validate, score and render the site in memory. Writes nothing.
pub fn render(
    root: &Path,
    include_drafts: bool,
) -> Result<(Project, Vec<OutputFile>, Diagnostics), Diagnostics> {
    render_observed(root, include_drafts, &mut |_| {})
}

/// [`render`], calling `on_stage` as each stage starts.
pub fn render_observed(
    root: &Path,
    include_drafts: bool,
    on_stage: &mut dyn FnMut(Stage),
) -> Result<(Project, Vec<OutputFile>, Diagnostics), Diagnostics> {
    on_stage(Stage::Load);
    let (project, warnings) = Project::load(root)?;
    let theme = Theme::load(root, &project.site.theme)?;
    on_stage(Stage::Score);
    let scores = score_all(&project);
    on_stage(Stage::Render);
    let years = project
        .public_years(include_drafts)
        .filter_map(|year| scores.get(&year.year).map(|s| (year, s)))
        .collect();
    let files = render::render_site(&RenderInput {
        project: &project,
        theme: &theme,
        years,
    })?;
    Ok((project, files, warnings))
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
    check_output_folder(root, &options.out)?;
    let (project, files, warnings) = render_observed(root, options.include_drafts, on_stage)?;
    on_stage(Stage::Write);
    output::write_site(&options.out, &files).map_err(|e| {
        Diagnostics::from_iter([Diagnostic::error(
            &options.out,
            Pos::FILE,
            format!("cannot write the site: {e}"),
        )
        .with_help("the previous output was left as it was; check permissions and free space")])
    })?;
    Ok(BuildSummary {
        pages: files.iter().filter(|f| f.path.ends_with(".html")).count(),
        charts: count_charts(&files),
        files: files.len(),
        years: project
            .public_years(options.include_drafts)
            .map(|y| y.year)
            .collect(),
        drafts_left_out: project
            .years
            .values()
            .filter(|y| !options.include_drafts && !y.is_published())
            .map(|y| y.year)
            .collect(),
        warnings,
        millis: started.elapsed().as_millis(),
    })
}

/// Generated SVG files: charts (the theme's own static files are copied, not drawn).
pub fn count_charts(files: &[OutputFile]) -> usize {
    files
        .iter()
        .filter(|f| f.path.ends_with(".svg") && !f.path.starts_with("static/"))
        .count()
}

/// The output folder is replaced wholesale, so it must not hold the project.
fn check_output_folder(root: &Path, out: &Path) -> Result<(), Diagnostics> {
    let absolute = |p: &Path| std::path::absolute(p).unwrap_or_else(|_| p.to_path_buf());
    let root = absolute(root);
    let out_abs = absolute(out);
    let protected = [
        "data",
        "content",
        "themes",
        "site.yaml",
        "archive",
        "briefing",
        "src",
        ".git",
    ];
    let clash =
        root.starts_with(&out_abs) || protected.iter().any(|p| out_abs.starts_with(root.join(p)));
    if clash {
        return Err(Diagnostics::from_iter([Diagnostic::error(
            out,
            Pos::FILE,
            "refusing to build into this folder: the build replaces the output folder, and this one holds project files",
        )
        .with_help("choose a separate folder, e.g. --out public")]));
    }
    Ok(())
}
