//! Reading past a problem, so one run reports every problem in a document.
//!
//! serde stops at the first error. After each one the text is patched where
//! the error is, keeping every line and column of the rest, and parsed again:
//! an unknown key is renamed to the key it is a typo of (or blanked out when
//! it is no typo), a repeated key is blanked out, a wrong value is replaced
//! by a stand-in. Errors the patches themselves cause are not reported.
//! Patching keys leaves what the document says intact, so the patched
//! document can still be validated (and its other problems reported); a
//! stand-in value would be a guess, so after one the document is not used.

use std::ops::Range;

use serde_saphyr::granit_parser::{Event, Parser};
use serde_saphyr::Error as E;

use crate::diagnostic::{byte_offset, Pos};

/// Stand-ins for a wrong value, tried in turn until one parses where it
/// stands: a number, a word, a date.
const STAND_INS: [&str; 3] = ["0", "x", "2000-01-01"];

/// How much text the parses of one document may read in all, and how many
/// parses there may be, so a file with many problems is not parsed over and
/// over (each problem takes one parse, a stand-in that does not fit one more).
const READ_BUDGET: usize = 32 * 1024 * 1024;
const MAX_PARSES: usize = 200;

/// What to do with the error just met.
#[derive(Debug, PartialEq, Eq)]
pub enum Next {
    /// Report it and parse the patched text again.
    Report,
    /// A patch caused it: parse the repatched text again without reporting it.
    Quiet,
    /// Report it and stop: the document cannot be read past it.
    Stop,
}

pub struct Recovery {
    text: String,
    /// Keys renamed to the key they are a typo of, where they are written.
    renamed: Vec<(String, Pos)>,
    /// The value replaced last: its place and the stand-in it has.
    standing_in: Option<(usize, usize)>,
    /// A value was replaced: the patched document says what the file does not.
    guessed: bool,
    read: usize,
    parses: usize,
}

impl Recovery {
    pub fn new(text: &str) -> Recovery {
        Recovery {
            text: text.to_string(),
            renamed: Vec::new(),
            standing_in: None,
            guessed: false,
            read: 0,
            parses: 0,
        }
    }

    /// The text to parse next.
    pub fn text(&mut self) -> &str {
        self.read = self.read.saturating_add(self.text.len());
        self.parses += 1;
        &self.text
    }

    /// Whether a document parsed from the patched text says what the file says.
    pub fn readable(&self) -> bool {
        !self.guessed
    }

    /// Patch the text past `error`, and say whether to report it.
    pub fn past(&mut self, error: &E) -> Next {
        if self.read >= READ_BUDGET || self.parses >= MAX_PARSES {
            return Next::Stop;
        }
        let Some(at) = error
            .location()
            .and_then(|l| usize::try_from(l.span().byte_offset()?).ok())
        else {
            return Next::Stop;
        };
        match error {
            E::SerdeUnknownField {
                field, expected, ..
            } => match super::meant(field, expected) {
                Some(key) => self.rename(at, key),
                None => self.blank_entry(at),
            },
            E::DuplicateMappingKey { key: Some(key), .. } => {
                match self.renamed.iter().position(|(name, _)| name == key) {
                    // The renamed key was there already: the typo goes.
                    Some(index) => {
                        let (_, pos) = self.renamed.remove(index);
                        match byte_offset(&self.text, pos) {
                            Some(offset) if self.blank_entry(offset) == Next::Report => Next::Quiet,
                            _ => Next::Stop,
                        }
                    }
                    None => self.blank_entry(at),
                }
            }
            E::SerdeUnknownVariant {
                variant, expected, ..
            } => match super::meant(variant, expected) {
                Some(close) => self.overwrite_value(at, close),
                None => {
                    let next = self.stand_in(at);
                    self.guessed = true;
                    next
                }
            },
            E::Message { .. }
            | E::InvalidScalar { .. }
            | E::NonFiniteFloat { .. }
            | E::SerdeInvalidValue { .. } => {
                self.guessed = true;
                self.stand_in(at)
            }
            _ => Next::Stop,
        }
    }

    fn rename(&mut self, at: usize, key: &str) -> Next {
        let Some(Node::Key { key: range, .. }) = locate(&self.text, at) else {
            return Next::Stop;
        };
        let Some(pos) = pos_of(&self.text, at) else {
            return Next::Stop;
        };
        self.renamed.push((key.to_string(), pos));
        overwrite(&mut self.text, range, key)
    }

    fn blank_entry(&mut self, at: usize) -> Next {
        let Some(Node::Key {
            mut entry, flow, ..
        }) = locate(&self.text, at)
        else {
            return Next::Stop;
        };
        // In a flow mapping the entry's comma goes with it; a trailing comma
        // (`{ a: 1, }`) is valid, a leading one is not.
        if flow {
            let rest = self.text.get(entry.end..).unwrap_or("");
            let after = rest.trim_start_matches([' ', '\t']);
            if after.starts_with(',') {
                entry.end += rest.len() - after.len() + 1;
            }
        }
        overwrite(&mut self.text, entry, "")
    }

    fn overwrite_value(&mut self, at: usize, value: &str) -> Next {
        let Some(Node::Value(range)) = locate(&self.text, at) else {
            return Next::Stop;
        };
        overwrite(&mut self.text, range, value)
    }

    /// Put the next stand-in at `at`: the first one reports the problem, a
    /// later one replaces a stand-in that did not fit.
    fn stand_in(&mut self, at: usize) -> Next {
        let (next, tried) = match self.standing_in {
            Some((place, tried)) if place == at => (Next::Quiet, tried + 1),
            _ => (Next::Report, 0),
        };
        let Some(stand_in) = STAND_INS.get(tried) else {
            return Next::Stop;
        };
        self.standing_in = Some((at, tried));
        match self.overwrite_value(at, stand_in) {
            Next::Report => next,
            other => other,
        }
    }
}

/// The node of the document that starts at a byte offset.
#[derive(Debug, PartialEq, Eq)]
enum Node {
    /// A mapping key: its text, the whole entry (key through value), and
    /// whether the mapping is written in flow style (`{ … }`).
    Key {
        key: Range<usize>,
        entry: Range<usize>,
        flow: bool,
    },
    /// A scalar value.
    Value(Range<usize>),
}

/// An open collection while reading the events.
struct Open {
    mapping: bool,
    flow: bool,
    start: usize,
    /// Nodes completed in it so far: in a mapping, keys are the even ones.
    nodes: usize,
}

/// Find the scalar that starts at `at` with the parser's events, which give
/// every node's extent; a key's entry ends where its value does.
fn locate(text: &str, at: usize) -> Option<Node> {
    let mut parser = Parser::new_from_str(text);
    let mut open: Vec<Open> = Vec::new();
    let mut key: Option<(usize, Range<usize>)> = None;
    while let Some(Ok((event, span))) = parser.next_event() {
        let (start, end) = (span.start.byte_offset()?, span.end.byte_offset()?);
        let (node, scalar) = match event {
            Event::Scalar(..) => (start..end, true),
            Event::Alias(..) => (start..end, false),
            Event::MappingStart(style, ..) | Event::SequenceStart(style, ..) => {
                open.push(Open {
                    mapping: matches!(event, Event::MappingStart(..)),
                    flow: style == serde_saphyr::granit_parser::StructureStyle::Flow,
                    start,
                    nodes: 0,
                });
                continue;
            }
            Event::MappingEnd | Event::SequenceEnd => (open.pop()?.start..end, false),
            _ => continue,
        };
        let depth = open.len();
        let Some(parent) = open.last_mut() else {
            continue;
        };
        let index = parent.nodes;
        parent.nodes += 1;
        if let Some((key_depth, range)) = &key {
            if *key_depth == depth {
                return Some(Node::Key {
                    key: range.clone(),
                    entry: range.start..node.end,
                    flow: parent.flow,
                });
            }
        } else if scalar && node.start == at {
            if parent.mapping && index % 2 == 0 {
                key = Some((depth, node));
            } else {
                return Some(Node::Value(node));
            }
        }
    }
    None
}

/// Replace `range` with `with`, keeping every line break and, where `with`
/// is no longer than what it replaces on its first line, every column.
fn overwrite(text: &mut String, range: Range<usize>, with: &str) -> Next {
    let Some(old) = text.get(range.clone()) else {
        return Next::Stop;
    };
    let first_line = old.split('\n').next().unwrap_or("").chars().count();
    let mut new = with.to_string();
    new.push_str(&" ".repeat(first_line.saturating_sub(with.chars().count())));
    for line in old.split('\n').skip(1) {
        new.push('\n');
        new.push_str(&" ".repeat(line.chars().count()));
    }
    text.replace_range(range, &new);
    Next::Report
}

fn pos_of(text: &str, offset: usize) -> Option<Pos> {
    let before = text.get(..offset)?;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    Some(Pos::new(
        before.matches('\n').count() + 1,
        before[line_start..].chars().count() + 1,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nodes_are_located_with_their_entries() {
        let text = "a: 1\nb:\n  c: [1, 2]\n  d: x\nlist:\n  - { k: v, l: w }\n";
        let at = |s: &str| text.find(s).unwrap();
        match locate(text, at("c:")) {
            Some(Node::Key { entry, flow, .. }) => {
                assert_eq!(&text[entry], "c: [1, 2]");
                assert!(!flow);
            }
            other => panic!("{other:?}"),
        }
        match locate(text, at("b:")) {
            Some(Node::Key { entry, .. }) => assert_eq!(&text[entry], "b:\n  c: [1, 2]\n  d: x\n"),
            other => panic!("{other:?}"),
        }
        match locate(text, at("k:")) {
            Some(Node::Key { entry, flow, .. }) => {
                assert_eq!(&text[entry], "k: v");
                assert!(flow);
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(
            locate(text, at("w }")),
            Some(Node::Value(at("w }")..at("w }") + 1))
        );
    }

    #[test]
    fn patches_keep_lines_and_columns() {
        let mut text = "- { k: 长春市, l: w }\nnext: 1\n".to_string();
        let mut recovery = Recovery::new(&text);
        assert_eq!(recovery.blank_entry(4), Next::Report);
        // The entry and its comma are gone; `l` keeps its (character) column.
        assert_eq!(recovery.text, "- {         l: w }\nnext: 1\n");
        let column = |t: &str| t[..t.find("l:").unwrap()].chars().count();
        assert_eq!(column(&recovery.text), column(&text));
        assert_eq!(overwrite(&mut text, 0..1, ""), Next::Report);
        assert_eq!(text, "  { k: 长春市, l: w }\nnext: 1\n");
        let mut text = "a: \"one\n  two\"\nb: 1\n".to_string();
        assert_eq!(overwrite(&mut text, 3..14, "0"), Next::Report);
        assert_eq!(overwrite(&mut text.clone(), 100..101, "0"), Next::Stop);
        assert_eq!(text, "a: 0   \n      \nb: 1\n");
    }
}
