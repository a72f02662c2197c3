//! [`Site::build`]: the site written to its output folder, or nothing at all,
//! a rebuild skipped when the stamp shows that nothing changed, and the years
//! whose input did not change kept from the previous output (`incremental`).

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, PoisonError};
use std::time::Instant;

use super::incremental;
use super::{Options, Rendered, Site, Stage};
use crate::destination::{self, OutputKind};
use crate::diagnostic::{Diagnostic, Diagnostics, Pos};
use crate::links;
use crate::model::{Date, Project};
use crate::output::{self, OutputFile, Replaces};
use crate::pdf::{self, Pdf};
use crate::render;
use crate::stamp::{self, Published, YearFiles};
use rayon::prelude::*;

#[derive(Debug, Clone)]
pub struct BuildSummary {
    pub published: Published,
    pub warnings: Diagnostics,
    pub pdf: Pdf,
    pub millis: u128,
    /// Set when nothing changed since the build that made the output folder
    /// as it is: the folder was left alone and the counts are that build's.
    pub reused: Option<Reused>,
    /// The years whose own pages were kept from the previous output, their
    /// input unchanged (see `site/incremental.rs`).
    pub kept: Vec<u16>,
    /// How many pages of the years rendered were kept from the previous
    /// output, what they are made from unchanged (`render/keep.rs`).
    pub kept_pages: usize,
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

/// What the previous output was left as when a write fails.
const KEPT: &str = "the previous output was left as it was";

impl Site<'_> {
    /// Build the public site into `out` (absolute or relative to the working
    /// directory); on any error nothing is written.
    pub fn build(mut self, out: &Path) -> Result<BuildSummary, Diagnostics> {
        let started = Instant::now();
        // Resolved once, checked, and used for every write (see `destination`).
        let out = destination::output_folder(&self.root, OutputKind::SITE, out)?;
        destination::replaceable(OutputKind::SITE, &out)?;
        if !self.options.pdf {
            // Hashed before anything is loaded: see `stamp`.
            let options = self.options.stamp_text();
            let inputs = stamp::input_files(&self.root).ok();
            let digest = inputs
                .as_ref()
                .map(|files| stamp::digest_of(files, &options));
            let listing = out
                .is_dir()
                .then(|| stamp::output_listing(&out).ok())
                .flatten();
            if let (Some(digest), Some(listing)) = (&digest, &listing) {
                if let Some(mut summary) = unchanged(&out, digest, &listing.digest) {
                    summary.millis = started.elapsed().as_millis();
                    return Ok(summary);
                }
            }
            let keys = inputs.as_ref().map_or_else(BTreeMap::new, |files| {
                incremental::year_keys(files, &options)
            });
            self.year_keys = inputs.is_some().then(|| keys.clone());
            let previous = listing
                .as_ref()
                .and_then(|l| incremental::previous(&out, &l.digest));
            // A folder as the previous build left it is updated where it
            // stands; any other is replaced whole.
            let before = previous.as_ref().and(listing);
            let kept = previous
                .as_ref()
                .map(|built| incremental::kept_years(built, &keys))
                .unwrap_or_default();
            // Pages are kept one by one only when the input could be read
            // to vouch for them.
            let keeping = inputs.as_ref().map(|files| {
                let site = incremental::site_key(files, &options);
                incremental::kept_pages(previous.as_ref(), site, &kept)
            });
            let (mut summary, years, pages, listing) =
                self.build_streaming(&out, before, kept, &keys, keeping)?;
            if let Some(digest) = digest {
                record(&out, digest, &summary, years, pages, listing);
            }
            // Like the stamp, the stored years only make the next build
            // faster: one that cannot be written leaves it as fast as a
            // first build, never wrong.
            if let Some(kept) = self.kept_years {
                let _ = kept.store(&keys);
            }
            summary.millis = started.elapsed().as_millis();
            return Ok(summary);
        }
        // PDFs depend on the Chromium found, which no stamp can vouch for: the
        // swap-in leaves a stamp that marks the site and records no build.
        let chromium = match pdf::Chromium::find() {
            Ok(chromium) => chromium,
            Err(why) => {
                let (mut summary, _, _, _) =
                    self.build_streaming(&out, None, BTreeMap::new(), &BTreeMap::new(), None)?;
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
        } = self.render_to_memory(true)?;
        print_bulletins(
            &chromium,
            &project,
            &self.options,
            &out,
            &archived,
            &mut files,
        )?;
        let broken = links::check(
            &files,
            &project.site.base_url,
            &links::Sources::of(&project),
        );
        if broken.has_errors() {
            return Err(broken);
        }
        self.stage(Stage::Write);
        output::write_site(&out, SITE, &files)
            .map_err(|e| output::cannot_write(&out, "the site", &e, KEPT))?;
        Ok(BuildSummary {
            published: Published {
                pages: files.iter().filter(|f| f.path.ends_with(".html")).count(),
                charts: count_charts(&files),
                files: files.len(),
                years,
                archived,
                drafts_left_out: drafts_left_out(&project, &self.options),
                site_path: crate::paths::site_path(&project.site.base_url),
            },
            warnings,
            pdf: Pdf::Written,
            millis: started.elapsed().as_millis(),
            reused: None,
            kept: Vec::new(),
            kept_pages: 0,
        })
    }

    /// Build without holding the site in memory: every file goes to the
    /// staging folder as it is rendered, and the folder is swapped in at the
    /// end, or with `before` (the files of an output that lists as the
    /// previous build left it) only what changed is moved in. The years in `kept` are not rendered: their files are kept from
    /// the output being replaced (`incremental`), nor the pages `keeping`
    /// finds unchanged. Returns, beside the
    /// summary, the files of every rendered year and its pages, for the next
    /// build.
    fn build_streaming(
        &mut self,
        out: &Path,
        before: Option<stamp::Listing>,
        kept: BTreeMap<u16, YearFiles>,
        keys: &BTreeMap<u16, String>,
        keeping: Option<render::Keeping>,
    ) -> Result<Streamed, Diagnostics> {
        let write_error = |e: std::io::Error| output::cannot_write(out, "the site", &e, KEPT);
        let staging = match before {
            Some(listing) => output::Staging::update(out, SITE, listing),
            None => output::Staging::new(out, SITE),
        }
        .map_err(write_error)?;
        let counts = Counts::default();
        // The link checker needs every path and each page's links and ids, not
        // the pages themselves.
        let scanned = Mutex::new(Vec::new());
        let paths = Mutex::new(BTreeSet::new());
        // Files under a year folder, with their pages' ids, for the stamp.
        let in_years = Mutex::new(Vec::new());
        // Every page's ids, for the pages the next build may keep.
        let page_ids = Mutex::new(HashMap::new());
        let kept_years: BTreeSet<u16> = kept.keys().copied().collect();
        let written = self.written;
        let outcome = self.render_into(false, &kept_years, keeping.as_ref(), &|file| {
            counts.add(&file.path);
            let links = links::scan(&file);
            if incremental::year_folder(&file.path).is_some() {
                let ids = links.as_ref().map(|l| incremental::ids(l.ids()));
                lock(&in_years).push((file.path.clone(), ids.unwrap_or_default()));
            }
            if let Some(links) = links {
                if keeping.is_some() {
                    let ids = incremental::ids(links.ids());
                    lock(&page_ids).insert(file.path.clone(), ids);
                }
                lock(&scanned).push(links);
            }
            lock(&paths).insert(file.path.clone());
            if let Some(written) = written {
                written(&file);
            }
            staging.write(&file).map_err(write_error)
        })?;
        let mut scanned = scanned.into_inner().unwrap_or_else(PoisonError::into_inner);
        let mut paths = paths.into_inner().unwrap_or_else(PoisonError::into_inner);
        // The single pages kept, with their ids as the previous build
        // recorded them.
        let kept_pages = keeping
            .as_ref()
            .map(render::Keeping::kept_files)
            .unwrap_or_default();
        let keep: Vec<(&str, &[String])> = kept
            .values()
            .flat_map(|year| &year.files)
            .chain(kept_pages.iter().map(|(path, ids)| (path, ids)))
            .map(|(path, ids)| (path.as_str(), ids.as_slice()))
            .filter(|(path, _)| !paths.contains(*path))
            .collect();
        keep.par_iter()
            .try_for_each(|(path, _)| staging.keep(path))
            .map_err(write_error)?;
        for (path, ids) in keep {
            counts.add(path);
            if path.ends_with(".html") {
                let ids = ids.iter().cloned().collect();
                scanned.push(links::PageLinks::kept(path.to_string(), ids));
            }
            paths.insert(path.to_string());
        }
        let sources = links::Sources::of(&outcome.project);
        let base_url = &outcome.project.site.base_url;
        let broken = links::check_scanned(&scanned, &paths, base_url, &sources, |page| {
            let text = std::fs::read_to_string(staging.current(page)).ok()?;
            Some(std::sync::Arc::from(text))
        });
        if broken.has_errors() {
            return Err(broken);
        }
        self.stage(Stage::Write);
        let listing = staging.commit().map_err(write_error)?;
        let rendered = outcome.rendered_years();
        let mut years = kept;
        for (path, ids) in in_years
            .into_inner()
            .unwrap_or_else(PoisonError::into_inner)
            .into_iter()
            .chain(kept_pages.iter().cloned())
        {
            let Some(year) = incremental::year_folder(&path).filter(|y| rendered.contains(y))
            else {
                continue;
            };
            let Some(key) = keys.get(&year) else {
                continue;
            };
            years
                .entry(year)
                .or_insert_with(|| incremental::new_year(key))
                .files
                .insert(path, ids);
        }
        years.retain(|year, _| rendered.contains(year) && keys.contains_key(year));
        if let Some(keeping) = &keeping {
            let mut parts = keeping.unit_parts(outcome.project.units.len());
            for (year, files) in &mut years {
                files.units = parts.remove(year).unwrap_or_default();
            }
        }
        let project = outcome.project;
        let summary = BuildSummary {
            published: Published {
                pages: counts.pages.into_inner(),
                charts: counts.charts.into_inner(),
                files: counts.files.into_inner(),
                years: outcome.years,
                archived: outcome.archived,
                drafts_left_out: drafts_left_out(&project, &self.options),
                site_path: crate::paths::site_path(&project.site.base_url),
            },
            warnings: outcome.warnings,
            pdf: Pdf::NotAsked,
            millis: 0,
            reused: None,
            kept: kept_years.iter().copied().collect(),
            kept_pages: kept_pages
                .iter()
                .filter(|(p, _)| p.ends_with(".html"))
                .count(),
        };
        let pages = keeping.map_or_else(BTreeMap::new, |keeping| {
            let page_ids = page_ids
                .into_inner()
                .unwrap_or_else(PoisonError::into_inner);
            keeping.records(
                |path| incremental::year_folder(path).is_some_and(|y| kept_years.contains(&y)),
                |path| page_ids.get(path).cloned(),
            )
        });
        Ok((summary, years, pages, listing))
    }
}

/// A streamed build's summary, and for the next build the files of each
/// year it rendered, the pages it may keep, and how the output lists if the
/// commit knows it without walking the folder.
type Streamed = (
    BuildSummary,
    BTreeMap<u16, YearFiles>,
    BTreeMap<String, stamp::PageRecord>,
    Option<stamp::Listing>,
);

/// How many pages, charts and files a build published.
#[derive(Default)]
struct Counts {
    pages: AtomicUsize,
    charts: AtomicUsize,
    files: AtomicUsize,
}

impl Counts {
    fn add(&self, path: &str) {
        if path.ends_with(".html") {
            self.pages.fetch_add(1, Ordering::Relaxed);
        } else if is_chart_path(path) {
            self.charts.fetch_add(1, Ordering::Relaxed);
        }
        self.files.fetch_add(1, Ordering::Relaxed);
    }
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

/// The summary of the build that made `out`, when its stamp says that
/// nothing changed since: same inputs, options and binary, output untouched
/// (it lists as `listing`).
fn unchanged(out: &Path, inputs: &str, listing: &str) -> Option<BuildSummary> {
    let built = stamp::read_summary(out).filter(|b| b.inputs == inputs)?;
    if listing != built.output {
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
        kept: Vec::new(),
        kept_pages: 0,
    })
}

/// Record the build in the stamp of the output just swapped in, with the
/// files of the `years` it rendered. Without a record the next build is a
/// full one (the stamp the swap-in wrote still marks the site), so failing
/// to write it is no error.
fn record(
    out: &Path,
    inputs: String,
    summary: &BuildSummary,
    years: BTreeMap<u16, YearFiles>,
    pages: BTreeMap<String, stamp::PageRecord>,
    listing: Option<stamp::Listing>,
) {
    let output = match listing {
        Some(listing) => listing.digest,
        None => match stamp::output_digest(out) {
            Ok(digest) => digest,
            Err(_) => return,
        },
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
                years,
                pages,
            }),
        },
    );
}

/// Print the bulletin of every year rendered in this build from the rendered pages
/// and add the PDFs beside them.
fn print_bulletins(
    chromium: &pdf::Chromium,
    project: &Project,
    options: &Options,
    out: &Path,
    archived: &[u16],
    files: &mut Vec<OutputFile>,
) -> Result<(), Diagnostics> {
    // An archived year is published exactly as frozen: no PDF is added to it.
    let years: Vec<_> = project
        .public_years(options.drafts)
        .filter(|y| !archived.contains(&y.year))
        .collect();
    let pages: Vec<(String, Date)> = years
        .iter()
        .map(|y| (format!("{}/bulletin/index.html", y.year), y.bulletin.date))
        .collect();
    let page_refs: Vec<(&str, Date)> = pages.iter().map(|(p, d)| (p.as_str(), *d)).collect();
    let base_url = &project.site.base_url;
    let printed = pdf::print_files(chromium, out, files, &page_refs, base_url).map_err(|e| {
        Diagnostic::error(
            out,
            Pos::FILE,
            format!("cannot print the bulletins to PDF: {e}"),
        )
        .with_help("nothing was written; build without --pdf to publish the HTML only")
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

/// Draft years the build left out (none with drafts).
fn drafts_left_out(project: &Project, options: &Options) -> Vec<u16> {
    project
        .years
        .values()
        .filter(|y| !options.drafts && !y.is_published())
        .map(|y| y.year)
        .collect()
}

/// A generated SVG file: a chart (the theme's own static files are copied, not drawn).
fn is_chart(file: &OutputFile) -> bool {
    is_chart_path(&file.path)
}

pub fn is_chart_path(path: &str) -> bool {
    path.ends_with(".svg") && !path.starts_with("static/")
}

pub fn count_charts(files: &[OutputFile]) -> usize {
    files.iter().filter(|f| is_chart(f)).count()
}
