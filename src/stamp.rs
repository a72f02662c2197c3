//! The build stamp: how `build` knows that nothing changed since the last
//! build, so a rebuild of an unchanged national project takes a fraction of
//! a second instead of rendering 18,000 pages again; and the mark that says
//! ecoscore made the folder beside it, so that folder may be replaced.
//!
//! Every folder ecoscore replaces as a whole (a site, a year of the briefing
//! copy) has a stamp beside it (never inside, so it is not published),
//! written just before the folder is swapped in: the kind of output it is.
//! After a successful build the stamp also records a digest of every input
//! byte, the build options, the ecoscore binary, and a listing of what the
//! build left in the output folder (every file's path, size, modification
//! time and, on Unix, its inode and change time, which no tool can set back).
//! The next build skips rendering only when all of these still match: any
//! edit to an input, another binary, other options, or a file of the output
//! folder changed, added or removed means a full build.
//!
//! Inputs are hashed before they are loaded, so an edit made while a build
//! runs leaves a stamp that no longer matches, and the next build redoes it.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::time::UNIX_EPOCH;

use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::digest::hex;
use crate::load::INPUTS;
use crate::paths::relative_name;

/// What a stamp records.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Stamp {
    /// The kind of output ecoscore made in the folder (the `id` of a
    /// `destination::OutputKind`).
    #[serde(default = "site")]
    pub kind: String,
    /// The build that left the folder as it is, when it can be reused.
    #[serde(default)]
    pub build: Option<Built>,
}

/// Stamps written before kinds were recorded were all beside sites (the id
/// of `OutputKind::SITE`; `a_stamp_from_before_kinds_marks_a_site` holds
/// the two together).
fn site() -> String {
    "site".to_string()
}

/// What a build put in the output folder: what its summary reports, and
/// what the stamp keeps to report again when nothing changed.
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
    /// The path the site is published under, from `base_url` ("/kaohe/"):
    /// where `serve` mounts it. Empty in stamps from before it was recorded.
    #[serde(default)]
    pub site_path: String,
}

/// The digests of a build, and the summary of the build that made the
/// output, to report when it is reused.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Built {
    pub inputs: String,
    pub output: String,
    pub published: Published,
    /// How many warnings the build reported.
    pub warnings: usize,
    /// The files of each year the build rendered, with the key of the input
    /// they were made from, so the next build can keep the years whose key
    /// is unchanged (`site/incremental.rs`).
    #[serde(default)]
    pub years: BTreeMap<u16, YearFiles>,
    /// The pages of those years the next build may keep one by one, by
    /// path (`render/keep.rs`).
    #[serde(default)]
    pub pages: BTreeMap<String, PageRecord>,
}

/// One page as a build rendered it: the digest of what it was made from,
/// the fields of its year's view it read, and the files it wrote.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PageRecord {
    pub digest: String,
    pub reads: Vec<String>,
    pub files: Vec<String>,
    /// The ids of the page (links into a kept page are still checked).
    #[serde(default)]
    pub ids: Vec<String>,
}

/// One rendered year's files in the output folder.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct YearFiles {
    /// The digest of everything the year's pages are made from.
    pub key: String,
    /// Every file under `<year>/`, with the ids of the pages among them
    /// (links into a kept page are still checked).
    pub files: BTreeMap<String, Vec<String>>,
    /// Each unit's part of this year in its page across years, which a
    /// build that finds `key` unchanged takes instead of building the
    /// year's views (`render/unit_parts.rs`): the SHA-256 digests one
    /// after another in hexadecimal, in the order of `data/regions.yaml`.
    /// Empty when not recorded.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub units: String,
}

/// Where the stamp of the output folder `out` lives: beside it, as
/// `.<folder name>.ecoscore-stamp`.
pub fn path(out: &Path) -> PathBuf {
    let name = out
        .file_name()
        .map_or_else(|| "public".into(), |n| n.to_string_lossy().into_owned());
    let parent = match out.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    parent.join(format!(".{name}.ecoscore-stamp"))
}

/// The stamp of `out` if there is a readable one.
pub fn read(out: &Path) -> Option<Stamp> {
    let text = fs::read(path(out)).ok()?;
    serde_json::from_slice(&text).ok()
}

/// What the stamp of `out` says of the build that left it, without the
/// files and pages of its years (megabytes for a national site), which a
/// rebuild that finds nothing changed does not need.
pub fn read_summary(out: &Path) -> Option<Summary> {
    #[derive(Deserialize)]
    struct Head {
        #[serde(default)]
        build: Option<Summary>,
    }
    read_head::<Head>(out)?.build
}

/// How much of a stamp is read first for its [`head`]: a build's digests
/// and summary take a few hundred bytes.
const HEAD_BYTES: u64 = 64 * 1024;

/// The stamp of `out` read as `T` from its head alone when it has one
/// (the megabytes of a national build's years and pages are then neither
/// read nor parsed: `kind` and `read_summary` run on every build), else
/// from the whole file.
fn read_head<T: serde::de::DeserializeOwned>(out: &Path) -> Option<T> {
    use std::io::Read as _;
    let mut start = Vec::new();
    fs::File::open(path(out))
        .ok()?
        .take(HEAD_BYTES)
        .read_to_end(&mut start)
        .ok()?;
    if let Some(read) = head(&start).and_then(|h| serde_json::from_slice(&h).ok()) {
        return Some(read);
    }
    let text = fs::read(path(out)).ok()?;
    serde_json::from_slice(&text).ok()
}

/// A stamp's text up to where its build's years begin, closed:
/// `{"kind":…,"build":{"inputs":…,"output":…,"published":{…},"warnings":N}}`.
/// [`write`] writes the fields in their declaration order with no spaces;
/// `,"years":{` cannot stand inside a JSON string (its quotes would be
/// escaped), and the build's years are the first object under that key
/// (the summary's `years` is a list), so its first occurrence ends the
/// head. None for a stamp laid out otherwise (one with no build, or from
/// an older ecoscore), which is then read whole.
fn head(text: &[u8]) -> Option<Vec<u8>> {
    const YEARS: &[u8] = b",\"years\":{";
    let at = text.windows(YEARS.len()).position(|w| w == YEARS)?;
    let mut head = text[..at].to_vec();
    head.extend_from_slice(b"}}");
    Some(head)
}

/// [`Built`] without its years and pages.
#[derive(Debug, Clone, Deserialize)]
pub struct Summary {
    pub inputs: String,
    pub output: String,
    pub published: Published,
    pub warnings: usize,
}

/// Only the kind of output the stamp of `out` marks, if it is readable: the
/// build record (megabytes for a national site) is skipped, not kept.
pub fn kind(out: &Path) -> Option<String> {
    #[derive(Deserialize)]
    struct Kind {
        #[serde(default = "site")]
        kind: String,
    }
    read_head::<Kind>(out).map(|k| k.kind)
}

/// Record `stamp` for `out`, replacing any earlier one in one step.
pub fn write(out: &Path, stamp: &Stamp) -> io::Result<()> {
    let target = path(out);
    let scratch = target.with_extension("ecoscore-stamp-new");
    let json = serde_json::to_vec(stamp).map_err(io::Error::other)?;
    fs::write(&scratch, json)?;
    fs::rename(&scratch, &target)
}

/// Mark `out` as an output of the kind `kind` (its id) that ecoscore is
/// about to put in place, with no build to reuse: whatever is in the folder,
/// old or new, may be replaced, and the next build is a full one.
pub fn mark(out: &Path, kind: &str) -> io::Result<()> {
    write(
        out,
        &Stamp {
            kind: kind.to_string(),
            build: None,
        },
    )
}

/// A digest of everything a build of `root` reads, of `options` (the build
/// options as text), and of the running binary. An error (an unreadable file,
/// a link loop) means the inputs cannot be vouched for: build in full, and
/// let the build report the problem.
pub fn inputs_digest(root: &Path, options: &str) -> io::Result<String> {
    Ok(digest_of(&input_files(root)?, options))
}

/// One input file: its name relative to the project (`/`-separated) and the
/// digest of that name with its bytes.
pub type InputFile = (String, [u8; 32]);

/// Every file a build of `root` reads, sorted by path, each with its digest
/// (hashed in parallel). Builds derive both the stamp's digest
/// ([`digest_of`]) and the per-year keys of a partial rebuild from one pass.
pub fn input_files(root: &Path) -> io::Result<Vec<InputFile>> {
    let mut files = Vec::new();
    for input in INPUTS {
        let top = root.join(input);
        if fs::symlink_metadata(&top).is_err() {
            continue;
        }
        for entry in walkdir::WalkDir::new(&top).follow_links(true) {
            let entry = entry.map_err(io::Error::other)?;
            if entry.file_type().is_file() {
                files.push(entry.into_path());
            }
        }
    }
    files.sort();
    files
        .par_iter()
        .map(|file| {
            let bytes = fs::read(file)?;
            let name = relative_name(root, file);
            let mut hasher = Sha256::new();
            hasher.update(name.as_bytes());
            hasher.update([0]);
            hasher.update(bytes.len().to_le_bytes());
            hasher.update(&bytes);
            Ok((name, hasher.finalize().into()))
        })
        .collect()
}

/// The digest of `files` (as [`input_files`] lists them), `options` and the
/// running binary.
pub fn digest_of<'f>(files: impl IntoIterator<Item = &'f InputFile>, options: &str) -> String {
    let mut hasher = Sha256::new();
    hasher.update(b"ecoscore ");
    hasher.update(env!("CARGO_PKG_VERSION"));
    hasher.update([0]);
    hasher.update(binary_identity().as_bytes());
    hasher.update([0]);
    hasher.update(options.as_bytes());
    hasher.update([0]);
    for (_, digest) in files {
        hasher.update(digest);
    }
    hex(&hasher.finalize())
}

/// A listing digest of the output folder: every file's path, size,
/// modification time and, on Unix, inode and change time. Contents are not
/// read (a national site is 1.3 GB): a file rewritten by anything but a
/// build gets a new change time even when its modification time is set back
/// (`touch -r`), and a file put in its place has another inode. The
/// top-level folders are listed in parallel (tens of thousands of files).
pub fn output_digest(out: &Path) -> io::Result<String> {
    output_listing(out).map(|listing| listing.digest)
}

/// The output folder as [`output_digest`] lists it, entry by entry: a
/// rebuild that updates the folder where it stands (`output::Staging::update`)
/// takes away the files it no longer makes, and lists again only the entries
/// it moved and the folders they are in ([`Listing::updated`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Listing {
    pub digest: String,
    /// In the order the folder is walked: by path, component by component.
    entries: Vec<Entry>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct Entry {
    /// `/`-separated, relative to the output folder.
    path: String,
    line: String,
    folder: bool,
}

impl Listing {
    fn of(entries: Vec<Entry>) -> Listing {
        let mut hasher = Sha256::new();
        for entry in &entries {
            hasher.update(entry.line.as_bytes());
        }
        Listing {
            digest: hex(&hasher.finalize()),
            entries,
        }
    }

    /// Every entry that is not a folder.
    pub fn files(&self) -> Vec<String> {
        self.entries
            .iter()
            .filter(|e| !e.folder)
            .map(|e| e.path.clone())
            .collect()
    }

    /// The listing of `out` after the entries at `touched` were added,
    /// replaced or taken away, and nothing else changed: those and every
    /// folder above them (whose times change with their entries) are
    /// looked at again, every other line is kept.
    pub fn updated(&self, out: &Path, touched: &[String]) -> io::Result<Listing> {
        let mut again: BTreeSet<&str> = BTreeSet::new();
        for path in touched {
            again.insert(path);
            again.extend(path.match_indices('/').map(|(at, _)| &path[..at]));
        }
        let mut entries: Vec<Entry> = self
            .entries
            .iter()
            .filter(|e| !again.contains(e.path.as_str()))
            .cloned()
            .collect();
        for path in again {
            match fs::symlink_metadata(out.join(path)) {
                Ok(metadata) => entries.push(entry(path.to_string(), &metadata)?),
                // Gone, or a folder above it is now a file.
                Err(e)
                    if matches!(
                        e.kind(),
                        io::ErrorKind::NotFound | io::ErrorKind::NotADirectory
                    ) => {}
                Err(e) => return Err(e),
            }
        }
        entries.sort_by(|a, b| a.path.split('/').cmp(b.path.split('/')));
        Ok(Listing::of(entries))
    }
}

/// See [`Listing`].
pub fn output_listing(out: &Path) -> io::Result<Listing> {
    let mut top: Vec<PathBuf> = fs::read_dir(out)?
        .map(|entry| entry.map(|e| e.path()))
        .collect::<io::Result<_>>()?;
    top.sort();
    let listings: Vec<Vec<Entry>> = top
        .par_iter()
        .map(|path| listing(out, path))
        .collect::<io::Result<_>>()?;
    Ok(Listing::of(listings.concat()))
}

/// Every file and folder under `path` (itself included), sorted.
fn listing(out: &Path, path: &Path) -> io::Result<Vec<Entry>> {
    let mut entries = Vec::new();
    for found in walkdir::WalkDir::new(path).sort_by_file_name() {
        let found = found.map_err(io::Error::other)?;
        let metadata = found.metadata().map_err(io::Error::other)?;
        entries.push(entry(relative_name(out, found.path()), &metadata)?);
    }
    Ok(entries)
}

/// An entry's line: path, kind, size, modification time and identity.
fn entry(path: String, metadata: &fs::Metadata) -> io::Result<Entry> {
    let modified = metadata
        .modified()?
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    let folder = metadata.is_dir();
    let (kind, size) = if folder {
        ("d", 0)
    } else {
        ("f", metadata.len())
    };
    let line = format!(
        "{path}\t{kind}\t{size}\t{modified}\t{}\n",
        identity(metadata)
    );
    Ok(Entry { path, line, folder })
}

/// What no tool can set back on a file: its inode and change time.
#[cfg(unix)]
fn identity(metadata: &fs::Metadata) -> String {
    use std::os::unix::fs::MetadataExt;
    format!(
        "{} {} {}.{}",
        metadata.dev(),
        metadata.ino(),
        metadata.ctime(),
        metadata.ctime_nsec()
    )
}

/// Elsewhere, only size and modification time are listed.
#[cfg(not(unix))]
fn identity(_: &fs::Metadata) -> String {
    String::new()
}

/// The running binary, by size and modification time: a rebuilt ecoscore
/// may render differently even at the same version.
fn binary_identity() -> String {
    std::env::current_exe()
        .and_then(fs::metadata)
        .map(|m| {
            let modified = m
                .modified()
                .ok()
                .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
                .map_or(0, |d| d.as_nanos());
            format!("{} {modified}", m.len())
        })
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::destination::OutputKind;

    fn kind(out: &Path) -> Option<OutputKind> {
        crate::destination::stamped(out)
    }

    fn project() -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        fs::write(dir.path().join("site.yaml"), "title: x\n").unwrap();
        fs::create_dir_all(dir.path().join("data/2024/results")).unwrap();
        fs::write(dir.path().join("data/2024/results/a.yaml"), "a: 1\n").unwrap();
        fs::create_dir_all(dir.path().join("target")).unwrap();
        dir
    }

    #[test]
    fn any_input_byte_or_option_changes_the_digest_and_other_folders_do_not() {
        let dir = project();
        let first = inputs_digest(dir.path(), "drafts=false").unwrap();
        assert_eq!(first, inputs_digest(dir.path(), "drafts=false").unwrap());
        assert_ne!(first, inputs_digest(dir.path(), "drafts=true").unwrap());
        fs::write(dir.path().join("target/x"), "not an input").unwrap();
        assert_eq!(first, inputs_digest(dir.path(), "drafts=false").unwrap());
        fs::write(dir.path().join("data/2024/results/a.yaml"), "a: 2\n").unwrap();
        let edited = inputs_digest(dir.path(), "drafts=false").unwrap();
        assert_ne!(first, edited);
        // The same bytes under another name are another input.
        fs::rename(
            dir.path().join("data/2024/results/a.yaml"),
            dir.path().join("data/2024/results/b.yaml"),
        )
        .unwrap();
        assert_ne!(edited, inputs_digest(dir.path(), "drafts=false").unwrap());
    }

    #[test]
    fn output_listing_notices_added_removed_and_rewritten_files() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("public");
        fs::create_dir_all(out.join("2024")).unwrap();
        fs::write(out.join("2024/index.html"), "page").unwrap();
        let first = output_digest(&out).unwrap();
        assert_eq!(first, output_digest(&out).unwrap());
        fs::write(out.join("extra.html"), "x").unwrap();
        assert_ne!(first, output_digest(&out).unwrap());
        fs::remove_file(out.join("extra.html")).unwrap();
        fs::write(out.join("2024/index.html"), "edited page").unwrap();
        assert_ne!(first, output_digest(&out).unwrap());
    }

    #[cfg(unix)]
    #[test]
    fn output_listing_notices_an_edit_that_keeps_size_and_modification_time() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("public");
        fs::create_dir_all(&out).unwrap();
        let page = out.join("index.html");
        fs::write(&page, "page one").unwrap();
        let modified = fs::metadata(&page).unwrap().modified().unwrap();
        let first = output_digest(&out).unwrap();
        // ctime has a coarse clock on some file systems: let it move on.
        std::thread::sleep(std::time::Duration::from_millis(20));
        fs::write(&page, "page two").unwrap();
        fs::File::options()
            .write(true)
            .open(&page)
            .unwrap()
            .set_modified(modified)
            .unwrap();
        assert_eq!(fs::metadata(&page).unwrap().modified().unwrap(), modified);
        assert_ne!(first, output_digest(&out).unwrap());
    }

    #[test]
    fn stamps_live_beside_the_output_folder_and_round_trip() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("public");
        assert_eq!(path(&out), dir.path().join(".public.ecoscore-stamp"));
        let stamp = Stamp {
            kind: "site".into(),
            build: Some(Built {
                inputs: "a".into(),
                output: "b".into(),
                published: Published {
                    pages: 1,
                    charts: 2,
                    files: 3,
                    years: vec![2024],
                    archived: vec![],
                    drafts_left_out: vec![2025],
                    site_path: "/kaohe/".into(),
                },
                warnings: 4,
                years: BTreeMap::new(),
                pages: BTreeMap::new(),
            }),
        };
        assert_eq!(read(&out), None);
        assert_eq!(kind(&out), None);
        write(&out, &stamp).unwrap();
        assert_eq!(read(&out), Some(stamp));
        assert_eq!(kind(&out), Some(OutputKind::SITE));
        crate::destination::mark(&out, OutputKind::BRIEFING).unwrap();
        assert_eq!(read(&out).unwrap().build, None, "a mark forgets the build");
        assert_eq!(kind(&out), Some(OutputKind::BRIEFING));
    }

    /// A stamp's kind and summary read from its head are what the whole
    /// stamp says, whatever its strings hold.
    #[test]
    fn a_stamps_head_says_what_the_whole_stamp_says() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("public");
        let published = |site_path: &str| Published {
            pages: 3,
            charts: 1,
            files: 9,
            years: vec![2024, 2025],
            archived: vec![2021],
            drafts_left_out: vec![],
            site_path: site_path.to_string(),
        };
        let page = PageRecord {
            digest: "d".into(),
            reads: vec![r#","years":{"#.into()],
            files: vec!["2025/a.html".into()],
            ids: vec![],
        };
        let year = YearFiles {
            key: "k".into(),
            files: BTreeMap::from([("2025/a.html".to_string(), vec!["x".to_string()])]),
            units: String::new(),
        };
        for site_path in ["/kaohe/", r#"/a,"years":{"b"}/"#, &"长".repeat(40_000)] {
            let built = Built {
                inputs: "i".into(),
                output: "o".into(),
                published: published(site_path),
                warnings: 7,
                years: BTreeMap::from([(2025, year.clone())]),
                pages: BTreeMap::from([("2025/a.html".to_string(), page.clone())]),
            };
            for build in [Some(built), None] {
                let stamp = Stamp {
                    kind: "briefing".into(),
                    build: build.clone(),
                };
                write(&out, &stamp).unwrap();
                let text = fs::read(path(&out)).unwrap();
                let fast = build.is_some() && site_path.len() < 1000;
                let cut = head(&text[..text.len().min(64 * 1024)]);
                assert_eq!(cut.is_some(), fast);
                if let Some(cut) = cut {
                    // The head is the stamp less the build's years and pages.
                    let mut whole: serde_json::Value = serde_json::from_slice(&text).unwrap();
                    let inner = whole["build"].as_object_mut().unwrap();
                    inner.remove("years");
                    inner.remove("pages");
                    let cut: serde_json::Value = serde_json::from_slice(&cut).unwrap();
                    assert_eq!(cut, whole);
                }
                assert_eq!(super::kind(&out).as_deref(), Some("briefing"));
                let summary = read_summary(&out);
                assert_eq!(summary.is_some(), build.is_some());
                if let (Some(summary), Some(build)) = (summary, &build) {
                    assert_eq!(summary.inputs, build.inputs);
                    assert_eq!(summary.output, build.output);
                    assert_eq!(summary.published, build.published);
                    assert_eq!(summary.warnings, build.warnings);
                }
            }
        }
    }

    #[test]
    fn a_stamp_from_before_kinds_marks_a_site() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("public");
        let older = r#"{"inputs":"a","output":"b","published":{"pages":1,"charts":0,"files":1,"years":[],"archived":[],"drafts_left_out":[]},"warnings":0}"#;
        fs::write(path(&out), older).unwrap();
        assert_eq!(kind(&out), Some(OutputKind::SITE));
        assert_eq!(read(&out).unwrap().build, None);
    }
}
