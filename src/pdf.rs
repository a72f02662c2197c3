//! Printing official documents to PDF through headless Chromium.
//!
//! Chromium is an optional tool, not a dependency: without it the HTML is
//! written anyway and the command says how to install it. Its page layout
//! comes from the documents' own print CSS (`@page`, A4, GB/T 9704 margins,
//! page numbers in margin boxes).

use std::env;
use std::fs::{self, File};
use std::io;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use rayon::prelude::*;

use crate::model::Date;
use crate::output::{self, OutputFile};

/// How to get a browser that can print, on Debian and Ubuntu.
pub const INSTALL_HINT: &str = "apt-get install -y chromium fonts-noto-cjk";

/// The variable that names the browser to use instead of searching PATH.
pub const BROWSER_VARIABLE: &str = "ECOSCORE_CHROMIUM";

const BROWSERS: [&str; 4] = [
    "chromium",
    "chromium-browser",
    "google-chrome",
    "google-chrome-stable",
];

/// A print that hangs (a broken browser profile, a sandbox prompt) is
/// stopped after this long.
const TIMEOUT: Duration = Duration::from_secs(180);

/// What became of a requested PDF.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Pdf {
    NotAsked,
    Written,
    /// No browser: why, for the warning.
    Missing(String),
}

#[derive(Debug, Clone)]
pub struct Chromium {
    path: PathBuf,
}

fn is_executable(path: &Path) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        fs::metadata(path).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
    }
    #[cfg(not(unix))]
    {
        path.is_file()
    }
}

/// `file://` URL of an absolute path, percent-encoding all but unreserved bytes.
fn file_url(path: &Path) -> String {
    let text = path.to_string_lossy().replace('\\', "/");
    let mut url = String::from("file://");
    if !text.starts_with('/') {
        url.push('/');
    }
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || b"/-._~".contains(&byte) {
            url.push(byte as char);
        } else {
            url.push_str(&format!("%{byte:02X}"));
        }
    }
    url
}

impl Chromium {
    /// `$ECOSCORE_CHROMIUM` if set, else the first of chromium,
    /// chromium-browser, google-chrome on PATH. `Err` says what was tried.
    pub fn find() -> Result<Chromium, String> {
        if let Some(value) = env::var_os(BROWSER_VARIABLE) {
            let path = PathBuf::from(&value);
            return if is_executable(&path) {
                Ok(Chromium { path })
            } else {
                Err(format!(
                    "{BROWSER_VARIABLE}={} is not an executable file",
                    path.display()
                ))
            };
        }
        let dirs: Vec<PathBuf> = env::var_os("PATH")
            .map(|p| env::split_paths(&p).collect())
            .unwrap_or_default();
        BROWSERS
            .iter()
            .flat_map(|name| dirs.iter().map(move |dir| dir.join(name)))
            .find(|path| is_executable(path))
            .map(|path| Chromium { path })
            .ok_or_else(|| format!("Chromium was not found ({} on PATH)", BROWSERS.join(", ")))
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Print `html` to `pdf` with a throwaway profile in `scratch`.
    pub fn print(&self, html: &Path, pdf: &Path, scratch: &Path) -> io::Result<()> {
        let profile = tempfile::Builder::new()
            .prefix("profile-")
            .tempdir_in(scratch)?;
        let log_path = profile.path().join("ecoscore-chromium.log");
        let log = File::create(&log_path)?;
        let mut child = Command::new(&self.path)
            .args([
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--disable-extensions",
                "--no-pdf-header-footer",
            ])
            .arg(format!("--user-data-dir={}", profile.path().display()))
            .arg(format!("--print-to-pdf={}", pdf.display()))
            .arg(file_url(html))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()?;
        let started = Instant::now();
        let status = loop {
            if let Some(status) = child.try_wait()? {
                break status;
            }
            if started.elapsed() > TIMEOUT {
                let _ = child.kill();
                let _ = child.wait();
                return Err(io::Error::new(
                    io::ErrorKind::TimedOut,
                    format!(
                        "{} did not finish within {} s",
                        self.path.display(),
                        TIMEOUT.as_secs()
                    ),
                ));
            }
            std::thread::sleep(Duration::from_millis(50));
        };
        let printed = fs::metadata(pdf).is_ok_and(|m| m.len() > 0);
        if status.success() && printed {
            return Ok(());
        }
        let log = fs::read_to_string(&log_path).unwrap_or_default();
        let tail: Vec<&str> = log.lines().rev().take(5).collect();
        Err(io::Error::other(format!(
            "{} exited with {status} and wrote no PDF; its last words: {}",
            self.path.display(),
            tail.into_iter().rev().collect::<Vec<_>>().join(" | ")
        )))
    }
}

/// Chromium stamps the PDF with the time it printed it. Put the document's
/// own date there instead (same length, so the cross-reference offsets stay
/// valid), so the same input prints the same bytes.
pub fn stamp_date(pdf: &mut [u8], date: Date) {
    let stamp = format!(
        "D:{:04}{:02}{:02}000000+08'00'",
        date.year, date.month, date.day
    );
    for key in [&b"/CreationDate ("[..], &b"/ModDate ("[..]] {
        let Some(start) = find(pdf, key).map(|at| at + key.len()) else {
            continue;
        };
        let Some(length) = pdf[start..].iter().position(|&b| b == b')') else {
            continue;
        };
        if length == stamp.len() {
            pdf[start..start + length].copy_from_slice(stamp.as_bytes());
        }
    }
}

/// Chromium names the elements of the PDF's structure tree (the tagging that
/// screen readers use) `(node00000070)`… after its own DOM node counter,
/// which does not always start from the same number: two prints of the same
/// page have differed only there. Number them 1, 2, 3… in the order of the
/// original numbers, everywhere they occur (the elements' `/ID`, the table
/// cells' `/Headers`, the ID tree, whose keys stay sorted); the length stays
/// the same, so the cross-reference offsets stay valid.
pub fn renumber_structure_ids(pdf: &mut [u8]) {
    const OPEN: &[u8] = b"(node";
    const DIGITS: usize = 8;
    let mut found = Vec::new();
    let mut at = 0;
    while let Some(start) = find(&pdf[at..], OPEN).map(|i| at + i + OPEN.len()) {
        at = start;
        let digits = pdf.get(start..start + DIGITS);
        let closed = pdf.get(start + DIGITS) == Some(&b')');
        let number = digits
            .filter(|d| closed && d.iter().all(u8::is_ascii_digit))
            .and_then(|d| std::str::from_utf8(d).ok())
            .and_then(|d| d.parse::<u32>().ok());
        if let Some(number) = number {
            found.push((start, number));
        }
    }
    let mut numbers: Vec<u32> = found.iter().map(|&(_, n)| n).collect();
    numbers.sort_unstable();
    numbers.dedup();
    for (start, number) in found {
        let Ok(rank) = numbers.binary_search(&number) else {
            continue;
        };
        let renumbered = format!("{:0width$}", rank + 1, width = DIGITS);
        if renumbered.len() == DIGITS {
            pdf[start..start + DIGITS].copy_from_slice(renumbered.as_bytes());
        }
    }
}

/// How many pages a printed PDF has: its `/Type /Page` objects (the page
/// tree's `/Type /Pages` nodes not counted).
pub fn page_count(pdf: &[u8]) -> usize {
    const PAGE: &[u8] = b"/Type /Page";
    pdf.windows(PAGE.len() + 1)
        .filter(|w| w.starts_with(PAGE) && w[PAGE.len()] != b's')
        .count()
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// Point the PDF's links at the published site: Chromium writes each link
/// as the `file://` URL it printed from (`local`, a scratch folder), which
/// would leak a local path and differ on every run. Each `(local…)` string
/// becomes `(public…)` padded with spaces (whitespace between PDF tokens) to
/// its old length, so the cross-reference offsets stay valid. `local` must
/// be at least as long as `public`.
pub fn rewrite_links(pdf: &mut [u8], local: &str, public: &str) {
    let needle = format!("({local}");
    let mut at = 0;
    while let Some(found) = find(&pdf[at..], needle.as_bytes()).map(|i| at + i) {
        let rest = found + needle.len();
        let Some(close) = pdf[rest..]
            .iter()
            .position(|&b| b == b')')
            .map(|i| rest + i)
        else {
            return;
        };
        let mut replacement = format!("({public}").into_bytes();
        replacement.extend_from_slice(&pdf[rest..=close]);
        if replacement.len() > close + 1 - found {
            return;
        }
        replacement.resize(close + 1 - found, b' ');
        pdf[found..=close].copy_from_slice(&replacement);
        at = close + 1;
    }
}

/// Write `files` to a scratch folder beside `near` (so they are printed
/// exactly as they will be written), print each `(path, date)` of `pages`,
/// and return the PDFs in the same order, their links pointing under
/// `public_url` instead of the scratch folder. The scratch folder is removed.
/// Prints run in parallel.
pub fn print_files(
    chromium: &Chromium,
    near: &Path,
    files: &[OutputFile],
    pages: &[(&str, Date)],
    public_url: &str,
) -> io::Result<Vec<Vec<u8>>> {
    let scratch = output::WorkDir::new(&output::parent_folder(near)?)?;
    let scratch_dir = std::path::absolute(scratch.path())?;
    // The folder's URL must be at least as long as the public one (see rewrite_links).
    let short = file_url(&scratch_dir.join("site")).len() + 1;
    let site = scratch_dir.join(format!(
        "site{}",
        "_".repeat(public_url.len().saturating_sub(short))
    ));
    fs::create_dir(&site)?;
    output::write_tree(&site, files)?;
    let local = format!("{}/", file_url(&site));
    // Each print waits on the browser more than it computes, so two at a
    // time (rayon's pool) finish sooner than one after the other.
    pages
        .par_iter()
        .enumerate()
        .map(|(i, (page, date))| {
            let pdf = scratch_dir.join(format!("{i}.pdf"));
            chromium.print(&site.join(page), &pdf, &scratch_dir)?;
            let mut bytes = fs::read(&pdf)?;
            stamp_date(&mut bytes, *date);
            rewrite_links(&mut bytes, &local, public_url);
            renumber_structure_ids(&mut bytes);
            Ok(bytes)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_escape_what_a_path_may_hold() {
        assert_eq!(
            file_url(Path::new("/tmp/a b/简报#1/index.html")),
            "file:///tmp/a%20b/%E7%AE%80%E6%8A%A5%231/index.html"
        );
    }

    #[test]
    fn links_point_at_the_public_site_and_keep_their_length() {
        let local = "file:///tmp/.ecoscore-print-x/site___/";
        let mut pdf =
            format!("<</URI ({local}2023/regions/a/index.html)>> <</URI ({local}b.html)>> (other)")
                .into_bytes();
        let before = pdf.len();
        rewrite_links(&mut pdf, local, "https://e.gov.cn/kaohe/");
        assert_eq!(pdf.len(), before);
        let text = String::from_utf8(pdf).unwrap();
        assert!(text.starts_with("<</URI (https://e.gov.cn/kaohe/2023/regions/a/index.html)  "));
        assert!(text.contains("(https://e.gov.cn/kaohe/b.html) "));
        assert!(!text.contains("file://"));
        assert!(text.ends_with(">> (other)"));
    }

    #[test]
    fn structure_ids_are_numbered_from_one_in_their_order() {
        let printed = |first: u32| {
            format!(
                "<</ID (node{a:08})>> <</ID (node{b:08})>> <</Headers [(node{a:08})]>> \
                 /Names [(node{a:08}) 1 0 R (node{b:08}) 2 0 R] (node123) (nodes)",
                a = first,
                b = first + 7
            )
            .into_bytes()
        };
        let (mut one, mut other) = (printed(70), printed(69));
        renumber_structure_ids(&mut one);
        renumber_structure_ids(&mut other);
        assert_eq!(
            one, other,
            "prints that differ only in the counter's start agree"
        );
        assert_eq!(
            String::from_utf8(one).unwrap(),
            "<</ID (node00000001)>> <</ID (node00000002)>> <</Headers [(node00000001)]>> \
             /Names [(node00000001) 1 0 R (node00000002) 2 0 R] (node123) (nodes)"
        );
    }

    #[test]
    fn pages_are_counted_without_the_page_tree() {
        let pdf = b"<</Type /Pages /Kids [3 0 R 4 0 R] /Count 2>> <</Type /Page\n/Parent 2 0 R>> <</Type /Page /Parent 2 0 R>>";
        assert_eq!(page_count(pdf), 2);
    }

    #[test]
    fn print_dates_become_the_document_date() {
        let mut pdf =
            b"<</CreationDate (D:20261128154301+00'00')\n/ModDate (D:20261128154301+00'00')>>"
                .to_vec();
        let date = Date::parse("2024-04-29").unwrap();
        stamp_date(&mut pdf, date);
        assert_eq!(
            String::from_utf8(pdf).unwrap(),
            "<</CreationDate (D:20240429000000+08'00')\n/ModDate (D:20240429000000+08'00')>>"
        );
        let mut odd = b"/CreationDate (D:2026)".to_vec();
        stamp_date(&mut odd, date);
        assert_eq!(
            odd, b"/CreationDate (D:2026)",
            "other lengths are left alone"
        );
    }
}
