//! Archived years, as every build reads them: the layout of `archive/`, the
//! check of each year against its manifest, and the frozen years a build
//! copies. Making and checking archives by rendering (`ecoscore archive`,
//! `verify`, the tarball) drives the pipeline, so it lives above it, in the
//! `freeze` module.
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

mod frozen;
mod input;
mod manifest;
mod published;

use std::collections::BTreeMap;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::diagnostic::{Diagnostic, Diagnostics, Pos};
use crate::model::Date;
use crate::render::view::ArchiveView;
pub use frozen::{load_archives, Archives, Frozen};
pub use input::collect_input;
pub use manifest::{inspect, manifest_text};
pub use published::open_data_path;

/// The folder of the project that holds every archived year.
pub const ARCHIVE_DIR: &str = crate::load::ARCHIVE;
pub const MANIFEST: &str = "MANIFEST.sha256";
pub const METADATA: &str = "ARCHIVE.json";
/// Where in an archive folder the year's pages, its input and earlier revisions are.
pub const SITE: &str = "site/";
pub const INPUT: &str = "input/";
pub const SUPERSEDED: &str = "superseded/";

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

    pub fn to_json(&self) -> String {
        let mut text = serde_json::to_string_pretty(self).unwrap_or_default();
        text.push('\n');
        text
    }
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
fn read_tree(dir: &Path) -> io::Result<Tree> {
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

/// `archive/<year>`, as messages name an archive folder.
pub fn archive_dir(year: u16) -> String {
    format!("{ARCHIVE_DIR}/{year}")
}

/// The archived years under `root/archive/`, in order, with their folders.
pub fn archived_years(root: &Path) -> Result<Vec<(u16, PathBuf)>, Diagnostics> {
    let dir = root.join(ARCHIVE_DIR);
    let read = match fs::read_dir(&dir) {
        Ok(read) => read,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => {
            return Err(Diagnostic::error(
                ARCHIVE_DIR,
                Pos::FILE,
                format!("cannot read this folder: {e}"),
            )
            .into())
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

/// Every file of the archive folder `dir` of `year`.
pub fn read_archive(year: u16, dir: &Path) -> Result<Tree, Diagnostics> {
    read_tree(dir).map_err(|e| {
        Diagnostic::error(
            archive_dir(year),
            Pos::FILE,
            format!("cannot read the archive: {e}"),
        )
        .into()
    })
}

/// Files of `tree` under `prefix`, with the prefix removed.
pub fn subtree(tree: &Tree, prefix: &str) -> Tree {
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

#[cfg(test)]
pub(crate) mod fixtures {
    use super::*;
    use crate::digest::sha256_hex;

    pub fn tree(files: &[(&str, &str)]) -> Tree {
        files
            .iter()
            .map(|(p, b)| (p.to_string(), b.as_bytes().to_vec()))
            .collect()
    }

    /// A minimal valid archive of 2023 holding `files`.
    pub fn archive(files: &[(&str, &str)]) -> Tree {
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
}

#[cfg(test)]
mod tests {
    use super::fixtures::tree;
    use super::*;

    #[test]
    fn tree_diff_lists_each_kind() {
        let was = tree(&[("a", "1"), ("b", "2"), ("c", "3")]);
        let now = tree(&[("a", "1"), ("b", "9"), ("d", "4")]);
        let diff = TreeDiff::new(&was, &now);
        assert_eq!(diff.to_string(), "changed: b; added: d; missing: c");
        assert!(TreeDiff::new(&was, &was).is_empty());
    }
}
