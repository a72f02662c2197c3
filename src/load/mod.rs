//! Stage 1, load: read every input file and parse it into located raw documents.
//!
//! Loading never stops at the first problem: each file is read and parsed on
//! its own, and every failure becomes a diagnostic. Whether the documents
//! agree with each other is the next stage's question (`validate`).

mod cache;
mod claims;
mod layout;
pub use cache::ParseCache;
pub use layout::load_for_sheets;
pub mod progress;
pub mod projects;
pub mod raw;
pub mod yaml;

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde::de::DeserializeOwned;

use crate::diagnostic::{Diagnostic, Diagnostics, Pos};
use claims::Claims;
use raw::*;

/// The site's settings.
pub const SITE_FILE: &str = "site.yaml";
/// The units, the indicators and one folder of rules, targets and results per year.
pub const DATA: &str = "data";
/// The pages, and per year the bulletin and the units' narratives.
pub const CONTENT: &str = "content";
/// The themes; site.yaml names the one used.
pub const THEMES: &str = "themes";
/// The archived years, frozen (read through src/archive/).
pub const ARCHIVE: &str = "archive";

/// Everything in the project folder that a build reads: the one list the
/// build stamp digests, `serve` watches, and output folders keep out of.
pub const INPUTS: [&str; 5] = [SITE_FILE, DATA, CONTENT, THEMES, ARCHIVE];

/// Input files larger than this are refused before parsing: no real data
/// file comes near it, and a huge file is a mistake or an attack.
pub const MAX_FILE_BYTES: u64 = 8 * 1024 * 1024;

/// A theme's settings file, `themes/<name>/theme.yaml` (read by
/// `render::theme::config`, claimed here like every theme file).
pub const THEME_CONFIG: &str = "theme.yaml";

/// A parsed document with the file it came from. The document is shared
/// with the [`ParseCache`] that may hand it to the next load.
#[derive(Debug)]
pub struct Loaded<T> {
    pub file: PathBuf,
    pub text: Arc<str>,
    pub doc: Arc<T>,
}

/// A document that is expected in the project: parsed, absent, or present but broken
/// (in which case its diagnostics are already reported).
#[derive(Debug)]
pub enum Doc<T> {
    Ok(Loaded<T>),
    Missing,
    Broken,
}

impl<T> Doc<T> {
    pub fn ok(&self) -> Option<&Loaded<T>> {
        match self {
            Doc::Ok(loaded) => Some(loaded),
            _ => None,
        }
    }
}

/// The outcome of reading one expected file: parsed, absent, or its problems
/// (with the document, when they left it readable).
type Parsed<T> = Result<Option<Loaded<T>>, yaml::Broken<Loaded<T>>>;

/// A Markdown file with optional front matter.
#[derive(Debug)]
pub struct Markdown<M> {
    pub meta: M,
    pub body: String,
    /// Line of the file on which `body` starts, to locate template errors.
    pub body_line: usize,
}

#[derive(Debug, Default)]
pub struct RawYear {
    pub rules: Option<Doc<RawRules>>,
    pub targets: Option<Doc<RawTargets>>,
    /// Results by the unit id taken from the file name.
    pub results: BTreeMap<String, Doc<RawResults>>,
    /// Key projects by the unit id taken from the file name.
    pub projects: BTreeMap<String, Doc<projects::RawProjects>>,
    /// Year-to-date progress by the period taken from the file name.
    pub progress: BTreeMap<String, Doc<progress::RawProgress>>,
    pub bulletin: Option<Doc<Markdown<RawBulletinMeta>>>,
    pub narratives: BTreeMap<String, Loaded<String>>,
}

#[derive(Debug)]
pub struct RawProject {
    pub root: PathBuf,
    pub site: Doc<RawSite>,
    pub regions: Doc<RawRegions>,
    pub indicators: Doc<RawIndicators>,
    pub years: BTreeMap<u16, RawYear>,
    pub pages: BTreeMap<String, Loaded<Markdown<RawPageMeta>>>,
}

/// Read and parse every input file under `root`.
pub fn load(root: &Path) -> (RawProject, Diagnostics) {
    load_with(root, None)
}

/// [`load`], taking the documents of files whose text is unchanged from
/// `cache` and leaving this load's documents in it for the next.
pub fn load_with(root: &Path, cache: Option<&ParseCache>) -> (RawProject, Diagnostics) {
    let (project, diags, _) = load_keeping(root, cache, &BTreeSet::new());
    (project, diags)
}

/// [`load_with`], leaving out the years in `keep` (validated before, their
/// input unchanged) where nothing else this load reads can be one of their
/// files: every file of the year a plain file with one name, and no file
/// read reached through a symbolic link (see `claims`). Returns the years
/// left out, whose folders the project holds but `years` does not.
pub fn load_keeping(
    root: &Path,
    cache: Option<&ParseCache>,
    keep: &BTreeSet<u16>,
) -> (RawProject, Diagnostics, BTreeSet<u16>) {
    let mut diags = Diagnostics::new();
    let Some(real_root) = fs::canonicalize(root).ok().filter(|p| p.is_dir()) else {
        diags.push(
            Diagnostic::error(
                root,
                Pos::FILE,
                "the project folder does not exist or is not a folder",
            )
            .with_help(
                "pass the folder that holds site.yaml with --root DIR, or run ecoscore inside it",
            ),
        );
        let project = RawProject {
            root: root.to_path_buf(),
            site: Doc::Broken,
            regions: Doc::Broken,
            indicators: Doc::Broken,
            years: BTreeMap::new(),
            pages: BTreeMap::new(),
        };
        return (project, diags, BTreeSet::new());
    };
    let reader = Reader {
        root,
        real_root: &real_root,
        claims: Claims::new(&real_root),
        cache: cache.map(ParseCache::begin),
    };
    let site = reader.yaml_doc::<RawSite>(Path::new(SITE_FILE), &mut diags);
    let regions = reader.yaml_doc::<RawRegions>(&rel(&[DATA, "regions.yaml"]), &mut diags);
    let indicators = reader.yaml_doc::<RawIndicators>(&rel(&[DATA, "indicators.yaml"]), &mut diags);
    let (years, kept) = reader.years(&mut diags, keep);
    let pages = reader.pages(&mut diags);
    if let Some(theme) = site.ok().map(|s| s.doc.theme.value.as_str()) {
        reader.theme(theme, &mut diags);
    }
    if !kept.is_empty() && reader.claims.any_linked() {
        if let Some(generation) = reader.cache {
            generation.finish();
        }
        return load_keeping(root, cache, &BTreeSet::new());
    }
    let mut project = RawProject {
        root: root.to_path_buf(),
        site,
        regions,
        indicators,
        years,
        pages,
    };
    refuse_files_read_twice(&reader, &mut project, &mut diags);
    if let Some(generation) = reader.cache {
        generation.finish();
    }
    (project, diags, kept)
}

/// A file read under two roles is an error, and what it said in either role
/// is dropped: beside the real problem it is noise, and may quote text
/// written for the other role.
fn refuse_files_read_twice(reader: &Reader<'_>, project: &mut RawProject, diags: &mut Diagnostics) {
    let (twice, errors) = reader.claims.read_twice();
    if !twice.is_empty() {
        diags.retain(|d| !twice.contains(&d.file));
        project.forget(&twice);
        for error in errors {
            diags.push(error);
        }
    }
}

struct Reader<'a> {
    root: &'a Path,
    /// `root` with every symbolic link resolved: no input may lie outside it.
    real_root: &'a Path,
    /// Every input file met so far, to find one reached under two names.
    claims: Claims,
    /// Documents of the previous load, and those of this one for the next.
    cache: Option<cache::Generation<'a>>,
}

/// Join path parts with `/` so diagnostics read the same on every platform.
fn rel(parts: &[&str]) -> PathBuf {
    PathBuf::from(parts.join("/"))
}

impl Reader<'_> {
    /// Where `file` (relative to the root) really is, following symbolic
    /// links; `None` if there is nothing there. Links are followed only while
    /// they stay inside the project folder, so no link can bring an outside
    /// file into the site, and a link loop is an error, not a hang.
    fn locate(&self, file: &Path) -> Result<Option<PathBuf>, Diagnostic> {
        let path = self.root.join(file);
        match fs::canonicalize(&path) {
            Ok(real) if real.starts_with(self.real_root) => Ok(Some(real)),
            Ok(real) => Err(Diagnostic::error(
                file,
                Pos::FILE,
                format!(
                    "this is a link to {}, outside the project folder",
                    real.display()
                ),
            )
            .with_help("ecoscore reads only files inside the project folder; copy the file in instead of linking to it")),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                if fs::symlink_metadata(&path).is_ok() {
                    Err(Diagnostic::error(
                        file,
                        Pos::FILE,
                        "this is a symbolic link to something that does not exist",
                    )
                    .with_help("replace the link with the file itself"))
                } else {
                    Ok(None)
                }
            }
            Err(e) => Err(Diagnostic::error(
                file,
                Pos::FILE,
                format!("cannot open this path: {e}"),
            )
            .with_help("a symbolic link here may point back to itself; replace it with the file itself")),
        }
    }

    /// Read a file as UTF-8 text, with a BOM removed.
    fn text(&self, file: &Path) -> Result<Option<Arc<str>>, Diagnostic> {
        let Some(path) = self.locate(file)? else {
            return Ok(None);
        };
        let cannot_read = |e: std::io::Error| {
            Diagnostic::error(file, Pos::FILE, format!("cannot read this file: {e}"))
        };
        let metadata = fs::metadata(&path).map_err(cannot_read)?;
        if !metadata.is_file() {
            return Err(Diagnostic::error(
                file,
                Pos::FILE,
                "expected a file, found a folder or a special file",
            ));
        }
        self.claims.admit(file, &path, &metadata)?;
        let too_large = |size: u64| {
            Diagnostic::error(
                file,
                Pos::FILE,
                format!(
                    "this file is {size} bytes; input files may be at most {MAX_FILE_BYTES} bytes"
                ),
            )
            .with_help("no data file comes near this size: check that the right file is in place")
        };
        if metadata.len() > MAX_FILE_BYTES {
            return Err(too_large(metadata.len()));
        }
        // Read at most one byte more than the limit, in case the file grew
        // since it was measured.
        let mut bytes = Vec::new();
        fs::File::open(&path)
            .and_then(|f| f.take(MAX_FILE_BYTES + 1).read_to_end(&mut bytes))
            .map_err(cannot_read)?;
        if bytes.len() as u64 > MAX_FILE_BYTES {
            return Err(too_large(bytes.len() as u64));
        }
        decode(file, bytes).map(Some)
    }

    /// Claim the files of `themes/<name>/templates/` and `static/` that the
    /// theme would read (render::Theme walks them the same way: each folder
    /// itself followed if it is a link, links inside not followed), and its
    /// `theme.yaml`, so a template, static file or the theme's settings
    /// cannot be another input file.
    fn theme(&self, name: &str, diags: &mut Diagnostics) {
        if Path::new(name).components().count() != 1 || name.starts_with('.') {
            return; // not a folder name: validate reports the theme
        }
        let config = rel(&["themes", name, THEME_CONFIG]);
        match self.locate(&config) {
            Ok(Some(real)) => match fs::metadata(&real) {
                Ok(metadata) if metadata.is_file() => {
                    if let Err(d) = self.claims.admit(&config, &real, &metadata) {
                        diags.push(d);
                    }
                }
                _ => {}
            },
            Ok(None) => {}
            Err(d) => diags.push(d),
        }
        for part in ["templates", "static"] {
            let dir = rel(&[THEMES, name, part]);
            let real_dir = match self.locate(&dir) {
                Ok(Some(real)) if real.is_dir() => real,
                Ok(_) => continue,
                Err(d) => {
                    diags.push(d);
                    continue;
                }
            };
            let walk = walkdir::WalkDir::new(&real_dir)
                .follow_links(false)
                .sort_by_file_name();
            for entry in walk.into_iter().filter_map(Result::ok) {
                let hidden = entry.file_name().to_string_lossy().starts_with('.');
                if entry.depth() == 0 || entry.file_type().is_dir() || hidden {
                    continue;
                }
                let Ok(inside) = entry.path().strip_prefix(&real_dir) else {
                    continue;
                };
                let file = dir.join(inside);
                match self.locate(&file) {
                    Ok(Some(real)) => match fs::metadata(&real) {
                        Ok(metadata) if metadata.is_file() => {
                            if let Err(d) = self.claims.admit(&file, &real, &metadata) {
                                diags.push(d);
                            }
                        }
                        _ => {}
                    },
                    Ok(None) => {}
                    Err(d) => diags.push(d),
                }
            }
        }
    }

    /// The document `file`'s text parsed into, from the cache when the
    /// same text parsed without a problem before; `parse` otherwise, its
    /// document kept for the next load when it reported nothing.
    fn parsed<T: Send + Sync + 'static>(
        &self,
        file: &Path,
        text: &Arc<str>,
        parse: impl FnOnce() -> Result<T, yaml::Broken<T>>,
    ) -> Parsed<T> {
        let loaded = |doc| Loaded {
            file: file.to_path_buf(),
            text: Arc::clone(text),
            doc,
        };
        let Some(generation) = &self.cache else {
            return match parse() {
                Ok(doc) => Ok(Some(loaded(Arc::new(doc)))),
                Err(broken) => Err(broken.map(|doc| loaded(Arc::new(doc)))),
            };
        };
        let digest = cache::digest(text);
        if let Some(doc) = generation.get::<T>(file, &digest) {
            return Ok(Some(loaded(doc)));
        }
        match parse() {
            Ok(doc) => {
                let doc = Arc::new(doc);
                generation.put(file, digest, text.len(), &doc);
                Ok(Some(loaded(doc)))
            }
            Err(broken) => Err(broken.map(|doc| loaded(Arc::new(doc)))),
        }
    }

    fn yaml<T: DeserializeOwned + Send + Sync + 'static>(&self, file: &Path) -> Parsed<T> {
        let Some(text) = self.text(file)? else {
            return Ok(None);
        };
        self.parsed(file, &text, || Reader::parse_yaml(file, &text))
    }

    /// What [`yaml::parse`] makes of `text`, refused first if an anchor
    /// under `internal:` could copy a note out.
    fn parse_yaml<T: DeserializeOwned>(file: &Path, text: &Arc<str>) -> Result<T, yaml::Broken<T>> {
        let anchors: Vec<Diagnostic> = crate::diagnostic::anchors_under_internal(text)
            .into_iter()
            .map(|at| {
                Diagnostic::error(file, at, "an anchor (`&name`) under `internal:`")
                    .with_help("an alias (`*name`) elsewhere would copy the note into a public field; write the note out in full and remove the anchor")
            })
            .collect();
        if !anchors.is_empty() {
            return Err(yaml::Broken {
                problems: anchors,
                readable: None,
            });
        }
        yaml::parse::<T>(file, text)
    }

    fn yaml_doc<T: DeserializeOwned + Send + Sync + 'static>(
        &self,
        file: &Path,
        diags: &mut Diagnostics,
    ) -> Doc<T> {
        into_doc(self.yaml(file), diags)
    }

    fn markdown<M: DeserializeOwned + Send + Sync + 'static>(
        &self,
        file: &Path,
    ) -> Parsed<Markdown<M>> {
        let Some(text) = self.text(file)? else {
            return Ok(None);
        };
        self.parsed(file, &text, || split_front_matter::<M>(file, &text))
    }

    /// Names of the entries of a directory, sorted, and whether each is a
    /// folder (following links); an absent directory is empty.
    fn entries(&self, dir: &Path, diags: &mut Diagnostics) -> Vec<(String, bool)> {
        let real_dir = match self.locate(dir) {
            Ok(Some(real)) => real,
            Ok(None) => return Vec::new(),
            Err(d) => {
                diags.push(d);
                return Vec::new();
            }
        };
        let read = match fs::read_dir(&real_dir) {
            Ok(read) => read,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Vec::new(),
            Err(e) => {
                diags.push(Diagnostic::error(
                    dir,
                    Pos::FILE,
                    format!("cannot read this folder: {e}"),
                ));
                return Vec::new();
            }
        };
        let mut names = Vec::new();
        for entry in read.flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            if name.starts_with('.') {
                continue;
            }
            let is_link = entry.file_type().is_ok_and(|t| t.is_symlink());
            let is_dir = match fs::metadata(entry.path()) {
                Ok(metadata) => metadata.is_dir(),
                // A dangling or looping link: say so once, here.
                Err(_) if is_link => {
                    if let Err(d) = self.locate(&dir.join(&name)) {
                        diags.push(d);
                    }
                    continue;
                }
                Err(_) => false,
            };
            names.push((name, is_dir));
        }
        names.sort();
        names
    }
}

fn into_doc<T>(result: Parsed<T>, diags: &mut Diagnostics) -> Doc<T> {
    match result {
        Ok(Some(loaded)) => Doc::Ok(loaded),
        Ok(None) => Doc::Missing,
        Err(broken) => {
            for problem in broken.problems {
                diags.push(problem);
            }
            broken.readable.map_or(Doc::Broken, Doc::Ok)
        }
    }
}

/// UTF-8 text without a byte-order mark; invalid UTF-8 is reported at its line.
pub fn decode(file: &Path, mut bytes: Vec<u8>) -> Result<Arc<str>, Diagnostic> {
    if bytes.starts_with(&[0xEF, 0xBB, 0xBF]) {
        bytes.drain(..3);
    }
    match String::from_utf8(bytes) {
        Ok(text) => Ok(Arc::from(text)),
        Err(e) => {
            let valid = &e.as_bytes()[..e.utf8_error().valid_up_to()];
            let line = valid.iter().filter(|&&b| b == b'\n').count() + 1;
            let column = String::from_utf8_lossy(valid)
                .rsplit('\n')
                .next()
                .map_or(0, |l| l.chars().count())
                + 1;
            Err(Diagnostic::error(
                file,
                Pos::new(line, column),
                "this file is not valid UTF-8 text",
            )
            .with_help("save the file as UTF-8 (in Excel or WPS: 另存为 → UTF-8)"))
        }
    }
}

/// Split `---`-delimited YAML front matter from a Markdown body and parse it.
fn split_front_matter<M: DeserializeOwned>(
    file: &Path,
    text: &Arc<str>,
) -> Result<Markdown<M>, yaml::Broken<Markdown<M>>> {
    let missing = || {
        Diagnostic::error(file, Pos::new(1, 1), "missing front matter")
            .with_help("start the file with a YAML block between two `---` lines, e.g.\n---\ntitle: …\n---")
            .with_source(Arc::clone(text))
    };
    let mut lines = text.split_inclusive('\n');
    let first = lines.next().ok_or_else(missing)?;
    if first.trim_end() != "---" {
        return Err(missing().into());
    }
    let mut front = String::new();
    let mut consumed = first.len();
    for (line_no, line) in (2..).zip(lines) {
        consumed += line.len();
        if line.trim_end() == "---" {
            // Parse the front matter with the opening line blanked, so positions
            // in diagnostics are positions in the whole file.
            let padded: Arc<str> = Arc::from(format!("\n{front}"));
            let markdown = |meta| Markdown {
                meta,
                body: text[consumed..].to_string(),
                body_line: line_no + 1,
            };
            return yaml::parse::<M>(file, &padded)
                .map(markdown)
                .map_err(|broken| {
                    let mut broken = broken.map(markdown);
                    for problem in &mut broken.problems {
                        *problem = problem.clone().with_source(Arc::clone(text));
                    }
                    broken
                });
        }
        front.push_str(line);
    }
    Err(
        Diagnostic::error(file, Pos::new(1, 1), "the front matter is not closed")
            .with_help("end the YAML block with a line containing only `---`")
            .with_source(Arc::clone(text))
            .into(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn front_matter_positions_are_file_positions() {
        let text: Arc<str> = Arc::from("---\ntitle: 关于\nbogus: 1\n---\n正文\n");
        let err = split_front_matter::<RawPageMeta>(Path::new("p.md"), &text).unwrap_err();
        assert_eq!(err.problems[0].pos.line, 3);
        let ok: Markdown<RawPageMeta> = split_front_matter(
            Path::new("p.md"),
            &Arc::from("---\r\ntitle: 关于\r\n---\r\n正文\r\n"),
        )
        .unwrap();
        assert_eq!(ok.meta.title, "关于");
        assert_eq!(ok.body, "正文\r\n");
        assert_eq!(ok.body_line, 4);
    }

    #[test]
    fn front_matter_must_exist_and_close() {
        let err = split_front_matter::<RawPageMeta>(Path::new("p.md"), &Arc::from("# 标题\n"))
            .unwrap_err();
        assert!(err.problems[0].message.contains("missing front matter"));
        let err =
            split_front_matter::<RawPageMeta>(Path::new("p.md"), &Arc::from("---\ntitle: x\n"))
                .unwrap_err();
        assert!(err.problems[0].message.contains("not closed"));
    }

    #[test]
    fn invalid_utf8_is_located() {
        let err = decode(Path::new("x.yaml"), b"a: 1\nb: \xff\n".to_vec()).unwrap_err();
        assert_eq!(err.pos, Pos::new(2, 4));
        let ok = decode(Path::new("x.yaml"), b"\xEF\xBB\xBFa: 1\n".to_vec()).unwrap();
        assert_eq!(&*ok, "a: 1\n");
    }
}
