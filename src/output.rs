//! Stage 5, write: the only code that writes the public site.
//!
//! The whole site is written into a staging folder beside the output folder
//! and swapped in with renames once every file is on disk, so a failed build
//! leaves what was published untouched.

use std::collections::HashSet;
use std::fs;
use std::io;
use std::path::{Component, Path, PathBuf};
use std::sync::{Mutex, PoisonError};

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
    if let Some(parent) = target.parent() {
        let mut made = made.lock().unwrap_or_else(PoisonError::into_inner);
        if !made.contains(parent) {
            fs::create_dir_all(parent)?;
            made.insert(parent.to_path_buf());
        }
    }
    if let Some(previous) = previous {
        let old = previous.join(&relative);
        if holds(&old, &file.bytes) && fs::hard_link(&old, &target).is_ok() {
            return Ok(());
        }
    }
    fs::write(&target, &file.bytes)
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

/// A site being written: files go into a staging folder beside the output
/// folder as they are produced (from any thread), and [`Staging::commit`]
/// swaps it in. Dropped without a commit, it removes itself and the output
/// folder is as it was.
///
/// A file identical to the one already published at its path is hard-linked
/// to it rather than written: a rebuild after a small edit writes only what
/// changed, unchanged files keep their modification times (so a deployment
/// by rsync sends only the changes), and deleting the previous site frees
/// only what was replaced. The previous site is never written to; a link
/// that cannot be made (another file system) falls back to a copy.
pub struct Staging {
    out: PathBuf,
    parent: PathBuf,
    dir: tempfile::TempDir,
    made: Mutex<HashSet<PathBuf>>,
    /// The site being replaced, if there is one.
    previous: Option<PathBuf>,
}

impl Staging {
    pub fn new(out: &Path) -> io::Result<Staging> {
        if out.is_file() {
            return Err(io::Error::new(
                io::ErrorKind::AlreadyExists,
                format!("{} is a file, not a folder", out.display()),
            ));
        }
        let parent = parent_folder(out)?;
        let dir = tempfile::Builder::new()
            .prefix(".ecoscore-staging-")
            .tempdir_in(&parent)?;
        Ok(Staging {
            out: out.to_path_buf(),
            parent,
            dir,
            made: Mutex::new(HashSet::new()),
            previous: out.is_dir().then(|| out.to_path_buf()),
        })
    }

    pub fn write(&self, file: &OutputFile) -> io::Result<()> {
        write_under(self.dir.path(), file, &self.made, self.previous.as_deref())
    }

    /// Where the files are being written (for reading one back).
    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// Replace the output folder with what was written.
    pub fn commit(self) -> io::Result<()> {
        let Staging {
            out, parent, dir, ..
        } = self;
        let staged = dir.keep();
        if !out.exists() {
            return fs::rename(&staged, &out).inspect_err(|_| {
                let _ = fs::remove_dir_all(&staged);
            });
        }
        // Move the old site aside (onto an empty placeholder, which rename may
        // replace), put the new one in place, then delete the old one.
        let previous = tempfile::Builder::new()
            .prefix(".ecoscore-previous-")
            .tempdir_in(&parent)?
            .keep();
        if let Err(e) = fs::rename(&out, &previous) {
            let _ = fs::remove_dir_all(&staged);
            let _ = fs::remove_dir(&previous);
            return Err(e);
        }
        if let Err(e) = fs::rename(&staged, &out) {
            let _ = fs::rename(&previous, &out);
            let _ = fs::remove_dir_all(&staged);
            return Err(e);
        }
        fs::remove_dir_all(&previous)
    }
}

/// Replace the folder `out` with exactly `files`.
pub fn write_site(out: &Path, files: &[OutputFile]) -> io::Result<()> {
    let staging = Staging::new(out)?;
    files.iter().try_for_each(|file| staging.write(file))?;
    staging.commit()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replaces_the_whole_folder() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("public");
        write_site(
            &out,
            &[
                OutputFile::new("a/index.html", "one"),
                OutputFile::new("old.txt", "x"),
            ],
        )
        .unwrap();
        write_site(&out, &[OutputFile::new("a/index.html", "two")]).unwrap();
        assert_eq!(fs::read_to_string(out.join("a/index.html")).unwrap(), "two");
        assert!(!out.join("old.txt").exists());
        let leftovers: Vec<_> = fs::read_dir(dir.path()).unwrap().collect();
        assert_eq!(leftovers.len(), 1, "staging folders are cleaned up");
    }

    #[cfg(unix)]
    #[test]
    fn a_rebuild_links_unchanged_files_and_writes_changed_ones() {
        use std::os::unix::fs::MetadataExt;
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("public");
        write_site(
            &out,
            &[
                OutputFile::new("same.html", "unchanged"),
                OutputFile::new("edited.html", "before"),
            ],
        )
        .unwrap();
        let inode = |name: &str| fs::metadata(out.join(name)).unwrap().ino();
        let (same, edited) = (inode("same.html"), inode("edited.html"));
        let staging = Staging::new(&out).unwrap();
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
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("public");
        write_site(&out, &[OutputFile::new("keep.txt", "kept")]).unwrap();
        let err = write_site(&out, &[OutputFile::new("../evil.txt", "x")]).unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::InvalidInput);
        assert_eq!(fs::read_to_string(out.join("keep.txt")).unwrap(), "kept");
        assert!(!dir.path().join("evil.txt").exists());
    }
}
