//! The link checker: every internal link and asset reference in the rendered
//! HTML must name a file of the site (and, with a `#fragment`, an `id` on
//! that page). It runs on the pages in memory, after render and before write,
//! so `build` fails with nothing written and `check --links` needs no output.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::diagnostic::{Diagnostic, Diagnostics, Pos};
use crate::model::Project;
use crate::output::OutputFile;
use crate::paths::site_path;

/// One reference found in a page: the attribute value as written and its
/// byte offset in the page.
#[derive(Debug, PartialEq, Eq)]
struct Reference {
    value: String,
    at: usize,
}

/// What the checker needs of one page: the references it makes and the ids
/// it defines. Small enough to keep for every page of a large site while the
/// pages themselves are streamed to disk.
#[derive(Debug)]
pub struct PageLinks {
    path: String,
    references: Vec<Reference>,
    ids: BTreeSet<String>,
}

impl PageLinks {
    /// A page kept from the previous build: its ids, for links into it; its
    /// own links were checked when it was made and lead where they did then.
    pub fn kept(path: String, ids: BTreeSet<String>) -> PageLinks {
        PageLinks {
            path,
            references: Vec::new(),
            ids,
        }
    }

    pub fn path(&self) -> &str {
        &self.path
    }

    pub fn ids(&self) -> &BTreeSet<String> {
        &self.ids
    }
}

/// The links and ids of an `.html` file; none for other files.
pub fn scan(file: &OutputFile) -> Option<PageLinks> {
    if !file.path.ends_with(".html") {
        return None;
    }
    let mut references = Vec::new();
    let mut ids = BTreeSet::new();
    attributes(&file.bytes, |tag, name, value, at| {
        let Some(kind) = Attribute::of(tag, name) else {
            return;
        };
        let value = String::from_utf8_lossy(value);
        match kind {
            Attribute::Link => references.push(Reference {
                value: unescape(&value),
                at,
            }),
            Attribute::Srcset => {
                for candidate in value.split(',') {
                    if let Some(url) = candidate.split_whitespace().next() {
                        references.push(Reference {
                            value: unescape(url),
                            at,
                        });
                    }
                }
            }
            Attribute::Id => {
                ids.insert(unescape(&value));
            }
        }
    });
    Some(PageLinks {
        path: file.path.clone(),
        references,
        ids,
    })
}

/// The attributes the checker reads.
enum Attribute {
    /// `href`, `src`, `xlink:href`: one URL.
    Link,
    /// `srcset`: URLs with sizes, comma-separated.
    Srcset,
    /// `id`, and the `name` of an anchor: a fragment target.
    Id,
}

impl Attribute {
    fn of(tag: &[u8], name: &[u8]) -> Option<Attribute> {
        let is = |word: &str| name.eq_ignore_ascii_case(word.as_bytes());
        // By length first: most attributes of a page (an SVG's x, y, fill…)
        // are ruled out without comparing a byte.
        match name.len() {
            2 if is("id") => Some(Attribute::Id),
            3 if is("src") => Some(Attribute::Link),
            4 if is("href") => Some(Attribute::Link),
            4 if is("name") && tag.eq_ignore_ascii_case(b"a") => Some(Attribute::Id),
            6 if is("srcset") => Some(Attribute::Srcset),
            10 if is("xlink:href") => Some(Attribute::Link),
            _ => None,
        }
    }
}

/// The Markdown that pages show, by page path: a broken link written in it
/// is reported in the file the user edits, at its line, not in the page.
#[derive(Default)]
pub struct Sources<'p> {
    pages: BTreeMap<String, Source<'p>>,
}

struct Source<'p> {
    file: &'p Path,
    markdown: &'p str,
    /// The line of `file` on which `markdown` starts (after front matter).
    first_line: usize,
}

impl<'p> Sources<'p> {
    /// Every bulletin, narrative and page of `project`, under the paths
    /// `render` gives their pages.
    pub fn of(project: &'p Project) -> Sources<'p> {
        let mut pages = BTreeMap::new();
        for (number, year) in &project.years {
            let bulletin = &year.bulletin;
            pages.insert(
                format!("{number}/bulletin/index.html"),
                Source {
                    file: &bulletin.file,
                    markdown: &bulletin.body,
                    first_line: bulletin.body_line,
                },
            );
            for (id, narrative) in &year.narratives {
                pages.insert(
                    format!("{number}/regions/{id}/index.html"),
                    Source {
                        file: &narrative.file,
                        markdown: &narrative.markdown,
                        first_line: 1,
                    },
                );
            }
        }
        for page in &project.pages {
            pages.insert(
                format!("pages/{}/index.html", page.slug),
                Source {
                    file: &page.file,
                    markdown: &page.markdown,
                    first_line: page.body_line,
                },
            );
        }
        Sources { pages }
    }

    /// Where the `nth` reference to `link` on `page` is written in the page's
    /// Markdown: the file, the position, the link as written there (not
    /// percent-encoded) and the text to excerpt; none when the Markdown does
    /// not write it (the link comes from the theme or a template expression).
    fn locate(&self, page: &str, link: &str, nth: usize) -> Option<Written> {
        let source = self.pages.get(page)?;
        let mut written = link.to_string();
        let mut found = occurrences(source.markdown, link);
        if found.is_empty() {
            written = percent_decode(link);
            found = occurrences(source.markdown, &written);
        }
        let at = *found.get(nth).or(found.last())?;
        let in_body = position(source.markdown, at);
        let pos = Pos::new(in_body.line + source.first_line - 1, in_body.column);
        // Blank lines stand for the front matter, so the excerpt's lines are the file's.
        let text = format!("{}{}", "\n".repeat(source.first_line - 1), source.markdown);
        Some(Written {
            file: source.file.to_path_buf(),
            pos,
            link: written,
            text: Arc::from(text),
        })
    }
}

/// A link where the Markdown writes it.
struct Written {
    file: PathBuf,
    pos: Pos,
    link: String,
    text: Arc<str>,
}

/// Byte offsets at which `link` is written as a link target in `markdown`:
/// delimited as in `(link)`, `<link>`, `"link"` or `[x]: link`.
fn occurrences(markdown: &str, link: &str) -> Vec<usize> {
    if link.is_empty() {
        return Vec::new();
    }
    markdown
        .match_indices(link)
        .map(|(at, _)| at)
        .filter(|&at| {
            let before = markdown[..at].chars().next_back();
            let after = markdown[at + link.len()..].chars().next();
            before.is_some_and(|c| matches!(c, '(' | '<' | '"' | '\'' | ' ' | '\t'))
                && after.is_none_or(|c| {
                    matches!(c, ')' | '>' | '"' | '\'' | '#' | '?') || c.is_whitespace()
                })
        })
        .collect()
}

/// Check every `.html` file of `files`; links starting with `/` are taken
/// relative to the site's path in `base_url` (`/kaohe/`), as the 404 page
/// writes them. Returns one error per broken reference, located in the
/// Markdown of `sources` when it is written there.
pub fn check(files: &[OutputFile], base_url: &str, sources: &Sources<'_>) -> Diagnostics {
    let pages: Vec<PageLinks> = files.iter().filter_map(scan).collect();
    let existing: BTreeSet<String> = files.iter().map(|f| f.path.clone()).collect();
    check_scanned(&pages, &existing, base_url, sources, |page| {
        files
            .iter()
            .find(|f| f.path == page)
            .and_then(|f| std::str::from_utf8(&f.bytes).ok())
            .map(Arc::from)
    })
}

/// [`check`] on scanned pages: `existing` holds every path of the site, and
/// `source_of` gives a page's text back for the excerpt of a broken link.
pub fn check_scanned(
    pages: &[PageLinks],
    existing: &BTreeSet<String>,
    base_url: &str,
    sources: &Sources<'_>,
    source_of: impl Fn(&str) -> Option<Arc<str>>,
) -> Diagnostics {
    let site_root = site_path(base_url);
    // Looked up once or more per link of every page: hashed, not compared
    // along the long prefixes the site's paths share.
    let existing: HashSet<&str> = existing.iter().map(String::as_str).collect();
    let ids: HashMap<&str, &BTreeSet<String>> =
        pages.iter().map(|p| (p.path.as_str(), &p.ids)).collect();
    let no_ids = BTreeSet::new();
    let mut diags = Diagnostics::new();
    for page in pages {
        let mut source: Option<Option<Arc<str>>> = None;
        // Broken references met so far on this page, by link: the nth one is
        // taken to be the nth time the Markdown writes it.
        let mut seen: BTreeMap<&str, usize> = BTreeMap::new();
        for reference in &page.references {
            let Some(problem) = broken(
                &page.path,
                &reference.value,
                &site_root,
                &existing,
                |target| ids.get(target).copied().unwrap_or(&no_ids),
            ) else {
                continue;
            };
            let nth = seen.entry(&reference.value).or_default();
            if let Some(written) = sources.locate(&page.path, &reference.value, *nth) {
                *nth += 1;
                diags.push(
                    Diagnostic::error(
                        written.file,
                        written.pos,
                        format!("broken link `{}`: {problem}", written.link),
                    )
                    .with_help(format!(
                        "this Markdown becomes the page {}, and its links are read from there; point the link at a page or file the site has",
                        page.path
                    ))
                    .with_source(written.text),
                );
                continue;
            }
            let text = source.get_or_insert_with(|| source_of(&page.path)).clone();
            let mut diagnostic = Diagnostic::error(
                PathBuf::from(&page.path),
                text.as_deref().map_or(Pos::FILE, |html| position(html, reference.at)),
                format!("broken link `{}`: {problem}", reference.value),
            )
            .with_help(
                "the link comes from the theme's template for this page or from the Markdown it shows; point it at a page or file the site has",
            );
            if let Some(text) = text {
                diagnostic = diagnostic.with_source(text);
            }
            diags.push(diagnostic);
        }
    }
    diags.sorted()
}

/// Why `link` on `page` does not resolve, or none when it does (or is not ours to check).
fn broken<'i>(
    page: &str,
    link: &str,
    site_root: &str,
    existing: &HashSet<&str>,
    ids_of: impl Fn(&str) -> &'i BTreeSet<String>,
) -> Option<String> {
    let link = link.trim();
    if link.is_empty() || link.starts_with("//") || has_scheme(link) {
        return None;
    }
    let (rest, fragment) = match link.split_once('#') {
        Some((rest, fragment)) => (rest, Some(fragment)),
        None => (link, None),
    };
    let path = rest.split('?').next().unwrap_or(rest);
    let target = if path.is_empty() {
        page.to_string()
    } else {
        let joined = match path.strip_prefix('/') {
            Some(_) => match path.strip_prefix(site_root) {
                Some(inside) => inside.to_string(),
                None => return Some(format!("it is outside the site's path `{site_root}`")),
            },
            None => match page.rfind('/') {
                Some(slash) => format!("{}/{path}", &page[..slash]),
                None => path.to_string(),
            },
        };
        match normalise(&percent_decode(&joined)) {
            Some(target) => target,
            None => return Some("it climbs above the site's root".to_string()),
        }
    };
    let file = if target.is_empty() || target.ends_with('/') {
        format!("{target}index.html")
    } else if existing.contains(target.as_str()) {
        target.clone()
    } else {
        format!("{target}/index.html")
    };
    if !existing.contains(file.as_str()) {
        return Some(format!("the site has no file `{target}`"));
    }
    match fragment {
        Some(id) if !id.is_empty() && file.ends_with(".html") => {
            let id = percent_decode(id);
            (!ids_of(&file).contains(&id))
                .then(|| format!("`{file}` has no element with id `{id}`"))
        }
        _ => None,
    }
}

/// `http:`, `mailto:`, `data:` … : a URL scheme before any `/`, `?` or `#`.
fn has_scheme(link: &str) -> bool {
    match link.find(':') {
        Some(colon) => {
            let scheme = &link[..colon];
            !scheme.is_empty()
                && scheme
                    .chars()
                    .next()
                    .is_some_and(|c| c.is_ascii_alphabetic())
                && scheme
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
        }
        None => false,
    }
}

/// Resolve `.` and `..`; none when the path leaves the root.
fn normalise(path: &str) -> Option<String> {
    let mut parts: Vec<&str> = Vec::new();
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            part => parts.push(part),
        }
    }
    let mut joined = parts.join("/");
    if path.ends_with('/') && !joined.is_empty() {
        joined.push('/');
    }
    Some(joined)
}

fn percent_decode(text: &str) -> String {
    if !text.contains('%') {
        return text.to_string();
    }
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            if let (Some(high), Some(low)) = (hex(bytes[i + 1]), hex(bytes[i + 2])) {
                out.push((high * 16 + low) as u8);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The 1-based line and column (in characters) of a byte offset.
fn position(text: &str, at: usize) -> Pos {
    let before = &text[..at.min(text.len())];
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    Pos::new(
        before.matches('\n').count() + 1,
        before[line_start..].chars().count() + 1,
    )
}

/// Calls `found(tag, attribute, raw value, byte offset of the value)` for
/// every attribute of every start tag of `html`, skipping comments and the
/// text of `script` and `style` elements. A small tokenizer for well-formed
/// HTML, enough for what the theme and the sanitized Markdown produce; it
/// allocates nothing, since it reads every byte the site publishes.
fn attributes<'h>(html: &'h [u8], mut found: impl FnMut(&'h [u8], &'h [u8], &'h [u8], usize)) {
    let end_of = |from: usize, stop: fn(u8) -> bool| {
        html[from..]
            .iter()
            .position(|&b| stop(b))
            .map_or(html.len(), |n| from + n)
    };
    let find = |from: usize, needle: &[u8]| {
        html[from..]
            .windows(needle.len())
            .position(|w| w.eq_ignore_ascii_case(needle))
            .map(|n| from + n)
    };
    let mut i = 0;
    while let Some(offset) = html[i..].iter().position(|&b| b == b'<') {
        i += offset + 1;
        if html[i..].starts_with(b"!--") {
            i = find(i, b"-->").map_or(html.len(), |end| end + 3);
            continue;
        }
        if !html.get(i).is_some_and(u8::is_ascii_alphabetic) {
            continue;
        }
        let name_end = end_of(i, |b| b.is_ascii_whitespace() || b == b'>' || b == b'/');
        let tag = &html[i..name_end];
        i = name_end;
        loop {
            while html
                .get(i)
                .is_some_and(|b| b.is_ascii_whitespace() || *b == b'/')
            {
                i += 1;
            }
            match html.get(i) {
                None => break,
                Some(b'>') => {
                    i += 1;
                    break;
                }
                _ => {}
            }
            let attr_end = end_of(i, |b| b.is_ascii_whitespace() || b == b'=' || b == b'>');
            let attr = &html[i..attr_end];
            i = attr_end;
            while html.get(i).is_some_and(u8::is_ascii_whitespace) {
                i += 1;
            }
            if html.get(i) != Some(&b'=') {
                found(tag, attr, b"", i);
                continue;
            }
            i += 1;
            while html.get(i).is_some_and(u8::is_ascii_whitespace) {
                i += 1;
            }
            let (start, end, next) = match html.get(i) {
                Some(&quote @ (b'"' | b'\'')) => {
                    let start = i + 1;
                    let end = html[start..]
                        .iter()
                        .position(|&b| b == quote)
                        .map_or(html.len(), |n| start + n);
                    (start, end, (end + 1).min(html.len()))
                }
                _ => {
                    let end = end_of(i, |b| b.is_ascii_whitespace() || b == b'>');
                    (i, end, end)
                }
            };
            found(tag, attr, &html[start..end], start);
            i = next;
        }
        for raw_text in [&b"script"[..], b"style"] {
            if tag.eq_ignore_ascii_case(raw_text) {
                let close = [b"</", raw_text].concat();
                i = find(i, &close).unwrap_or(html.len());
            }
        }
    }
}

/// The character references templates and ammonia write into attributes.
fn unescape(value: &str) -> String {
    if !value.contains('&') {
        return value.to_string();
    }
    value
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn site(pages: &[(&str, &str)]) -> Vec<OutputFile> {
        pages
            .iter()
            .map(|(path, html)| OutputFile::new(*path, *html))
            .collect()
    }

    fn messages(files: &[OutputFile]) -> Vec<String> {
        check(files, "https://example.gov.cn/kaohe/", &Sources::default())
            .iter()
            .map(ToString::to_string)
            .collect()
    }

    #[test]
    fn resolves_relative_rooted_and_folder_links() {
        let files = site(&[
            ("index.html", r#"<a href="2024/index.html">x</a><a href="2024/">y</a><link href='static/s.css'>"#),
            ("2024/index.html", "<a href=\"../index.html#top\">up</a><img src=\"c.svg\" srcset=\"c.svg 1x, c.svg 2x\"><p id=\"t\">"),
            ("2024/c.svg", "<svg/>"),
            ("static/s.css", ""),
            ("404.html", r#"<a href="/kaohe/index.html">home</a><a href="/kaohe/2024/#t">t</a>"#),
        ]);
        let mut with_top = files.clone();
        with_top[0] = OutputFile::new(
            "index.html",
            r#"<a id="top" href="2024/index.html">x</a><a href="2024/">y</a><link href='static/s.css'>"#,
        );
        assert_eq!(messages(&with_top), Vec::<String>::new());
        assert_eq!(
            messages(&files),
            ["2024/index.html:1:10: broken link `../index.html#top`: `index.html` has no element with id `top`"]
        );
    }

    #[test]
    fn names_page_line_and_link_of_each_broken_reference() {
        let files = site(&[
            ("index.html", "<p>\n  <a href=\"missing/index.html\">x</a>\n<img src=\"../../up.png\"><a href=\"/elsewhere/\">"),
        ]);
        assert_eq!(
            messages(&files),
            [
                "index.html:2:12: broken link `missing/index.html`: the site has no file `missing/index.html`",
                "index.html:3:11: broken link `../../up.png`: it climbs above the site's root",
                "index.html:3:34: broken link `/elsewhere/`: it is outside the site's path `/kaohe/`",
            ]
        );
    }

    #[test]
    fn leaves_external_links_fragments_and_script_text_alone() {
        let files = site(&[(
            "index.html",
            "<a href=\"https://www.gov.cn/\">a</a><a href=\"mailto:x@y.cn\">m</a><a href=\"#main\">s</a>\
             <main id=\"main\"></main><script>var a = '<a href=\"nope.html\">';</script><!-- <a href=\"gone\"> -->\
             <a href=\"data:text/plain,x\">d</a><a href=\"?q=1\">q</a><a href=\"%E6%90%9C/\">e</a>",
        ), ("搜/index.html", "")]);
        assert_eq!(messages(&files), Vec::<String>::new());
    }

    #[test]
    fn a_link_written_in_markdown_is_reported_where_it_is_written() {
        let markdown = "第一段。\n\n见[甲](gone/)与[乙](gone/)，[说明](说明/)\n";
        let file = PathBuf::from("content/2024/bulletin.md");
        let sources = Sources {
            pages: BTreeMap::from([(
                "2024/bulletin/index.html".to_string(),
                Source {
                    file: &file,
                    markdown,
                    first_line: 8,
                },
            )]),
        };
        let page = "<nav><a href=\"../missing/\">theme</a></nav>\n<p>见<a href=\"gone/\">甲</a>与<a href=\"gone/\">乙</a>，<a href=\"%E8%AF%B4%E6%98%8E/\">说明</a></p>";
        let files = site(&[("2024/bulletin/index.html", page)]);
        let found: Vec<String> = check(&files, "https://example.gov.cn/kaohe/", &sources)
            .iter()
            .map(ToString::to_string)
            .collect();
        assert_eq!(
            found,
            [
                // From the theme: the page is all there is to point at.
                "2024/bulletin/index.html:1:15: broken link `../missing/`: the site has no file `2024/missing/`",
                "content/2024/bulletin.md:10:6: broken link `gone/`: the site has no file `2024/bulletin/gone/`",
                "content/2024/bulletin.md:10:17: broken link `gone/`: the site has no file `2024/bulletin/gone/`",
                "content/2024/bulletin.md:10:29: broken link `说明/`: the site has no file `2024/bulletin/说明/`",
            ]
        );
    }

    #[test]
    fn occurrences_are_link_targets_only() {
        let markdown = "a.html 和 [x](a.html) 与 <a.html> 及 [r]: a.html\n";
        let columns: Vec<usize> = occurrences(markdown, "a.html")
            .into_iter()
            .map(|at| position(markdown, at).column)
            .collect();
        assert_eq!(columns, [14, 25, 40]);
    }

    #[test]
    fn a_missing_fragment_on_the_same_page_is_broken() {
        let files = site(&[("a/index.html", "<a href=\"#nowhere\">x</a>")]);
        assert_eq!(
            messages(&files),
            ["a/index.html:1:10: broken link `#nowhere`: `a/index.html` has no element with id `nowhere`"]
        );
    }
}
