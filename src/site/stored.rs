//! The validated years of the last `ecoscore build`, kept on disk for the
//! next one, by year key: what `serve` keeps in memory (`site/kept.rs`), for
//! a command that is a new process every time.
//!
//! A year's model holds its `internal:` notes, so it is kept neither in the
//! output nor beside it (where a web server may publish the folder above
//! the output): it is kept in the project, which holds those notes already,
//! in `.ecoscore-cache/years/` (`years-drafts/` for `--drafts` builds;
//! [`CACHE`]; no output folder may be, hold or lie inside it:
//! `destination`). The folder is made readable by its
//! owner only, and `ecoscore init` lists it in .gitignore. Each file is
//! one year, named by its year and key, which digests everything its
//! validation reads and the binary that validated it (`validate/kept.rs`):
//! a file is only ever read back for the input and the binary that wrote
//! it. Its content is checked against a digest written with it, so a file
//! cut short or changed on disk is validated again, never trusted.

use std::collections::BTreeMap;
use std::fs;
use std::io::{self, Write as _};
use std::path::{Path, PathBuf};

use crate::paths::CACHE;
use crate::validate::KeptYear;

/// What a stored year's file starts with; a new layout of the model gets a
/// new line (the key also changes with every binary).
const MAGIC: &[u8] = b"ecoscore validated year, layout 1\n";

/// The files the cache folder is made with: git ignores what is in it, and
/// it is tagged as a cache (bford.info/cachedir).
const MARKS: [(&str, &str); 2] = [
    (
        ".gitignore",
        "# ecoscore: validated years kept for the next build; they hold internal notes\n*\n",
    ),
    (
        "CACHEDIR.TAG",
        "Signature: 8a477f597d28d172789f06886806bc55\n# ecoscore's cache (validated years); delete it at any time\n",
    ),
];

/// The largest stored year read back: a national year is 4–7 MB, and
/// a year's input is bounded by the input limits.
const MAX_BYTES: u64 = 1 << 30;

/// A file's name: `<year>-<key>.year`, the key 64 hexadecimal digits.
const SUFFIX: &str = ".year";

/// The folder of one project's stored years.
#[derive(Debug)]
pub struct YearStore {
    dir: PathBuf,
}

impl YearStore {
    /// The store of the project at `root` for builds with or without
    /// `--drafts` (each has a folder of its own, so neither removes the
    /// other's years); None when the project has no real path. Nothing is
    /// created until a year is written.
    pub fn for_project(root: &Path, drafts: bool) -> Option<YearStore> {
        let cache = fs::canonicalize(root).ok()?.join(CACHE);
        let folder = if drafts { "years-drafts" } else { "years" };
        Some(YearStore {
            dir: cache.join(folder),
        })
    }

    /// The store whose cache folder is `cache` (tests).
    #[cfg(test)]
    fn at_test(cache: &Path) -> YearStore {
        YearStore {
            dir: cache.join("years"),
        }
    }

    fn file(&self, year: u16, key: &str) -> PathBuf {
        self.dir.join(format!("{year}-{key}{SUFFIX}"))
    }

    /// The year validated under `key`, if a build stored it and its file
    /// reads back whole.
    pub(super) fn read(&self, year: u16, key: &str) -> Option<KeptYear> {
        if !self.is_own_folder() {
            return None;
        }
        let file = self.file(year, key);
        let plain = fs::symlink_metadata(&file).ok()?;
        if !plain.is_file() || plain.len() > MAX_BYTES {
            return None;
        }
        let bytes = fs::read(&file).ok()?;
        let rest = bytes.strip_prefix(MAGIC)?;
        let (digest, payload) = rest.split_at_checked(32)?;
        if sha2_of(payload) != digest {
            return None;
        }
        postcard::from_bytes(payload).ok()
    }

    /// Whether a year validated under `key` is stored.
    pub(super) fn has(&self, year: u16, key: &str) -> bool {
        self.is_own_folder()
            && fs::symlink_metadata(self.file(year, key)).is_ok_and(|m| m.is_file())
    }

    /// Store `kept`, validated under `key`: written to a temporary file in
    /// the folder and renamed into place, so a reader finds the whole file
    /// or none.
    pub(super) fn write(&self, year: u16, key: &str, kept: &KeptYear) -> io::Result<()> {
        let payload = postcard::to_stdvec(kept).map_err(io::Error::other)?;
        self.make_folder()?;
        let mut file = tempfile::Builder::new()
            .prefix(".writing-")
            .tempfile_in(&self.dir)?;
        file.write_all(MAGIC)?;
        file.write_all(&sha2_of(&payload))?;
        file.write_all(&payload)?;
        file.persist(self.file(year, key)).map_err(|e| e.error)?;
        Ok(())
    }

    /// Remove the stored years that are not `keep`'s (an older key of a
    /// year, a year no longer in the project): only files whose name is a
    /// stored year's, in a folder that is a real folder.
    pub(super) fn prune(&self, keep: &BTreeMap<u16, String>) -> io::Result<()> {
        if !self.is_own_folder() {
            return Ok(());
        }
        for entry in fs::read_dir(&self.dir)? {
            let entry = entry?;
            let name = entry.file_name();
            let Some((year, key)) = name.to_str().and_then(stored_name) else {
                continue;
            };
            let current = keep.get(&year).is_some_and(|k| k == key);
            if !current && entry.file_type()?.is_file() {
                fs::remove_file(entry.path())?;
            }
        }
        Ok(())
    }

    /// The folder and the cache folder holding it are folders of their own,
    /// not links to another place: a store never reads, writes or deletes
    /// through a link it did not make.
    fn is_own_folder(&self) -> bool {
        let real = |dir: &Path| fs::symlink_metadata(dir).is_ok_and(|m| m.is_dir());
        real(&self.dir) && self.dir.parent().is_some_and(real)
    }

    /// Make the folder (and the cache folder), readable by its owner only
    /// (the years hold the `internal:` notes).
    fn make_folder(&self) -> io::Result<()> {
        let Some(cache) = self.dir.parent() else {
            return Err(io::Error::other("the year store has no cache folder"));
        };
        // One level at a time, each checked before the next is made in it:
        // nothing is created through a link.
        for dir in [cache, self.dir.as_path()] {
            let mut builder = fs::DirBuilder::new();
            #[cfg(unix)]
            std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
            match builder.create(dir) {
                Ok(()) => {}
                Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {}
                Err(e) => return Err(e),
            }
            if !fs::symlink_metadata(dir).is_ok_and(|m| m.is_dir()) {
                return Err(io::Error::other(format!(
                    "{} is not a folder of its own",
                    dir.display()
                )));
            }
        }
        // Whatever the project's own .gitignore says, git leaves the folder
        // out, and backup tools that honour cache tags skip it.
        for (name, text) in MARKS {
            let mark = cache.join(name);
            if fs::symlink_metadata(&mark).is_err() {
                fs::write(&mark, text)?;
            }
        }
        Ok(())
    }
}

/// The year and key of a stored year's file name.
fn stored_name(name: &str) -> Option<(u16, &str)> {
    let (year, key) = name.strip_suffix(SUFFIX)?.split_once('-')?;
    let hex_key = key.len() == 64 && key.bytes().all(|b| b.is_ascii_hexdigit());
    let digits = year.len() == 4 && year.bytes().all(|b| b.is_ascii_digit());
    (hex_key && digits)
        .then(|| Some((year.parse().ok()?, key)))
        .flatten()
}

fn sha2_of(bytes: &[u8]) -> [u8; 32] {
    use sha2::{Digest, Sha256};
    Sha256::digest(bytes).into()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Project;
    use crate::site::kept::tests::sample;

    /// Every year of the sample as validation leaves it.
    fn validated(root: &Path) -> BTreeMap<u16, KeptYear> {
        let (result, records) = Project::load_keeping(root, None, BTreeMap::new());
        assert!(result.is_ok(), "the sample validates");
        assert!(records.len() >= 4, "{:?}", records.keys());
        records
    }

    /// A copy of the sample, its store (empty) and its first year validated.
    fn a_sample_and_its_first_year() -> (tempfile::TempDir, YearStore, u16, KeptYear) {
        let dir = sample();
        let store = YearStore::for_project(dir.path(), false).unwrap();
        let (year, kept) = validated(dir.path()).pop_first().unwrap();
        (dir, store, year, kept)
    }

    fn key(byte: char) -> String {
        byte.to_string().repeat(64)
    }

    #[test]
    fn a_stored_year_reads_back_as_it_was_validated() {
        let dir = sample();
        let store = YearStore::for_project(dir.path(), false).unwrap();
        for (year, kept) in validated(dir.path()) {
            assert!(store.read(year, &key('a')).is_none());
            store.write(year, &key('a'), &kept).unwrap();
            assert!(store.has(year, &key('a')));
            let back = store.read(year, &key('a')).expect("reads back");
            assert_eq!(format!("{back:?}"), format!("{kept:?}"));
            assert!(store.read(year, &key('b')).is_none(), "another key");
        }
        let cache = store.dir.parent().unwrap();
        let ignore = fs::read_to_string(cache.join(".gitignore")).unwrap();
        assert_eq!(ignore.lines().last(), Some("*"), "git ignores the folder");
        let tag = fs::read_to_string(cache.join("CACHEDIR.TAG")).unwrap();
        assert!(tag.starts_with("Signature: 8a477f597d28d172789f06886806bc55\n"));
        #[cfg(unix)]
        for dir in [&store.dir, store.dir.parent().unwrap()] {
            use std::os::unix::fs::PermissionsExt;
            let mode = fs::metadata(dir).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o700, "{}", dir.display());
        }
    }

    #[test]
    fn a_stored_file_changed_or_cut_short_is_not_read() {
        let (_dir, store, year, kept) = a_sample_and_its_first_year();
        store.write(year, &key('c'), &kept).unwrap();
        let file = store.file(year, &key('c'));
        let whole = fs::read(&file).unwrap();
        let mut changed = whole.clone();
        let last = changed.len() - 1;
        changed[last] ^= 1;
        let other_layout = [
            b"ecoscore validated year, layout 0\n",
            &whole[MAGIC.len()..],
        ]
        .concat();
        for bytes in [
            &changed[..],
            &whole[..whole.len() / 2],
            &whole[..10],
            &other_layout,
        ] {
            fs::write(&file, bytes).unwrap();
            assert!(store.read(year, &key('c')).is_none());
        }
        fs::write(&file, &whole).unwrap();
        assert!(store.read(year, &key('c')).is_some());
    }

    #[test]
    fn pruning_removes_only_the_stored_years_no_key_names() {
        let (dir, store, year, kept) = a_sample_and_its_first_year();
        store.write(year, &key('d'), &kept).unwrap();
        store.write(year, &key('e'), &kept).unwrap();
        store.write(2030, &key('d'), &kept).unwrap();
        let others = [
            "notes.txt".to_string(),
            format!("{year}-{}.year.bak", key('d')),
            format!("{year}-short.year"),
        ];
        for name in &others {
            fs::write(store.dir.join(name), "the user's").unwrap();
        }
        let like_a_year = store.dir.join(format!("2031-{}{SUFFIX}", key('d')));
        fs::create_dir(&like_a_year).unwrap();
        let drafts = YearStore::for_project(dir.path(), true).unwrap();
        drafts.write(year, &key('d'), &kept).unwrap();
        store.prune(&BTreeMap::from([(year, key('e'))])).unwrap();
        assert!(drafts.has(year, &key('d')), "a --drafts build's years stay");
        assert!(!store.has(year, &key('d')), "an older key");
        assert!(
            !store.has(2030, &key('d')),
            "a year no longer in the project"
        );
        assert!(store.has(year, &key('e')), "the current key");
        for name in &others {
            assert_eq!(
                fs::read_to_string(store.dir.join(name)).unwrap(),
                "the user's"
            );
        }
        assert!(like_a_year.is_dir(), "a folder is never removed");
    }

    /// A cache folder (or its years folder) that is a link to another place
    /// is not read, written or pruned through.
    #[cfg(unix)]
    #[test]
    fn a_linked_cache_folder_is_neither_read_written_nor_pruned() {
        let dir = sample();
        let (year, kept) = validated(dir.path()).pop_first().unwrap();
        let elsewhere = tempfile::tempdir().unwrap();
        let theirs = elsewhere.path().join("years");
        fs::create_dir(&theirs).unwrap();
        let planted = theirs.join(format!("{year}-{}{SUFFIX}", key('f')));
        let store = YearStore::at_test(elsewhere.path());
        store.write(year, &key('f'), &kept).unwrap();
        assert!(planted.is_file());
        // A year's file that is a link to one stored elsewhere.
        let mine = YearStore::for_project(dir.path(), false).unwrap();
        mine.write(year, &key('h'), &kept).unwrap();
        std::os::unix::fs::symlink(&planted, mine.file(year, &key('f'))).unwrap();
        assert!(mine.read(year, &key('f')).is_none(), "a linked year's file");
        assert!(!mine.has(year, &key('f')));
        // A cache folder that links to a place without a years folder:
        // none is made there.
        let bare = tempfile::tempdir().unwrap();
        fs::remove_dir_all(dir.path().join(CACHE)).unwrap();
        std::os::unix::fs::symlink(bare.path(), dir.path().join(CACHE)).unwrap();
        assert!(mine.write(year, &key('g'), &kept).is_err());
        assert_eq!(
            fs::read_dir(bare.path()).unwrap().count(),
            0,
            "nothing made through the link"
        );
        for link in [CACHE.to_string(), format!("{CACHE}/years")] {
            let cache = dir.path().join(CACHE);
            let _ = fs::remove_dir_all(&cache);
            if link == CACHE {
                std::os::unix::fs::symlink(elsewhere.path(), &cache).unwrap();
            } else {
                fs::create_dir(&cache).unwrap();
                std::os::unix::fs::symlink(&theirs, cache.join("years")).unwrap();
            }
            let store = YearStore::for_project(dir.path(), false).unwrap();
            assert!(store.read(year, &key('f')).is_none(), "{link}");
            assert!(!store.has(year, &key('f')), "{link}");
            assert!(store.write(year, &key('g'), &kept).is_err(), "{link}");
            store.prune(&BTreeMap::new()).unwrap();
            assert!(
                planted.is_file(),
                "{link}: nothing removed through the link"
            );
            assert_eq!(fs::read_dir(&theirs).unwrap().count(), 1, "{link}");
        }
    }
}
