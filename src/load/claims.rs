//! Which input file is which: every file the loader reads is claimed with
//! where it really is, so a file reached under two names (a symbolic or a
//! hard link) is found and reported, and no link leads into a folder that
//! holds private notes.

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, PoisonError};

use super::{Doc, RawProject};
use crate::diagnostic::{Diagnostic, Pos};

/// Folders of the project that hold `internal:` notes and are not input
/// of the site: the frozen record of archived years (read by builds only as
/// archives) and the briefing copies. No link may lead into them.
const PRIVATE_FOLDERS: [(&str, &str); 3] = [
    (
        super::ARCHIVE,
        "the archived years with their input and `internal:` notes",
    ),
    (
        "briefing",
        "the briefing copies with their `internal:` notes",
    ),
    ("report", "the results reports with their `internal:` notes"),
];

/// The same file on disk, however it is reached: the device and inode on
/// Unix (which also catches hard links), else the resolved path.
#[cfg(unix)]
type FileId = (u64, u64);
#[cfg(not(unix))]
type FileId = PathBuf;

#[cfg(unix)]
fn file_id(_real: &Path, metadata: &fs::Metadata) -> FileId {
    use std::os::unix::fs::MetadataExt;
    (metadata.dev(), metadata.ino())
}

#[cfg(not(unix))]
fn file_id(real: &Path, _metadata: &fs::Metadata) -> FileId {
    real.to_path_buf()
}

/// One input file: where the project layout names it, and where it really is.
struct Claim {
    id: FileId,
    file: PathBuf,
    real: PathBuf,
    /// Reached through a symbolic link (`real` is not where `file` says).
    linked: bool,
}

/// What the project layout reads the file at `file` as, for messages.
fn role(file: &Path) -> &'static str {
    let parts: Vec<&str> = file
        .components()
        .filter_map(|c| c.as_os_str().to_str())
        .collect();
    match parts.as_slice() {
        ["site.yaml"] => "the site settings",
        ["data", "regions.yaml"] => "the list of units",
        ["data", "indicators.yaml"] => "the indicator catalogue",
        ["data", _, "rules.yaml"] => "a year's rules",
        ["data", _, "targets.yaml"] => "a year's targets",
        ["data", _, "results", _] => "a unit's results",
        ["content", "pages", _] => "a page",
        ["content", _, "bulletin.md"] => "a bulletin",
        ["content", _, "regions", _] => "a unit's narrative",
        ["themes", ..] => "a theme file",
        _ => "an input file",
    }
}

/// A path as the messages show it: relative to the project and `/`-separated.
fn shown(base: &Path, path: &Path) -> String {
    let parts: Vec<String> = path
        .strip_prefix(base)
        .unwrap_or(path)
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    parts.join("/")
}

/// The claims of one load (filled from parallel reads, sorted before use).
pub(super) struct Claims {
    real_root: PathBuf,
    /// The private folders: name, what they hold, and each path they are at
    /// (as named and as resolved).
    private: Vec<(&'static str, &'static str, PathBuf)>,
    list: Mutex<Vec<Claim>>,
}

impl Claims {
    pub(super) fn new(real_root: &Path) -> Claims {
        let private = PRIVATE_FOLDERS
            .iter()
            .flat_map(|&(name, holds)| {
                let lexical = real_root.join(name);
                let real = fs::canonicalize(&lexical).ok();
                [Some(lexical), real]
                    .into_iter()
                    .flatten()
                    .map(move |p| (name, holds, p))
            })
            .collect();
        Claims {
            real_root: real_root.to_path_buf(),
            private,
            list: Mutex::new(Vec::new()),
        }
    }

    /// Accept the file at `file`, really at `real`, as input: it must not lie
    /// in a private folder, and it is claimed so a second name for it is found.
    pub(super) fn admit(
        &self,
        file: &Path,
        real: &Path,
        metadata: &fs::Metadata,
    ) -> Result<(), Diagnostic> {
        if let Some((name, holds, _)) = self.private.iter().find(|(_, _, p)| real.starts_with(p)) {
            return Err(Diagnostic::error(
                file,
                Pos::FILE,
                format!(
                    "this is a link to {}, inside {name}/, which holds {holds}",
                    shown(&self.real_root, real)
                ),
            )
            .with_help("nothing in that folder may be read as input of the site, so no link can publish it; put a file of its own here"));
        }
        let claim = Claim {
            id: file_id(real, metadata),
            file: file.to_path_buf(),
            real: real.to_path_buf(),
            linked: real != self.real_root.join(file),
        };
        self.list
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(claim);
        Ok(())
    }

    /// Whether any file claimed so far was reached through a symbolic link:
    /// a load that left some files unread (years kept, `load_keeping`)
    /// cannot tell whether it is one of those.
    pub(super) fn any_linked(&self) -> bool {
        let list = self.list.lock().unwrap_or_else(PoisonError::into_inner);
        list.iter().any(|claim| claim.linked)
    }

    /// Files reached under more than one name, and an error for each name
    /// but the first (a plain file before a link, then data before content
    /// before the theme, then in path order).
    pub(super) fn read_twice(&self) -> (BTreeSet<PathBuf>, Vec<Diagnostic>) {
        let mut claims =
            std::mem::take(&mut *self.list.lock().unwrap_or_else(PoisonError::into_inner));
        // The data files first: of a results file and a hard link to it as
        // a narrative, the narrative is the one out of place.
        let rank = |c: &Claim| match c
            .file
            .components()
            .next()
            .and_then(|c| c.as_os_str().to_str())
        {
            Some("site.yaml") => 0,
            Some("data") => 1,
            Some("content") => 2,
            _ => 3,
        };
        claims.sort_by(|a, b| {
            (&a.id, a.linked, rank(a), &a.file).cmp(&(&b.id, b.linked, rank(b), &b.file))
        });
        let mut twice = BTreeSet::new();
        let mut errors = Vec::new();
        for group in claims.chunk_by(|a, b| a.id == b.id) {
            let Some((first, others)) = group.split_first() else {
                continue;
            };
            for other in others {
                let target = shown(&self.real_root, &other.real);
                let first_file = shown(Path::new(""), &first.file);
                let what = if !other.linked {
                    format!("this is the same file as {first_file} (a hard link)")
                } else if target == first_file {
                    format!("this is a link to {target}")
                } else {
                    format!("this is a link to {target}, which is also {first_file}")
                };
                errors.push(
                    Diagnostic::error(
                        &other.file,
                        Pos::FILE,
                        format!(
                            "{what}: ecoscore already reads that file as {}, so it is not read again as {}",
                            role(&first.file),
                            role(&other.file)
                        ),
                    )
                    .with_help("every input file has one role, so nothing written for one purpose (such as the `internal:` notes of a results file) is published through another; put a file of its own here"),
                );
                twice.insert(other.file.clone());
            }
        }
        (twice, errors)
    }
}

impl RawProject {
    /// Drop the documents read from `files`, as if they were broken (their
    /// problem is already reported), so nothing later uses their text.
    pub(super) fn forget(&mut self, files: &BTreeSet<PathBuf>) {
        fn drop_doc<T>(doc: &mut Doc<T>, files: &BTreeSet<PathBuf>) {
            if doc.ok().is_some_and(|l| files.contains(&l.file)) {
                *doc = Doc::Broken;
            }
        }
        drop_doc(&mut self.site, files);
        drop_doc(&mut self.regions, files);
        drop_doc(&mut self.indicators, files);
        for year in self.years.values_mut() {
            if let Some(doc) = &mut year.rules {
                drop_doc(doc, files);
            }
            if let Some(doc) = &mut year.targets {
                drop_doc(doc, files);
            }
            if let Some(doc) = &mut year.bulletin {
                drop_doc(doc, files);
            }
            for doc in year.results.values_mut() {
                drop_doc(doc, files);
            }
            year.narratives.retain(|_, n| !files.contains(&n.file));
        }
        self.pages.retain(|_, p| !files.contains(&p.file));
    }
}
