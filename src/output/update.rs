//! A rebuild that updates the output folder where it stands.
//!
//! Swapping in a whole new folder costs a hard link for every unchanged
//! file and an unlink for every file of the old folder: at national scale
//! 18,000 of each, most of a one-file edit's write stage. When the folder
//! lists exactly as the previous build left it (its stamp vouches for every
//! entry), only what changed needs to move. Changed files are still written
//! into the work folder first, so a build that fails before the end changes
//! nothing; the commit then moves each replaced or removed file aside into
//! the work folder and each new one in, logging every step, and a step that
//! fails undoes the ones before it. Unchanged files are never touched: they
//! keep their inode, modification and change time.
//!
//! A command killed in the middle of the commit leaves a mix of old and new
//! files. The folder then no longer lists as its stamp says, so the next
//! build renders everything and swaps a whole folder in.

use std::collections::{BTreeSet, HashSet};
use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, PoisonError};

use crate::stamp::Listing;

/// Inside the work folder: the files the commit moved out of the output.
/// Not `old` (what the swap moves aside and a later command puts back): these
/// are single files, deleted with the work folder.
const REPLACED: &str = "replaced";

/// What an update knows of the output folder and what the build made of it.
pub(super) struct Update {
    /// The folder as listed when the build started.
    listing: Listing,
    /// Every entry of it that is not a folder.
    before: HashSet<String>,
    /// Every file the new build has: written, found unchanged, or kept.
    present: Mutex<HashSet<String>>,
    /// The files written into the work folder, to be moved in.
    staged: Mutex<Vec<String>>,
}

/// One step of a commit, undone in reverse order when a later one fails.
enum Step {
    Moved { from: PathBuf, to: PathBuf },
    MadeFolder(PathBuf),
    RemovedFolder(PathBuf),
}

impl Update {
    pub(super) fn new(listing: Listing) -> Update {
        Update {
            before: listing.files().into_iter().collect(),
            listing,
            present: Mutex::new(HashSet::new()),
            staged: Mutex::new(Vec::new()),
        }
    }

    /// The build has the file at `path` as the output already holds it.
    pub(super) fn unchanged(&self, path: &str) {
        lock(&self.present).insert(path.to_string());
    }

    /// The build wrote the file at `path` into the work folder.
    pub(super) fn staged(&self, path: &str) {
        lock(&self.present).insert(path.to_string());
        lock(&self.staged).push(path.to_string());
    }

    /// Move the staged files from `new` into `out` and the files they
    /// replace, or that the build no longer makes, into the work folder
    /// `work`. On an error every step taken is undone and `out` is as it
    /// was. Returns how `out` lists now, found by looking again only at
    /// what moved.
    pub(super) fn commit(self, out: &Path, new: &Path, work: &Path) -> io::Result<Listing> {
        let present = self
            .present
            .into_inner()
            .unwrap_or_else(PoisonError::into_inner);
        let mut staged = self
            .staged
            .into_inner()
            .unwrap_or_else(PoisonError::into_inner);
        staged.sort();
        let aside = work.join(REPLACED);
        let mut leaving: Vec<&String> = self
            .before
            .iter()
            .filter(|path| !present.contains(*path))
            .chain(staged.iter().filter(|path| self.before.contains(*path)))
            .collect();
        leaving.sort();
        let mut log = Vec::new();
        let result = move_out(out, &aside, &leaving, &mut log)
            .and_then(|()| remove_emptied(out, &leaving, &present, &mut log))
            .and_then(|()| move_in(out, new, &staged, &mut log));
        if let Err(e) = result {
            undo(log);
            return Err(e);
        }
        let touched: Vec<String> = leaving.into_iter().chain(&staged).cloned().collect();
        self.listing.updated(out, &touched)
    }
}

/// Move each of `paths` from `out` to the same place under `aside`, through
/// real folders only.
fn move_out(out: &Path, aside: &Path, paths: &[&String], log: &mut Vec<Step>) -> io::Result<()> {
    let mut made = HashSet::new();
    let mut checked = HashSet::new();
    for path in paths {
        real_folders(out, path, &mut checked, None)?;
        let to = aside.join(path.as_str());
        if let Some(parent) = to.parent() {
            if made.insert(parent.to_path_buf()) {
                fs::create_dir_all(parent)?;
            }
        }
        let from = out.join(path.as_str());
        fs::rename(&from, &to)?;
        log.push(Step::Moved { from, to });
    }
    Ok(())
}

/// Remove the folders of `out` that the files moved out of left empty and
/// that no file of the new build is in, deepest first: a folder the new
/// build replaces by a file of the same name must go before it comes in.
fn remove_emptied(
    out: &Path,
    left: &[&String],
    present: &HashSet<String>,
    log: &mut Vec<Step>,
) -> io::Result<()> {
    let needed: HashSet<&str> = present.iter().flat_map(|path| folders_of(path)).collect();
    let emptied: BTreeSet<&str> = left
        .iter()
        .flat_map(|path| folders_of(path))
        .filter(|folder| !needed.contains(folder))
        .collect();
    // Longer names first: a folder's subfolders go before it.
    let mut emptied: Vec<&str> = emptied.into_iter().collect();
    emptied.sort_by_key(|folder| std::cmp::Reverse(folder.len()));
    for folder in emptied {
        let path = out.join(folder);
        match fs::remove_dir(&path) {
            Ok(()) => log.push(Step::RemovedFolder(path)),
            // Something the build did not list is still in it: it stays.
            Err(_) if path.is_dir() => {}
            Err(e) => return Err(e),
        }
    }
    Ok(())
}

/// Move each staged file from `new` into `out`, making the folders it needs.
fn move_in(out: &Path, new: &Path, paths: &[String], log: &mut Vec<Step>) -> io::Result<()> {
    let mut checked = HashSet::new();
    for path in paths {
        real_folders(out, path, &mut checked, Some(log))?;
        let from = new.join(path);
        let to = out.join(path);
        fs::rename(&from, &to)?;
        log.push(Step::Moved { from, to });
    }
    Ok(())
}

/// Check that every folder `path` is in under `out` is a real folder, not
/// a link to elsewhere put there since the folder was listed: no file is
/// moved in or out through one. With `make`, a missing folder is made (and
/// logged); without, it is an error. `checked` holds the folders seen.
fn real_folders<'p>(
    out: &Path,
    path: &'p str,
    checked: &mut HashSet<&'p str>,
    mut make: Option<&mut Vec<Step>>,
) -> io::Result<()> {
    for folder in folders_of(path).collect::<Vec<_>>().into_iter().rev() {
        if !checked.insert(folder) {
            continue;
        }
        let at = out.join(folder);
        match (fs::symlink_metadata(&at), make.as_deref_mut()) {
            (Ok(meta), _) if meta.is_dir() => {}
            (Ok(_), _) => {
                return Err(io::Error::new(
                    io::ErrorKind::AlreadyExists,
                    format!("{} is not a folder", at.display()),
                ))
            }
            (Err(e), Some(log)) if e.kind() == io::ErrorKind::NotFound => {
                fs::create_dir(&at)?;
                log.push(Step::MadeFolder(at));
            }
            (Err(e), _) => return Err(e),
        }
    }
    Ok(())
}

/// Take back every step of `log`, last first. Best effort: the commit's
/// error is what is reported.
fn undo(log: Vec<Step>) {
    for step in log.into_iter().rev() {
        let _ = match step {
            Step::Moved { from, to } => fs::rename(to, from),
            Step::MadeFolder(path) => fs::remove_dir(path),
            Step::RemovedFolder(path) => fs::create_dir(path),
        };
    }
}

/// The folders `path` is in, innermost first: `a/b/c.html` gives `a/b`, `a`.
fn folders_of(path: &str) -> impl Iterator<Item = &str> {
    path.match_indices('/')
        .rev()
        .map(move |(at, _)| &path[..at])
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

#[cfg(test)]
mod tests {
    use super::super::tests::{beside, published, SITE};
    use super::super::{write_site, OutputFile, Staging};
    use super::*;

    #[test]
    fn a_path_is_in_each_folder_above_it() {
        assert_eq!(folders_of("a/b/c.html").collect::<Vec<_>>(), ["a/b", "a"]);
        assert_eq!(folders_of("index.html").count(), 0);
    }

    /// The files of `out`, as a build starting over it lists them.
    fn files_of(out: &Path) -> Vec<String> {
        listing(out).files()
    }

    fn listing(out: &Path) -> Listing {
        crate::stamp::output_listing(out).unwrap()
    }

    #[cfg(unix)]
    #[test]
    fn an_update_moves_only_what_changed_and_leaves_the_rest_untouched() {
        use std::os::unix::fs::MetadataExt;
        let (dir, out) = published(&[
            OutputFile::new("same.html", "unchanged"),
            OutputFile::new("kept/page.html", "kept"),
            OutputFile::new("edited.html", "before"),
            OutputFile::new("gone/deep/page.html", "removed"),
            OutputFile::new("becomes/file.html", "a folder before"),
        ]);
        let meta = |name: &str| fs::symlink_metadata(out.join(name)).unwrap();
        let before = |name: &str| {
            (
                meta(name).ino(),
                meta(name).ctime_nsec(),
                meta(name).ctime(),
            )
        };
        let (same, kept) = (before("same.html"), before("kept/page.html"));
        let staging = Staging::update(&out, SITE, listing(&out)).unwrap();
        staging
            .write(&OutputFile::new("same.html", "unchanged"))
            .unwrap();
        staging.keep("kept/page.html").unwrap();
        staging
            .write(&OutputFile::new("edited.html", "after"))
            .unwrap();
        staging
            .write(&OutputFile::new("new/page.html", "new"))
            .unwrap();
        staging
            .write(&OutputFile::new("becomes", "a file now"))
            .unwrap();
        assert_eq!(
            fs::read_to_string(staging.current("same.html")).unwrap(),
            "unchanged"
        );
        assert_eq!(
            fs::read_to_string(staging.current("edited.html")).unwrap(),
            "after"
        );
        // Until the commit, the published site is as it was.
        assert_eq!(
            fs::read_to_string(out.join("edited.html")).unwrap(),
            "before"
        );
        assert!(!out.join("new").exists());
        let listed = staging
            .commit()
            .unwrap()
            .expect("an update lists what it moved");
        assert_eq!(listed, listing(&out), "as walking the folder lists it");
        assert_eq!(before("same.html"), same, "not even linked again");
        assert_eq!(before("kept/page.html"), kept);
        assert_eq!(
            fs::read_to_string(out.join("edited.html")).unwrap(),
            "after"
        );
        assert_eq!(
            fs::read_to_string(out.join("new/page.html")).unwrap(),
            "new"
        );
        assert_eq!(
            fs::read_to_string(out.join("becomes")).unwrap(),
            "a file now"
        );
        assert!(!out.join("gone").exists(), "emptied folders go too");
        assert_eq!(
            files_of(&out),
            [
                "becomes",
                "edited.html",
                "kept/page.html",
                "new/page.html",
                "same.html"
            ]
        );
        assert_eq!(beside(&dir).len(), 2, "the work folder is removed");
    }

    #[test]
    fn an_update_that_fails_half_way_puts_every_file_back() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("public");
        let site = [
            OutputFile::new("a.html", "a before"),
            OutputFile::new("old/page.html", "old"),
        ];
        write_site(&out, SITE, &site).unwrap();
        let staging = Staging::update(&out, SITE, listing(&out)).unwrap();
        staging
            .write(&OutputFile::new("a.html", "a after"))
            .unwrap();
        staging
            .write(&OutputFile::new("z/page.html", "new"))
            .unwrap();
        // Something takes the name of a folder the new site needs after the
        // build started: the commit cannot put `z/page.html` in.
        fs::write(out.join("z"), "not a folder").unwrap();
        let err = staging.commit().unwrap_err();
        assert!(err.to_string().contains("is not a folder"), "{err}");
        assert_eq!(fs::read_to_string(out.join("a.html")).unwrap(), "a before");
        assert_eq!(
            fs::read_to_string(out.join("old/page.html")).unwrap(),
            "old"
        );
        assert_eq!(fs::read_to_string(out.join("z")).unwrap(), "not a folder");
        assert_eq!(beside(&dir).len(), 2, "the work folder is removed");
    }

    #[cfg(unix)]
    #[test]
    fn a_folder_made_a_link_during_the_build_moves_nothing_out_through_it() {
        let (dir, out) = published(&[OutputFile::new("old/page.html", "old")]);
        let staging = Staging::update(&out, SITE, listing(&out)).unwrap();
        staging
            .write(&OutputFile::new("index.html", "new"))
            .unwrap();
        // After the listing, `old/` becomes a link to a folder of the user's
        // holding a file of the same name: the commit must not take it.
        let mine = dir.path().join("mine");
        fs::create_dir(&mine).unwrap();
        fs::write(mine.join("page.html"), "the user's").unwrap();
        fs::rename(out.join("old"), dir.path().join("moved-away")).unwrap();
        std::os::unix::fs::symlink(&mine, out.join("old")).unwrap();
        let err = staging.commit().unwrap_err();
        assert!(err.to_string().contains("is not a folder"), "{err}");
        assert_eq!(
            fs::read_to_string(mine.join("page.html")).unwrap(),
            "the user's"
        );
        assert!(!out.join("index.html").exists());
    }

    #[test]
    fn an_update_dropped_before_its_commit_changes_nothing() {
        let (_dir, out) = published(&[OutputFile::new("a.html", "a")]);
        let staging = Staging::update(&out, SITE, listing(&out)).unwrap();
        staging
            .write(&OutputFile::new("a.html", "changed"))
            .unwrap();
        staging.write(&OutputFile::new("b.html", "b")).unwrap();
        drop(staging);
        assert_eq!(files_of(&out), ["a.html"]);
        assert_eq!(fs::read_to_string(out.join("a.html")).unwrap(), "a");
    }
}
