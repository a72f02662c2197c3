//! Parsed documents kept from one load to the next (`serve` holds one for
//! its whole run): a file whose text is byte for byte the one parsed before
//! is not parsed again.
//!
//! Only a parse that reported nothing is kept, so a document taken from the
//! cache is exactly what parsing the same text gives, with no diagnostic to
//! replay: a file with a problem is parsed, and reported, every time. The
//! key is the file's project-relative path and the SHA-256 of its text as
//! read this time, so an edit between two loads, or during one, is always
//! parsed. Each load keeps only the files it read, so a deleted file's
//! document goes with the next load.
//!
//! The cache holds the documents of at most [`BUDGET`] bytes of text: a
//! province's project (the sample is 0.3 MB) is kept whole, while at
//! national scale (61 MB of input, 3,000 units × 5 years) keeping every
//! document added 65–80 MiB to serve's peak, past its 500 MB limit
//! (BENCHMARKS.md); the files beyond the budget are parsed each time, as
//! without a cache.

use std::any::Any;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};

use sha2::{Digest, Sha256};

type Document = Arc<dyn Any + Send + Sync>;

/// The most text, in bytes, whose documents one load keeps for the next.
pub const BUDGET: usize = 2 * 1024 * 1024;

/// One file's text digest, its length and the document parsed from it.
struct Entry {
    digest: [u8; 32],
    bytes: usize,
    doc: Document,
}

/// The documents of the last load, for the next one.
#[derive(Default)]
pub struct ParseCache {
    entries: Mutex<HashMap<PathBuf, Entry>>,
    hits: Mutex<usize>,
}

impl std::fmt::Debug for ParseCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ParseCache")
            .field("files", &lock(&self.entries).len())
            .finish()
    }
}

impl ParseCache {
    pub fn new() -> ParseCache {
        ParseCache::default()
    }

    /// How many documents the last load took from the cache.
    pub fn hits(&self) -> usize {
        *lock(&self.hits)
    }

    /// One load's use of the cache: lookups in what the last load kept,
    /// and what this one keeps for the next.
    pub(super) fn begin(&self) -> Generation<'_> {
        Generation {
            cache: self,
            old: std::mem::take(&mut *lock(&self.entries)),
            new: Mutex::new(HashMap::new()),
            kept: Mutex::new(0),
            hits: Mutex::new(0),
        }
    }
}

/// The cache while one load runs (files are read in parallel).
pub(super) struct Generation<'c> {
    cache: &'c ParseCache,
    old: HashMap<PathBuf, Entry>,
    new: Mutex<HashMap<PathBuf, Entry>>,
    /// Bytes of text behind `new`, never over `BUDGET`.
    kept: Mutex<usize>,
    hits: Mutex<usize>,
}

/// The digest a document is cached under.
pub(super) fn digest(text: &str) -> [u8; 32] {
    Sha256::digest(text.as_bytes()).into()
}

impl Generation<'_> {
    /// The document parsed before from `file` with this `digest`, if any.
    pub(super) fn get<T: Send + Sync + 'static>(
        &self,
        file: &Path,
        digest: &[u8; 32],
    ) -> Option<Arc<T>> {
        let entry = self.old.get(file).filter(|e| e.digest == *digest)?;
        let doc = Arc::clone(&entry.doc).downcast::<T>().ok()?;
        self.keep(file, *digest, entry.bytes, Arc::clone(&doc) as Document);
        *lock(&self.hits) += 1;
        Some(doc)
    }

    /// Keep `doc`, parsed without a problem from `file`'s text (`bytes`
    /// long) with `digest`.
    pub(super) fn put<T: Send + Sync + 'static>(
        &self,
        file: &Path,
        digest: [u8; 32],
        bytes: usize,
        doc: &Arc<T>,
    ) {
        self.keep(file, digest, bytes, Arc::clone(doc) as Document);
    }

    /// Within the budget only: past it the next load parses the file again.
    fn keep(&self, file: &Path, digest: [u8; 32], bytes: usize, doc: Document) {
        let mut kept = lock(&self.kept);
        match kept.checked_add(bytes).filter(|total| *total <= BUDGET) {
            Some(total) => *kept = total,
            None => return,
        }
        drop(kept);
        let entry = Entry { digest, bytes, doc };
        lock(&self.new).insert(file.to_path_buf(), entry);
    }

    /// The load is over: what it read is what the next load may reuse.
    pub(super) fn finish(self) {
        let new = self
            .new
            .into_inner()
            .unwrap_or_else(PoisonError::into_inner);
        *lock(&self.cache.entries) = new;
        *lock(&self.cache.hits) = self
            .hits
            .into_inner()
            .unwrap_or_else(PoisonError::into_inner);
    }
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::fs;

    #[test]
    fn a_document_is_reused_only_for_the_same_text_and_type() {
        let cache = ParseCache::new();
        let file = Path::new("data/2024/results/a.yaml");
        let generation = cache.begin();
        generation.put(file, digest("a: 1\n"), 5, &Arc::new(1u32));
        generation.finish();
        let generation = cache.begin();
        assert_eq!(generation.get::<u32>(file, &digest("a: 2\n")), None);
        assert_eq!(generation.get::<u64>(file, &digest("a: 1\n")), None);
        assert_eq!(
            generation.get::<u32>(Path::new("b.yaml"), &digest("a: 1\n")),
            None
        );
        assert_eq!(
            generation.get::<u32>(file, &digest("a: 1\n")).as_deref(),
            Some(&1)
        );
        generation.finish();
        assert_eq!(cache.hits(), 1);
        // A load that did not read the file forgets it.
        cache.begin().finish();
        let generation = cache.begin();
        assert_eq!(generation.get::<u32>(file, &digest("a: 1\n")), None);
    }

    #[test]
    fn documents_past_the_budget_are_not_kept() {
        let cache = ParseCache::new();
        let (a, b, c) = (
            Path::new("a.yaml"),
            Path::new("b.yaml"),
            Path::new("c.yaml"),
        );
        let generation = cache.begin();
        generation.put(a, digest("a"), BUDGET - 10, &Arc::new(1u32));
        generation.put(b, digest("b"), 11, &Arc::new(2u32));
        generation.put(c, digest("c"), 10, &Arc::new(3u32));
        generation.finish();
        let generation = cache.begin();
        assert_eq!(generation.get::<u32>(a, &digest("a")).as_deref(), Some(&1));
        assert_eq!(
            generation.get::<u32>(b, &digest("b")),
            None,
            "over the budget"
        );
        assert_eq!(generation.get::<u32>(c, &digest("c")).as_deref(), Some(&3));
        generation.finish();
        // What a load reuses counts against its budget as well.
        let generation = cache.begin();
        generation.put(b, digest("b"), 11, &Arc::new(2u32));
        assert_eq!(generation.get::<u32>(a, &digest("a")).as_deref(), Some(&1));
        assert_eq!(generation.get::<u32>(c, &digest("c")).as_deref(), Some(&3));
        generation.finish();
        let generation = cache.begin();
        assert_eq!(generation.get::<u32>(b, &digest("b")).as_deref(), Some(&2));
        assert_eq!(generation.get::<u32>(a, &digest("a")), None, "b came first");
    }

    /// A copy of the sample's input, which the edits below change.
    fn sample() -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        let from = Path::new(env!("CARGO_MANIFEST_DIR"));
        for input in ["site.yaml", "data", "content", "themes"] {
            for entry in walkdir::WalkDir::new(from.join(input)) {
                let entry = entry.unwrap();
                let to = dir.path().join(entry.path().strip_prefix(from).unwrap());
                if entry.file_type().is_dir() {
                    fs::create_dir_all(&to).unwrap();
                } else {
                    fs::copy(entry.path(), &to).unwrap();
                }
            }
        }
        dir
    }

    /// Everything a load gives: every document (with its file and text)
    /// and every diagnostic.
    fn loaded(root: &Path, cache: Option<&ParseCache>) -> String {
        let (project, diags) = super::super::load_with(root, cache);
        format!("{project:?}\n{diags:?}")
    }

    const FILES: [&str; 4] = [
        "data/2024/results/changchun.yaml",
        "data/2024/targets.yaml",
        "data/regions.yaml",
        "content/2024/bulletin.md",
    ];

    /// What an edit does to a file's bytes.
    fn edit(text: &str, kind: u8) -> Vec<u8> {
        match kind {
            // A figure changed.
            0 => text.replacen('8', "7", 1),
            // A syntax error.
            1 => format!("{text}\n: [\n"),
            // An unknown key (a problem the parse reports, document kept).
            2 => format!("{text}\nbogus_key: 1\n"),
            // An anchor under `internal:`.
            3 => format!("{text}\ninternal:\n  note: &a x\n"),
            // Invalid UTF-8.
            4 => return [text.as_bytes(), b"\xff\n"].concat(),
            // The same bytes written again.
            _ => text.to_string(),
        }
        .into_bytes()
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(8))]

        /// After any series of edits (problems made and mended, files
        /// reverted, removed and put back), a load through the cache gives
        /// exactly the documents and diagnostics a load without one gives.
        #[test]
        fn a_cached_load_is_a_fresh_load(
            edits in proptest::collection::vec((0..FILES.len(), 0u8..8), 1..6)
        ) {
            let dir = sample();
            let root = dir.path();
            let cache = ParseCache::new();
            let original: Vec<String> = FILES
                .iter()
                .map(|f| fs::read_to_string(root.join(f)).unwrap())
                .collect();
            prop_assert_eq!(loaded(root, Some(&cache)), loaded(root, None));
            for (file, kind) in edits {
                let path = root.join(FILES[file]);
                match kind {
                    6 => fs::write(&path, &original[file]).unwrap(),
                    7 => {
                        let _ = fs::remove_file(&path);
                    }
                    _ => {
                        let bytes = fs::read(&path).unwrap_or_default();
                        fs::write(&path, edit(&String::from_utf8_lossy(&bytes), kind)).unwrap();
                    }
                }
                prop_assert_eq!(loaded(root, Some(&cache)), loaded(root, None));
            }
            // Put back as it was, every document comes from the cache or
            // from parsing, and they agree.
            for (file, text) in FILES.iter().zip(&original) {
                fs::write(root.join(file), text).unwrap();
            }
            prop_assert_eq!(loaded(root, Some(&cache)), loaded(root, None));
            prop_assert!(cache.hits() > 100, "{} documents reused", cache.hits());
        }
    }
}
