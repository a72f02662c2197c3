//! Stage 6, archive: freeze a published year, and bring frozen years back
//! into every later build unchanged.
//!
//! `archive/<year>/` holds one year as it was published:
//!
//! ```text
//! ARCHIVE.json         year, revision, archive date, ecoscore version, theme,
//!                      file count, SHA-256 of MANIFEST.sha256, superseded revisions
//! MANIFEST.sha256      `sha256sum -c` format, sorted: every file of site/ and input/
//! site/<year>/…        the year's pages exactly as they went into public/<year>/
//! input/…              what produced them: site.yaml, data/regions.yaml,
//!                      data/indicators.yaml, data/<y>/ and content/<y>/ of every
//!                      published year up to this one, content/pages/, themes/<name>/
//! superseded/<n>/…     earlier revisions, moved here whole by `--force`
//! ```
//!
//! The manifest cannot cover ARCHIVE.json (which records the manifest's own
//! digest) nor superseded/ (each revision there carries its own manifest,
//! and ARCHIVE.json records each one's digest and the reason it was replaced).
//!
//! A year's pages are rendered from its input staged in a temporary folder,
//! never from the project in place, so what is archived is by construction
//! what the archived input produces; `verify` repeats that rendering.

mod published;

use std::collections::BTreeMap;
use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::diagnostic::{Diagnostic, Diagnostics, Pos};
use crate::model::{Date, Project};
use crate::output::{self, OutputFile};
use crate::render::view::ArchiveView;
use crate::score::YearScores;
use crate::site;
pub use published::open_data_path;

/// The folder of the project that holds every archived year.
pub const ARCHIVE_DIR: &str = crate::load::ARCHIVE;
pub const MANIFEST: &str = "MANIFEST.sha256";
pub const METADATA: &str = "ARCHIVE.json";
const SITE: &str = "site/";
const INPUT: &str = "input/";
const SUPERSEDED: &str = "superseded/";

/// The version of ecoscore that writes archives and renders pages.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

/// Files by `/`-separated relative path, in path order.
pub type Tree = BTreeMap<String, Vec<u8>>;

/// ARCHIVE.json: how and when a year was frozen.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Metadata {
    pub year: u16,
    /// 1 for the first archive of the year, one more for each `--force`.
    pub revision: u32,
    /// `YYYY-MM-DD`: `--date`, or the bulletin's date; never the clock.
    pub archived_on: String,
    pub ecoscore: String,
    pub theme: String,
    /// Files listed in the manifest.
    pub files: usize,
    pub manifest_sha256: String,
    #[serde(default)]
    pub superseded: Vec<Superseded>,
}

/// An earlier revision kept under `superseded/<revision>/`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Superseded {
    pub revision: u32,
    pub archived_on: String,
    pub manifest_sha256: String,
    /// Why it was replaced (`--reason`).
    pub reason: String,
}

impl Metadata {
    pub fn view(&self) -> Option<ArchiveView> {
        Date::parse(&self.archived_on)
            .map(|date| ArchiveView::new(date, self.revision, &self.manifest_sha256))
    }

    fn to_json(&self) -> String {
        let mut text = serde_json::to_string_pretty(self).unwrap_or_default();
        text.push('\n');
        text
    }
}

pub fn sha256_hex(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

/// Bytes as lower-case hexadecimal, as `sha256sum` writes digests.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The manifest of `files` (every path relative to the archive folder):
/// one `<sha256>  <path>` line per file, sorted by path.
pub fn manifest_text<'a>(files: impl IntoIterator<Item = (&'a str, &'a [u8])>) -> String {
    let sorted: BTreeMap<&str, &[u8]> = files.into_iter().collect();
    sorted
        .into_iter()
        .map(|(path, bytes)| format!("{}  {path}\n", sha256_hex(bytes)))
        .collect()
}

/// Parse a manifest: path → digest, or the 1-based line of each malformed line.
fn parse_manifest(text: &str) -> (BTreeMap<String, String>, Vec<usize>) {
    let mut entries = BTreeMap::new();
    let mut bad = Vec::new();
    for (index, line) in text.lines().enumerate() {
        let parsed = line.get(..64).zip(line.get(64..66)).zip(line.get(66..));
        match parsed {
            Some(((digest, "  " | " *"), path))
                if digest
                    .bytes()
                    .all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
                    && !path.is_empty() =>
            {
                entries.insert(path.to_string(), digest.to_string());
            }
            _ => bad.push(index + 1),
        }
    }
    (entries, bad)
}

fn join(parts: &[&str]) -> String {
    parts
        .iter()
        .filter(|p| !p.is_empty())
        .copied()
        .collect::<Vec<_>>()
        .join("/")
}

/// Every file under `dir`, hidden ones included (an archive has none of its own).
pub fn read_tree(dir: &Path) -> io::Result<Tree> {
    let mut tree = Tree::new();
    for entry in walkdir::WalkDir::new(dir).follow_links(false) {
        let entry = entry.map_err(io::Error::other)?;
        if entry.file_type().is_dir() {
            continue;
        }
        let relative = entry
            .path()
            .strip_prefix(dir)
            .map_err(io::Error::other)?
            .components()
            .map(|c| c.as_os_str().to_string_lossy().into_owned())
            .collect::<Vec<_>>()
            .join("/");
        // A manifest digests contents, not links: a link could make a
        // verified archive publish whatever it points at.
        if entry.file_type().is_symlink() {
            return Err(io::Error::other(format!(
                "{relative} is a symbolic link; an archive holds only plain files"
            )));
        }
        tree.insert(relative, fs::read(entry.path())?);
    }
    Ok(tree)
}

/// The input files under `root/dir`, as the loader sees them: hidden names skipped.
fn read_input_dir(root: &Path, dir: &str, into: &mut Tree, diags: &mut Diagnostics) {
    let walk = walkdir::WalkDir::new(root.join(dir))
        .follow_links(false)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| e.depth() == 0 || !e.file_name().to_string_lossy().starts_with('.'));
    for entry in walk {
        let entry = match entry {
            Ok(entry) => entry,
            Err(e) if e.io_error().map(io::Error::kind) == Some(io::ErrorKind::NotFound) => return,
            Err(e) => {
                diags.push(Diagnostic::error(
                    dir,
                    Pos::FILE,
                    format!("cannot read this folder: {e}"),
                ));
                return;
            }
        };
        if entry.file_type().is_dir() {
            continue;
        }
        let Ok(relative) = entry.path().strip_prefix(root) else {
            continue;
        };
        let path = relative
            .components()
            .map(|c| c.as_os_str().to_string_lossy().into_owned())
            .collect::<Vec<_>>()
            .join("/");
        read_input_file(root, &path, into, diags);
    }
}

fn read_input_file(root: &Path, path: &str, into: &mut Tree, diags: &mut Diagnostics) {
    if path.contains(['\n', '\r', '\\']) {
        diags.push(
            Diagnostic::error(
                path,
                Pos::FILE,
                "this file name cannot be listed in a sha256sum manifest",
            )
            .with_help("rename it without line breaks or backslashes"),
        );
        return;
    }
    match fs::read(root.join(path)) {
        Ok(bytes) => {
            into.insert(path.to_string(), bytes);
        }
        Err(e) => diags.push(Diagnostic::error(
            path,
            Pos::FILE,
            format!("cannot read this file: {e}"),
        )),
    }
}

/// The input that produces `year`'s pages, read from the project at `root`:
/// site-level files, every published year up to `year`, the pages and the theme.
pub fn collect_input(root: &Path, project: &Project, year: u16) -> Result<Tree, Diagnostics> {
    let mut tree = Tree::new();
    let mut diags = Diagnostics::new();
    for file in ["site.yaml", "data/regions.yaml", "data/indicators.yaml"] {
        read_input_file(root, file, &mut tree, &mut diags);
    }
    for y in project.years.values() {
        if y.is_published() && y.year <= year {
            read_input_dir(root, &format!("data/{}", y.year), &mut tree, &mut diags);
            read_input_dir(root, &format!("content/{}", y.year), &mut tree, &mut diags);
        }
    }
    read_input_dir(root, "content/pages", &mut tree, &mut diags);
    read_input_dir(
        root,
        &format!("themes/{}", project.site.theme),
        &mut tree,
        &mut diags,
    );
    if diags.has_errors() {
        return Err(diags.sorted());
    }
    Ok(tree)
}

/// Render `year`'s pages (everything under `<year>/`) from `input` alone,
/// staged in a temporary project folder.
pub fn render_year(input: &Tree, year: u16) -> Result<Vec<OutputFile>, Diagnostics> {
    let io_error = |e: io::Error| {
        Diagnostics::from_iter([Diagnostic::error(
            ARCHIVE_DIR,
            Pos::FILE,
            format!("cannot stage the input in a temporary folder: {e}"),
        )])
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
    let rendered = site::render(staging.path(), false, false)?;
    let prefix = format!("{year}/");
    Ok(rendered
        .files
        .into_iter()
        .filter(|f| f.path.starts_with(&prefix))
        .collect())
}

fn archive_dir(year: u16) -> String {
    format!("{ARCHIVE_DIR}/{year}")
}

/// Check one revision's files (`tree`, without superseded/) against its
/// manifest and metadata; each difference becomes an error on that file.
fn check_revision(dir: &str, year: u16, tree: &Tree, diags: &mut Diagnostics) -> Option<Metadata> {
    let at = |path: &str| PathBuf::from(join(&[dir, path]));
    let metadata = match tree.get(METADATA) {
        None => {
            diags.push(Diagnostic::error(
                at(METADATA),
                Pos::FILE,
                "missing: every archive has ARCHIVE.json",
            ));
            None
        }
        Some(bytes) => match serde_json::from_slice::<Metadata>(bytes) {
            Ok(metadata) => Some(metadata),
            Err(e) => {
                diags.push(
                    Diagnostic::error(
                        at(METADATA),
                        Pos::new(e.line(), e.column()),
                        format!("not a valid archive record: {e}"),
                    )
                    .with_help("restore it from version control"),
                );
                None
            }
        },
    };
    if let Some(m) = &metadata {
        if m.year != year {
            diags.push(Diagnostic::error(
                at(METADATA),
                Pos::FILE,
                format!("records year {}, but it is in the folder of {year}", m.year),
            ));
        }
        if Date::parse(&m.archived_on).is_none() {
            diags.push(Diagnostic::error(
                at(METADATA),
                Pos::FILE,
                format!("archived_on is `{}`, not a YYYY-MM-DD date", m.archived_on),
            ));
        }
    }
    let Some(manifest) = tree.get(MANIFEST) else {
        diags.push(Diagnostic::error(
            at(MANIFEST),
            Pos::FILE,
            "missing: every archive has MANIFEST.sha256",
        ));
        return metadata;
    };
    if let Some(m) = &metadata {
        let digest = sha256_hex(manifest);
        if digest != m.manifest_sha256 {
            diags.push(Diagnostic::error(
                at(MANIFEST),
                Pos::FILE,
                format!(
                    "modified: its SHA-256 is {digest}, ARCHIVE.json records {}",
                    m.manifest_sha256
                ),
            ));
        }
    }
    let (entries, bad_lines) = parse_manifest(&String::from_utf8_lossy(manifest));
    for line in bad_lines {
        diags.push(
            Diagnostic::error(at(MANIFEST), Pos::new(line, 1), "not a manifest line")
                .with_help("each line is `<64 hex digits>  <path>`, as sha256sum writes it"),
        );
    }
    for (path, bytes) in tree {
        if path == METADATA || path == MANIFEST {
            continue;
        }
        match entries.get(path) {
            None => diags.push(Diagnostic::error(
                at(path),
                Pos::FILE,
                "added: this file is not listed in MANIFEST.sha256",
            )),
            Some(expected) => {
                let actual = sha256_hex(bytes);
                if &actual != expected {
                    diags.push(Diagnostic::error(
                        at(path),
                        Pos::FILE,
                        format!(
                            "modified: its SHA-256 is {actual}, MANIFEST.sha256 records {expected}"
                        ),
                    ));
                }
            }
        }
    }
    for path in entries.keys().filter(|p| !tree.contains_key(*p)) {
        diags.push(Diagnostic::error(
            at(path),
            Pos::FILE,
            "missing: listed in MANIFEST.sha256 but not in the archive",
        ));
    }
    metadata
}

/// Check a whole archive folder: the current revision and each superseded one.
pub fn inspect(year: u16, tree: &Tree) -> (Option<Metadata>, Diagnostics) {
    let dir = archive_dir(year);
    let mut diags = Diagnostics::new();
    let mut current = Tree::new();
    let mut revisions: BTreeMap<u32, Tree> = BTreeMap::new();
    for (path, bytes) in tree {
        let Some(rest) = path.strip_prefix(SUPERSEDED) else {
            current.insert(path.clone(), bytes.clone());
            continue;
        };
        match rest
            .split_once('/')
            .and_then(|(n, file)| n.parse::<u32>().ok().map(|n| (n, file)))
        {
            Some((n, file)) => {
                revisions
                    .entry(n)
                    .or_default()
                    .insert(file.to_string(), bytes.clone());
            }
            None => diags.push(Diagnostic::error(
                PathBuf::from(join(&[&dir, path])),
                Pos::FILE,
                "added: superseded/ holds only numbered revision folders",
            )),
        }
    }
    let metadata = check_revision(&dir, year, &current, &mut diags);
    let recorded: BTreeMap<u32, &Superseded> = metadata
        .iter()
        .flat_map(|m| m.superseded.iter().map(|s| (s.revision, s)))
        .collect();
    for (n, files) in &revisions {
        let revision_dir = format!("{dir}/superseded/{n}");
        let old = check_revision(&revision_dir, year, files, &mut diags);
        let digest = files.get(MANIFEST).map(|m| sha256_hex(m));
        match (recorded.get(n), old) {
            (None, _) => diags.push(Diagnostic::error(
                PathBuf::from(&revision_dir),
                Pos::FILE,
                "added: ARCHIVE.json records no superseded revision with this number",
            )),
            (Some(entry), Some(old))
                if digest.as_deref() != Some(entry.manifest_sha256.as_str())
                    || old.revision != *n =>
            {
                diags.push(Diagnostic::error(
                    PathBuf::from(&revision_dir),
                    Pos::FILE,
                    format!(
                        "modified: this is not the revision {n} that ARCHIVE.json records (manifest SHA-256 {})",
                        entry.manifest_sha256
                    ),
                ));
            }
            _ => {}
        }
    }
    for n in recorded.keys().filter(|n| !revisions.contains_key(n)) {
        diags.push(Diagnostic::error(
            PathBuf::from(format!("{dir}/superseded/{n}")),
            Pos::FILE,
            "missing: ARCHIVE.json records this superseded revision, but its folder is gone",
        ));
    }
    (metadata, diags.sorted())
}

/// The archived years under `root/archive/`, in order, with their folders.
pub fn archived_years(root: &Path) -> Result<Vec<(u16, PathBuf)>, Diagnostics> {
    let dir = root.join(ARCHIVE_DIR);
    let read = match fs::read_dir(&dir) {
        Ok(read) => read,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => {
            return Err(Diagnostics::from_iter([Diagnostic::error(
                ARCHIVE_DIR,
                Pos::FILE,
                format!("cannot read this folder: {e}"),
            )]))
        }
    };
    let mut years = Vec::new();
    let mut diags = Diagnostics::new();
    for entry in read.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.starts_with('.') {
            continue;
        }
        let is_dir = entry.file_type().map(|t| t.is_dir()).unwrap_or(false);
        match name.parse::<u16>() {
            Ok(year) if is_dir && name.len() == 4 => years.push((year, entry.path())),
            _ => diags.push(
                Diagnostic::error(
                    format!("{ARCHIVE_DIR}/{name}"),
                    Pos::FILE,
                    "unexpected file or folder in archive/",
                )
                .with_help(
                    "archive/ holds one folder per archived year, written by `ecoscore archive`",
                ),
            ),
        }
    }
    if diags.has_errors() {
        return Err(diags.sorted());
    }
    years.sort();
    Ok(years)
}

fn read_archive(year: u16, dir: &Path) -> Result<Tree, Diagnostics> {
    read_tree(dir).map_err(|e| {
        Diagnostics::from_iter([Diagnostic::error(
            archive_dir(year),
            Pos::FILE,
            format!("cannot read the archive: {e}"),
        )])
    })
}

/// Files of `tree` under `prefix`, with the prefix removed.
fn subtree(tree: &Tree, prefix: &str) -> Tree {
    tree.iter()
        .filter_map(|(path, bytes)| {
            path.strip_prefix(prefix)
                .map(|rest| (rest.to_string(), bytes.clone()))
        })
        .collect()
}

/// How two sets of files differ: changed, added in `now`, missing from `now`.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct TreeDiff {
    pub changed: Vec<String>,
    pub added: Vec<String>,
    pub missing: Vec<String>,
}

impl TreeDiff {
    pub fn new(was: &Tree, now: &Tree) -> TreeDiff {
        TreeDiff {
            changed: now
                .iter()
                .filter(|(p, b)| was.get(*p).is_some_and(|w| w != *b))
                .map(|(p, _)| p.clone())
                .collect(),
            added: now
                .keys()
                .filter(|p| !was.contains_key(*p))
                .cloned()
                .collect(),
            missing: was
                .keys()
                .filter(|p| !now.contains_key(*p))
                .cloned()
                .collect(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.changed.is_empty() && self.added.is_empty() && self.missing.is_empty()
    }
}

impl std::fmt::Display for TreeDiff {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut parts = Vec::new();
        for (word, list) in [
            ("changed", &self.changed),
            ("added", &self.added),
            ("missing", &self.missing),
        ] {
            if !list.is_empty() {
                parts.push(format!("{word}: {}", list.join(", ")));
            }
        }
        f.write_str(&parts.join("; "))
    }
}

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
            project.regions[*index].name.clone_from(name);
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

fn error(file: impl Into<PathBuf>, message: impl Into<String>) -> Diagnostics {
    Diagnostics::from_iter([Diagnostic::error(file, Pos::FILE, message)])
}

/// Freeze `options.year` into `root/archive/<year>/`, written whole or not at all.
pub fn freeze(root: &Path, options: &FreezeOptions) -> Result<FreezeSummary, Diagnostics> {
    let (project, _) = Project::load(root)?;
    let number = options.year;
    let Some(year) = project.years.get(&number) else {
        let known: Vec<String> = project.years.keys().map(u16::to_string).collect();
        return Err(error(
            format!("data/{number}"),
            format!(
                "there is no data for {number} to archive; years in this project: {}",
                known.join(", ")
            ),
        ));
    };
    if !year.is_published() {
        return Err(Diagnostics::from_iter([Diagnostic::error(
            &year.bulletin.file,
            Pos::FILE,
            format!("{number} is a draft; only a published year can be archived"),
        )
        .with_help("archive the year after publishing it: set `status: published` in the bulletin's front matter and build")]));
    }
    if let Some(date) = options.date.filter(|date| *date < year.bulletin.date) {
        return Err(Diagnostics::from_iter([Diagnostic::error(
            &year.bulletin.file,
            Pos::FILE,
            format!(
                "--date {date} is before the {number} bulletin's date {}: a year cannot be archived before it was published",
                year.bulletin.date
            ),
        )
        .with_help("leave out --date to record the bulletin's date, or give the day the year was archived")]));
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
            return Err(Diagnostics::from_iter([Diagnostic::error(
                &dir_name,
                Pos::FILE,
                format!("{number} is already archived{when}; nothing was changed"),
            )
            .with_help(format!(
                "an archive is the record of what was published; to replace it, keep the old one as a superseded revision: ecoscore archive --year {number} --force --reason \"…\""
            ))]));
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
            return Err(error(&dir_name, "the archive has no readable ARCHIVE.json"));
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
        ));
    }

    let input = collect_input(root, &project, number)?;
    let pages = render_year(&input, number)?;
    if pages.is_empty() {
        return Err(error(
            &dir_name,
            format!("rendering {number} produced no pages"),
        ));
    }
    let mut files: Tree = input
        .into_iter()
        .map(|(path, bytes)| (format!("{INPUT}{path}"), bytes))
        .collect();
    let page_count = pages.len();
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
        metadata.revision = old.revision + 1;
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
    output::write_site(&dir, output::Replaces::FolderHolding(MANIFEST), &files).map_err(|e| {
        Diagnostics::from_iter([Diagnostic::error(
            &dir_name,
            Pos::FILE,
            format!("cannot write the archive: {e}"),
        )
        .with_help("nothing was changed; check permissions and free space")])
    })?;
    Ok(FreezeSummary {
        dir,
        metadata,
        pages: page_count,
    })
}

/// What rebuilding an archived year from its archived input gave.
#[derive(Debug)]
pub enum Rebuild {
    Identical { pages: usize },
    Differs(TreeDiff),
    Failed(Diagnostics),
}

#[derive(Debug)]
pub struct YearReport {
    pub year: u16,
    pub metadata: Option<Metadata>,
    /// Files counted in the current revision's manifest check.
    pub files: usize,
    /// Every modified, missing or added file, as errors.
    pub problems: Diagnostics,
    pub rebuild: Rebuild,
}

impl YearReport {
    /// Why a rebuild may differ: only a different ecoscore version is an excuse.
    pub fn version_changed(&self) -> Option<&str> {
        self.metadata
            .as_ref()
            .map(|m| m.ecoscore.as_str())
            .filter(|v| *v != VERSION)
    }

    pub fn is_failure(&self) -> bool {
        let rebuild_failed = !matches!(self.rebuild, Rebuild::Identical { .. });
        self.problems.has_errors() || (rebuild_failed && self.version_changed().is_none())
    }
}

/// Check every archive against its manifest, and rebuild each from its
/// archived input to compare with the archived pages.
pub fn verify(root: &Path) -> Result<Vec<YearReport>, Diagnostics> {
    let mut reports = Vec::new();
    for (year, dir) in archived_years(root)? {
        let tree = read_archive(year, &dir)?;
        let (metadata, problems) = inspect(year, &tree);
        let archived_pages = subtree(&tree, SITE);
        let rebuild = match render_year(&subtree(&tree, INPUT), year) {
            Ok(pages) => {
                let rebuilt: Tree = pages.into_iter().map(|f| (f.path, f.bytes)).collect();
                let diff = TreeDiff::new(&archived_pages, &rebuilt);
                if diff.is_empty() {
                    Rebuild::Identical {
                        pages: rebuilt.len(),
                    }
                } else {
                    Rebuild::Differs(diff)
                }
            }
            Err(d) => Rebuild::Failed(d),
        };
        reports.push(YearReport {
            year,
            metadata,
            files: tree
                .keys()
                .filter(|p| p.starts_with(SITE) || p.starts_with(INPUT))
                .count(),
            problems,
            rebuild,
        });
    }
    Ok(reports)
}

/// Days from 1970-01-01 to `date` (proleptic Gregorian calendar).
fn days_since_epoch(date: Date) -> i64 {
    let (m, d) = (i64::from(date.month), i64::from(date.day));
    let y = i64::from(date.year) - i64::from(m <= 2);
    let era = y.div_euclid(400);
    let year_of_era = y - era * 400;
    let day_of_year = (153 * (m + if m > 2 { -3 } else { 9 }) + 2) / 5 + d - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

/// A tar.gz of `tree` under `top/`, the same bytes for the same files:
/// entries sorted, directories 0755 and files 0644, owner 0:0, every mtime
/// `mtime`, and a gzip header without time or name.
pub fn tarball(top: &str, tree: &Tree, mtime: u64) -> io::Result<Vec<u8>> {
    let mut entries: BTreeMap<String, Option<&[u8]>> = BTreeMap::new();
    entries.insert(format!("{top}/"), None);
    for (path, bytes) in tree {
        let full = format!("{top}/{path}");
        let mut dir = full.as_str();
        while let Some((parent, _)) = dir.rsplit_once('/') {
            entries.insert(format!("{parent}/"), None);
            dir = parent;
        }
        entries.insert(full, Some(bytes));
    }
    let gzip = flate2::GzBuilder::new()
        .mtime(0)
        .write(Vec::new(), flate2::Compression::best());
    let mut tar = tar::Builder::new(gzip);
    for (path, bytes) in entries {
        let mut header = tar::Header::new_gnu();
        header.set_uid(0);
        header.set_gid(0);
        header.set_mtime(mtime);
        match bytes {
            Some(bytes) => {
                header.set_entry_type(tar::EntryType::Regular);
                header.set_mode(0o644);
                header.set_size(bytes.len() as u64);
                tar.append_data(&mut header, &path, bytes)?;
            }
            None => {
                header.set_entry_type(tar::EntryType::Directory);
                header.set_mode(0o755);
                header.set_size(0);
                tar.append_data(&mut header, &path, io::empty())?;
            }
        }
    }
    tar.into_inner()?.finish()
}

#[derive(Debug)]
pub struct ExportSummary {
    pub bytes: usize,
    pub sha256: String,
}

/// Write `archive/<year>/` as a reproducible tarball to `file` (atomically).
pub fn export(
    root: &Path,
    year: u16,
    file: &Path,
    force: bool,
) -> Result<ExportSummary, Diagnostics> {
    // Resolved once, checked, and used for the write (see `destination`).
    let target = crate::destination::export_file(root, file, force)?;
    let dir_name = archive_dir(year);
    let dir = root.join(&dir_name);
    if !dir.is_dir() {
        return Err(error(&dir_name, format!("{year} is not archived")));
    }
    let tree = read_archive(year, &dir)?;
    let (metadata, problems) = inspect(year, &tree);
    if problems.has_errors() {
        let mut problems = problems;
        problems.push(
            Diagnostic::error(
                &dir_name,
                Pos::FILE,
                "refusing to export an archive that does not match its manifest",
            )
            .with_help("restore it from version control; `ecoscore verify` lists every difference"),
        );
        return Err(problems.sorted());
    }
    let date = metadata
        .as_ref()
        .and_then(|m| Date::parse(&m.archived_on))
        .ok_or_else(|| error(&dir_name, "ARCHIVE.json has no archive date"))?;
    // Midnight of the archive date in China Standard Time (UTC+8).
    let mtime = u64::try_from(days_since_epoch(date) * 86_400 - 8 * 3_600).unwrap_or(0);
    let write_error = |e: io::Error| error(file, format!("cannot write the tarball: {e}"));
    let bytes = tarball(&year.to_string(), &tree, mtime).map_err(write_error)?;
    let parent = target.parent().unwrap_or(&target);
    let work = output::WorkDir::new(parent).map_err(write_error)?;
    let mut staged = tempfile::NamedTempFile::new_in(work.path()).map_err(write_error)?;
    staged.write_all(&bytes).map_err(write_error)?;
    // Without --force, a file that appeared meanwhile is kept too.
    let persisted = if force {
        staged.persist(&target).map(drop)
    } else {
        staged.persist_noclobber(&target).map(drop)
    };
    persisted.map_err(|e| write_error(e.error))?;
    Ok(ExportSummary {
        bytes: bytes.len(),
        sha256: sha256_hex(&bytes),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tree(files: &[(&str, &str)]) -> Tree {
        files
            .iter()
            .map(|(p, b)| (p.to_string(), b.as_bytes().to_vec()))
            .collect()
    }

    /// A minimal valid archive of 2023 holding `files`.
    fn archive(files: &[(&str, &str)]) -> Tree {
        let mut t = tree(files);
        let manifest = manifest_text(t.iter().map(|(p, b)| (p.as_str(), b.as_slice())));
        let metadata = Metadata {
            year: 2023,
            revision: 1,
            archived_on: "2024-04-28".into(),
            ecoscore: VERSION.into(),
            theme: "default".into(),
            files: t.len(),
            manifest_sha256: sha256_hex(manifest.as_bytes()),
            superseded: Vec::new(),
        };
        t.insert(MANIFEST.into(), manifest.into_bytes());
        t.insert(METADATA.into(), metadata.to_json().into_bytes());
        t
    }

    fn messages(diags: &Diagnostics) -> Vec<String> {
        diags.iter().map(ToString::to_string).collect()
    }

    #[test]
    fn manifest_is_sha256sum_format_sorted() {
        let text = manifest_text([("site/b", b"x".as_slice()), ("input/a", b"".as_slice())]);
        assert_eq!(
            text,
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855  input/a\n\
             2d711642b726b04401627ca9fbac32f5c8530fb1903cc4db02258717921a4881  site/b\n"
        );
        let (entries, bad) = parse_manifest(&format!("{text}not a line\n"));
        assert_eq!(entries.len(), 2);
        assert_eq!(bad, [3]);
    }

    #[test]
    fn inspect_names_modified_missing_and_added_files() {
        let good = archive(&[("site/2023/index.html", "页"), ("input/site.yaml", "a")]);
        let (metadata, problems) = inspect(2023, &good);
        assert!(problems.is_empty(), "{problems}");
        assert_eq!(metadata.unwrap().files, 2);

        let mut bad = good.clone();
        bad.insert("site/2023/index.html".into(), b"changed".to_vec());
        bad.remove("input/site.yaml");
        bad.insert("site/2023/extra.html".into(), Vec::new());
        let (_, problems) = inspect(2023, &bad);
        let text = messages(&problems);
        assert_eq!(text.len(), 3, "{text:?}");
        assert!(
            text[0].starts_with("archive/2023/input/site.yaml: missing"),
            "{text:?}"
        );
        assert!(
            text[1].starts_with("archive/2023/site/2023/extra.html: added"),
            "{text:?}"
        );
        assert!(
            text[2].starts_with("archive/2023/site/2023/index.html: modified"),
            "{text:?}"
        );
    }

    #[test]
    fn a_rewritten_manifest_is_caught_by_the_recorded_digest() {
        let mut t = archive(&[("site/2023/index.html", "页")]);
        t.insert("site/2023/index.html".into(), b"forged".to_vec());
        let forged = manifest_text([("site/2023/index.html", b"forged".as_slice())]);
        t.insert(MANIFEST.into(), forged.into_bytes());
        let (_, problems) = inspect(2023, &t);
        let text = messages(&problems);
        assert_eq!(text.len(), 1, "{text:?}");
        assert!(
            text[0].starts_with("archive/2023/MANIFEST.sha256: modified"),
            "{text:?}"
        );
    }

    #[test]
    fn superseded_revisions_are_checked_and_must_be_recorded() {
        let old = archive(&[("site/2023/index.html", "旧")]);
        let mut t = archive(&[("site/2023/index.html", "新")]);
        for (path, bytes) in &old {
            t.insert(format!("superseded/1/{path}"), bytes.clone());
        }
        let (_, problems) = inspect(2023, &t);
        assert!(
            messages(&problems)
                .iter()
                .any(|m| m.starts_with("archive/2023/superseded/1: added")),
            "an unrecorded revision is reported: {problems}"
        );
        t.insert("superseded/1/site/2023/index.html".into(), b"x".to_vec());
        let (_, problems) = inspect(2023, &t);
        assert!(messages(&problems)
            .iter()
            .any(|m| m.starts_with("archive/2023/superseded/1/site/2023/index.html: modified")));
    }

    #[test]
    fn tree_diff_lists_each_kind() {
        let was = tree(&[("a", "1"), ("b", "2"), ("c", "3")]);
        let now = tree(&[("a", "1"), ("b", "9"), ("d", "4")]);
        let diff = TreeDiff::new(&was, &now);
        assert_eq!(diff.to_string(), "changed: b; added: d; missing: c");
        assert!(TreeDiff::new(&was, &was).is_empty());
    }

    #[test]
    fn epoch_days() {
        let day = |s| days_since_epoch(Date::parse(s).unwrap());
        assert_eq!(day("1970-01-01"), 0);
        assert_eq!(day("2000-03-01"), 11_017);
        assert_eq!(day("2024-04-28"), 19_841);
    }

    #[test]
    fn tarball_is_reproducible_and_sorted() {
        let t = archive(&[("site/2023/index.html", "页"), ("input/site.yaml", "a")]);
        let one = tarball("2023", &t, 1_714_233_600).unwrap();
        let two = tarball("2023", &t.clone(), 1_714_233_600).unwrap();
        assert_eq!(one, two);
        assert_eq!(&one[..10], &[0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 2, 255]);
        let mut archive = tar::Archive::new(flate2::read::GzDecoder::new(one.as_slice()));
        let mut paths = Vec::new();
        for entry in archive.entries().unwrap() {
            let entry = entry.unwrap();
            let header = entry.header();
            assert_eq!(header.uid().unwrap(), 0);
            assert_eq!(header.gid().unwrap(), 0);
            assert_eq!(header.mtime().unwrap(), 1_714_233_600);
            paths.push(entry.path().unwrap().to_string_lossy().into_owned());
        }
        let mut expected = paths.clone();
        expected.sort();
        assert_eq!(paths, expected);
        assert!(paths.contains(&"2023/site/2023/index.html".to_string()));
        assert!(
            paths.iter().any(|p| p.trim_end_matches('/') == "2023/site"),
            "directories have entries: {paths:?}"
        );
    }
}
