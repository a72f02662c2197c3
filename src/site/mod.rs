//! The pipeline for one run: load → validate → score → render, and for a
//! build link check → write → stamp, with archived years copied from
//! `archive/` instead of rendered.
//!
//! One way in, as Zola's `Site`: [`Site::new`] with the [`Options`],
//! optionally [`Site::observe`] to hear each [`Stage`] as it starts, then one
//! of [`Site::check`], [`Site::check_links`], [`Site::render`] or
//! [`Site::build`]. Nothing is read until one of them runs, because `build`
//! first asks the stamp whether anything changed since the last build
//! (hashing the inputs before they are read) and then reads nothing at all.

mod build;
mod incremental;
mod kept;
mod stored;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, PoisonError};

use crate::archive;
use crate::diagnostic::Diagnostics;
use crate::links;
use crate::load::ParseCache;
use crate::model::Project;
use crate::output::OutputFile;
use crate::render::{self, RenderInput, Theme, YearInput};
use crate::score;
pub use build::{count_charts, BuildSummary, Reused};
pub use kept::KeptYears;
pub use stored::YearStore;

/// What a run renders.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Draft years too, marked as drafts.
    pub drafts: bool,
    /// [`Site::build`] only: print each year's bulletin to
    /// `<year>/bulletin/bulletin.pdf` (headless Chromium), which its page
    /// then links to.
    pub pdf: bool,
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

/// The project at a folder, about to go through the pipeline once.
pub struct Site<'o> {
    root: PathBuf,
    options: Options,
    observer: Option<&'o mut dyn FnMut(Stage)>,
    /// Told of each file [`Site::build`] renders (not of the files it keeps).
    written: Option<Written<'o>>,
    /// The documents of the previous load, reused where a file's text is
    /// unchanged (see [`Site::parse_cache`]).
    cache: Option<&'o ParseCache>,
    /// The years validated by the previous build (see [`Site::keep_years`]).
    kept_years: Option<&'o KeptYears>,
    /// The year keys of the input ([`Site::build`] computes them), for
    /// `kept_years`.
    year_keys: Option<BTreeMap<u16, String>>,
}

/// What [`Site::on_write`] calls, from any thread.
type Written<'o> = &'o (dyn Fn(&OutputFile) + Sync);

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

/// What rendering the whole site showed, without keeping it.
#[derive(Debug)]
pub struct Checked {
    pub project: Project,
    /// How many files a build with the same options would write.
    pub files: usize,
    pub warnings: Diagnostics,
    pub archived: Vec<u16>,
}

/// What a render produced besides its files.
#[derive(Debug)]
pub struct Outcome {
    pub project: Project,
    pub warnings: Diagnostics,
    /// The years published, oldest first, archived ones included.
    pub years: Vec<u16>,
    /// The years whose pages were copied from `archive/`.
    pub archived: Vec<u16>,
}

impl Outcome {
    /// The years whose own pages were rendered (or kept), not copied.
    pub fn rendered_years(&self) -> BTreeSet<u16> {
        self.years
            .iter()
            .filter(|y| !self.archived.contains(y))
            .copied()
            .collect()
    }
}

impl Options {
    /// The options as the stamp and the year keys record them.
    fn stamp_text(&self) -> String {
        format!("drafts={}", self.drafts)
    }
}

impl<'o> Site<'o> {
    /// The project at `root`, to render with `options`. Reads nothing yet.
    pub fn new(root: &Path, options: &Options) -> Site<'o> {
        Site {
            root: root.to_path_buf(),
            options: options.clone(),
            observer: None,
            written: None,
            cache: None,
            kept_years: None,
            year_keys: None,
        }
    }

    /// [`Site::build`] only: take from `years` the validated years whose
    /// year key is unchanged since the build that left them there, instead
    /// of reading and validating them again, and leave this build's years in
    /// it: a long-running caller (`serve`) loads only the years an edit
    /// changed, and `ecoscore build` the same through the years stored in
    /// the project (`KeptYears::stored`, written after a build succeeds).
    /// Any other run, or a build whose input cannot be digested, loads
    /// everything and empties `years`.
    pub fn keep_years(mut self, years: &'o KeptYears) -> Site<'o> {
        self.kept_years = Some(years);
        self
    }

    /// Take documents from `cache` where a file's text is the one parsed
    /// before, and leave this run's documents in it: a long-running caller
    /// (`serve`) parses only what changed between two runs.
    pub fn parse_cache(mut self, cache: &'o ParseCache) -> Site<'o> {
        self.cache = Some(cache);
        self
    }

    /// Call `written` with each file [`Site::build`] renders, as it goes to
    /// the staging folder (serve fingerprints the files it will answer).
    pub fn on_write(mut self, written: Written<'o>) -> Site<'o> {
        self.written = Some(written);
        self
    }

    /// Call `observer` as each stage starts.
    pub fn observe(mut self, observer: &'o mut dyn FnMut(Stage)) -> Site<'o> {
        self.observer = Some(observer);
        self
    }

    fn stage(&mut self, stage: Stage) {
        if let Some(observer) = self.observer.as_mut() {
            observer(stage);
        }
    }

    /// Load, validate, score and render the site in memory; archived years
    /// are copied from `archive/` instead of rendered. Writes nothing.
    pub fn render(mut self) -> Result<Rendered, Diagnostics> {
        self.render_to_memory(false)
    }

    /// Load, validate, score and render everything a build would, dropping
    /// each file once counted: a check needs no page kept, so a national
    /// project is checked in the memory of its input.
    pub fn check(mut self) -> Result<Checked, Diagnostics> {
        let files = AtomicUsize::new(0);
        let outcome = self.render_into(false, &BTreeSet::new(), None, &|_| {
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

    /// [`Site::check`] plus the link checker, which quotes the line of a
    /// broken link and so keeps the rendered pages. Broken links come back
    /// as errors, with the warnings.
    pub fn check_links(self) -> Result<Checked, Diagnostics> {
        let rendered = self.render()?;
        let broken = links::check(
            &rendered.files,
            &rendered.project.site.base_url,
            &links::Sources::of(&rendered.project),
        );
        if broken.has_errors() {
            let mut all = rendered.warnings;
            all.extend(broken);
            return Err(all.sorted());
        }
        Ok(Checked {
            project: rendered.project,
            files: rendered.files.len(),
            warnings: rendered.warnings,
            archived: rendered.archived,
        })
    }

    /// The site in memory, sorted by path. `bulletin_pdf`: the bulletin
    /// pages link to a PDF beside them.
    fn render_to_memory(&mut self, bulletin_pdf: bool) -> Result<Rendered, Diagnostics> {
        let files = Mutex::new(Vec::new());
        let outcome = self.render_into(bulletin_pdf, &BTreeSet::new(), None, &|file| {
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

    /// The pipeline up to render, every file going to `sink` as it is produced.
    /// The own pages of the years in `kept` are not rendered (see
    /// `incremental`), nor the pages `keeping` finds unchanged.
    fn render_into(
        &mut self,
        bulletin_pdf: bool,
        kept: &BTreeSet<u16>,
        keeping: Option<&render::Keeping>,
        sink: render::Sink<'_>,
    ) -> Result<Outcome, Diagnostics> {
        self.stage(Stage::Load);
        let root = &self.root.clone();
        let (project, mut warnings) = match (self.kept_years, &self.year_keys) {
            (Some(kept), Some(keys)) => kept.load(root, self.cache, keys)?,
            (kept, _) => {
                if let Some(kept) = kept {
                    kept.clear();
                }
                Project::load_with(root, self.cache)?
            }
        };
        let archives = archive::load_archives(root, &project)?;
        warnings.extend(archives.warnings);
        let theme = Theme::load(root, &project.site.theme)?;
        self.stage(Stage::Score);
        let scores = score::score_all(&project);
        let mut years: BTreeMap<u16, YearInput<'_>> = project
            .public_years(self.options.drafts)
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
        self.stage(Stage::Render);
        let year_numbers: Vec<u16> = years.keys().copied().collect();
        render::render_site_keeping(
            &RenderInput {
                project: &project,
                theme: &theme,
                years: years.into_values().collect(),
                bulletin_pdf,
            },
            sink,
            kept,
            keeping,
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
}
