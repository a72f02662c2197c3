//! Stage 5, write: the only code that writes the public site.
//!
//! The whole site is written into a staging folder beside the output folder
//! and swapped in with renames once every file is on disk, so a failed build
//! leaves what was published untouched. Only a folder ecoscore made as that
//! output (or an empty one) is ever replaced, and the work folders of a
//! killed command are removed by the next one. A rebuild over a folder that
//! lists as the previous build left it moves only what changed
//! (`update.rs`).

mod update;

use std::collections::HashSet;
use std::fs::{self, File};
use std::io::{self, Write};
use std::path::{Component, Path, PathBuf};
use std::sync::{Mutex, PoisonError};

use crate::destination::{self, OutputKind};
use crate::diagnostic::{Diagnostic, Pos};
use crate::stamp::Listing;

/// One file of the site, at a `/`-separated path relative to the output root.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutputFile {
    pub path: String,
    pub bytes: Vec<u8>,
}

impl OutputFile {
    pub fn new(path: impl Into<String>, bytes: impl Into<Vec<u8>>) -> OutputFile {
        OutputFile {
            path: path.into(),
            bytes: bytes.into(),
        }
    }
}

fn safe_relative(path: &str) -> Option<PathBuf> {
    let relative = Path::new(path);
    let normal = relative
        .components()
        .all(|c| matches!(c, Component::Normal(_)));
    (normal && !path.is_empty()).then(|| relative.to_path_buf())
}

/// Write one file under `dir`, refusing any path that would leave it.
/// `made` holds the folders already created, so each is made once. With a
/// `previous` site folder, a file whose bytes are already there is linked
/// to it instead of written again (see [`Staging`]).
fn write_under(
    dir: &Path,
    file: &OutputFile,
    made: &Mutex<HashSet<PathBuf>>,
    previous: Option<&Path>,
) -> io::Result<()> {
    let relative = safe_relative(&file.path).ok_or_else(|| {
        io::Error::new(
            io::ErrorKind::InvalidInput,
            format!("refusing to write outside the output folder: {}", file.path),
        )
    })?;
    let target = dir.join(&relative);
    make_parent(&target, made)?;
    if let Some(previous) = previous {
        let old = previous.join(&relative);
        if holds(&old, &file.bytes) && fs::hard_link(&old, &target).is_ok() {
            return Ok(());
        }
    }
    fs::write(&target, &file.bytes)
}

/// Create the folder `target` goes in, unless `made` says it exists.
fn make_parent(target: &Path, made: &Mutex<HashSet<PathBuf>>) -> io::Result<()> {
    if let Some(parent) = target.parent() {
        let mut made = made.lock().unwrap_or_else(PoisonError::into_inner);
        if !made.contains(parent) {
            fs::create_dir_all(parent)?;
            made.insert(parent.to_path_buf());
        }
    }
    Ok(())
}

/// Whether `path` is a plain file holding exactly `bytes`.
fn holds(path: &Path, bytes: &[u8]) -> bool {
    let same_size =
        fs::symlink_metadata(path).is_ok_and(|m| m.is_file() && m.len() == bytes.len() as u64);
    same_size && fs::read(path).is_ok_and(|old| old == bytes)
}

/// Write `files` into the existing, empty folder `dir` (a staging or
/// scratch folder, never the output itself).
pub fn write_tree(dir: &Path, files: &[OutputFile]) -> io::Result<()> {
    let made = Mutex::new(HashSet::new());
    files
        .iter()
        .try_for_each(|file| write_under(dir, file, &made, None))
}

/// The folder that holds `out`, created if missing: staging and scratch
/// folders go there, on the same file system.
pub fn parent_folder(out: &Path) -> io::Result<PathBuf> {
    let parent = match out.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    fs::create_dir_all(&parent)?;
    Ok(parent)
}

/// Work folders are named `.ecoscore-work-<random>`.
const WORK_PREFIX: &str = ".ecoscore-work-";
/// The file that proves a work folder is ecoscore's, and whether its command
/// still runs: that command holds a lock on it until it ends.
const LOCK: &str = ".ecoscore-lock";
const LOCK_TEXT: &[u8] =
    b"ecoscore work folder: removed when its command ends, or by the next one if it was killed\n";
/// Inside a work folder: the output being written, and the one it replaces.
const NEW: &str = "new";
const OLD: &str = "old";

/// A running command's private folder beside an output (a staging folder,
/// a print scratch folder, a tarball being written), removed when dropped.
///
/// A command killed with `kill -9` cannot remove it, so every new work
/// folder first removes those beside it that are provably ecoscore's and
/// abandoned: named `.ecoscore-work-…`, holding ecoscore's lock file, which
/// no running command holds a lock on. A look-alike is left alone.
pub struct WorkDir {
    path: PathBuf,
    lock: Option<File>,
}

impl WorkDir {
    pub fn new(parent: &Path) -> io::Result<WorkDir> {
        remove_abandoned(parent);
        let path = tempfile::Builder::new()
            .prefix(WORK_PREFIX)
            .tempdir_in(parent)?
            .keep();
        let mut work = WorkDir { path, lock: None };
        // Locked before it says what it is, so no other command takes it for
        // an abandoned one in between.
        let mut lock = File::create_new(work.path.join(LOCK))?;
        lock.try_lock().map_err(io::Error::from)?;
        lock.write_all(LOCK_TEXT)?;
        work.lock = Some(lock);
        Ok(work)
    }

    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl Drop for WorkDir {
    fn drop(&mut self) {
        drop(self.lock.take());
        let _ = fs::remove_dir_all(&self.path);
    }
}

/// Remove the work folders beside which their command was killed. An
/// output moved aside for a swap that never finished is put back first.
fn remove_abandoned(parent: &Path) {
    let Ok(entries) = fs::read_dir(parent) else {
        return;
    };
    for entry in entries.filter_map(Result::ok) {
        let ours = entry.file_name().to_string_lossy().starts_with(WORK_PREFIX)
            && entry.file_type().is_ok_and(|t| t.is_dir());
        let dir = entry.path();
        let lock = dir.join(LOCK);
        let proven = ours
            && fs::symlink_metadata(&lock).is_ok_and(|m| m.is_file())
            && fs::read(&lock).is_ok_and(|text| text == LOCK_TEXT);
        if !proven {
            continue;
        }
        // The lock is free only when the command that took it has ended.
        let Ok(held) = File::open(&lock) else {
            continue;
        };
        if held.try_lock().is_err() {
            continue;
        }
        for old in fs::read_dir(dir.join(OLD)).into_iter().flatten().flatten() {
            let home = parent.join(old.file_name());
            if fs::symlink_metadata(&home).is_err() {
                let _ = fs::rename(old.path(), home);
            }
        }
        let _ = fs::remove_dir_all(&dir);
    }
}

/// What the folder a [`Staging`] replaces must be, for the swap to go ahead.
#[derive(Debug, Clone, Copy)]
pub enum Replaces {
    /// An output of this kind: missing, empty, or marked by its stamp
    /// ([`destination::replaceable`]). The swap-in marks the new one.
    Output(OutputKind),
    /// A folder holding this file: an archive holds its manifest, and is
    /// never stamped (archive/ is input, kept in version control).
    FolderHolding(&'static str),
}

impl Replaces {
    fn check(self, out: &Path) -> io::Result<()> {
        match self {
            Replaces::Output(kind) => Ok(destination::replaceable(kind, out)?),
            Replaces::FolderHolding(_) if !out.exists() => Ok(()),
            Replaces::FolderHolding(file) if out.join(file).is_file() => Ok(()),
            Replaces::FolderHolding(file) => Err(io::Error::new(
                io::ErrorKind::PermissionDenied,
                format!("refusing to replace {}: it holds no {file}", out.display()),
            )),
        }
    }
}

/// A site being written: files go into a staging folder beside the output
/// folder as they are produced (from any thread), and [`Staging::commit`]
/// swaps it in. Dropped without a commit, it removes itself and the output
/// folder is as it was.
///
/// Only a folder that [`Replaces`] allows is ever replaced: checked when
/// staging starts and again at the swap.
///
/// A file identical to the one already published at its path is hard-linked
/// to it rather than written: a rebuild after a small edit writes only what
/// changed, unchanged files keep their modification times (so a deployment
/// by rsync sends only the changes), and deleting the previous site frees
/// only what was replaced. The previous site is never written to; a link
/// that cannot be made (another file system) falls back to a copy.
pub struct Staging {
    out: PathBuf,
    replaces: Replaces,
    work: WorkDir,
    /// Where the new folder is written, inside `work`.
    dir: PathBuf,
    made: Mutex<HashSet<PathBuf>>,
    /// The site being replaced, if there is one.
    previous: Option<PathBuf>,
    /// Set when the output is updated where it stands ([`Staging::update`]).
    update: Option<update::Update>,
}

impl Staging {
    pub fn new(out: &Path, replaces: Replaces) -> io::Result<Staging> {
        replaces.check(out)?;
        let work = WorkDir::new(&parent_folder(out)?)?;
        let dir = work.path().join(NEW);
        fs::create_dir(&dir)?;
        Ok(Staging {
            out: out.to_path_buf(),
            replaces,
            work,
            dir,
            made: Mutex::new(HashSet::new()),
            previous: out.is_dir().then(|| out.to_path_buf()),
            update: None,
        })
    }

    /// A staging that updates `out` where it stands at the commit instead
    /// of swapping a whole folder in: for a rebuild over a folder that
    /// lists as the previous build left it, as `before`
    /// (`stamp::output_listing`). Only the files that changed are written
    /// and moved; see `update.rs`.
    pub fn update(out: &Path, replaces: Replaces, before: Listing) -> io::Result<Staging> {
        let mut staging = Staging::new(out, replaces)?;
        if staging.previous.is_some() {
            staging.update = Some(update::Update::new(before));
        }
        Ok(staging)
    }

    pub fn write(&self, file: &OutputFile) -> io::Result<()> {
        let Some(update) = &self.update else {
            return write_under(&self.dir, file, &self.made, self.previous.as_deref());
        };
        let relative = safe_relative(&file.path).ok_or_else(|| {
            io::Error::new(
                io::ErrorKind::InvalidInput,
                format!("refusing to write outside the output folder: {}", file.path),
            )
        })?;
        if holds(&self.out.join(&relative), &file.bytes) {
            update.unchanged(&file.path);
            return Ok(());
        }
        write_under(&self.dir, file, &self.made, None)?;
        update.staged(&file.path);
        Ok(())
    }

    /// Put the previous output's file at `path` into the new folder as it
    /// is (a hard link, or a copy across file systems): a rebuild keeps the
    /// pages whose input did not change without rendering them again.
    pub fn keep(&self, path: &str) -> io::Result<()> {
        let relative = safe_relative(path).ok_or_else(|| {
            io::Error::new(
                io::ErrorKind::InvalidInput,
                format!("refusing to keep a file outside the output folder: {path}"),
            )
        })?;
        let previous = self.previous.as_deref().ok_or_else(|| {
            io::Error::new(io::ErrorKind::NotFound, "no previous output to keep from")
        })?;
        let old = previous.join(&relative);
        if !fs::symlink_metadata(&old)?.is_file() {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                format!("{} is not a file", old.display()),
            ));
        }
        if let Some(update) = &self.update {
            update.unchanged(path);
            return Ok(());
        }
        let target = self.dir.join(&relative);
        make_parent(&target, &self.made)?;
        fs::hard_link(&old, &target).or_else(|_| fs::copy(&old, &target).map(drop))
    }

    /// Where the file at `path` of the new site is now (for reading it
    /// back before the commit): the staging folder, or for an update that
    /// left it unchanged, the output folder.
    pub fn current(&self, path: &str) -> PathBuf {
        let staged = self.dir.join(path);
        if self.update.is_some() && !staged.exists() {
            return self.out.join(path);
        }
        staged
    }

    /// Replace the output folder with what was written. The stamp that
    /// marks it is written first, so the folder in place is marked whenever
    /// the command stops; a command killed between the two renames leaves the
    /// old folder in its work folder, and the next one puts it back.
    ///
    /// An update returns how the folder lists now (known from what it
    /// moved); a swap returns `None`.
    pub fn commit(mut self) -> io::Result<Option<Listing>> {
        self.replaces.check(&self.out)?;
        if let Some(update) = self.update.take() {
            // The stamp already marks the folder; the build records itself
            // in it once the files are in place.
            return update
                .commit(&self.out, &self.dir, self.work.path())
                .map(Some);
        }
        if let Replaces::Output(kind) = self.replaces {
            destination::mark(&self.out, kind)?;
        }
        let staged = &self.dir;
        if !self.out.exists() {
            return fs::rename(staged, &self.out).map(|()| None);
        }
        let Some(name) = self.out.file_name() else {
            return Err(io::Error::other(format!(
                "{} has no folder name",
                self.out.display()
            )));
        };
        let old = self.work.path().join(OLD);
        fs::create_dir(&old)?;
        let aside = old.join(name);
        fs::rename(&self.out, &aside)?;
        if let Err(e) = fs::rename(staged, &self.out) {
            let _ = fs::rename(&aside, &self.out);
            return Err(e);
        }
        // Dropping the work folder deletes the old site.
        Ok(None)
    }
}

/// The report of a write that failed: `what` could not be written to
/// `path` for the reason `e`; `kept` says what was left as it was.
pub fn cannot_write(path: impl Into<PathBuf>, what: &str, e: &io::Error, kept: &str) -> Diagnostic {
    Diagnostic::error(path, Pos::FILE, format!("cannot write {what}: {e}"))
        .with_help(format!("{kept}; check permissions and free space"))
}

/// Replace the folder `out`, if `replaces` allows, with exactly `files`.
pub fn write_site(out: &Path, replaces: Replaces, files: &[OutputFile]) -> io::Result<()> {
    let staging = Staging::new(out, replaces)?;
    files.iter().try_for_each(|file| staging.write(file))?;
    staging.commit().map(drop)
}

#[cfg(test)]
mod tests {
    use super::*;

    pub(super) const SITE: Replaces = Replaces::Output(OutputKind::SITE);

    /// A folder holding a site of `files` built by ecoscore, `public`
    /// inside a new temporary folder.
    pub(super) fn published(files: &[OutputFile]) -> (tempfile::TempDir, PathBuf) {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("public");
        write_site(&out, SITE, files).unwrap();
        (dir, out)
    }

    /// What is beside the output: the work folders must be gone.
    pub(super) fn beside(dir: &tempfile::TempDir) -> Vec<std::ffi::OsString> {
        let mut names: Vec<_> = fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        names.sort();
        names
    }

    #[test]
    fn replaces_the_whole_folder() {
        let (dir, out) = published(&[
            OutputFile::new("a/index.html", "one"),
            OutputFile::new("old.txt", "x"),
        ]);
        write_site(&out, SITE, &[OutputFile::new("a/index.html", "two")]).unwrap();
        assert_eq!(fs::read_to_string(out.join("a/index.html")).unwrap(), "two");
        assert!(!out.join("old.txt").exists());
        assert_eq!(
            beside(&dir),
            [".public.ecoscore-stamp", "public"],
            "work folders are cleaned up; the stamp marks the site"
        );
    }

    #[cfg(unix)]
    #[test]
    fn a_rebuild_links_unchanged_files_and_writes_changed_ones() {
        use std::os::unix::fs::MetadataExt;
        let (_dir, out) = published(&[
            OutputFile::new("same.html", "unchanged"),
            OutputFile::new("edited.html", "before"),
        ]);
        let inode = |name: &str| fs::metadata(out.join(name)).unwrap().ino();
        let (same, edited) = (inode("same.html"), inode("edited.html"));
        let staging = Staging::new(&out, SITE).unwrap();
        staging
            .write(&OutputFile::new("same.html", "unchanged"))
            .unwrap();
        staging
            .write(&OutputFile::new("edited.html", "after"))
            .unwrap();
        // Until the commit, the published site is as it was.
        assert_eq!(
            fs::read_to_string(out.join("edited.html")).unwrap(),
            "before"
        );
        staging.commit().unwrap();
        assert_eq!(
            inode("same.html"),
            same,
            "an unchanged file is kept, not rewritten"
        );
        assert_ne!(inode("edited.html"), edited);
        assert_eq!(
            fs::read_to_string(out.join("edited.html")).unwrap(),
            "after"
        );
        assert_eq!(fs::metadata(out.join("same.html")).unwrap().nlink(), 1);
    }

    #[test]
    fn refuses_paths_that_escape() {
        let (dir, out) = published(&[OutputFile::new("keep.txt", "kept")]);
        let err = write_site(&out, SITE, &[OutputFile::new("../evil.txt", "x")]).unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::InvalidInput);
        assert_eq!(fs::read_to_string(out.join("keep.txt")).unwrap(), "kept");
        assert!(!dir.path().join("evil.txt").exists());
    }

    #[test]
    fn a_folder_ecoscore_did_not_make_is_never_replaced() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("mine");
        fs::create_dir(&out).unwrap();
        fs::write(out.join("notes.txt"), "mine").unwrap();
        let err = write_site(&out, SITE, &[OutputFile::new("index.html", "x")]).unwrap_err();
        assert!(err.to_string().contains("mine"), "{err}");
        assert_eq!(fs::read_to_string(out.join("notes.txt")).unwrap(), "mine");
        assert!(!out.join("index.html").exists());
        // An archive is recognised by its manifest instead, and not stamped.
        let archive = dir.path().join("2023");
        fs::create_dir(&archive).unwrap();
        fs::write(archive.join("notes.txt"), "x").unwrap();
        let manifest = Replaces::FolderHolding("MANIFEST.sha256");
        assert!(write_site(&archive, manifest, &[]).is_err());
        fs::write(archive.join("MANIFEST.sha256"), "").unwrap();
        write_site(
            &archive,
            manifest,
            &[OutputFile::new("MANIFEST.sha256", "new")],
        )
        .unwrap();
        assert_eq!(destination::stamped(&archive), None);
    }

    /// A work folder as a command killed mid-swap leaves it: locked by
    /// nobody, with the old `public` moved aside.
    fn abandoned(parent: &Path) -> PathBuf {
        let work = WorkDir::new(parent).unwrap();
        let path = work.path().to_path_buf();
        fs::create_dir_all(path.join(OLD).join("public")).unwrap();
        fs::write(path.join(OLD).join("public/index.html"), "old site").unwrap();
        // As if killed: the lock goes with the process, the folder stays.
        let mut work = std::mem::ManuallyDrop::new(work);
        drop(work.lock.take());
        path
    }

    #[test]
    fn abandoned_work_folders_are_removed_and_live_or_foreign_ones_kept() {
        let dir = tempfile::tempdir().unwrap();
        let parent = dir.path();
        let killed = abandoned(parent);
        let running = WorkDir::new(parent).unwrap();
        assert!(!killed.exists(), "the killed command's folder is gone");
        assert_eq!(
            fs::read_to_string(parent.join("public/index.html")).unwrap(),
            "old site",
            "the site it had moved aside is back"
        );
        let foreign = parent.join(".ecoscore-work-mine");
        fs::create_dir(&foreign).unwrap();
        fs::write(foreign.join(LOCK), "someone else's").unwrap();
        let other = WorkDir::new(parent).unwrap();
        assert!(running.path().is_dir(), "a running command's folder stays");
        assert!(foreign.join(LOCK).is_file(), "a look-alike stays");
        drop((running, other));
        let left: Vec<_> = fs::read_dir(parent)
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(left.len(), 2, "{left:?}");
    }
}
