//! The theme: `themes/<name>/` over the built-in default theme. A theme
//! ships only what it changes (one stylesheet, one template, a palette);
//! every template and static file it leaves out comes from the default
//! compiled into the binary (`builtin`), so a province restyles without
//! forking. Templates are compiled once; a template the theme overrides is
//! the one every other template extends, imports or includes by that name.

mod builtin;
pub mod config;
mod errors;
mod filters;
mod title;

use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};

use minijinja::{Environment, Value};

use super::budget;
use super::charts::Palette;
use crate::diagnostic::{Diagnostic, Diagnostics, Pos};
use crate::load::decode;
use crate::output::OutputFile;
use crate::paths::relative_name;
pub use builtin::DEFAULT_THEME;
pub(crate) use errors::ContentTemplate;
use errors::{template_diagnostic, TemplateFiles};

/// The template only `ecoscore brief` renders. It is never inherited: the
/// briefing copy carries the internal notes, so a project prints one only
/// with a template its own theme ships.
pub const BRIEFING_TEMPLATE: &str = "briefing.html";

/// The name under which every default template can be extended or
/// imported, also by a theme that replaces it: `builtin/base.html`.
pub const BUILTIN_PREFIX: &str = "builtin/";

/// Where a static file's bytes are.
#[derive(Clone)]
enum StaticFile {
    Theme(PathBuf),
    Builtin(&'static [u8]),
}

impl StaticFile {
    fn read(&self) -> std::io::Result<Cow<'static, [u8]>> {
        match self {
            StaticFile::Theme(path) => fs::read(path).map(Cow::Owned),
            StaticFile::Builtin(bytes) => Ok(Cow::Borrowed(bytes)),
        }
    }
}

pub struct Theme {
    env: Environment<'static>,
    templates: TemplateFiles,
    /// By site path (`static/style.css`), the theme's own over the default's.
    static_files: BTreeMap<String, StaticFile>,
    palette: Palette,
}

fn sorted_files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = walkdir::WalkDir::new(dir)
        .follow_links(false)
        .sort_by_file_name()
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .filter(|e| !e.file_name().to_string_lossy().starts_with('.'))
        .map(|e| e.into_path())
        .collect();
    files.sort();
    files
}

impl Theme {
    /// Compile every template of `themes/<name>/` and the default's it
    /// inherits, and read its palette; report each problem.
    pub fn load(root: &Path, name: &str) -> Result<Theme, Diagnostics> {
        let theme_dir = root.join("themes").join(name);
        let templates_dir = theme_dir.join("templates");
        let static_dir = theme_dir.join("static");
        let mut diags = Diagnostics::new();
        let palette = config::palette(root, name).unwrap_or_else(|problems| {
            diags.extend(problems);
            Palette::DEFAULT
        });

        let mut static_files: BTreeMap<String, StaticFile> = builtin::files("static")
            .map(|(path, bytes)| (format!("static/{path}"), StaticFile::Builtin(bytes)))
            .collect();
        for path in sorted_files(&static_dir) {
            let site_path = format!("static/{}", relative_name(&static_dir, &path));
            static_files.insert(site_path, StaticFile::Theme(path));
        }

        let mut env = filters::environment();
        env.add_function("inline_static", inline_static(&static_dir, &static_files));
        let mut templates = TemplateFiles {
            dir: templates_dir,
            builtin: BTreeSet::new(),
        };
        let mut own = BTreeSet::new();
        for path in sorted_files(&templates.dir) {
            let name = relative_name(&templates.dir, &path);
            let file = path.strip_prefix(root).unwrap_or(&path).to_path_buf();
            let text = match fs::read(&path)
                .map_err(|e| e.to_string())
                .and_then(|b| decode(&file, b).map_err(|d| d.message))
            {
                Ok(text) => text,
                Err(message) => {
                    diags.push(Diagnostic::error(
                        file,
                        Pos::FILE,
                        format!("cannot read template: {message}"),
                    ));
                    continue;
                }
            };
            own.insert(name.clone());
            if let Err(error) = env.add_template_owned(name, text.to_string()) {
                diags.push(template_diagnostic(&error, &templates, root, None));
            }
        }
        // Each default template is there as `builtin/<name>` too, so a
        // theme's own template can extend the one it replaces and change a
        // block (`{% extends "builtin/base.html" %}` + `{% block footer %}`);
        // under its own name only where the theme has none.
        for (name, bytes) in builtin::files("templates") {
            if name == BRIEFING_TEMPLATE {
                continue;
            }
            let text = String::from_utf8_lossy(bytes);
            let names = [format!("{BUILTIN_PREFIX}{name}"), name.to_string()];
            // A theme's own file wins, `templates/builtin/…` included.
            for name in names.into_iter().filter(|n| !own.contains(n)) {
                templates.builtin.insert(name.clone());
                if let Err(error) = env.add_template_owned(name, text.to_string()) {
                    diags.push(template_diagnostic(&error, &templates, root, None));
                }
            }
        }
        if diags.has_errors() {
            return Err(diags.sorted());
        }
        Ok(Theme {
            env,
            templates,
            static_files,
            palette,
        })
    }

    /// Whether the theme has the template `name` (for templates only some
    /// commands need, like `briefing.html`).
    pub fn has_template(&self, name: &str) -> bool {
        self.env.get_template(name).is_ok()
    }

    /// The folder the theme's own templates are read from.
    pub fn templates_dir(&self) -> &Path {
        &self.templates.dir
    }

    /// The colours the charts are drawn with.
    pub fn palette(&self) -> &Palette {
        &self.palette
    }

    /// Render the template `name` with `ctx`, within one page's budget: a
    /// page of the site, or a whole document outside it (the briefing
    /// copy). An error is located in the template (`root` is the project's).
    pub fn render_document(
        &self,
        root: &Path,
        name: &str,
        ctx: Value,
    ) -> Result<String, Diagnostic> {
        self.env
            .get_template(name)
            .and_then(|t| budget::render(&t, ctx, budget::MAX_PAGE_BYTES))
            .map_err(|e| template_diagnostic(&e, &self.templates, root, None))
    }

    /// Compile `body`, the body of the content file `content` (the
    /// bulletin), as a template named `name`; render it with `ctx` into at
    /// most `limit` bytes. An error is located in the content file.
    pub(crate) fn render_content<'s>(
        &'s self,
        root: &Path,
        name: &'s str,
        content: ContentTemplate<'s>,
        ctx: Value,
        limit: usize,
    ) -> Result<(String, minijinja::Template<'s, 's>), Diagnostic> {
        let located =
            |e: minijinja::Error| template_diagnostic(&e, &self.templates, root, Some(content));
        let template = self
            .env
            .template_from_named_str(name, content.body)
            .map_err(located)?;
        let text = budget::render(&template, ctx, limit).map_err(located)?;
        Ok((text, template))
    }

    /// Every static file of the theme as a file of the site: its own, and
    /// the default's it does not replace.
    pub fn static_files(&self, root: &Path) -> Vec<Result<OutputFile, Diagnostic>> {
        self.static_files
            .iter()
            .map(|(path, source)| {
                source
                    .read()
                    .map(|bytes| OutputFile::new(path.clone(), bytes.into_owned()))
                    .map_err(|e| {
                        let shown = match source {
                            StaticFile::Theme(file) => file.strip_prefix(root).unwrap_or(file),
                            StaticFile::Builtin(_) => Path::new(path),
                        };
                        Diagnostic::error(shown, Pos::FILE, format!("cannot read static file: {e}"))
                    })
            })
            .collect()
    }
}

/// `inline_static("official.css")`: the text of one of the theme's static
/// files, for documents that must stand alone (the briefing copy).
fn inline_static(
    static_dir: &Path,
    static_files: &BTreeMap<String, StaticFile>,
) -> impl Fn(&str) -> Result<Value, minijinja::Error> + Send + Sync + 'static {
    let files: BTreeMap<String, StaticFile> = static_files
        .iter()
        .map(|(name, file)| (name.trim_start_matches("static/").to_string(), file.clone()))
        .collect();
    let static_dir = static_dir.to_path_buf();
    move |name: &str| {
        let file = files.get(name).ok_or_else(|| {
            minijinja::Error::new(
                minijinja::ErrorKind::InvalidOperation,
                format!(
                    "inline_static: the theme has no static file `{name}` in {}",
                    static_dir.display()
                ),
            )
        })?;
        let shown = match file {
            StaticFile::Theme(path) => path.display().to_string(),
            StaticFile::Builtin(_) => name.to_string(),
        };
        file.read()
            .and_then(|bytes| {
                String::from_utf8(bytes.into_owned()).map_err(|_| {
                    std::io::Error::new(
                        std::io::ErrorKind::InvalidData,
                        "stream did not contain valid UTF-8",
                    )
                })
            })
            .map(Value::from_safe_string)
            .map_err(|e| {
                minijinja::Error::new(
                    minijinja::ErrorKind::InvalidOperation,
                    format!("inline_static: cannot read {shown}: {e}"),
                )
            })
    }
}
