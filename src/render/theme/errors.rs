//! Template errors as diagnostics, located in the file the user edits: the
//! theme's template, the content file whose body is a template (the
//! bulletin), or, for a template the theme inherits, the built-in default's.

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::super::budget;
use crate::diagnostic::{suggest, Diagnostic, Pos};
use crate::load::decode;

/// Where the templates of a theme come from: its own folder, or for the
/// names in `builtin`, the built-in default theme.
pub(super) struct TemplateFiles {
    /// `themes/<name>/templates`, under the project root.
    pub dir: PathBuf,
    pub builtin: BTreeSet<String>,
}

/// How a diagnostic names a template of the built-in default theme, which
/// has no file in the project.
pub const BUILTIN_TEMPLATES: &str = "<built-in default theme>/templates";

impl TemplateFiles {
    /// The file a diagnostic names for template `name`, and its text.
    fn locate(&self, root: &Path, name: Option<&str>) -> (PathBuf, Option<Arc<str>>) {
        let relative = self.dir.strip_prefix(root).unwrap_or(&self.dir);
        let Some(name) = name else {
            return (relative.to_path_buf(), None);
        };
        if self.builtin.contains(name) {
            let name = name.strip_prefix(super::BUILTIN_PREFIX).unwrap_or(name);
            let text = super::builtin::template(name)
                .map(|text| Arc::from(String::from_utf8_lossy(text).as_ref()));
            return (Path::new(BUILTIN_TEMPLATES).join(name), text);
        }
        let file = relative.join(name);
        let text = fs::read(root.join(&file))
            .ok()
            .and_then(|bytes| decode(&file, bytes).ok());
        (file, text)
    }
}

/// The variables a bulletin's body can use (docs/data-format.md).
const BULLETIN_VARIABLES: [&str; 6] = [
    "year",
    "units",
    "by_grade",
    "grade_counts",
    "grades",
    "bulletin",
];

/// A template's body: the content file whose body is itself a template, with
/// the line its body starts on and the body text.
#[derive(Clone, Copy)]
pub(crate) struct ContentTemplate<'a> {
    pub file: &'a Path,
    pub body_line: usize,
    pub body: &'a str,
}

/// A template error as a diagnostic, at the line and column of the failing
/// expression: in the theme's template file, or in the content file whose
/// body is itself a template.
pub(super) fn template_diagnostic(
    error: &minijinja::Error,
    templates: &TemplateFiles,
    root: &Path,
    content: Option<ContentTemplate<'_>>,
) -> Diagnostic {
    let mut message = error.kind().to_string();
    if let Some(detail) = error.detail() {
        message = format!("{message}: {detail}");
    }
    let inherited = error
        .name()
        .filter(|name| content.is_none() && templates.builtin.contains(*name));
    let (file, text) = match &content {
        Some(c) => {
            let text = fs::read(root.join(c.file))
                .ok()
                .and_then(|bytes| decode(c.file, bytes).ok());
            (c.file.to_path_buf(), text)
        }
        None => templates.locate(root, error.name()),
    };
    let (source, first_line) = match (&content, &text) {
        (Some(c), _) => (Some(c.body), c.body_line),
        (None, Some(text)) => (Some(&**text), 1),
        (None, None) => (None, 1),
    };
    let at = match (source, error.range(), error.line()) {
        (Some(source), Some(range), _)
            if range.start <= source.len() && source.is_char_boundary(range.start) =>
        {
            let before = &source[..range.start];
            let line_start = before.rfind('\n').map_or(0, |i| i + 1);
            Pos::new(
                first_line + before.matches('\n').count(),
                before[line_start..].chars().count() + 1,
            )
        }
        (_, _, Some(line)) => Pos::new(first_line + line - 1, 1),
        _ => Pos::FILE,
    };
    let mut diagnostic = Diagnostic::error(file, at, message);
    if let Some(text) = text {
        diagnostic = diagnostic.with_source(text);
    }
    if error.kind() == minijinja::ErrorKind::OutOfFuel {
        diagnostic.message = format!(
            "this template does more work than one page may: it used up its budget of {} million steps here",
            budget::FUEL / 1_000_000
        );
        diagnostic = diagnostic.with_help(
            "a page may run about that many template instructions (or create 64 times as many bytes); look for a loop inside a loop, a long range() or a repeated string (docs/templates.md, Limits)",
        );
    } else if let Some(detail) = error.detail().filter(|d| d.starts_with(budget::TOO_LARGE)) {
        diagnostic.message = format!("{detail} here");
        diagnostic = diagnostic.with_help(format!(
            "a page may be at most {} MiB, the Markdown a bulletin's template writes {} MiB; print less, or fewer times (docs/templates.md, Limits)",
            budget::MAX_PAGE_BYTES / 1024 / 1024,
            budget::MAX_MARKDOWN_BYTES / 1024 / 1024
        ));
    } else if error.kind() == minijinja::ErrorKind::UndefinedError {
        let help = match &content {
            Some(_) => bulletin_help(error),
            None => "templates see only the variables documented in docs/templates.md; check the spelling".to_string(),
        };
        diagnostic = diagnostic.with_help(help);
    }
    if let Some(name) = inherited {
        // The built-in template is not wrong by itself: what it uses from
        // the theme (a block, a macro, a variable) is.
        let why = match name.strip_prefix(super::BUILTIN_PREFIX) {
            Some(name) => format!("this is the built-in default's {name}, which the theme extends"),
            None => format!(
                "{} has no {name}, so the built-in default's is used",
                templates
                    .dir
                    .strip_prefix(root)
                    .unwrap_or(&templates.dir)
                    .display()
            ),
        };
        let note = format!(
            "{why}; look at what it takes from the theme's own templates (base.html, macros.html), or copy it into the theme to change it (docs/templates.md, Themes)"
        );
        diagnostic.help = Some(match diagnostic.help.take() {
            Some(help) => format!("{help}; {note}"),
            None => note,
        });
    }
    diagnostic
}

/// Fields of the bulletin's variables that have fixed names.
fn bulletin_fields(variable: &str) -> &'static [&'static str] {
    match variable {
        "by_grade" | "grade_counts" => &["excellent", "good", "pass", "fail"],
        "bulletin" => &["title", "doc_number", "issuer", "date", "date_cn"],
        _ => &[],
    }
}

/// What a bulletin may use instead of the undefined expression minijinja
/// reports as "`grade_counts.excelent` is undefined".
fn bulletin_help(error: &minijinja::Error) -> String {
    let known = BULLETIN_VARIABLES.join(", ");
    let generic =
        format!("a bulletin can use {known}; their fields are listed in docs/data-format.md");
    let Some(expression) = error.detail().and_then(|detail| {
        let start = detail.find('`')? + 1;
        Some(&detail[start..start + detail[start..].find('`')?])
    }) else {
        return generic;
    };
    let mut names = expression.split('.');
    let root = names.next().unwrap_or("");
    if BULLETIN_VARIABLES.contains(&root) {
        let fields = bulletin_fields(root);
        let field = names.next().unwrap_or("");
        return match suggest(field, fields.iter().copied()) {
            Some(close) => format!("did you mean `{root}.{close}`?"),
            None if fields.is_empty() => generic,
            None => format!("`{root}` has the fields {}", fields.join(", ")),
        };
    }
    match suggest(root, BULLETIN_VARIABLES) {
        Some(close) => {
            format!("did you mean `{close}`? A bulletin can use {known} (docs/data-format.md)")
        }
        None => generic,
    }
}
