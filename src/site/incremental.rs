//! Partial rebuilds: a year's own pages are kept from the previous output
//! when nothing they are made from changed.
//!
//! A year's own pages (every file under `<year>/`) are a function of the
//! site-level input (site.yaml, units, indicators, content pages, the theme,
//! archive/), the options, the binary, and the input of that year and the
//! years before it: they see no later year (`Renderer::year_context`; the
//! invariant an archive's rebuild relies on). So each year gets a key, the
//! digest of exactly those files, and a build that finds a year's key
//! unchanged since the build that made the output folder hard-links that
//! year's files from it instead of rendering them again. Site-wide pages
//! (home, units across years, search, feeds) are always rendered.
//!
//! What the previous build left is recorded in a cache file beside the
//! output, `.<folder name>.ecoscore-cache`, with the listing digest of the
//! output folder it describes (`stamp::output_digest`): a folder changed by
//! anything but a build, or a cache from another build, lists differently
//! and means a full render. The cache keeps each year's files and the ids of
//! its pages, so links from re-rendered pages into kept ones are still
//! checked; a kept page's own links lead to years up to its own and to
//! site-level pages, which the same key covers.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::digest::hex;
use crate::stamp::{self, InputFile};

/// The year folder `name` (a project-relative input path) belongs to:
/// `data/<year>/…` or `content/<year>/…`. Anything else is site-level.
fn year_of(name: &str) -> Option<u16> {
    let mut parts = name.split('/');
    let top = parts.next()?;
    let folder = parts.next()?;
    parts.next()?;
    let digits = !folder.is_empty() && folder.bytes().all(|b| b.is_ascii_digit());
    if (top == "data" || top == "content") && digits {
        folder.parse().ok()
    } else {
        None
    }
}

/// The key of each year that has input: the digest of the site-level input,
/// `options`, the binary, and every file of that year and the years before.
pub(super) fn year_keys(files: &[InputFile], options: &str) -> BTreeMap<u16, String> {
    let site: Vec<&InputFile> = files.iter().filter(|(n, _)| year_of(n).is_none()).collect();
    let site = stamp::digest_of(site, options);
    let mut by_year: BTreeMap<u16, Sha256> = BTreeMap::new();
    for (name, digest) in files {
        if let Some(year) = year_of(name) {
            by_year.entry(year).or_default().update(digest);
        }
    }
    let mut chain = Sha256::new();
    chain.update(site.as_bytes());
    by_year
        .into_iter()
        .map(|(year, files)| {
            chain.update(year.to_le_bytes());
            chain.update(files.finalize());
            (year, hex(&chain.clone().finalize()))
        })
        .collect()
}

/// What the previous build left in the output folder, by year.
#[derive(Debug, Default, Serialize, Deserialize)]
pub(super) struct Cache {
    /// The listing digest of the output folder this describes.
    output: String,
    years: BTreeMap<u16, YearFiles>,
}

/// One rendered year's files.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub(super) struct YearFiles {
    key: String,
    /// Every file under `<year>/`, with the ids of the pages among them.
    files: BTreeMap<String, Vec<String>>,
}

impl YearFiles {
    pub(super) fn new(key: String) -> YearFiles {
        YearFiles {
            key,
            files: BTreeMap::new(),
        }
    }

    pub(super) fn add(&mut self, path: String, ids: Vec<String>) {
        self.files.insert(path, ids);
    }

    /// The files, with the ids of each page.
    pub(super) fn files(&self) -> impl Iterator<Item = (&str, &[String])> {
        self.files.iter().map(|(p, ids)| (p.as_str(), ids.as_slice()))
    }
}

fn path(out: &Path) -> PathBuf {
    stamp::path(out).with_extension("ecoscore-cache")
}

impl Cache {
    /// The cache of `out` if it describes the folder as it lists now
    /// (`listing`, [`stamp::output_digest`]).
    pub(super) fn read(out: &Path, listing: &str) -> Option<Cache> {
        let text = fs::read(path(out)).ok()?;
        let cache: Cache = serde_json::from_slice(&text).ok()?;
        (cache.output == listing).then_some(cache)
    }

    /// The years whose key is the one they were rendered with, and their files.
    pub(super) fn keep(self, keys: &BTreeMap<u16, String>) -> BTreeMap<u16, YearFiles> {
        self.years
            .into_iter()
            .filter(|(year, files)| keys.get(year) == Some(&files.key))
            .collect()
    }

    /// Record the rendered `years` of the output folder that lists as
    /// `listing`, replacing any earlier cache in one step.
    pub(super) fn write(out: &Path, listing: String, years: BTreeMap<u16, YearFiles>) -> io::Result<()> {
        let cache = Cache {
            output: listing,
            years,
        };
        let target = path(out);
        let scratch = target.with_extension("ecoscore-cache-new");
        fs::write(&scratch, serde_json::to_vec(&cache).map_err(io::Error::other)?)?;
        fs::rename(&scratch, &target)
    }

    /// Forget the cache (a build whose output it cannot describe).
    pub(super) fn remove(out: &Path) {
        let _ = fs::remove_file(path(out));
    }
}

/// The ids as the cache keeps them.
pub(super) fn ids(ids: &BTreeSet<String>) -> Vec<String> {
    ids.iter().cloned().collect()
}

/// The year a site path is under, if its first folder is a year.
pub(super) fn year_folder(site_path: &str) -> Option<u16> {
    let (folder, _) = site_path.split_once('/')?;
    (folder.len() == 4 && folder.bytes().all(|b| b.is_ascii_digit()))
        .then(|| folder.parse().ok())
        .flatten()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(name: &str, byte: u8) -> InputFile {
        (name.to_string(), [byte; 32])
    }

    #[test]
    fn inputs_belong_to_their_year_folder_or_to_the_site() {
        assert_eq!(year_of("data/2024/results/a.yaml"), Some(2024));
        assert_eq!(year_of("content/2025/bulletin.md"), Some(2025));
        assert_eq!(year_of("data/regions.yaml"), None);
        assert_eq!(year_of("content/pages/about.md"), None);
        assert_eq!(year_of("themes/2024/templates/x.html"), None);
        assert_eq!(year_of("archive/2021/input/data/2021/rules.yaml"), None);
        assert_eq!(year_folder("2024/regions/a/index.html"), Some(2024));
        assert_eq!(year_folder("regions/a/index.html"), None);
        assert_eq!(year_folder("index.html"), None);
    }

    #[test]
    fn a_year_key_changes_with_its_input_the_years_before_and_the_site_only() {
        let files = vec![
            file("data/2023/results/a.yaml", 1),
            file("data/2024/results/a.yaml", 2),
            file("data/2025/results/a.yaml", 3),
            file("site.yaml", 4),
        ];
        let keys = year_keys(&files, "drafts=false");
        let mut edited = files.clone();
        edited[1].1 = [9; 32];
        let after = year_keys(&edited, "drafts=false");
        assert_eq!(keys[&2023], after[&2023], "an earlier year is untouched");
        assert_ne!(keys[&2024], after[&2024]);
        assert_ne!(keys[&2025], after[&2025], "a later year sees the edited one");
        let mut site = files.clone();
        site[3].1 = [8; 32];
        let site = year_keys(&site, "drafts=false");
        assert!(keys.iter().all(|(y, k)| site[y] != *k));
        let drafts = year_keys(&files, "drafts=true");
        assert!(keys.iter().all(|(y, k)| drafts[y] != *k));
    }
}
