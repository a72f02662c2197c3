//! The project's folders as the loader walks them: which file under data/
//! and content/ is which document, and what does not belong there.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rayon::prelude::*;

use super::raw::{RawPageMeta, RawResults};
use std::fs;

use super::claims::Claims;
use super::raw::{RawIndicators, RawRegions, RawSite};
use super::{
    into_doc, load, refuse_files_read_twice, rel, Doc, Loaded, Markdown, Parsed, RawProject,
    RawYear, Reader, CONTENT, DATA, SITE_FILE,
};
use crate::diagnostic::{Diagnostic, Diagnostics, Pos};

impl Reader<'_> {
    /// Every year folder of data/ and content/, the years in parallel; of
    /// the years in `keep`, those whose files are all plain (see
    /// [`Reader::plain_year`]) are not read, and come back second.
    pub(super) fn years(
        &self,
        diags: &mut Diagnostics,
        keep: &BTreeSet<u16>,
    ) -> (BTreeMap<u16, RawYear>, BTreeSet<u16>) {
        let mut kept = BTreeSet::new();
        let mut data_years = Vec::new();
        for (name, is_dir) in self.entries(Path::new(DATA), diags) {
            if !is_dir {
                if name != "regions.yaml" && name != "indicators.yaml" {
                    diags.push(unexpected(
                        rel(&[DATA, &name]),
                        "data/ holds regions.yaml, indicators.yaml and one folder per year",
                    ));
                }
                continue;
            }
            match parse_year(&name) {
                Some(year) if keep.contains(&year) && self.plain_year(&name) => {
                    kept.insert(year);
                }
                Some(year) => data_years.push((year, name)),
                None => diags.push(unexpected(
                    rel(&[DATA, &name]),
                    "year folders are named by the year, e.g. data/2023/",
                )),
            }
        }
        // Year folder names are exactly four digits, so no two name one year.
        let read: Vec<(u16, RawYear, Diagnostics)> = data_years
            .into_par_iter()
            .map(|(year, name)| {
                let mut own = Diagnostics::new();
                let mut raw = RawYear::default();
                self.year_data(&name, &mut raw, &mut own);
                (year, raw, own)
            })
            .collect();
        let mut years = BTreeMap::new();
        for (year, raw, own) in read {
            diags.extend(own);
            years.insert(year, raw);
        }
        let mut content_years = Vec::new();
        for (name, is_dir) in self.entries(Path::new(CONTENT), diags) {
            if name == "pages" && is_dir {
                continue;
            }
            let known = |y: &u16| years.contains_key(y) || kept.contains(y);
            match parse_year(&name).filter(|y| is_dir && known(y)) {
                Some(year) if kept.contains(&year) => {}
                Some(year) => content_years.push((year, name)),
                None => diags.push(unexpected(
                    rel(&[CONTENT, &name]),
                    "content/ holds pages/ and one folder per year that has data in data/<year>/",
                )),
            }
        }
        let read: Vec<(u16, RawYear, Diagnostics)> = content_years
            .into_par_iter()
            .map(|(year, name)| {
                let mut own = Diagnostics::new();
                let mut raw = RawYear::default();
                self.year_content(&name, &mut raw, &mut own);
                (year, raw, own)
            })
            .collect();
        for (year, content, own) in read {
            diags.extend(own);
            if let Some(raw) = years.get_mut(&year) {
                raw.bulletin = content.bulletin;
                raw.narratives = content.narratives;
            }
        }
        (years, kept)
    }

    /// Whether every file of the year folder `name` in data/ and content/
    /// is a plain file with one name, in folders reached by no link: then
    /// no other input can be one of them, and leaving the year unread hides
    /// no file read twice (`claims`).
    fn plain_year(&self, name: &str) -> bool {
        [DATA, CONTENT].iter().all(|top| {
            let dir = self.root.join(top).join(name);
            if top == &CONTENT && fs::symlink_metadata(&dir).is_err() {
                return true;
            }
            let unlinked = fs::canonicalize(&dir)
                .is_ok_and(|real| real == self.real_root.join(top).join(name));
            unlinked
                && walkdir::WalkDir::new(&dir)
                    .follow_links(false)
                    .into_iter()
                    .all(|entry| entry.is_ok_and(|entry| plain(&entry)))
        })
    }

    fn year_data(&self, dir: &str, year: &mut RawYear, diags: &mut Diagnostics) {
        let mut has_results_dir = false;
        for (name, is_dir) in self.entries(&rel(&[DATA, dir]), diags) {
            match (name.as_str(), is_dir) {
                ("rules.yaml", false) => {
                    year.rules = Some(self.yaml_doc(&rel(&[DATA, dir, "rules.yaml"]), diags));
                }
                ("targets.yaml", false) => {
                    year.targets = Some(self.yaml_doc(&rel(&[DATA, dir, "targets.yaml"]), diags));
                }
                ("results", true) => has_results_dir = true,
                ("projects", true) => self.year_projects(dir, year, diags),
                ("progress", true) => self.year_progress(dir, year, diags),
                _ => diags.push(unexpected(
                    rel(&[DATA, dir, &name]),
                    "a year folder holds rules.yaml, targets.yaml, results/<unit id>.yaml and optionally projects/<unit id>.yaml and progress/<YYYY-MM>.yaml",
                )),
            }
        }
        if !has_results_dir {
            return;
        }
        let results_dir = rel(&[DATA, dir, "results"]);
        let mut files = Vec::new();
        for (name, is_dir) in self.entries(&results_dir, diags) {
            match name.strip_suffix(".yaml").filter(|_| !is_dir) {
                Some(id) => files.push((id.to_string(), rel(&[DATA, dir, "results", &name]))),
                None => diags.push(unexpected(
                    results_dir.join(&name),
                    "results/ holds one <unit id>.yaml file per assessed unit",
                )),
            }
        }
        let parsed: Vec<(String, Parsed<RawResults>)> = files
            .into_par_iter()
            .map(|(id, file)| {
                let result = self.yaml::<RawResults>(&file);
                (id, result)
            })
            .collect();
        for (id, result) in parsed {
            year.results.insert(id, into_doc(result, diags));
        }
    }

    fn year_content(&self, dir: &str, year: &mut RawYear, diags: &mut Diagnostics) {
        for (name, is_dir) in self.entries(&rel(&[CONTENT, dir]), diags) {
            match (name.as_str(), is_dir) {
                ("bulletin.md", false) => {
                    let file = rel(&[CONTENT, dir, "bulletin.md"]);
                    year.bulletin = Some(into_doc(self.markdown(&file), diags));
                }
                ("regions", true) => {
                    let mut files = Vec::new();
                    for (file_name, is_dir) in self.entries(&rel(&[CONTENT, dir, "regions"]), diags)
                    {
                        let file = rel(&[CONTENT, dir, "regions", &file_name]);
                        match file_name.strip_suffix(".md").filter(|_| !is_dir) {
                            Some(id) => files.push((id.to_string(), file)),
                            None => diags.push(unexpected(
                                file,
                                "content/<year>/regions/ holds one <unit id>.md narrative per unit",
                            )),
                        }
                    }
                    let read: Vec<_> = files
                        .into_par_iter()
                        .map(|(id, file)| {
                            let text = self.text(&file);
                            (id, file, text)
                        })
                        .collect();
                    for (id, file, text) in read {
                        match text {
                            Ok(Some(text)) => {
                                let doc = Arc::new(text.to_string());
                                year.narratives.insert(id, Loaded { file, text, doc });
                            }
                            Ok(None) => {}
                            Err(d) => diags.push(d),
                        }
                    }
                }
                _ => diags.push(unexpected(
                    rel(&[CONTENT, dir, &name]),
                    "a content year folder holds bulletin.md and regions/<unit id>.md",
                )),
            }
        }
    }

    pub(super) fn pages(
        &self,
        diags: &mut Diagnostics,
    ) -> BTreeMap<String, Loaded<Markdown<RawPageMeta>>> {
        let mut pages = BTreeMap::new();
        for (name, is_dir) in self.entries(&rel(&[CONTENT, "pages"]), diags) {
            let file = rel(&[CONTENT, "pages", &name]);
            let Some(slug) = name.strip_suffix(".md").filter(|_| !is_dir) else {
                diags.push(unexpected(
                    file,
                    "content/pages/ holds Markdown pages named <slug>.md",
                ));
                continue;
            };
            if let Doc::Ok(page) = into_doc(self.markdown(&file), diags) {
                pages.insert(slug.to_string(), page);
            }
        }
        pages
    }
}

/// A folder, or a file with one name (a file linked twice could be read
/// under another role too).
#[cfg(unix)]
fn plain(entry: &walkdir::DirEntry) -> bool {
    use std::os::unix::fs::MetadataExt;
    let kind = entry.file_type();
    kind.is_dir() || (kind.is_file() && entry.metadata().is_ok_and(|m| m.nlink() == 1))
}

/// Without link counts, no file can be vouched for.
#[cfg(not(unix))]
fn plain(entry: &walkdir::DirEntry) -> bool {
    entry.file_type().is_dir()
}

pub(super) fn unexpected(file: PathBuf, what_belongs: &str) -> Diagnostic {
    Diagnostic::error(file, Pos::FILE, "unexpected file or folder in the project")
        .with_help(what_belongs.to_string())
}

fn parse_year(name: &str) -> Option<u16> {
    if name.len() != 4 || !name.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    name.parse().ok().filter(|y| (1900..=2999).contains(y))
}

/// What the spreadsheet commands read: site.yaml, the units, the indicators
/// and every year's rules and targets, plus the results of the years in
/// `with_results` (the files an import may replace). Content and the other
/// years' results are not read: at national scale they would be most of
/// the time `forms` and `import` take.
pub fn load_for_sheets(root: &Path, with_results: &[u16]) -> (RawProject, Diagnostics) {
    let Some(real_root) = fs::canonicalize(root).ok().filter(|p| p.is_dir()) else {
        // The same report as for any command.
        return load(root);
    };
    let mut diags = Diagnostics::new();
    let reader = Reader {
        root,
        real_root: &real_root,
        claims: Claims::new(&real_root),
        cache: None,
    };
    let site = reader.yaml_doc::<RawSite>(Path::new(SITE_FILE), &mut diags);
    let regions = reader.yaml_doc::<RawRegions>(&rel(&[DATA, "regions.yaml"]), &mut diags);
    let indicators = reader.yaml_doc::<RawIndicators>(&rel(&[DATA, "indicators.yaml"]), &mut diags);
    let mut years = BTreeMap::new();
    for (name, is_dir) in reader.entries(Path::new(DATA), &mut diags) {
        let Some(year) = parse_year(&name).filter(|_| is_dir) else {
            continue;
        };
        let mut raw = RawYear::default();
        if with_results.contains(&year) {
            reader.year_data(&name, &mut raw, &mut diags);
        } else {
            raw.rules = Some(reader.yaml_doc(&rel(&[DATA, &name, "rules.yaml"]), &mut diags));
            raw.targets = Some(reader.yaml_doc(&rel(&[DATA, &name, "targets.yaml"]), &mut diags));
        }
        years.insert(year, raw);
    }
    let mut project = RawProject {
        root: root.to_path_buf(),
        site,
        regions,
        indicators,
        years,
        pages: BTreeMap::new(),
    };
    refuse_files_read_twice(&reader, &mut project, &mut diags);
    (project, diags)
}
