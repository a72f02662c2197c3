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
//! What the previous build left is recorded in its stamp beside the output,
//! with the listing digest of the output folder (`stamp::output_digest`): a
//! folder changed by anything but a build lists differently and means a
//! full render. The stamp keeps each year's files and the ids of its pages,
//! so links from re-rendered pages into kept ones are still checked; a kept
//! page's own links lead to years up to its own and to site-level pages,
//! which the same key covers.
//!
//! Within a year rendered again, single pages are kept the same way by
//! their own digest (`render/keep.rs`): the stamp records each one's digest
//! and files, and [`kept_pages`] offers the next build those still listed
//! in the output.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use sha2::{Digest, Sha256};

use crate::digest::hex;
use crate::render::Keeping;
use crate::stamp::{self, Built, InputFile, YearFiles};

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

/// The digest of the site-level input, `options` and the binary: what every
/// page is made from besides its year's input (`render/keep.rs`).
pub(super) fn site_key(files: &[InputFile], options: &str) -> String {
    let site: Vec<&InputFile> = files.iter().filter(|(n, _)| year_of(n).is_none()).collect();
    stamp::digest_of(site, options)
}

/// The key of each year that has input: the digest of the site-level input,
/// `options`, the binary, and every file of that year and the years before.
pub(super) fn year_keys(files: &[InputFile], options: &str) -> BTreeMap<u16, String> {
    let site = site_key(files, options);
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

/// The record of the build that left `out` as it lists now (`listing`,
/// [`stamp::output_digest`]); None for a folder changed since by anything
/// but a build.
pub(super) fn previous(out: &Path, listing: &str) -> Option<Built> {
    stamp::read(out)
        .and_then(|s| s.build)
        .filter(|built| built.output == listing)
}

/// The files of the years `built` recorded whose key is still `keys`' one:
/// the years a build can keep whole.
pub(super) fn kept_years(built: &Built, keys: &BTreeMap<u16, String>) -> BTreeMap<u16, YearFiles> {
    built
        .years
        .iter()
        .filter(|(year, files)| keys.get(year) == Some(&files.key))
        .map(|(year, files)| (*year, files.clone()))
        .collect()
}

/// The pages `built` (if any) recorded, which a build may keep one by one:
/// the output lists as that build left it, so their files are there.
/// `site`: the [`site_key`] of the input now; `kept`: the years whose key
/// is unchanged ([`kept_years`]), whose parts of the units' pages across
/// years are taken as recorded.
pub(super) fn kept_pages(
    built: Option<&Built>,
    site: String,
    kept: &BTreeMap<u16, YearFiles>,
) -> Keeping {
    let parts = kept
        .iter()
        .map(|(year, files)| (*year, files.units.clone()))
        .collect();
    Keeping::new(
        site,
        built.map(|b| b.pages.clone()).unwrap_or_default(),
        &parts,
    )
}

/// A year's record, first file to come.
pub(super) fn new_year(key: &str) -> YearFiles {
    YearFiles {
        key: key.to_string(),
        files: BTreeMap::new(),
        units: String::new(),
    }
}

/// The ids as the stamp keeps them.
pub(super) fn ids(ids: &BTreeSet<String>) -> Vec<String> {
    ids.iter().cloned().collect()
}

/// The year a site path is under, if its first folder is a year.
pub fn year_folder(site_path: &str) -> Option<u16> {
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
        assert_ne!(
            keys[&2025], after[&2025],
            "a later year sees the edited one"
        );
        let mut site = files.clone();
        site[3].1 = [8; 32];
        let site = year_keys(&site, "drafts=false");
        assert!(keys.iter().all(|(y, k)| site[y] != *k));
        let drafts = year_keys(&files, "drafts=true");
        assert!(keys.iter().all(|(y, k)| drafts[y] != *k));
    }
}
