//! YAML documents with positions: the serde-saphyr layer.
//!
//! Numbers are read into `Decimal` from the digits the file writes, so
//! `86.2999999999999999` in a file is exactly that here; what 28 digits
//! cannot hold is refused, never rounded.

use std::fmt;
use std::marker::PhantomData;
use std::path::Path;
use std::sync::Arc;

use serde::de::{self, DeserializeOwned, Deserializer, MapAccess, Visitor};
use serde::Deserialize;

use crate::diagnostic::{suggest, Diagnostic, Pos};

mod figure;
mod recover;

pub use figure::{Dec, Figure, Measurement, Source};

/// A value with the line and column it was written at: what
/// `serde_saphyr::Spanned` reads, less the spans and the second location
/// nothing after parsing looks at. A document holds one per value, so this
/// is most of a parsed document's memory (a third of it with the full
/// locations, which `serve`'s parse cache would hold for every file).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Spanned<T> {
    pub value: T,
    line: u32,
    column: u32,
}

impl<T> From<serde_saphyr::Spanned<T>> for Spanned<T> {
    fn from(spanned: serde_saphyr::Spanned<T>) -> Spanned<T> {
        // Where the value is used (an alias's place, not its anchor's).
        let at = spanned.referenced;
        let narrow = |n: u64| u32::try_from(n).unwrap_or(u32::MAX);
        Spanned {
            value: spanned.value,
            line: narrow(at.line()),
            column: narrow(at.column()),
        }
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Spanned<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Spanned<T>, D::Error> {
        serde_saphyr::Spanned::<T>::deserialize(deserializer).map(Spanned::from)
    }
}

pub fn pos<T>(spanned: &Spanned<T>) -> Pos {
    Pos::new(spanned.line as usize, spanned.column as usize)
}

/// The position of the `key:` that introduces the value at `value`: the
/// nearest `key` followed by `:` before it (block or flow style). A missing
/// entry is best shown at the key of the mapping it is missing from, while
/// serde-saphyr locates a mapping at its first entry.
pub fn key_pos(text: &str, key: &str, value: Pos) -> Pos {
    let Some(end) = crate::diagnostic::byte_offset(text, value) else {
        return value;
    };
    let before = &text[..end];
    let mut search = before.len();
    while let Some(at) = before[..search].rfind(key) {
        search = at;
        let preceded_ok = before[..at]
            .chars()
            .next_back()
            .is_none_or(|c| c.is_whitespace() || c == '{' || c == ',');
        let followed_ok = before[at + key.len()..]
            .trim_start_matches(' ')
            .starts_with(':');
        if preceded_ok && followed_ok {
            return pos_of_offset(text, at);
        }
    }
    value
}

/// The position of a top-level `key:` line, if the document has one.
pub fn key_line(text: &str, key: &str) -> Option<Pos> {
    text.lines().enumerate().find_map(|(i, line)| {
        let after = line.strip_prefix(key)?;
        after
            .trim_start_matches(' ')
            .starts_with(':')
            .then_some(Pos::new(i + 1, 1))
    })
}

/// The 1-based line and character column of a byte offset.
fn pos_of_offset(text: &str, offset: usize) -> Pos {
    let before = &text[..offset];
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    Pos::new(
        before.matches('\n').count() + 1,
        before[line_start..].chars().count() + 1,
    )
}

/// Parser limits far above any real data file (the sample's largest holds a
/// few hundred values, three levels deep) and far below what would take
/// noticeable time or memory: a hostile file is refused quickly.
fn options() -> serde_saphyr::Options {
    let mut budget = serde_saphyr::Budget::default();
    budget.max_nodes = 50_000;
    budget.max_depth = 24;
    budget.max_aliases = 1_000;
    budget.max_anchors = 1_000;
    budget.max_documents = 1;
    let mut options = serde_saphyr::Options::default();
    options.budget = Some(budget);
    options
}

/// A document with problems: every one found, and the document itself when
/// they left it saying what the file says (see `recover`), so that
/// validation can still report the rest in the same run.
#[derive(Debug)]
pub struct Broken<T> {
    pub problems: Vec<Diagnostic>,
    pub readable: Option<T>,
}

impl<T> Broken<T> {
    pub fn map<U>(self, f: impl FnOnce(T) -> U) -> Broken<U> {
        Broken {
            problems: self.problems,
            readable: self.readable.map(f),
        }
    }
}

impl<T> From<Diagnostic> for Broken<T> {
    fn from(problem: Diagnostic) -> Broken<T> {
        Broken {
            problems: vec![problem],
            readable: None,
        }
    }
}

/// Problems reported for one document at most; more are rarely news.
const MAX_PROBLEMS: usize = 50;

/// Parse one YAML document into `T`, or every problem found in it, located
/// in `file`.
pub fn parse<T: DeserializeOwned>(file: &Path, text: &Arc<str>) -> Result<T, Broken<T>> {
    let mut recovery = recover::Recovery::new(text);
    let mut problems: Vec<Diagnostic> = Vec::new();
    loop {
        let current: Arc<str> = Arc::from(recovery.text());
        let _reading = figure::Reading::start(&current);
        let error = match serde_saphyr::from_str_with_options::<T>(&current, options()) {
            Ok(doc) if problems.is_empty() => return Ok(doc),
            Ok(doc) => {
                return Err(Broken {
                    problems,
                    readable: recovery.readable().then_some(doc),
                })
            }
            Err(error) => error,
        };
        let diagnostic = diagnose(file, text, &current, &error);
        let next = recovery.past(error.without_snippet());
        let repeated = problems
            .iter()
            .any(|p| p.pos == diagnostic.pos && p.message == diagnostic.message);
        if next != recover::Next::Quiet && !repeated {
            problems.push(diagnostic);
        }
        if next == recover::Next::Stop || repeated || problems.len() >= MAX_PROBLEMS {
            return Err(Broken {
                problems,
                readable: None,
            });
        }
    }
}

/// The diagnostic for a parse error met in `current`, the file's text as
/// patched so far (lines and columns are the file's own).
fn diagnose(
    file: &Path,
    source: &Arc<str>,
    current: &str,
    error: &serde_saphyr::Error,
) -> Diagnostic {
    let position = error.location().map_or(Pos::FILE, |l| {
        Pos::new(l.line() as usize, l.column() as usize)
    });
    let error = error.without_snippet();
    // serde-saphyr places a missing top-level key after the last key it
    // read; the mapping it is missing from is the whole file.
    let position = match error {
        serde_saphyr::Error::SerdeMissingField { .. } if position.column == 1 => {
            first_key(current).unwrap_or(position)
        }
        _ => position,
    };
    let (message, help) = explain(error, current, position);
    let mut diagnostic = Diagnostic::error(file, position, message);
    if let Some(help) = help {
        diagnostic = diagnostic.with_help(help);
    }
    diagnostic.with_source(Arc::clone(source))
}

/// The word of `expected` that `written` is a typo of: a close spelling, or
/// the same letters in another order (`titel` for `title`).
fn meant<'a>(written: &str, expected: &[&'a str]) -> Option<&'a str> {
    let letters = |word: &str| {
        let mut letters: Vec<char> = word.chars().collect();
        letters.sort_unstable();
        letters
    };
    suggest(written, expected.iter().copied()).or_else(|| {
        let own = letters(written);
        expected
            .iter()
            .copied()
            .find(|e| e.len() > 2 && letters(e) == own)
    })
}

/// A newcomer's message and help for a parse error. serde-saphyr's own
/// messages are written for programmers (they mention `DuplicateKeyPolicy`
/// and `Options`), so the common cases are said again in the user's terms.
fn explain(error: &serde_saphyr::Error, text: &str, at: Pos) -> (String, Option<String>) {
    use serde_saphyr::Error as E;
    let one_of = |expected: &[&str]| {
        expected
            .iter()
            .map(|e| format!("`{e}`"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    match error {
        E::AliasError { error, .. } => explain(error.without_snippet(), text, at),
        E::SerdeUnknownField {
            field, expected, ..
        } => {
            let help = match meant(field, expected) {
                Some(close) => format!("did you mean `{close}`? Keys allowed here: {}", one_of(expected)),
                None => format!("keys allowed here: {} (see docs/data-format.md)", one_of(expected)),
            };
            (format!("unknown key `{field}`"), Some(help))
        }
        E::SerdeMissingField { field, .. } => (
            format!("missing key `{field}`"),
            Some(format!(
                "add `{field}:` to this mapping; docs/data-format.md lists what each file needs"
            )),
        ),
        E::InvalidScalar { ty, .. } => {
            let expected = match *ty {
                "bool" => "`true` or `false`",
                "u8" | "u16" | "u32" | "u64" | "i8" | "i16" | "i32" | "i64" => {
                    "a whole number written in digits, e.g. 2023"
                }
                _ => "a plain number",
            };
            (
                format!("expected {expected}"),
                Some("write the value without quotes, units or other characters".into()),
            )
        }
        E::NonFiniteFloat { value, .. } => (
            format!("`{value}` is not a finite number"),
            Some("write the figure as a plain number, or n/a where the rules allow it".into()),
        ),
        E::DuplicateMappingKey { key, .. } => {
            let key = key.as_deref().unwrap_or("this key");
            let help = match first_occurrence(text, key, at) {
                Some(line) => format!(
                    "`{key}` is first written on line {line}; keep one of the two entries"
                ),
                None => "keep one of the two entries".to_string(),
            };
            (format!("`{key}` is written twice in the same mapping"), Some(help))
        }
        E::SerdeUnknownVariant {
            variant, expected, ..
        } => {
            let help = match meant(variant, expected) {
                Some(close) => format!("did you mean `{close}`? Allowed: {}", one_of(expected)),
                None => format!("allowed: {}", one_of(expected)),
            };
            (format!("unknown value `{variant}`"), Some(help))
        }
        E::SerdeInvalidType {
            unexpected,
            expected,
            ..
        } => (
            format!("expected {expected}, found {unexpected}"),
            Some("check the indentation and the format of this value in docs/data-format.md".into()),
        ),
        E::Budget { breach, .. } => (
            format!("this YAML is too large or too complex to be a data file: {}", breach_text(breach)),
            Some(
                "ecoscore data files are a few levels deep and need no anchors (&) or aliases (*); \
                 write the values out plainly"
                    .into(),
            ),
        ),
        E::AliasReplayLimitExceeded { .. }
        | E::AliasExpansionLimitExceeded { .. }
        | E::AliasReplayStackDepthExceeded { .. }
        | E::AliasReplayCounterOverflow { .. } => (
            "this YAML expands its aliases (*) too many times to be a data file".into(),
            Some("write the values out plainly instead of repeating anchors (&) and aliases (*)".into()),
        ),
        other => {
            let message = match bare_message(&other.to_string()) {
                m if m == "expected string scalar" => {
                    "expected text here, found a list or a mapping".to_string()
                }
                m => m,
            };
            let help = syntax_help(&message).map(str::to_string);
            (message, help)
        }
    }
}

/// A budget breach in words: which limit, and what was counted.
fn breach_text(breach: &serde_saphyr::budget::BudgetBreach) -> String {
    use serde_saphyr::budget::BudgetBreach as B;
    match breach {
        B::Nodes { nodes } => format!("more than {} values", nodes.saturating_sub(1)),
        B::Depth { depth } => format!("nested {depth} levels deep"),
        B::Aliases { aliases } => format!("{aliases} aliases (*)"),
        B::Anchors { anchors } => format!("{anchors} anchors (&)"),
        B::Events { events } => format!("more than {} parse events", events.saturating_sub(1)),
        other => format!("{other:?}"),
    }
}

/// What usually causes a YAML syntax error, in the words of its message.
fn syntax_help(message: &str) -> Option<&'static str> {
    if message.contains("tab") {
        Some("YAML indents with spaces only: replace the tab with spaces")
    } else if message.contains("unclosed quote") || message.contains("end of stream") {
        Some("close the quote on this line; figures need no quotes at all")
    } else if message.contains("block mapping")
        || message.contains("mapping values are not allowed")
        || message.contains("expected key")
    {
        Some("check the indentation: the keys of one mapping start in the same column, and text containing `: ` must be quoted")
    } else if message.starts_with("expected text here") {
        Some("write the text on the same line as its key; check the indentation of the lines below")
    } else if message.contains("flow") {
        Some("check the brackets: every `{` or `[` on this line needs its `}` or `]`")
    } else {
        None
    }
}

/// The first line that holds a top-level key.
fn first_key(text: &str) -> Option<Pos> {
    text.lines().enumerate().find_map(|(i, line)| {
        let first = line.chars().next()?;
        (!first.is_whitespace() && first != '#' && !line.starts_with("---"))
            .then_some(Pos::new(i + 1, 1))
    })
}

/// The line on which `key:` is first written in the block mapping whose
/// repeated key is at `at`: searched upwards, stopping where that mapping
/// began (a line indented less than the key).
fn first_occurrence(text: &str, key: &str, at: Pos) -> Option<usize> {
    let indent = at.column.checked_sub(1)?;
    let lines: Vec<&str> = text.lines().take(at.line.saturating_sub(1)).collect();
    for (index, line) in lines.iter().enumerate().rev() {
        let content = line.trim_start_matches(' ');
        if content.is_empty() || content.starts_with('#') {
            continue;
        }
        let own_indent = line.len() - content.len();
        if own_indent < indent {
            return None;
        }
        if own_indent == indent {
            if let Some(after) = content.strip_prefix(key) {
                if after.trim_start().starts_with(':') {
                    return Some(index + 1);
                }
            }
        }
    }
    None
}

/// serde-saphyr prefixes messages with "line L column C: "; the location is
/// already in the diagnostic.
fn bare_message(message: &str) -> String {
    let first_line = message.lines().next().unwrap_or(message);
    let trimmed = first_line.strip_prefix("error: ").unwrap_or(first_line);
    let message = match trimmed.split_once(": ") {
        Some((head, rest)) if head.starts_with("line ") && head.contains(" column ") => rest,
        _ => trimmed,
    };
    match message.rsplit_once(" at line ") {
        Some((head, tail)) if tail.contains(", column ") => head.to_string(),
        _ => message.to_string(),
    }
}

/// A mapping whose keys are ids, kept in file order with the position of each key.
#[derive(Debug)]
pub struct IdMap<V>(pub Vec<(Spanned<String>, Spanned<V>)>);

impl<V> Default for IdMap<V> {
    fn default() -> Self {
        IdMap(Vec::new())
    }
}

impl<'de, V: Deserialize<'de>> Deserialize<'de> for IdMap<V> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<IdMap<V>, D::Error> {
        struct IdMapVisitor<V>(PhantomData<V>);

        impl<'de, V: Deserialize<'de>> Visitor<'de> for IdMapVisitor<V> {
            type Value = IdMap<V>;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a mapping from ids to values")
            }

            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<IdMap<V>, A::Error> {
                let mut entries = Vec::new();
                while let Some(entry) = map.next_entry::<Spanned<String>, Spanned<V>>()? {
                    entries.push(entry);
                }
                // Documents are kept between loads (`load::ParseCache`):
                // no room for entries that will never come.
                entries.shrink_to_fit();
                Ok(IdMap(entries))
            }

            fn visit_unit<E: de::Error>(self) -> Result<IdMap<V>, E> {
                Ok(IdMap(Vec::new()))
            }
        }

        deserializer.deserialize_map(IdMapVisitor(PhantomData))
    }
}

/// A calendar date written `YYYY-MM-DD`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date {
    pub year: u16,
    pub month: u8,
    pub day: u8,
}

impl Date {
    pub fn parse(text: &str) -> Option<Date> {
        let mut parts = text.trim().splitn(3, '-');
        let (y, m, d) = (parts.next()?, parts.next()?, parts.next()?);
        if y.len() != 4 || m.len() != 2 || d.len() != 2 {
            return None;
        }
        let all_digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
        if !(all_digits(y) && all_digits(m) && all_digits(d)) {
            return None;
        }
        let date = Date {
            year: y.parse().ok()?,
            month: m.parse().ok()?,
            day: d.parse().ok()?,
        };
        let leap = date.year.is_multiple_of(4)
            && (!date.year.is_multiple_of(100) || date.year.is_multiple_of(400));
        let days_in_month = match date.month {
            1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
            4 | 6 | 9 | 11 => 30,
            2 if leap => 29,
            2 => 28,
            _ => return None,
        };
        (1..=days_in_month).contains(&date.day).then_some(date)
    }

    /// 2024年4月28日, as official documents write dates.
    pub fn chinese(&self) -> String {
        format!("{}年{}月{}日", self.year, self.month, self.day)
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

impl serde::Serialize for Date {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Date {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Date, D::Error> {
        let text = String::deserialize(deserializer)?;
        Date::parse(&text).ok_or_else(|| {
            de::Error::custom(format!(
                "`{text}` is not a valid date; write it as YYYY-MM-DD, e.g. 2024-04-28"
            ))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::figure::MAX_MAGNITUDE;
    use super::*;
    use proptest::prelude::*;
    use rust_decimal::Decimal;
    use std::path::PathBuf;

    #[derive(Deserialize, Debug)]
    struct Doc {
        a: Dec,
        m: IdMap<Measurement>,
    }

    fn parse_doc(text: &str) -> Result<Doc, Diagnostic> {
        parse(&PathBuf::from("t.yaml"), &Arc::from(text)).map_err(|b| b.problems[0].clone())
    }

    #[test]
    fn figures_are_exact_decimals() {
        let doc = parse_doc(
            "a: 90.1\nm:\n  x: 0.1\n  y: n/a\n  z: { value: 45.20, source: national }\n  w: 7\n",
        )
        .unwrap();
        assert_eq!(doc.a.0.to_string(), "90.1");
        let values: Vec<_> = doc
            .m
            .0
            .iter()
            .map(|(k, v)| (k.value.clone(), v.value))
            .collect();
        assert_eq!(values[0].1.value, Figure::Value("0.1".parse().unwrap()));
        assert_eq!(values[1].1.value, Figure::NotApplicable);
        assert_eq!(values[2].1.value, Figure::Value("45.2".parse().unwrap()));
        assert_eq!(values[2].1.source, Source::National);
        assert_eq!(values[3].1.value, Figure::Value(Decimal::from(7)));
        assert_eq!(pos(&doc.m.0[1].0), Pos::new(4, 3));
    }

    #[test]
    fn errors_are_located_and_plain() {
        let err = parse_doc("a: 1\na: 2\nm: {}\n").unwrap_err();
        assert_eq!(err.pos, Pos::new(2, 1));
        assert_eq!(err.message, "`a` is written twice in the same mapping");
        assert_eq!(
            err.help.as_deref(),
            Some("`a` is first written on line 1; keep one of the two entries")
        );
        let err = parse_doc("a: \"1.5\"\nm: {}\n").unwrap_err();
        assert!(err.message.contains("expected a number"), "{}", err.message);
        let err = parse_doc("a: .nan\nm: {}\n").unwrap_err();
        assert_eq!(err.pos.line, 1);
        let err = parse_doc("a: 1e300\nm: {}\n").unwrap_err();
        assert!(err.message.contains("too large"), "{}", err.message);
        let err = parse_doc("a: 1\nm: { x: { value: 1, sorce: national } }\n").unwrap_err();
        assert_eq!(err.message, "unknown key `sorce`");
        assert!(
            err.help
                .as_deref()
                .unwrap_or("")
                .starts_with("did you mean `source`?"),
            "{:?}",
            err.help
        );
    }

    #[test]
    fn key_pos_finds_the_introducing_key() {
        let text = "year: 2023\nindicators:\n  pm25: 1\n";
        assert_eq!(key_pos(text, "indicators", Pos::new(3, 3)), Pos::new(2, 1));
        let text = "x: { pm25: 1 }\nindicators: {}\n";
        assert_eq!(key_pos(text, "indicators", Pos::new(2, 13)), Pos::new(2, 1));
        assert_eq!(key_pos(text, "absent", Pos::new(2, 13)), Pos::new(2, 13));
    }

    #[test]
    fn first_occurrence_stays_in_its_mapping() {
        let text = "a:\n  x: 1\nb:\n  y: 1\n  x: 2\n  x: 3\n";
        assert_eq!(first_occurrence(text, "x", Pos::new(6, 3)), Some(5));
        assert_eq!(first_occurrence(text, "x", Pos::new(5, 3)), None);
    }

    #[test]
    fn dates_are_checked() {
        assert_eq!(
            Date::parse("2024-02-29").map(|d| d.to_string()),
            Some("2024-02-29".into())
        );
        assert_eq!(Date::parse("2023-02-29"), None);
        assert_eq!(Date::parse("2023-13-01"), None);
        assert_eq!(Date::parse("2023-1-01"), None);
        assert_eq!(
            Date::parse("2024-04-28").unwrap().chinese(),
            "2024年4月28日"
        );
    }

    #[test]
    fn figures_are_read_from_their_digits_not_a_float() {
        let value = |text: &str| {
            parse_doc(&format!(
                "a: {text}\nm: {{ x: {text}, y: {{ value: {text} }} }}\n"
            ))
            .map(|doc| {
                let all: Vec<String> = doc
                    .m
                    .0
                    .iter()
                    .map(|(_, m)| match m.value.value {
                        Figure::Value(x) => x.to_string(),
                        Figure::NotApplicable => "n/a".into(),
                    })
                    .collect();
                assert_eq!(all, vec![doc.a.0.to_string(); 2], "{text}");
                doc.a.0.to_string()
            })
            .map_err(|e| e.message)
        };
        // A float would make this 86.3.
        assert_eq!(value("86.2999999999999999").unwrap(), "86.2999999999999999");
        assert_eq!(
            value("0.1000000000000000000000000001").unwrap(),
            "0.1000000000000000000000000001"
        );
        assert_eq!(
            value("0.0000000000000000000000000001").unwrap(),
            "0.0000000000000000000000000001"
        );
        assert_eq!(value("1e-28").unwrap(), "0.0000000000000000000000000001");
        assert_eq!(value("1.5E3").unwrap(), "1500");
        assert_eq!(value("+2.50").unwrap(), "2.5");
        assert_eq!(value(".5").unwrap(), "0.5");
        assert_eq!(value("-0.0").unwrap(), "0");
        assert_eq!(
            value("999999999999.9999999999999999").unwrap(),
            "999999999999.9999999999999999"
        );
        assert_eq!(value("1.0000000000000000000000000000000000").unwrap(), "1");
        // What 28 digits cannot hold is refused, not rounded.
        for refused in [
            "0.00000000000000000000000000001",
            "1.00000000000000000000000000001",
            "1e-29",
        ] {
            let message = value(refused).unwrap_err();
            assert!(
                message.contains("more digits than a figure can hold"),
                "{refused}: {message}"
            );
        }
        for large in [
            "1e300",
            "1000000000000.5",
            "99999999999999999999999",
            "-1e13",
        ] {
            let message = value(large).unwrap_err();
            assert!(
                message.contains("too large to be a figure"),
                "{large}: {message}"
            );
        }
        assert_eq!(value("1000000000000").unwrap(), "1000000000000");
        let message = value("0x1F").unwrap_err();
        assert!(message.contains("write it in decimal digits"), "{message}");
    }

    #[test]
    fn an_alias_is_read_where_its_anchor_is_written() {
        let doc = parse_doc("a: &x 12.3456789012345678\nm: { x: *x }\n").unwrap();
        assert_eq!(doc.a.0.to_string(), "12.3456789012345678");
        assert_eq!(
            doc.m.0[0].1.value.value,
            Figure::Value("12.3456789012345678".parse().unwrap())
        );
    }

    /// The text of a decimal in one of the ways a file may write it.
    fn written(value: Decimal, style: u8) -> String {
        match style {
            0 => value.to_string(),
            1 => {
                // Scientific: mantissa digits and an exponent.
                let digits = value.mantissa().to_string();
                format!("{digits}e-{}", value.scale())
            }
            _ => format!("{value}000"),
        }
    }

    proptest! {
        #[test]
        fn decimal_text_round_trips(mantissa in -99_999_999i64..99_999_999, scale in 0u32..5) {
            let expected = Decimal::new(mantissa, scale);
            let doc = parse_doc(&format!("a: {expected}\nm: {{}}\n")).unwrap();
            prop_assert_eq!(doc.a.0, expected.normalize());
        }

        /// Any decimal of up to 28 digits within the magnitude limit, written
        /// plainly or with an exponent, is read back exactly.
        #[test]
        fn random_decimal_literals_are_read_exactly(
            digits in "[1-9][0-9]{0,27}",
            point in 0usize..29,
            negative in any::<bool>(),
            style in 0u8..3,
        ) {
            let scale = point.min(28) as u32;
            let mantissa: i128 = digits.parse().unwrap();
            let expected = Decimal::from_i128_with_scale(if negative { -mantissa } else { mantissa }, scale);
            prop_assume!(expected.abs() <= Decimal::from(MAX_MAGNITUDE));
            prop_assume!(style != 2 || expected.scale() > 0);
            let text = written(expected, style);
            let doc = parse_doc(&format!("a: {text}\nm: {{ x: {text} }}\n")).unwrap();
            prop_assert_eq!(doc.a.0, expected.normalize(), "{}", text);
            prop_assert_eq!(doc.m.0[0].1.value.value, Figure::Value(expected.normalize()));
        }
    }
}
