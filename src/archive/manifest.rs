//! MANIFEST.sha256 and ARCHIVE.json: an archive folder checked file by file
//! against what it records.

use std::collections::BTreeMap;
use std::path::PathBuf;

use super::{archive_dir, join, Metadata, Superseded, Tree, MANIFEST, METADATA, SUPERSEDED};
use crate::diagnostic::{Diagnostic, Diagnostics, Pos};
use crate::digest::sha256_hex;
use crate::model::Date;

/// The manifest of `files` (every path relative to the archive folder):
/// one `<sha256>  <path>` line per file, sorted by path.
pub fn manifest_text<'a>(files: impl IntoIterator<Item = (&'a str, &'a [u8])>) -> String {
    let sorted: BTreeMap<&str, &[u8]> = files.into_iter().collect();
    sorted
        .into_iter()
        .map(|(path, bytes)| format!("{}  {path}\n", sha256_hex(bytes)))
        .collect()
}

/// Parse a manifest: path → digest, or the 1-based line of each malformed line.
fn parse_manifest(text: &str) -> (BTreeMap<String, String>, Vec<usize>) {
    let mut entries = BTreeMap::new();
    let mut bad = Vec::new();
    for (index, line) in text.lines().enumerate() {
        let parsed = line.get(..64).zip(line.get(64..66)).zip(line.get(66..));
        match parsed {
            Some(((digest, "  " | " *"), path))
                if digest
                    .bytes()
                    .all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
                    && !path.is_empty() =>
            {
                entries.insert(path.to_string(), digest.to_string());
            }
            _ => bad.push(index + 1),
        }
    }
    (entries, bad)
}

/// Check one revision's files (`tree`, without superseded/) against its
/// manifest and metadata; each difference becomes an error on that file.
fn check_revision(dir: &str, year: u16, tree: &Tree, diags: &mut Diagnostics) -> Option<Metadata> {
    let at = |path: &str| PathBuf::from(join(&[dir, path]));
    let metadata = match tree.get(METADATA) {
        None => {
            diags.push(Diagnostic::error(
                at(METADATA),
                Pos::FILE,
                "missing: every archive has ARCHIVE.json",
            ));
            None
        }
        Some(bytes) => match serde_json::from_slice::<Metadata>(bytes) {
            Ok(metadata) => Some(metadata),
            Err(e) => {
                diags.push(
                    Diagnostic::error(
                        at(METADATA),
                        Pos::new(e.line(), e.column()),
                        format!("not a valid archive record: {e}"),
                    )
                    .with_help("restore it from version control"),
                );
                None
            }
        },
    };
    if let Some(m) = &metadata {
        if m.year != year {
            diags.push(Diagnostic::error(
                at(METADATA),
                Pos::FILE,
                format!("records year {}, but it is in the folder of {year}", m.year),
            ));
        }
        if Date::parse(&m.archived_on).is_none() {
            diags.push(Diagnostic::error(
                at(METADATA),
                Pos::FILE,
                format!("archived_on is `{}`, not a YYYY-MM-DD date", m.archived_on),
            ));
        }
    }
    let Some(manifest) = tree.get(MANIFEST) else {
        diags.push(Diagnostic::error(
            at(MANIFEST),
            Pos::FILE,
            "missing: every archive has MANIFEST.sha256",
        ));
        return metadata;
    };
    if let Some(m) = &metadata {
        let digest = sha256_hex(manifest);
        if digest != m.manifest_sha256 {
            diags.push(Diagnostic::error(
                at(MANIFEST),
                Pos::FILE,
                format!(
                    "modified: its SHA-256 is {digest}, ARCHIVE.json records {}",
                    m.manifest_sha256
                ),
            ));
        }
    }
    let (entries, bad_lines) = parse_manifest(&String::from_utf8_lossy(manifest));
    for line in bad_lines {
        diags.push(
            Diagnostic::error(at(MANIFEST), Pos::new(line, 1), "not a manifest line")
                .with_help("each line is `<64 hex digits>  <path>`, as sha256sum writes it"),
        );
    }
    for (path, bytes) in tree {
        if path == METADATA || path == MANIFEST {
            continue;
        }
        match entries.get(path) {
            None => diags.push(Diagnostic::error(
                at(path),
                Pos::FILE,
                "added: this file is not listed in MANIFEST.sha256",
            )),
            Some(expected) => {
                let actual = sha256_hex(bytes);
                if &actual != expected {
                    diags.push(Diagnostic::error(
                        at(path),
                        Pos::FILE,
                        format!(
                            "modified: its SHA-256 is {actual}, MANIFEST.sha256 records {expected}"
                        ),
                    ));
                }
            }
        }
    }
    for path in entries.keys().filter(|p| !tree.contains_key(*p)) {
        diags.push(Diagnostic::error(
            at(path),
            Pos::FILE,
            "missing: listed in MANIFEST.sha256 but not in the archive",
        ));
    }
    metadata
}

/// Check a whole archive folder: the current revision and each superseded one.
pub fn inspect(year: u16, tree: &Tree) -> (Option<Metadata>, Diagnostics) {
    let dir = archive_dir(year);
    let mut diags = Diagnostics::new();
    let mut current = Tree::new();
    let mut revisions: BTreeMap<u32, Tree> = BTreeMap::new();
    for (path, bytes) in tree {
        let Some(rest) = path.strip_prefix(SUPERSEDED) else {
            current.insert(path.clone(), bytes.clone());
            continue;
        };
        match rest
            .split_once('/')
            .and_then(|(n, file)| n.parse::<u32>().ok().map(|n| (n, file)))
        {
            Some((n, file)) => {
                revisions
                    .entry(n)
                    .or_default()
                    .insert(file.to_string(), bytes.clone());
            }
            None => diags.push(Diagnostic::error(
                PathBuf::from(join(&[&dir, path])),
                Pos::FILE,
                "added: superseded/ holds only numbered revision folders",
            )),
        }
    }
    let metadata = check_revision(&dir, year, &current, &mut diags);
    let recorded: BTreeMap<u32, &Superseded> = metadata
        .iter()
        .flat_map(|m| m.superseded.iter().map(|s| (s.revision, s)))
        .collect();
    for (n, files) in &revisions {
        let revision_dir = format!("{dir}/superseded/{n}");
        let old = check_revision(&revision_dir, year, files, &mut diags);
        let digest = files.get(MANIFEST).map(|m| sha256_hex(m));
        match (recorded.get(n), old) {
            (None, _) => diags.push(Diagnostic::error(
                PathBuf::from(&revision_dir),
                Pos::FILE,
                "added: ARCHIVE.json records no superseded revision with this number",
            )),
            (Some(entry), Some(old))
                if digest.as_deref() != Some(entry.manifest_sha256.as_str())
                    || old.revision != *n =>
            {
                diags.push(Diagnostic::error(
                    PathBuf::from(&revision_dir),
                    Pos::FILE,
                    format!(
                        "modified: this is not the revision {n} that ARCHIVE.json records (manifest SHA-256 {})",
                        entry.manifest_sha256
                    ),
                ));
            }
            _ => {}
        }
    }
    for n in recorded.keys().filter(|n| !revisions.contains_key(n)) {
        diags.push(Diagnostic::error(
            PathBuf::from(format!("{dir}/superseded/{n}")),
            Pos::FILE,
            "missing: ARCHIVE.json records this superseded revision, but its folder is gone",
        ));
    }
    (metadata, diags.sorted())
}

#[cfg(test)]
mod tests {
    use super::super::fixtures::archive;
    use super::*;

    fn messages(diags: &Diagnostics) -> Vec<String> {
        diags.iter().map(ToString::to_string).collect()
    }

    #[test]
    fn manifest_is_sha256sum_format_sorted() {
        let text = manifest_text([("site/b", b"x".as_slice()), ("input/a", b"".as_slice())]);
        assert_eq!(
            text,
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855  input/a\n\
             2d711642b726b04401627ca9fbac32f5c8530fb1903cc4db02258717921a4881  site/b\n"
        );
        let (entries, bad) = parse_manifest(&format!("{text}not a line\n"));
        assert_eq!(entries.len(), 2);
        assert_eq!(bad, [3]);
    }

    #[test]
    fn inspect_names_modified_missing_and_added_files() {
        let good = archive(&[("site/2023/index.html", "页"), ("input/site.yaml", "a")]);
        let (metadata, problems) = inspect(2023, &good);
        assert!(problems.is_empty(), "{problems}");
        assert_eq!(metadata.unwrap().files, 2);

        let mut bad = good.clone();
        bad.insert("site/2023/index.html".into(), b"changed".to_vec());
        bad.remove("input/site.yaml");
        bad.insert("site/2023/extra.html".into(), Vec::new());
        let (_, problems) = inspect(2023, &bad);
        let text = messages(&problems);
        assert_eq!(text.len(), 3, "{text:?}");
        assert!(
            text[0].starts_with("archive/2023/input/site.yaml: missing"),
            "{text:?}"
        );
        assert!(
            text[1].starts_with("archive/2023/site/2023/extra.html: added"),
            "{text:?}"
        );
        assert!(
            text[2].starts_with("archive/2023/site/2023/index.html: modified"),
            "{text:?}"
        );
    }

    #[test]
    fn a_rewritten_manifest_is_caught_by_the_recorded_digest() {
        let mut t = archive(&[("site/2023/index.html", "页")]);
        t.insert("site/2023/index.html".into(), b"forged".to_vec());
        let forged = manifest_text([("site/2023/index.html", b"forged".as_slice())]);
        t.insert(MANIFEST.into(), forged.into_bytes());
        let (_, problems) = inspect(2023, &t);
        let text = messages(&problems);
        assert_eq!(text.len(), 1, "{text:?}");
        assert!(
            text[0].starts_with("archive/2023/MANIFEST.sha256: modified"),
            "{text:?}"
        );
    }

    #[test]
    fn superseded_revisions_are_checked_and_must_be_recorded() {
        let old = archive(&[("site/2023/index.html", "旧")]);
        let mut t = archive(&[("site/2023/index.html", "新")]);
        for (path, bytes) in &old {
            t.insert(format!("superseded/1/{path}"), bytes.clone());
        }
        let (_, problems) = inspect(2023, &t);
        assert!(
            messages(&problems)
                .iter()
                .any(|m| m.starts_with("archive/2023/superseded/1: added")),
            "an unrecorded revision is reported: {problems}"
        );
        t.insert("superseded/1/site/2023/index.html".into(), b"x".to_vec());
        let (_, problems) = inspect(2023, &t);
        assert!(messages(&problems)
            .iter()
            .any(|m| m.starts_with("archive/2023/superseded/1/site/2023/index.html: modified")));
    }
}
