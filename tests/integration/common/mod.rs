//! Harness for the CLI integration tests, modelled on casey/just's `Test`:
//! a chainable builder that runs the real `ecoscore` binary, plus fixture
//! projects copied into temporary folders so tests can edit them freely.

pub mod sheets;

use std::collections::BTreeMap;
use std::ffi::OsString;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use tempfile::TempDir;

/// The repository checkout (holds the sample project).
pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// One run of the `ecoscore` binary, built step by step.
#[derive(Debug, Default)]
#[must_use]
pub struct Test {
    root: Option<PathBuf>,
    args: Vec<OsString>,
    current_dir: Option<PathBuf>,
    env: Vec<(OsString, OsString)>,
}

impl Test {
    pub fn new() -> Test {
        Test::default()
    }

    /// Pass `--root <path>`.
    pub fn root(mut self, path: impl AsRef<Path>) -> Test {
        self.root = Some(path.as_ref().to_path_buf());
        self
    }

    pub fn arg(mut self, arg: impl Into<OsString>) -> Test {
        self.args.push(arg.into());
        self
    }

    pub fn args<I, S>(mut self, args: I) -> Test
    where
        I: IntoIterator<Item = S>,
        S: Into<OsString>,
    {
        self.args.extend(args.into_iter().map(Into::into));
        self
    }

    /// Run in this working directory (default: a fresh empty temp folder, so
    /// nothing can leak into or out of the checkout).
    pub fn current_dir(mut self, dir: impl AsRef<Path>) -> Test {
        self.current_dir = Some(dir.as_ref().to_path_buf());
        self
    }

    /// Set an environment variable for the run.
    pub fn env(mut self, key: impl Into<OsString>, value: impl Into<OsString>) -> Test {
        self.env.push((key.into(), value.into()));
        self
    }

    pub fn run(self) -> Output {
        let scratch = TempDir::new().expect("temp working dir");
        let cwd = self
            .current_dir
            .unwrap_or_else(|| scratch.path().to_path_buf());
        let mut command = Command::new(env!("CARGO_BIN_EXE_ecoscore"));
        command.current_dir(&cwd).env("NO_COLOR", "1");
        command.envs(self.env.iter().map(|(k, v)| (k, v)));
        if let Some(root) = &self.root {
            command.arg("--root").arg(root);
        }
        command.args(&self.args);
        let description = format!("{command:?}");
        let output = command.output().expect("run ecoscore");
        Output {
            description,
            status: output
                .status
                .code()
                .expect("exited with a code, not a signal"),
            stdout: String::from_utf8(output.stdout).expect("stdout is UTF-8"),
            stderr: String::from_utf8(output.stderr).expect("stderr is UTF-8"),
        }
    }
}

/// What a run produced.
#[derive(Debug)]
pub struct Output {
    pub description: String,
    pub status: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Output {
    /// Assert the exit code, showing everything the run printed if it differs.
    pub fn status(self, expected: i32) -> Output {
        assert_eq!(
            self.status, expected,
            "{}\nexited {} (expected {expected})\n--- stdout ---\n{}\n--- stderr ---\n{}",
            self.description, self.status, self.stdout, self.stderr
        );
        self
    }

    /// Exit 0.
    pub fn success(self) -> Output {
        self.status(0)
    }

    /// Exit 1: invalid input or failed build.
    pub fn failure(self) -> Output {
        self.status(1)
    }

    /// Exit 2: usage error.
    pub fn usage_error(self) -> Output {
        self.status(2)
    }

    pub fn stderr_contains(self, needle: &str) -> Output {
        assert!(
            self.stderr.contains(needle),
            "{}\nstderr does not contain {needle:?}:\n{}",
            self.description,
            self.stderr
        );
        self
    }

    pub fn stdout_contains(self, needle: &str) -> Output {
        assert!(
            self.stdout.contains(needle),
            "{}\nstdout does not contain {needle:?}:\n{}",
            self.description,
            self.stdout
        );
        self
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|e| panic!("stdout is not JSON ({e}):\n{}", self.stdout))
    }
}

/// Whether this run is CI's (`CI=true`, as CI services set it).
pub fn in_ci() -> bool {
    std::env::var("CI")
        .is_ok_and(|v| matches!(v.to_ascii_lowercase().as_str(), "true" | "1" | "yes"))
}

/// Whether a test that needs an optional tool can run: `missing` is why the
/// tool is not usable here, `None` when it is. Outside CI a missing tool
/// skips the test with a SKIP line on stderr; under `CI=true` it fails the
/// test, so a CI machine without the tool cannot pass by skipping.
pub fn require_tool(what: &str, missing: Option<String>) -> bool {
    let Some(why) = missing else {
        return true;
    };
    assert!(
        !in_ci(),
        "{what}: {why}; under CI=true this test must run, not skip (.ci/run installs it)"
    );
    // Straight to stderr: libtest captures print! and eprint! of passing tests.
    use std::io::Write as _;
    let _ = writeln!(std::io::stderr(), "SKIP: {what}: {why}");
    false
}

/// Copy a folder recursively.
pub fn copy_dir(from: &Path, to: &Path) {
    fs::create_dir_all(to).unwrap();
    for entry in fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            fs::copy(entry.path(), &target).unwrap();
        }
    }
}

/// A copy of the repository's sample project (site.yaml, data/, content/,
/// themes/, and archive/ with its archived years).
pub fn sample_project() -> TempDir {
    let dir = TempDir::new().unwrap();
    let repo = repo();
    fs::copy(repo.join("site.yaml"), dir.path().join("site.yaml")).unwrap();
    for folder in ["data", "content", "themes", "archive"] {
        if repo.join(folder).is_dir() {
            copy_dir(&repo.join(folder), &dir.path().join(folder));
        }
    }
    dir
}

/// The sample project without archive/, so every year is rendered from its
/// current input (for tests that edit an archived year and expect the pages to follow).
pub fn unarchived_sample_project() -> TempDir {
    let dir = sample_project();
    let archive = dir.path().join("archive");
    if archive.exists() {
        fs::remove_dir_all(archive).unwrap();
    }
    dir
}

/// A copy of tests/fixtures/tiny with the repository's default theme added.
pub fn tiny_project() -> TempDir {
    let dir = TempDir::new().unwrap();
    let repo = repo();
    copy_dir(&repo.join("tests/fixtures/tiny"), dir.path());
    copy_dir(
        &repo.join("themes/default"),
        &dir.path().join("themes/default"),
    );
    dir
}

/// Replace the single occurrence of `from` with `to` in `root/path`; panics if
/// `from` is absent or ambiguous, so a changed sample cannot silently turn a
/// test into a no-op. Returns the 1-based line where the replacement starts.
pub fn edit(root: &Path, path: &str, from: &str, to: &str) -> usize {
    let file = root.join(path);
    let text = fs::read_to_string(&file).unwrap_or_else(|e| panic!("read {path}: {e}"));
    let found = text.matches(from).count();
    assert_eq!(
        found, 1,
        "{path}: expected {from:?} exactly once, found {found}"
    );
    let at = text.find(from).unwrap();
    let line = text[..at].matches('\n').count() + 1;
    fs::write(&file, text.replacen(from, to, 1)).unwrap();
    line
}

/// Append text to `root/path`.
pub fn append(root: &Path, path: &str, extra: &str) {
    let file = root.join(path);
    let mut text = fs::read_to_string(&file).unwrap_or_else(|e| panic!("read {path}: {e}"));
    if !text.ends_with('\n') {
        text.push('\n');
    }
    text.push_str(extra);
    fs::write(&file, text).unwrap();
}

/// Every file under `dir`, by `/`-separated relative path, with its bytes.
pub fn read_tree(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    fn walk(base: &Path, dir: &Path, out: &mut BTreeMap<String, Vec<u8>>) {
        for entry in fs::read_dir(dir).unwrap() {
            let entry = entry.unwrap();
            let path = entry.path();
            if entry.file_type().unwrap().is_dir() {
                walk(base, &path, out);
            } else {
                let relative = path
                    .strip_prefix(base)
                    .unwrap()
                    .components()
                    .map(|c| c.as_os_str().to_string_lossy().into_owned())
                    .collect::<Vec<_>>()
                    .join("/");
                out.insert(relative, fs::read(&path).unwrap());
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(dir, dir, &mut out);
    out
}

/// The text of `dir/path`, with a helpful message when it is missing.
pub fn read(dir: &Path, path: &str) -> String {
    fs::read_to_string(dir.join(path))
        .unwrap_or_else(|e| panic!("cannot read {path} under {}: {e}", dir.display()))
}

/// Undo HTML/XML character references (minijinja escapes `/` as `&#x2f;`).
pub fn unescape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find('&') {
        out.push_str(&rest[..at]);
        rest = &rest[at..];
        let Some(end) = rest.bytes().take(12).position(|b| b == b';') else {
            out.push('&');
            rest = &rest[1..];
            continue;
        };
        let entity = &rest[1..end];
        let decoded = match entity {
            "amp" => Some('&'),
            "lt" => Some('<'),
            "gt" => Some('>'),
            "quot" => Some('"'),
            "apos" => Some('\''),
            _ => entity
                .strip_prefix("#x")
                .or_else(|| entity.strip_prefix("#X"))
                .and_then(|h| u32::from_str_radix(h, 16).ok())
                .or_else(|| entity.strip_prefix('#').and_then(|d| d.parse().ok()))
                .and_then(char::from_u32),
        };
        match decoded {
            Some(c) => {
                out.push(c);
                rest = &rest[end + 1..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// One start tag of an HTML document: lower-case name and its attributes
/// (values unescaped).
#[derive(Debug)]
pub struct Tag {
    pub name: String,
    pub attrs: BTreeMap<String, String>,
    pub source: String,
}

/// A small, forgiving scan of the start tags in `html` (enough to inspect
/// src/href/rel attributes of generated pages; not a full HTML parser).
pub fn tags(html: &str) -> Vec<Tag> {
    let mut tags = Vec::new();
    let bytes = html.as_bytes();
    let mut i = 0;
    while let Some(offset) = html[i..].find('<') {
        let start = i + offset;
        i = start + 1;
        if html[start..].starts_with("<!--") {
            i = html[start..]
                .find("-->")
                .map_or(html.len(), |e| start + e + 3);
            continue;
        }
        let name_len = html[start + 1..]
            .find(|c: char| !c.is_ascii_alphanumeric())
            .unwrap_or(html.len() - start - 1);
        if name_len == 0 {
            continue;
        }
        let name = html[start + 1..start + 1 + name_len].to_ascii_lowercase();
        // Attributes until the closing '>' outside quotes.
        let mut j = start + 1 + name_len;
        let mut attrs = BTreeMap::new();
        loop {
            while j < bytes.len() && (bytes[j].is_ascii_whitespace() || bytes[j] == b'/') {
                j += 1;
            }
            if j >= bytes.len() || bytes[j] == b'>' {
                break;
            }
            let key_start = j;
            while j < bytes.len()
                && !bytes[j].is_ascii_whitespace()
                && !matches!(bytes[j], b'=' | b'>' | b'/')
            {
                j += 1;
            }
            let key = html[key_start..j].to_ascii_lowercase();
            let mut value = String::new();
            if j < bytes.len() && bytes[j] == b'=' {
                j += 1;
                if j < bytes.len() && (bytes[j] == b'"' || bytes[j] == b'\'') {
                    let quote = bytes[j];
                    let value_start = j + 1;
                    j = value_start;
                    while j < bytes.len() && bytes[j] != quote {
                        j += 1;
                    }
                    value = html[value_start..j.min(bytes.len())].to_string();
                    j += 1;
                } else {
                    let value_start = j;
                    while j < bytes.len() && !bytes[j].is_ascii_whitespace() && bytes[j] != b'>' {
                        j += 1;
                    }
                    value = html[value_start..j].to_string();
                }
            }
            if key.is_empty() {
                j += 1;
                continue;
            }
            attrs.insert(key, unescape(&value));
        }
        let end = j.min(html.len());
        tags.push(Tag {
            name,
            attrs,
            source: html[start..(end + 1).min(html.len())].to_string(),
        });
        i = end;
    }
    tags
}

/// Whether Chromium and poppler-utils are here for a PDF test (see `require_tool`).
pub fn pdf_tools_present() -> bool {
    let chromium = ecoscore::pdf::Chromium::find();
    let poppler = ["pdfinfo", "pdftotext"].iter().all(|tool| {
        Command::new(tool)
            .arg("-v")
            .output()
            .is_ok_and(|o| o.status.success() || !o.stderr.is_empty())
    });
    let missing = match (chromium, poppler) {
        (Ok(_), true) => None,
        (Err(e), _) => Some(e.to_string()),
        (Ok(_), false) => Some("pdfinfo/pdftotext missing".to_string()),
    };
    require_tool(
        "PDF tests need Chromium and poppler-utils (apt-get install -y chromium fonts-noto-cjk poppler-utils)",
        missing,
    )
}

/// Page count of an A4 PDF whose every page carries its number (— n —).
pub fn a4_numbered_pages(pdf: &Path) -> usize {
    let info = Command::new("pdfinfo").arg(pdf).output().unwrap();
    let info = String::from_utf8_lossy(&info.stdout).into_owned();
    let field = |name: &str| {
        info.lines()
            .find_map(|l| l.strip_prefix(name))
            .unwrap_or_else(|| panic!("no {name} in {info}"))
            .trim()
            .to_string()
    };
    let size: Vec<f64> = field("Page size:")
        .split_whitespace()
        .filter_map(|w| w.parse().ok())
        .collect();
    assert!(
        (size[0] - 595.28).abs() < 1.0 && (size[1] - 841.89).abs() < 1.0,
        "not A4: {size:?}"
    );
    let pages: usize = field("Pages:").parse().unwrap();
    for page in 1..=pages {
        let p = page.to_string();
        let text = Command::new("pdftotext")
            .args(["-f", &p, "-l", &p])
            .arg(pdf)
            .arg("-")
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&text.stdout);
        assert!(
            text.contains(&format!("— {page} —")) || text.contains(&format!("—{page}—")),
            "page {page} of {} has no number",
            pdf.display()
        );
    }
    pages
}
