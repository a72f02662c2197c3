//! Located problems in the user's input, and how they are shown.
//!
//! Every stage that reads user input reports through [`Diagnostic`]: a file
//! relative to the project root, a 1-based line and column (0 when the problem
//! concerns the whole file), what is wrong and, where we know it, what would be
//! right. Diagnostics are collected, never thrown one at a time, so a run lists
//! every problem it found.

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use miette::{GraphicalReportHandler, GraphicalTheme, LabeledSpan, NamedSource, SourceCode};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Severity {
    Error,
    Warning,
}

/// A 1-based position in a source file; `line == 0` means "the file as a whole".
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Pos {
    pub line: usize,
    pub column: usize,
}

impl Pos {
    pub const FILE: Pos = Pos { line: 0, column: 0 };

    pub fn new(line: usize, column: usize) -> Pos {
        Pos { line, column }
    }
}

/// Serialized only for the validated years kept on disk (`site/stored.rs`).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Diagnostic {
    pub severity: Severity,
    pub file: PathBuf,
    pub pos: Pos,
    pub message: String,
    pub help: Option<String>,
    source: Option<Arc<str>>,
    /// The problem lies in `internal:` notes: the report says where, never what.
    redacted: bool,
}

impl Diagnostic {
    pub fn error(file: impl Into<PathBuf>, pos: Pos, message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            severity: Severity::Error,
            file: file.into(),
            pos,
            message: message.into(),
            help: None,
            source: None,
            redacted: false,
        }
    }

    pub fn warning(file: impl Into<PathBuf>, pos: Pos, message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            severity: Severity::Warning,
            ..Diagnostic::error(file, pos, message)
        }
    }

    pub fn with_help(mut self, help: impl Into<String>) -> Diagnostic {
        self.help = Some(help.into());
        self
    }

    /// Attach the file's text so the report can show the excerpt. Text under
    /// an `internal:` key is never shown: a problem inside it is reported
    /// by line and column without an excerpt or any quoted value, and the
    /// excerpt of a problem next to it has those lines masked.
    pub fn with_source(mut self, source: Arc<str>) -> Diagnostic {
        if self.redacted {
            return self;
        }
        let blocks = internal_blocks(&source);
        if blocks.iter().any(|lines| lines.contains(&self.pos.line)) {
            self.redacted = true;
            self.source = None;
            self.message = unquoted(&self.message);
            let note = "text under `internal:` is never shown in reports, only where it is";
            self.help = Some(match self.help.take() {
                Some(help) => format!("{}; {note}", unquoted(&help)),
                None => note.to_string(),
            });
            return self;
        }
        self.source = Some(if blocks.is_empty() {
            source
        } else {
            Arc::from(masked(&source, &blocks))
        });
        self
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }

    fn sort_key(&self) -> (&Path, Pos, Severity, &str) {
        (&self.file, self.pos, self.severity, &self.message)
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file.display())?;
        if self.pos.line > 0 {
            write!(f, ":{}:{}", self.pos.line, self.pos.column.max(1))?;
        }
        write!(f, ": {}", self.message)
    }
}

impl std::error::Error for Diagnostic {}

/// Whether `line` introduces an `internal:` mapping: the key `internal`
/// (quoted or not) at the start of the line or after `{`, `,` or a space,
/// followed by a colon.
fn opens_internal(line: &str) -> bool {
    let mut rest = line;
    while let Some(at) = rest.find("internal") {
        let before = rest[..at].chars().next_back();
        let after = &rest[at + "internal".len()..];
        let (before, after) = match (before, after.strip_prefix(['"', '\''])) {
            (Some('"' | '\''), Some(after)) => (rest[..at - 1].chars().next_back(), after),
            _ => (before, after),
        };
        let key_start = before.is_none_or(|c| c.is_whitespace() || c == '{' || c == ',');
        let colon = after.trim_start_matches(' ').strip_prefix(':');
        if key_start && colon.is_some_and(|c| c.is_empty() || c.starts_with([' ', '\t', '\r'])) {
            return true;
        }
        rest = &rest[at + "internal".len()..];
    }
    false
}

/// Whether `line` starts another key of the top-level mapping, which ends an
/// `internal:` block (anything else after it is taken as part of the block).
fn top_level_key(line: &str) -> bool {
    let key = line.trim_start_matches(['"', '\'']);
    key.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
        && key.split_once(':').is_some_and(|(name, _)| {
            name.trim_end_matches(['"', '\'', ' '])
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
        })
}

/// The 1-based line ranges of every `internal:` block in `text`: from the
/// line with the key to the line before the next top-level key.
fn internal_blocks(text: &str) -> Vec<std::ops::RangeInclusive<usize>> {
    let mut blocks = Vec::new();
    let mut open: Option<usize> = None;
    let mut last = 0;
    for (index, line) in text.split('\n').enumerate() {
        let number = index + 1;
        last = number;
        if let Some(start) = open {
            if top_level_key(line) && !opens_internal(line) {
                blocks.push(start..=number - 1);
                open = None;
            }
        }
        if open.is_none() && opens_internal(line) {
            open = Some(number);
        }
    }
    if let Some(start) = open {
        blocks.push(start..=last);
    }
    blocks
}

/// Where an anchor (`&name`) is set under an `internal:` block: line and
/// column, 1-based. An alias elsewhere in the file would copy that node, and
/// so the note, into a public field; the loader refuses such anchors.
pub(crate) fn anchors_under_internal(text: &str) -> Vec<Pos> {
    let blocks = internal_blocks(text);
    let mut found = Vec::new();
    for (index, line) in text.split('\n').enumerate() {
        let number = index + 1;
        if !blocks.iter().any(|b| b.contains(&number)) {
            continue;
        }
        let bytes = line.as_bytes();
        for (at, _) in line.match_indices('&') {
            // An anchor starts a node: it follows the indentation, `: `,
            // `- `, `[`, `{`, `,` or a tag, and a name character follows it.
            let before = line[..at].trim_end_matches(' ');
            let starts_node = before.is_empty()
                || before.ends_with(':')
                || before.ends_with('-')
                || before.ends_with(['[', '{', ','])
                || before
                    .rsplit(' ')
                    .next()
                    .is_some_and(|w| w.starts_with('!'));
            let named = bytes
                .get(at + 1)
                .is_some_and(|b| !b.is_ascii_whitespace() && !b",[]{}".contains(b));
            if starts_node && named {
                found.push(Pos::new(number, line[..at].chars().count() + 1));
            }
        }
    }
    found
}

/// `text` with every line of the blocks replaced by `…` (after the key on
/// the line that opens one), so an excerpt beside a block shows none of it.
fn masked(text: &str, blocks: &[std::ops::RangeInclusive<usize>]) -> String {
    let lines: Vec<String> = text
        .split('\n')
        .enumerate()
        .map(|(index, line)| {
            let number = index + 1;
            match blocks.iter().find(|b| b.contains(&number)) {
                Some(block)
                    if *block.start() == number && line.trim_start().starts_with("internal") =>
                {
                    let indent = line.len() - line.trim_start().len();
                    format!("{}internal: …", &line[..indent])
                }
                Some(_) => {
                    let indent = line.len() - line.trim_start().len();
                    format!("{}…", &line[..indent])
                }
                None => line.to_string(),
            }
        })
        .collect();
    lines.join("\n")
}

/// `text` with every `…` or "…" quotation replaced by an ellipsis: the
/// messages quote keys and values, which inside `internal:` are the notes.
fn unquoted(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(open) = rest.find(['`', '"']) {
        let quote = &rest[open..open + 1];
        let Some(close) = rest[open + 1..].find(quote) else {
            break;
        };
        out.push_str(&rest[..open]);
        out.push_str(quote);
        out.push('…');
        out.push_str(quote);
        rest = &rest[open + 1 + close + 1..];
    }
    out.push_str(rest);
    out
}

/// The closest candidate by edit distance, when it is close enough to be a typo.
pub fn suggest<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let limit = (word.chars().count() / 3).clamp(1, 3);
    candidates
        .into_iter()
        .map(|c| (edit_distance(word, c), c))
        .filter(|(d, _)| *d <= limit)
        .min()
        .map(|(_, c)| c)
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut previous = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let substitution = previous + usize::from(ca != *cb);
            previous = row[j + 1];
            row[j + 1] = substitution.min(row[j] + 1).min(previous + 1);
        }
    }
    row[b.len()]
}

/// Byte offset of a 1-based line and character column in `text`.
pub(crate) fn byte_offset(text: &str, pos: Pos) -> Option<usize> {
    if pos.line == 0 {
        return None;
    }
    let mut line_start = 0;
    for _ in 1..pos.line {
        line_start += text[line_start..].find('\n')? + 1;
    }
    let line = text[line_start..].split('\n').next().unwrap_or("");
    let column_offset = line
        .char_indices()
        .nth(pos.column.saturating_sub(1))
        .map_or(line.len(), |(i, _)| i);
    Some(line_start + column_offset)
}

impl miette::Diagnostic for Diagnostic {
    fn severity(&self) -> Option<miette::Severity> {
        Some(match self.severity {
            Severity::Error => miette::Severity::Error,
            Severity::Warning => miette::Severity::Warning,
        })
    }

    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.help
            .as_ref()
            .map(|h| Box::new(h) as Box<dyn fmt::Display>)
    }

    fn source_code(&self) -> Option<&dyn SourceCode> {
        None
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        None
    }
}

/// A diagnostic paired with its source excerpt, for miette's graphical report.
struct Excerpt<'a> {
    diagnostic: &'a Diagnostic,
    source: NamedSource<Arc<str>>,
    offset: usize,
}

impl fmt::Debug for Excerpt<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.diagnostic, f)
    }
}

impl fmt::Display for Excerpt<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.diagnostic.message)
    }
}

impl std::error::Error for Excerpt<'_> {}

impl miette::Diagnostic for Excerpt<'_> {
    fn severity(&self) -> Option<miette::Severity> {
        miette::Diagnostic::severity(self.diagnostic)
    }

    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        miette::Diagnostic::help(self.diagnostic)
    }

    fn source_code(&self) -> Option<&dyn SourceCode> {
        Some(&self.source)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        let label = LabeledSpan::new(Some("here".to_string()), self.offset, 1);
        Some(Box::new(std::iter::once(label)))
    }
}

/// Lines longer than this are reported by file, line and column without an excerpt.
const MAX_EXCERPT_LINE_BYTES: usize = 2000;

/// Every problem found in one run, kept sorted by file and position.
#[derive(Debug, Default, Clone)]
pub struct Diagnostics(Vec<Diagnostic>);

impl Diagnostics {
    pub fn new() -> Diagnostics {
        Diagnostics(Vec::new())
    }

    pub fn push(&mut self, diagnostic: Diagnostic) {
        self.0.push(diagnostic);
    }

    pub fn extend(&mut self, other: Diagnostics) {
        self.0.extend(other.0);
    }

    /// Keep only the diagnostics for which `keep` holds.
    pub fn retain(&mut self, keep: impl FnMut(&Diagnostic) -> bool) {
        self.0.retain(keep);
    }

    pub fn has_errors(&self) -> bool {
        self.0.iter().any(Diagnostic::is_error)
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn error_count(&self) -> usize {
        self.0.iter().filter(|d| d.is_error()).count()
    }

    pub fn iter(&self) -> impl Iterator<Item = &Diagnostic> {
        self.0.iter()
    }

    pub fn sorted(mut self) -> Diagnostics {
        self.0.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
        self.0.dedup_by(|a, b| a.sort_key() == b.sort_key());
        self
    }

    /// Render every diagnostic as a report with its source excerpt.
    pub fn render(&self, color: bool) -> String {
        let theme = if color {
            GraphicalTheme::unicode()
        } else {
            GraphicalTheme::unicode_nocolor()
        };
        let handler = GraphicalReportHandler::new_themed(theme).with_width(100);
        let mut out = String::new();
        for diagnostic in &self.0 {
            let excerpt = diagnostic.source.as_ref().and_then(|source| {
                let offset = byte_offset(source, diagnostic.pos)?;
                // miette cannot lay out a marker beyond a column of 65535 (it
                // panics), and an excerpt of a huge line helps nobody.
                let line_start = source[..offset].rfind('\n').map_or(0, |i| i + 1);
                let line_end = source[offset..]
                    .find('\n')
                    .map_or(source.len(), |i| offset + i);
                if line_end - line_start > MAX_EXCERPT_LINE_BYTES {
                    return None;
                }
                Some(offset).map(|offset| Excerpt {
                    diagnostic,
                    source: NamedSource::new(
                        diagnostic.file.display().to_string(),
                        Arc::clone(source),
                    ),
                    offset,
                })
            });
            let rendered = match &excerpt {
                Some(excerpt) => handler.render_report(&mut out, excerpt),
                None => {
                    let located = Located(diagnostic);
                    handler.render_report(&mut out, &located)
                }
            };
            if rendered.is_err() {
                out.push_str(&diagnostic.to_string());
                out.push('\n');
            }
            out.push('\n');
        }
        out
    }
}

/// A diagnostic without an excerpt: the location goes into the message.
struct Located<'a>(&'a Diagnostic);

impl fmt::Debug for Located<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.0, f)
    }
}

impl fmt::Display for Located<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self.0, f)
    }
}

impl std::error::Error for Located<'_> {}

impl miette::Diagnostic for Located<'_> {
    fn severity(&self) -> Option<miette::Severity> {
        miette::Diagnostic::severity(self.0)
    }

    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        miette::Diagnostic::help(self.0)
    }
}

impl fmt::Display for Diagnostics {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for diagnostic in &self.0 {
            writeln!(f, "{diagnostic}")?;
        }
        Ok(())
    }
}

impl IntoIterator for Diagnostics {
    type Item = Diagnostic;
    type IntoIter = std::vec::IntoIter<Diagnostic>;

    fn into_iter(self) -> Self::IntoIter {
        self.0.into_iter()
    }
}

impl FromIterator<Diagnostic> for Diagnostics {
    fn from_iter<I: IntoIterator<Item = Diagnostic>>(iter: I) -> Self {
        Diagnostics(iter.into_iter().collect())
    }
}

/// A report of one problem: `Err(Diagnostic::error(…).into())`, or `?` on a
/// `Result<_, Diagnostic>` in a function that returns `Diagnostics`.
impl From<Diagnostic> for Diagnostics {
    fn from(diagnostic: Diagnostic) -> Diagnostics {
        Diagnostics(vec![diagnostic])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn byte_offset_counts_characters_not_bytes() {
        let text = "a: 1\n名称: 长春\n";
        assert_eq!(byte_offset(text, Pos::new(2, 5)), Some(5 + "名称: ".len()));
        assert_eq!(byte_offset(text, Pos::new(9, 1)), None);
        assert_eq!(byte_offset(text, Pos::FILE), None);
    }

    #[test]
    fn sorted_orders_by_file_then_position() {
        let diags: Diagnostics = vec![
            Diagnostic::error("b.yaml", Pos::new(1, 1), "x"),
            Diagnostic::error("a.yaml", Pos::new(9, 1), "y"),
            Diagnostic::error("a.yaml", Pos::new(2, 3), "z"),
        ]
        .into_iter()
        .collect();
        let order: Vec<String> = diags.sorted().iter().map(|d| d.to_string()).collect();
        assert_eq!(order, ["a.yaml:2:3: z", "a.yaml:9:1: y", "b.yaml:1:1: x"]);
    }

    #[test]
    fn a_huge_line_is_reported_without_an_excerpt() {
        let source: Arc<str> = Arc::from(format!("a: [{}]\n", "*x, ".repeat(40_000)));
        let diags: Diagnostics =
            vec![Diagnostic::error("x.yaml", Pos::new(1, 100_000), "bad").with_source(source)]
                .into_iter()
                .collect();
        assert!(diags.render(false).contains("x.yaml:1:100000: bad"));
    }

    const RESULTS: &str =
        "region: a\nyear: 2024\ninternal:\n  notes: 秘密一\n  notes: 秘密二\nsatisfaction: x\n";

    #[test]
    fn anchors_under_internal_are_found_and_text_ampersands_are_not() {
        let text = "tasks:\n  - { category: air, deduct: 1, reason: *n }\ninternal:\n  notes: &n 约谈 A&B\n  more: [ &m x ]\n";
        assert_eq!(
            anchors_under_internal(text),
            [Pos::new(4, 10), Pos::new(5, 11)]
        );
        assert!(anchors_under_internal("a: &x 1\ninternal:\n  notes: 甲 & 乙, A&B\n").is_empty());
    }

    #[test]
    fn internal_blocks_run_to_the_next_top_level_key() {
        assert_eq!(internal_blocks(RESULTS), [3..=5]);
        assert_eq!(internal_blocks("a: 1\ninternal: { notes: x }\n"), [2..=3]);
        assert_eq!(
            internal_blocks("\"internal\" :\n  n: x\n# c\n续: y\nb: 1\n"),
            [1..=4],
            "quoted key; comments and lines that are not keys stay inside"
        );
        assert_eq!(internal_blocks("{a: 1, internal: {n: x}}"), [1..=1]);
        assert!(
            internal_blocks("tasks:\n  - { reason: 详见internal: x }\ninternals: 1\n").is_empty()
        );
    }

    #[test]
    fn a_problem_inside_internal_notes_says_where_not_what() {
        let d = Diagnostic::error("r.yaml", Pos::new(5, 3), "`notes` is written twice")
            .with_help("`notes` is first written on line 4")
            .with_source(Arc::from(RESULTS));
        let diags: Diagnostics = [d].into_iter().collect();
        let text = diags.render(false);
        assert!(text.contains("r.yaml:5:3"), "{text}");
        assert!(text.contains("line 4"), "{text}");
        assert!(!text.contains("秘密") && !text.contains("notes"), "{text}");
        // Attaching the source again (front matter does) changes nothing.
        let again = diags.0[0].clone().with_source(Arc::from(RESULTS));
        assert!(again.source.is_none() && !again.message.contains("notes"));
    }

    #[test]
    fn an_excerpt_beside_internal_notes_masks_them() {
        let d = Diagnostic::error("r.yaml", Pos::new(6, 15), "expected a number")
            .with_source(Arc::from(RESULTS));
        let text = [d].into_iter().collect::<Diagnostics>().render(false);
        assert!(text.contains("satisfaction: x"), "{text}");
        assert!(text.contains("5 │   …"), "the line before, masked: {text}");
        assert!(!text.contains("秘密"), "{text}");
    }

    #[test]
    fn quotations_are_replaced() {
        assert_eq!(
            unquoted("`a` and \"b c\" but `open"),
            "`…` and \"…\" but `open"
        );
    }

    #[test]
    fn report_shows_file_line_and_help() {
        let source: Arc<str> = Arc::from("year: 2023\nsections: 1\n");
        let diags: Diagnostics =
            vec![
                Diagnostic::error("data/2023/rules.yaml", Pos::new(2, 11), "bad sections")
                    .with_help("write a map")
                    .with_source(source),
            ]
            .into_iter()
            .collect();
        let text = diags.render(false);
        assert!(text.contains("data/2023/rules.yaml:2:11"), "{text}");
        assert!(text.contains("bad sections"), "{text}");
        assert!(text.contains("write a map"), "{text}");
    }
}
