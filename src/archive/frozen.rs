//! Archived years as a build uses them: checked against their manifests,
//! their pages ready to copy, their published figures for site-wide pages,
//! and a warning for each input file that changed since they were archived.

use std::collections::BTreeMap;
use std::path::Path;

use super::published::{self, open_data_path};
use super::{
    archive_dir, archived_years, collect_input, inspect, read_archive, subtree, Metadata, Tree,
    TreeDiff, INPUT, SITE, VERSION,
};
use crate::diagnostic::{Diagnostic, Diagnostics, Pos};
use crate::model::Project;
use crate::output::OutputFile;
use crate::score::YearScores;

/// An archived year as a build uses it.
#[derive(Debug)]
pub struct Frozen {
    pub year: u16,
    pub metadata: Metadata,
    /// The year's pages, at their paths in the public site.
    pub site_files: Vec<OutputFile>,
    /// The archived input, loaded and validated: the rules, bulletin and
    /// units of the year. `None` when this ecoscore cannot load it any more
    /// (a warning says so); site-wide pages then read the year in the current input.
    pub project: Option<Project>,
    /// The year's figures as published (its open data), on the units of
    /// `project`, or of the current input when `project` is `None`; `None`
    /// when neither has the year, which site-wide pages then leave out.
    pub scores: Option<YearScores>,
}

/// Every archive of the project, checked, for a build.
#[derive(Debug, Default)]
pub struct Archives {
    pub frozen: Vec<Frozen>,
    pub warnings: Diagnostics,
}

/// Load every archived year for a build of `current`: an archive that does
/// not match its manifest is an error (its pages are never published);
/// current input that differs from what was archived is a warning naming the files.
pub fn load_archives(root: &Path, current: &Project) -> Result<Archives, Diagnostics> {
    let mut archives = Archives::default();
    let mut errors = Diagnostics::new();
    let mut drift = Drift::default();
    for (year, dir) in archived_years(root)? {
        let tree = match read_archive(year, &dir) {
            Ok(tree) => tree,
            Err(d) => {
                errors.extend(d);
                continue;
            }
        };
        let (metadata, problems) = inspect(year, &tree);
        let Some(metadata) = metadata.filter(|_| !problems.has_errors()) else {
            errors.extend(problems.into_iter().map(|d| {
                d.with_help(
                    "an archived year is published only as archived; restore archive/ from version control (`ecoscore verify` lists every difference)",
                )
            }).collect());
            continue;
        };
        let dir_name = archive_dir(year);
        let prefix = format!("{year}/");
        let site = subtree(&tree, SITE);
        let mut site_files = Vec::new();
        for (path, bytes) in &site {
            if path.starts_with(&prefix) {
                site_files.push(OutputFile::new(path.clone(), bytes.clone()));
            } else {
                errors.push(Diagnostic::error(
                    format!("{dir_name}/site/{path}"),
                    Pos::FILE,
                    format!("an archive of {year} may hold only pages under {prefix}"),
                ));
            }
        }
        let archived_input = subtree(&tree, INPUT);
        match collect_input(root, current, year) {
            Ok(now) => drift.record(year, &TreeDiff::new(&archived_input, &now)),
            Err(d) => errors.extend(d),
        }
        let mut project = match Project::load(&dir.join("input")) {
            Ok((project, _)) if project.years.contains_key(&year) => Some(project),
            Ok(_) => None,
            Err(d) => {
                let first = d.iter().find(|d| d.is_error()).map(ToString::to_string);
                archives.warnings.push(Diagnostic::warning(
                    format!("{dir_name}/input"),
                    Pos::FILE,
                    format!(
                        "the input archived with {year} does not load with ecoscore {VERSION} ({}); the year's pages are still copied, but site-wide pages list {year} from the current input",
                        first.unwrap_or_default()
                    ),
                ));
                None
            }
        };
        let scores =
            match published_figures(year, &dir_name, &metadata, project.as_mut(), current, &site) {
                Ok((scores, warning)) => {
                    archives.warnings.extend(warning.into_iter().collect());
                    scores
                }
                Err(d) => {
                    errors.push(d);
                    continue;
                }
            };
        archives.frozen.push(Frozen {
            year,
            metadata,
            site_files,
            project,
            scores,
        });
    }
    if errors.has_errors() {
        return Err(errors.sorted());
    }
    archives.warnings.extend(drift.warnings());
    archives.warnings = archives.warnings.sorted();
    Ok(archives)
}

/// `year`'s figures as published (see `published`), on the units of the
/// archived input (renamed to their published names) or else of the current
/// input; with a warning when scoring that input gives other figures.
fn published_figures(
    year: u16,
    dir_name: &str,
    metadata: &Metadata,
    archived: Option<&mut Project>,
    current: &Project,
    site: &Tree,
) -> Result<(Option<YearScores>, Option<Diagnostic>), Diagnostic> {
    let file = format!("{dir_name}/site/{}", open_data_path(year));
    let (project, is_archived) = match archived.as_deref() {
        Some(project) => (project, true),
        None => (current, false),
    };
    let Some(y) = project.years.get(&year) else {
        return Ok((None, None));
    };
    let shown = published::published(project, y, site).map_err(|message| {
        Diagnostic::error(&file, Pos::FILE, message)
            .with_help("site-wide pages list an archived year with the figures of its published open data; restore the archive from version control")
    })?;
    let warning = (is_archived && !shown.reproduced).then(|| {
        let version = if metadata.ecoscore == VERSION {
            String::new()
        } else {
            format!(" (archived with ecoscore {}, scored now by {VERSION})", metadata.ecoscore)
        };
        Diagnostic::warning(
            format!("{dir_name}/input"),
            Pos::FILE,
            format!("scoring the input archived with {year} does not give its published figures and charts{version}; site-wide pages show the published figures, from {file}, and no indicator detail of {year}"),
        )
        .with_help("an archive's input should be what produced its pages: `ecoscore verify` rebuilds the year and names every difference")
    });
    if let Some(project) = archived {
        for (index, name) in &shown.renamed {
            project.units[*index].name.clone_from(name);
        }
    }
    Ok((Some(shown.scores), warning))
}

/// Current input files that differ from what archived years were built
/// from: by file and kind of difference, the years affected.
#[derive(Default)]
struct Drift(BTreeMap<(String, DriftKind), Vec<u16>>);

#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum DriftKind {
    Changed,
    Added,
    Missing,
}

impl Drift {
    fn record(&mut self, year: u16, diff: &TreeDiff) {
        for (kind, paths) in [
            (DriftKind::Changed, &diff.changed),
            (DriftKind::Added, &diff.added),
            (DriftKind::Missing, &diff.missing),
        ] {
            for path in paths {
                self.0.entry((path.clone(), kind)).or_default().push(year);
            }
        }
    }

    /// One warning per file, naming every archived year it concerns.
    fn warnings(self) -> Diagnostics {
        self.0
            .into_iter()
            .map(|((path, kind), years)| {
                let list: Vec<String> = years.iter().map(u16::to_string).collect();
                let list = list.join(", ");
                let was = if years.len() == 1 { "was" } else { "were" };
                let what = match kind {
                    DriftKind::Changed => format!("changed since {list} {was} archived"),
                    DriftKind::Added => format!("new since {list} {was} archived"),
                    DriftKind::Missing => format!("archived with {list}, now gone"),
                };
                let year = match years.as_slice() {
                    [one] => one.to_string(),
                    _ => "<year>".to_string(),
                };
                Diagnostic::warning(
                    path,
                    Pos::FILE,
                    format!("{what}; the archived pages of {list} are published unchanged"),
                )
                .with_help(format!(
                    "an archived year keeps the input it was archived with; to publish this change, re-archive: ecoscore archive --year {year} --force --reason \"…\"; otherwise restore the file"
                ))
            })
            .collect()
    }
}
