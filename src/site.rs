//! The whole pipeline for one build: load → validate → score → render → write.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Instant;

use rayon::prelude::*;

use crate::diagnostic::{Diagnostic, Diagnostics, Pos};
use crate::model::{Date, Project};
use crate::output::{self, OutputFile};
use crate::pdf::{self, Pdf};
use crate::render::{self, RenderInput, Theme};
use crate::score::{self, YearScores};

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
    pub pages: usize,
    pub files: usize,
    pub years: Vec<u16>,
    pub drafts_left_out: Vec<u16>,
    pub warnings: Diagnostics,
    pub millis: u128,
    pub pdf: Pdf,
}

/// Scores of every year of the project, by year.
pub fn score_all(project: &Project) -> BTreeMap<u16, YearScores> {
    project
        .years
        .par_iter()
        .map(|(&number, year)| (number, score::score_year(project, year)))
        .collect()
}

/// Load, validate, score and render the site in memory. Writes nothing.
/// `bulletin_pdf`: the bulletin pages link to a PDF beside them.
pub fn render(
    root: &Path,
    include_drafts: bool,
    bulletin_pdf: bool,
) -> Result<(Project, Vec<OutputFile>, Diagnostics), Diagnostics> {
    let (project, warnings) = Project::load(root)?;
    let theme = Theme::load(root, &project.site.theme)?;
    let scores = score_all(&project);
    let years = project
        .public_years(include_drafts)
        .filter_map(|year| scores.get(&year.year).map(|s| (year, s)))
        .collect();
    let files = render::render_site(&RenderInput {
        project: &project,
        theme: &theme,
        years,
        bulletin_pdf,
    })?;
    Ok((project, files, warnings))
}

/// Build the public site into `options.out`; on any error nothing is written.
pub fn build(root: &Path, options: &BuildOptions) -> Result<BuildSummary, Diagnostics> {
    let started = Instant::now();
    check_output_folder(root, &options.out)?;
    let chromium = options.pdf.then(pdf::Chromium::find);
    let printing = matches!(chromium, Some(Ok(_)));
    let (project, mut files, warnings) = render(root, options.include_drafts, printing)?;
    let pdf = match chromium {
        None => Pdf::NotAsked,
        Some(Err(why)) => Pdf::Missing(why),
        Some(Ok(chromium)) => {
            print_bulletins(&chromium, &project, options, &mut files)?;
            Pdf::Written
        }
    };
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
        pdf,
    })
}

/// Print the bulletin of every year in the build from the rendered pages
/// and add the PDFs beside them.
fn print_bulletins(
    chromium: &pdf::Chromium,
    project: &Project,
    options: &BuildOptions,
    files: &mut Vec<OutputFile>,
) -> Result<(), Diagnostics> {
    let years: Vec<_> = project.public_years(options.include_drafts).collect();
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
