//! The validated years of the last build, by year key, for the next one
//! (`serve` holds one for its whole run; `build` reads and writes them in
//! the project's cache folder, `site/stored.rs`): a year whose key is unchanged is
//! neither read nor validated again (`validate/kept.rs` says why that gives
//! what validating it would). Any change to site-level input or the options
//! changes every key, and so means a full load.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::{Arc, Mutex, PoisonError};

use rayon::prelude::*;

use super::stored::YearStore;
use crate::diagnostic::Diagnostics;
use crate::load::ParseCache;
use crate::model::Project;
use crate::validate::KeptYear;

/// Each year by the key it was validated under.
#[derive(Debug, Default)]
pub struct KeptYears {
    years: Mutex<BTreeMap<u16, (String, KeptYear)>>,
    /// The years the last load took from here.
    used: Mutex<Vec<u16>>,
    /// Where `build` keeps them from one run to the next (`serve` holds
    /// them in memory only).
    store: Option<YearStore>,
}

impl KeptYears {
    pub fn new() -> KeptYears {
        KeptYears::default()
    }

    /// Years read from `store` as well, where a build stored them, and
    /// stored there by [`KeptYears::store`] (`ecoscore build`).
    pub fn stored(store: Option<YearStore>) -> KeptYears {
        KeptYears {
            store,
            ..KeptYears::default()
        }
    }

    /// Write the years of the last load that the store does not hold yet,
    /// and remove the ones no key in `keys` names: called after a build
    /// succeeded, so a failed one changes no file.
    pub(super) fn store(&self, keys: &BTreeMap<u16, String>) -> std::io::Result<()> {
        let Some(store) = &self.store else {
            return Ok(());
        };
        let years = lock(&self.years);
        let missing: Vec<_> = years
            .iter()
            .filter(|(year, (key, _))| !store.has(**year, key))
            .collect();
        missing
            .par_iter()
            .try_for_each(|(year, (key, kept))| store.write(**year, key, kept))?;
        store.prune(keys)
    }

    /// How many years the last load kept (neither read nor validated).
    pub fn used(&self) -> usize {
        lock(&self.used).len()
    }

    /// The years the last load kept, oldest first.
    pub fn used_years(&self) -> Vec<u16> {
        lock(&self.used).clone()
    }

    /// Forget every year: the next load is a full one.
    pub(super) fn clear(&self) {
        lock(&self.years).clear();
        lock(&self.used).clear();
    }

    /// Load and validate the project at `root`, keeping the years whose key
    /// is still the one in `keys` (the year keys of the input as it is now),
    /// and hold this load's years for the next.
    pub(super) fn load(
        &self,
        root: &Path,
        cache: Option<&ParseCache>,
        keys: &BTreeMap<u16, String>,
    ) -> Result<(Project, Diagnostics), Diagnostics> {
        let mut held = std::mem::take(&mut *lock(&self.years));
        // A changed year's model goes before the new one is built.
        held.retain(|year, (key, _)| keys.get(year) == Some(key));
        if let Some(store) = &self.store {
            let wanted: Vec<(&u16, &String)> = keys
                .iter()
                .filter(|(year, _)| !held.contains_key(year))
                .collect();
            let read: Vec<(u16, (String, KeptYear))> = wanted
                .par_iter()
                .filter_map(|(year, key)| {
                    let kept = store.read(**year, key)?;
                    Some((**year, ((*key).clone(), kept)))
                })
                .collect();
            held.extend(read);
        }
        let offered: BTreeMap<u16, KeptYear> = held
            .into_iter()
            .map(|(year, (_, kept))| (year, kept))
            .collect();
        let before: Vec<Arc<crate::model::Year>> = offered
            .values()
            .map(|kept| Arc::clone(&kept.year))
            .collect();
        let (result, records) = Project::load_keeping(root, cache, offered);
        let used = records
            .iter()
            .filter(|(_, r)| before.iter().any(|y| Arc::ptr_eq(y, &r.year)))
            .map(|(year, _)| *year)
            .collect();
        drop(before);
        *lock(&self.used) = used;
        *lock(&self.years) = records
            .into_iter()
            .filter_map(|(year, kept)| keys.get(&year).map(|key| (year, (key.clone(), kept))))
            .collect();
        result
    }
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;
    use crate::site::incremental;
    use proptest::prelude::*;
    use std::fs;

    /// A copy of the sample's input, which the edits below change.
    pub(in crate::site) fn sample() -> tempfile::TempDir {
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

    /// Everything a load gives: the project with every year's model, or
    /// that it failed, and every diagnostic as a report shows it.
    fn shown(result: Result<(Project, Diagnostics), Diagnostics>) -> String {
        match result {
            Ok((project, warnings)) => format!("{project:?}\n{}", warnings.render(false)),
            Err(problems) => format!("failed\n{}", problems.render(false)),
        }
    }

    /// A load through `kept`, as `Site::build` makes it, and a full load.
    fn both(root: &Path, kept: &KeptYears) -> (String, String) {
        let files = crate::stamp::input_files(root).unwrap();
        let keys = incremental::year_keys(&files, "drafts=true");
        (
            shown(kept.load(root, None, &keys)),
            shown(Project::load(root)),
        )
    }

    /// A load as a new `ecoscore build` makes it: nothing in memory, the
    /// years the last one stored in the project's cache folder, and this
    /// load's years stored for the next. Returns it shown, and the years
    /// it took from the store.
    fn stored(root: &Path) -> (String, Vec<u16>) {
        let files = crate::stamp::input_files(root).unwrap();
        let keys = incremental::year_keys(&files, "drafts=true");
        let kept = KeptYears::stored(YearStore::for_project(root, true));
        let shown = shown(kept.load(root, None, &keys));
        kept.store(&keys).unwrap();
        (shown, kept.used_years())
    }

    const FILES: [&str; 4] = [
        "data/2025/results/changchun.yaml",
        "data/2023/results/changchun.yaml",
        "data/2024/results/changchun.yaml",
        "data/regions.yaml",
    ];

    /// `file` (a results file) as the year before's, with its year: the
    /// "same as last year" warning, which a later year's edit changes.
    fn copy_of_the_year_before(root: &Path, file: &str) -> Option<String> {
        let year: u16 = file.get(5..9)?.parse().ok()?;
        let before = file.replacen(&year.to_string(), &(year - 1).to_string(), 1);
        let text = fs::read_to_string(root.join(before)).ok()?;
        Some(text.replace(&format!("year: {}", year - 1), &format!("year: {year}")))
    }

    #[test]
    fn an_edit_loads_only_the_years_from_the_one_edited_on() {
        let dir = sample();
        let root = dir.path();
        let kept = KeptYears::new();
        let (partial, full) = both(root, &kept);
        assert_eq!(partial, full);
        assert_eq!(kept.used(), 0, "the first load reads every year");
        assert_eq!(stored(root), (full, Vec::new()), "nothing stored yet");
        let latest = root.join(FILES[0]);
        let text = fs::read_to_string(&latest).unwrap();
        fs::write(&latest, text.replace("satisfaction: ", "satisfaction: 1")).unwrap();
        let (partial, full) = both(root, &kept);
        assert_eq!(partial, full);
        assert_eq!(kept.used(), 4, "2021–2024 kept");
        let (from_disk, used) = stored(root);
        assert_eq!(from_disk, full);
        assert_eq!(used, [2021, 2022, 2023, 2024], "stored by the first build");
        // Broken, then mended: the years before stay kept throughout.
        fs::write(&latest, format!("{text}\n: [\n")).unwrap();
        let (partial, full) = both(root, &kept);
        assert!(partial.starts_with("failed"), "{partial}");
        assert_eq!(partial, full);
        assert_eq!(kept.used(), 4);
        fs::write(&latest, &text).unwrap();
        let (partial, full) = both(root, &kept);
        assert_eq!(partial, full);
        assert_eq!(kept.used(), 4);
        // 2024 made a copy of 2023: its warning comes with a partial load,
        // and goes when 2023 changes.
        let copy = copy_of_the_year_before(root, FILES[2]).unwrap();
        fs::write(root.join(FILES[2]), copy).unwrap();
        let (partial, full) = both(root, &kept);
        assert!(partial.contains("are the same as in 2023"), "{partial}");
        assert_eq!(partial, full);
        assert_eq!(kept.used(), 3);
        let (again, _) = both(root, &kept);
        assert_eq!(again, full, "the warning of a kept year is reported again");
        assert_eq!(kept.used(), 5);
        let early = root.join(FILES[1]);
        let text = fs::read_to_string(&early).unwrap();
        fs::write(&early, text.replace("satisfaction: ", "satisfaction: 1")).unwrap();
        let (partial, full) = both(root, &kept);
        assert!(!partial.contains("are the same as in 2023"), "{partial}");
        assert_eq!(partial, full);
        assert_eq!(kept.used(), 2);
        // Site-level input: every year again.
        let regions = root.join(FILES[3]);
        let text = fs::read_to_string(&regions).unwrap();
        fs::write(&regions, text.replace("长春市", "长春")).unwrap();
        let (partial, full) = both(root, &kept);
        assert_eq!(partial, full);
        assert_eq!(kept.used(), 0);
    }

    /// A kept year's file that is also reachable under another name is read
    /// again, so the file read twice is reported as a full load reports it.
    #[cfg(unix)]
    #[test]
    fn a_year_with_a_linked_file_is_read_again() {
        let dir = sample();
        let root = dir.path();
        let kept = KeptYears::new();
        let _ = both(root, &kept);
        // A narrative of 2025 that is 2024's results file.
        let narrative = root.join("content/2025/regions/jilin.md");
        fs::create_dir_all(narrative.parent().unwrap()).unwrap();
        let _ = fs::remove_file(&narrative);
        fs::hard_link(root.join(FILES[2]), &narrative).unwrap();
        let (partial, full) = both(root, &kept);
        assert!(partial.starts_with("failed"), "{partial}");
        assert_eq!(partial, full);
        fs::remove_file(&narrative).unwrap();
        std::os::unix::fs::symlink(root.join(FILES[2]), &narrative).unwrap();
        let (partial, full) = both(root, &kept);
        assert!(partial.starts_with("failed"), "{partial}");
        assert_eq!(partial, full);
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(6))]

        /// After any series of edits (figures changed, files broken and
        /// mended, a year's results copied from the year before, the
        /// units renamed), a load that keeps years gives exactly the
        /// project and the reports of a full load.
        #[test]
        fn a_load_keeping_years_is_a_full_load(
            edits in proptest::collection::vec((0..FILES.len(), 0u8..4), 1..6)
        ) {
            let dir = sample();
            let root = dir.path();
            let kept = KeptYears::new();
            let original: Vec<String> = FILES
                .iter()
                .map(|f| fs::read_to_string(root.join(f)).unwrap())
                .collect();
            let (partial, full) = both(root, &kept);
            prop_assert_eq!(partial, full);
            let _ = stored(root);
            for (file, kind) in edits {
                let path = root.join(FILES[file]);
                let text = fs::read_to_string(&path).unwrap();
                let edited = match kind {
                    0 => text.replacen("长春市", "长春", 1).replacen("satisfaction: ", "satisfaction: 1", 1),
                    1 => format!("{text}\n: [\n"),
                    2 => copy_of_the_year_before(root, FILES[file]).unwrap_or(text),
                    _ => original[file].clone(),
                };
                fs::write(&path, edited).unwrap();
                let (partial, full) = both(root, &kept);
                prop_assert_eq!(&partial, &full);
                let (from_disk, _) = stored(root);
                prop_assert_eq!(from_disk, full, "through the years stored on disk");
            }
        }
    }
}
