//! What the server answers with: the snapshot of the last build (the files
//! it wrote, answered from its private folder with the live-reload tag
//! added, or the problems page while the input is broken), and the builder
//! that builds the project into that folder.

use std::collections::HashMap;
use std::hash::{DefaultHasher, Hash, Hasher};
use std::io;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

use axum::body::Bytes;

use super::{Report, ServeEvent, OWN_PREFIX};
use crate::diagnostic::Diagnostics;
use crate::load::ParseCache;
use crate::output::OutputFile;
use crate::site::{KeptYears, Options, Site, Stage};

/// What the server answers with at one moment.
#[derive(Debug, Default)]
pub(super) struct Snapshot {
    /// Changes with every build whose result differs; pages carry it so the
    /// live-reload script knows whether it is out of date. Unique per
    /// process, so a page from an earlier run reloads too.
    pub(super) version: String,
    /// The path the site is served under, from `base_url` ("/kaohe/").
    pub(super) mount: String,
    /// The folder the last good build wrote the site to.
    pub(super) folder: PathBuf,
    /// Every file of the last good build, as a build writes it, with its
    /// fingerprint; only these paths are read from `folder`, and the
    /// live-reload tag is added as a page is answered ([`Snapshot::answer`]).
    pub(super) files: HashMap<String, u64>,
    /// Fingerprint of the last good build's output, to skip no-op reloads.
    pub(super) fingerprint: u64,
    /// While the input is broken: the problems page, answered for every page.
    pub(super) problems: Option<Bytes>,
}

/// The fingerprint of one file of the site.
fn fingerprint(path: &str, bytes: &[u8]) -> u64 {
    let mut hasher = DefaultHasher::new();
    path.hash(&mut hasher);
    bytes.hash(&mut hasher);
    hasher.finish()
}

impl Snapshot {
    /// The file at `path` as served: a page with the live-reload tag of
    /// this snapshot's version. None for a path the build did not write, or
    /// one the next build removed while this snapshot was still answered.
    pub(super) fn answer(&self, path: &str) -> Option<Bytes> {
        if !self.files.contains_key(path) {
            return None;
        }
        let bytes = std::fs::read(self.folder.join(path)).ok()?;
        Some(if path.ends_with(".html") {
            Bytes::from(with_reload_script(&bytes, &self.version))
        } else {
            Bytes::from(bytes)
        })
    }
}

/// Builds the project into snapshots.
pub(super) struct Builder {
    root: PathBuf,
    process: u32,
    builds: u64,
    /// A private folder outside the project (0700, removed when the builder
    /// is dropped, as serve stops) that holds the site as `build` writes it:
    /// each rebuild is a partial build over the previous output
    /// (docs/rebuilds.md), so serve holds no page in memory.
    scratch: tempfile::TempDir,
    /// The documents of the last build's load: a rebuild parses only the
    /// files whose text changed.
    cache: ParseCache,
    /// The years the last build validated: a rebuild reads and validates
    /// only the years whose input changed, and the years after them.
    years: KeptYears,
}

impl Builder {
    pub(super) fn new(root: &Path) -> io::Result<Builder> {
        let mut private = tempfile::Builder::new();
        private.prefix("ecoscore-serve-");
        // Draft years are built too: no one else on the machine reads them.
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            private.permissions(std::fs::Permissions::from_mode(0o700));
        }
        let scratch = private.tempdir()?;
        Ok(Builder {
            root: root.to_path_buf(),
            process: std::process::id(),
            builds: 0,
            scratch,
            cache: ParseCache::new(),
            years: KeptYears::new(),
        })
    }

    /// The output folder inside the private one.
    fn out(&self) -> PathBuf {
        self.scratch.path().join("site")
    }

    /// Build the site and return the snapshot to serve next, or `None` when
    /// the output is what `current` already serves (open pages need no reload).
    pub(super) fn rebuild(
        &mut self,
        current: &Snapshot,
        changed: &[PathBuf],
        report: &Report,
    ) -> Option<Snapshot> {
        let started = Instant::now();
        let mut marks: Vec<(Stage, Instant)> = Vec::new();
        let options = Options {
            drafts: true,
            pdf: false,
        };
        let written = Mutex::new(HashMap::new());
        let result = Site::new(&self.root, &options)
            .parse_cache(&self.cache)
            .keep_years(&self.years)
            .observe(&mut |stage| marks.push((stage, Instant::now())))
            .on_write(&|file: &OutputFile| {
                let hash = fingerprint(&file.path, &file.bytes);
                lock(&written).insert(file.path.clone(), hash);
            })
            .build(&self.out());
        let mut files = written.into_inner().unwrap_or_else(PoisonError::into_inner);
        let millis = started.elapsed().as_millis();
        let end = Instant::now();
        let stages: Vec<(Stage, Duration)> = marks
            .iter()
            .enumerate()
            .map(|(i, (stage, at))| (*stage, marks.get(i + 1).map_or(end, |m| m.1) - *at))
            .collect();
        match result {
            Ok(summary) => {
                // The folder holds what the last good build left (a failed
                // build changes nothing), which `current` lists: the files
                // the build kept rather than rendered are those.
                let mount = if summary.reused.is_some() {
                    files = current.files.clone();
                    current.mount.clone()
                } else {
                    // What the build kept (whole years, single pages) it
                    // linked from the last good output: still there, same
                    // bytes. What it dropped is gone from the folder.
                    let out = self.out();
                    for (path, hash) in &current.files {
                        if !files.contains_key(path) && out.join(path).is_file() {
                            files.insert(path.clone(), *hash);
                        }
                    }
                    summary.published.site_path.clone()
                };
                let fingerprint = files
                    .values()
                    .fold(0u64, |sum, hash| sum.wrapping_add(*hash));
                let unchanged = current.problems.is_none()
                    && !current.version.is_empty()
                    && current.fingerprint == fingerprint;
                let published = &summary.published;
                report(ServeEvent::Built {
                    millis,
                    stages: &stages,
                    pages: published.pages,
                    charts: published.charts,
                    files: published.files,
                    years: &published.years,
                    warnings: &summary.warnings,
                    changed,
                    reload: !unchanged,
                });
                if unchanged {
                    return None;
                }
                Some(Snapshot {
                    version: self.next_version(),
                    mount,
                    folder: self.out(),
                    files,
                    fingerprint,
                    problems: None,
                })
            }
            Err(diagnostics) => {
                report(ServeEvent::Failed {
                    millis,
                    diagnostics: &diagnostics,
                    changed,
                });
                let version = self.next_version();
                let problems = Bytes::from(problems_page(&diagnostics, &version));
                Some(Snapshot {
                    version,
                    mount: if current.mount.is_empty() {
                        "/".to_string()
                    } else {
                        current.mount.clone()
                    },
                    folder: current.folder.clone(),
                    files: current.files.clone(),
                    fingerprint: current.fingerprint,
                    problems: Some(problems),
                })
            }
        }
    }

    fn next_version(&mut self) -> String {
        self.builds += 1;
        format!("{}-{}", self.process, self.builds)
    }
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

/// The page with the live-reload script tag added at the end of `<head>`
/// (or of `<body>`, or of the document).
fn with_reload_script(html: &[u8], version: &str) -> Vec<u8> {
    let tag = format!(
        r#"<script src="{OWN_PREFIX}livereload.js" data-ecoscore-version="{version}" defer></script>"#
    );
    let find = |needle: &[u8]| {
        html.windows(needle.len())
            .position(|w| w.eq_ignore_ascii_case(needle))
    };
    let at = find(b"</head>")
        .or_else(|| find(b"</body>"))
        .unwrap_or(html.len());
    let mut out = Vec::with_capacity(html.len() + tag.len());
    out.extend_from_slice(&html[..at]);
    out.extend_from_slice(tag.as_bytes());
    out.extend_from_slice(&html[at..]);
    out
}

/// The page every request for a page gets while the input is broken: each
/// problem with its file, line and column, then the full report.
fn problems_page(diagnostics: &Diagnostics, version: &str) -> Vec<u8> {
    let errors = diagnostics.error_count();
    let mut list = String::new();
    for d in diagnostics.iter() {
        list.push_str(&format!(
            "<li class=\"{}\"><code>{}</code></li>\n",
            if d.is_error() { "error" } else { "warning" },
            crate::render::charts::escape(&d.to_string())
        ));
    }
    let page = format!(
        r#"<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>站点无法生成 · the site does not build</title>
<link rel="stylesheet" href="{OWN_PREFIX}problems.css">
</head>
<body>
<main class="ecoscore-problems">
<h1>站点无法生成 · the site does not build</h1>
<p>{errors} {noun}. 修改下列文件并保存后，本页会自动刷新。Fix the files below and save: this page reloads by itself; the server keeps running.</p>
<ul>
{list}</ul>
<pre>{report}</pre>
</main>
</body>
</html>
"#,
        noun = if errors == 1 { "error" } else { "errors" },
        report = crate::render::charts::escape(&diagnostics.render(false)),
    );
    with_reload_script(page.as_bytes(), version)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_reload_script_goes_at_the_end_of_head_as_a_file() {
        let page = with_reload_script(
            b"<html><head><title>t</title></head><body></body></html>",
            "7-1",
        );
        let text = String::from_utf8(page).unwrap();
        assert!(text.contains(
            r#"<script src="/__ecoscore/livereload.js" data-ecoscore-version="7-1" defer></script></head>"#
        ));
        let bare = String::from_utf8(with_reload_script(b"<p>x</p>", "1")).unwrap();
        assert!(bare.starts_with("<p>x</p><script src="));
    }

    #[test]
    fn the_problems_page_escapes_and_locates() {
        let diagnostics: Diagnostics = [crate::Diagnostic::error(
            "data/2023/results/a.yaml",
            crate::diagnostic::Pos::new(3, 5),
            "expected a number, found <b>",
        )]
        .into_iter()
        .collect();
        let page = String::from_utf8(problems_page(&diagnostics, "1-2")).unwrap();
        assert!(page.contains("data/2023/results/a.yaml:3:5: expected a number, found &lt;b&gt;"));
        assert!(!page.contains("<b>"));
        assert!(page.contains(r#"data-ecoscore-version="1-2""#));
        assert!(!page.contains("<script>"), "no inline script");
        assert!(!page.contains("<style"), "no inline style");
    }

    #[test]
    fn a_failed_build_keeps_assets_and_shows_problems_then_recovers() {
        let dir = tempfile::tempdir().unwrap();
        crate::init::init(dir.path(), false).unwrap();
        let mut builder = Builder::new(dir.path()).unwrap();
        let quiet = |_: ServeEvent<'_>| {};
        let good = builder.rebuild(&Snapshot::default(), &[], &quiet).unwrap();
        assert!(good.problems.is_none());
        assert_eq!(good.mount, "/kaohe/");
        let index = String::from_utf8(good.answer("index.html").unwrap().to_vec()).unwrap();
        let written = std::fs::read_to_string(good.folder.join("index.html")).unwrap();
        assert!(
            !written.contains("livereload"),
            "the folder holds the page as a build writes it"
        );
        assert!(
            !good.folder.starts_with(dir.path()),
            "the site is built outside the project"
        );
        assert!(index.contains(&format!("data-ecoscore-version=\"{}\"", good.version)));

        assert!(
            builder.rebuild(&good, &[], &quiet).is_none(),
            "an identical build does not reload pages"
        );

        let rules = dir.path().join("data/2024/rules.yaml");
        let text = std::fs::read_to_string(&rules).unwrap();
        std::fs::write(&rules, text.replace("bonus_cap: 5", "bonus_cap: five")).unwrap();
        let broken = builder.rebuild(&good, &[], &quiet).unwrap();
        let problems = String::from_utf8(broken.problems.clone().unwrap().to_vec()).unwrap();
        assert!(problems.contains("data/2024/rules.yaml:"), "{problems}");
        assert_eq!(broken.files.len(), good.files.len(), "assets stay");
        assert_ne!(broken.version, good.version);

        std::fs::write(&rules, text).unwrap();
        let fixed = builder.rebuild(&broken, &[], &quiet).unwrap();
        assert!(fixed.problems.is_none());
        assert_ne!(fixed.version, broken.version);

        let private = fixed.folder.parent().unwrap().to_path_buf();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&private).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o700, "only the user reads the site");
        }
        drop(builder);
        assert!(!private.exists(), "the folder goes when the server stops");
    }
}
