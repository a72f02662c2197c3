//! Markdown refused for nesting too deep (`markdown::TooDeep`), located in
//! the file the user edits: a narrative or page at its own line, a
//! bulletin at the template text or expression that wrote the spot.

use std::fs;
use std::path::Path;
use std::sync::Arc;

use minijinja::{OutputSpanKind, Template, Value};

use super::markdown::{self, TooDeep};
use crate::diagnostic::{Diagnostic, Pos};
use crate::load::decode;
use crate::model::Bulletin;

/// The text of a project file, for a diagnostic's excerpt.
fn read_source(root: &Path, file: &Path) -> Option<Arc<str>> {
    fs::read(root.join(file))
        .ok()
        .and_then(|bytes| decode(file, bytes).ok())
}

fn diagnostic(root: &Path, file: &Path, at: Pos, deep: &TooDeep) -> Diagnostic {
    let diagnostic = Diagnostic::error(file, at, deep.message()).with_help(deep.help());
    match read_source(root, file) {
        Some(text) => diagnostic.with_source(text),
        None => diagnostic,
    }
}

/// A narrative or content page as HTML. `file`'s text ends with `markdown`
/// (after any front matter), which gives the line the body starts on.
pub fn to_html(root: &Path, file: &Path, markdown: &str) -> Result<String, Diagnostic> {
    markdown::to_html(markdown).map_err(|deep| {
        let body_line = read_source(root, file)
            .filter(|t| t.ends_with(markdown))
            .map_or(1, |t| {
                t[..t.len() - markdown.len()].matches('\n').count() + 1
            });
        let at = Pos::new(body_line + deep.line - 1, deep.column);
        diagnostic(root, file, at, &deep)
    })
}

/// The diagnostic for the Markdown a bulletin's template wrote: rendered
/// again with the spans of the source behind each piece of output.
pub fn bulletin_too_deep(
    root: &Path,
    bulletin: &Bulletin,
    template: &Template<'_, '_>,
    ctx: Value,
    markdown: &str,
    deep: &TooDeep,
) -> Diagnostic {
    let spans = template
        .render_with_spans(ctx)
        .map(|(_, spans)| spans)
        .unwrap_or_default();
    let offset = byte_offset(markdown, deep.line, deep.column);
    let source = spans
        .iter()
        .find(|s| s.name() == template.name() && s.output_range().contains(&offset))
        .map_or(0, |s| match s.kind() {
            // Template text is copied as it is: the same offset within it.
            OutputSpanKind::Raw => s.source_range().start + (offset - s.output_range().start),
            _ => s.source_range().start,
        });
    let body = &bulletin.body;
    let before = &body[..floor_char_boundary(body, source)];
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let at = Pos::new(
        bulletin.body_line + before.matches('\n').count(),
        before[line_start..].chars().count() + 1,
    );
    diagnostic(root, &bulletin.file, at, deep)
}

/// The byte offset of 1-based `line` and `column` (in characters) in `text`.
fn byte_offset(text: &str, line: usize, column: usize) -> usize {
    let start: usize = text
        .split_inclusive('\n')
        .take(line.saturating_sub(1))
        .map(str::len)
        .sum();
    text[start..]
        .char_indices()
        .nth(column.saturating_sub(1))
        .map_or(text.len(), |(i, _)| start + i)
}

/// The largest char boundary of `text` at or before `at`.
fn floor_char_boundary(text: &str, at: usize) -> usize {
    (0..=at.min(text.len()))
        .rev()
        .find(|&i| text.is_char_boundary(i))
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets_count_characters_and_stay_on_boundaries() {
        let text = "一二\n三四五\n";
        assert_eq!(byte_offset(text, 2, 2), "一二\n三".len());
        assert_eq!(byte_offset(text, 9, 1), text.len());
        assert_eq!(floor_char_boundary(text, 1), 0);
        assert_eq!(floor_char_boundary(text, 100), text.len());
    }
}
