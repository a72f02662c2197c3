//! `ecoscore archive --export`: an archive folder as a tarball that is the
//! same bytes for the same files, written without replacing what it must not.

use std::collections::BTreeMap;
use std::io::{self, Write};
use std::path::Path;

use crate::archive::{archive_dir, inspect, read_archive, Tree};
use crate::diagnostic::{Diagnostic, Diagnostics, Pos};
use crate::digest::sha256_hex;
use crate::model::Date;
use crate::output;

/// Days from 1970-01-01 to `date` (proleptic Gregorian calendar).
fn days_since_epoch(date: Date) -> i64 {
    let (m, d) = (i64::from(date.month), i64::from(date.day));
    let y = i64::from(date.year) - i64::from(m <= 2);
    let era = y.div_euclid(400);
    let year_of_era = y - era * 400;
    let day_of_year = (153 * (m + if m > 2 { -3 } else { 9 }) + 2) / 5 + d - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

/// A tar.gz of `tree` under `top/`, the same bytes for the same files:
/// entries sorted, directories 0755 and files 0644, owner 0:0, every mtime
/// `mtime`, and a gzip header without time or name.
fn tarball(top: &str, tree: &Tree, mtime: u64) -> io::Result<Vec<u8>> {
    let mut entries: BTreeMap<String, Option<&[u8]>> = BTreeMap::new();
    entries.insert(format!("{top}/"), None);
    for (path, bytes) in tree {
        let full = format!("{top}/{path}");
        let mut dir = full.as_str();
        while let Some((parent, _)) = dir.rsplit_once('/') {
            entries.insert(format!("{parent}/"), None);
            dir = parent;
        }
        entries.insert(full, Some(bytes));
    }
    let gzip = flate2::GzBuilder::new()
        .mtime(0)
        .write(Vec::new(), flate2::Compression::best());
    let mut tar = tar::Builder::new(gzip);
    for (path, bytes) in entries {
        let mut header = tar::Header::new_gnu();
        header.set_uid(0);
        header.set_gid(0);
        header.set_mtime(mtime);
        match bytes {
            Some(bytes) => {
                header.set_entry_type(tar::EntryType::Regular);
                header.set_mode(0o644);
                header.set_size(bytes.len() as u64);
                tar.append_data(&mut header, &path, bytes)?;
            }
            None => {
                header.set_entry_type(tar::EntryType::Directory);
                header.set_mode(0o755);
                header.set_size(0);
                tar.append_data(&mut header, &path, io::empty())?;
            }
        }
    }
    tar.into_inner()?.finish()
}

#[derive(Debug)]
pub struct ExportSummary {
    pub bytes: usize,
    pub sha256: String,
}

/// Write `archive/<year>/` as a reproducible tarball to `file` (atomically).
pub fn export(
    root: &Path,
    year: u16,
    file: &Path,
    force: bool,
) -> Result<ExportSummary, Diagnostics> {
    // Resolved once, checked, and used for the write (see `destination`).
    let target = crate::destination::export_file(root, file, force)?;
    let dir_name = archive_dir(year);
    let dir = root.join(&dir_name);
    if !dir.is_dir() {
        return Err(
            Diagnostic::error(&dir_name, Pos::FILE, format!("{year} is not archived")).into(),
        );
    }
    let tree = read_archive(year, &dir)?;
    let (metadata, problems) = inspect(year, &tree);
    if problems.has_errors() {
        let mut problems = problems;
        problems.push(
            Diagnostic::error(
                &dir_name,
                Pos::FILE,
                "refusing to export an archive that does not match its manifest",
            )
            .with_help("restore it from version control; `ecoscore verify` lists every difference"),
        );
        return Err(problems.sorted());
    }
    let date = metadata
        .as_ref()
        .and_then(|m| Date::parse(&m.archived_on))
        .ok_or_else(|| {
            Diagnostic::error(&dir_name, Pos::FILE, "ARCHIVE.json has no archive date")
        })?;
    // Midnight of the archive date in China Standard Time (UTC+8).
    let mtime = u64::try_from(days_since_epoch(date) * 86_400 - 8 * 3_600).unwrap_or(0);
    let write_error =
        |e: io::Error| Diagnostic::error(file, Pos::FILE, format!("cannot write the tarball: {e}"));
    let bytes = tarball(&year.to_string(), &tree, mtime).map_err(write_error)?;
    let parent = target.parent().unwrap_or(&target);
    let work = output::WorkDir::new(parent).map_err(write_error)?;
    let mut staged = tempfile::NamedTempFile::new_in(work.path()).map_err(write_error)?;
    staged.write_all(&bytes).map_err(write_error)?;
    // Without --force, a file that appeared meanwhile is kept too.
    let persisted = if force {
        staged.persist(&target).map(drop)
    } else {
        staged.persist_noclobber(&target).map(drop)
    };
    persisted.map_err(|e| write_error(e.error))?;
    Ok(ExportSummary {
        bytes: bytes.len(),
        sha256: sha256_hex(&bytes),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::archive::fixtures::archive;

    #[test]
    fn epoch_days() {
        let day = |s| days_since_epoch(Date::parse(s).unwrap());
        assert_eq!(day("1970-01-01"), 0);
        assert_eq!(day("2000-03-01"), 11_017);
        assert_eq!(day("2024-04-28"), 19_841);
    }

    #[test]
    fn tarball_is_reproducible_and_sorted() {
        let t = archive(&[("site/2023/index.html", "页"), ("input/site.yaml", "a")]);
        let one = tarball("2023", &t, 1_714_233_600).unwrap();
        let two = tarball("2023", &t.clone(), 1_714_233_600).unwrap();
        assert_eq!(one, two);
        assert_eq!(&one[..10], &[0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 2, 255]);
        let mut archive = tar::Archive::new(flate2::read::GzDecoder::new(one.as_slice()));
        let mut paths = Vec::new();
        for entry in archive.entries().unwrap() {
            let entry = entry.unwrap();
            let header = entry.header();
            assert_eq!(header.uid().unwrap(), 0);
            assert_eq!(header.gid().unwrap(), 0);
            assert_eq!(header.mtime().unwrap(), 1_714_233_600);
            paths.push(entry.path().unwrap().to_string_lossy().into_owned());
        }
        let mut expected = paths.clone();
        expected.sort();
        assert_eq!(paths, expected);
        assert!(paths.contains(&"2023/site/2023/index.html".to_string()));
        assert!(
            paths.iter().any(|p| p.trim_end_matches('/') == "2023/site"),
            "directories have entries: {paths:?}"
        );
    }
}
