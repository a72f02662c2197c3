//! The input that produces a year's pages, read from the project as the
//! loader sees it: what an archive freezes, and what a build compares with
//! each archived year's input to warn of drift.

use std::fs;
use std::io;
use std::path::Path;

use super::Tree;
use crate::diagnostic::{Diagnostic, Diagnostics, Pos};
use crate::model::Project;

/// The input files under `root/dir`, as the loader sees them: hidden names skipped.
fn read_input_dir(root: &Path, dir: &str, into: &mut Tree, diags: &mut Diagnostics) {
    let walk = walkdir::WalkDir::new(root.join(dir))
        .follow_links(false)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| e.depth() == 0 || !e.file_name().to_string_lossy().starts_with('.'));
    for entry in walk {
        let entry = match entry {
            Ok(entry) => entry,
            Err(e) if e.io_error().map(io::Error::kind) == Some(io::ErrorKind::NotFound) => return,
            Err(e) => {
                diags.push(Diagnostic::error(
                    dir,
                    Pos::FILE,
                    format!("cannot read this folder: {e}"),
                ));
                return;
            }
        };
        if entry.file_type().is_dir() {
            continue;
        }
        let Ok(relative) = entry.path().strip_prefix(root) else {
            continue;
        };
        let path = relative
            .components()
            .map(|c| c.as_os_str().to_string_lossy().into_owned())
            .collect::<Vec<_>>()
            .join("/");
        read_input_file(root, &path, into, diags);
    }
}

fn read_input_file(root: &Path, path: &str, into: &mut Tree, diags: &mut Diagnostics) {
    if path.contains(['\n', '\r', '\\']) {
        diags.push(
            Diagnostic::error(
                path,
                Pos::FILE,
                "this file name cannot be listed in a sha256sum manifest",
            )
            .with_help("rename it without line breaks or backslashes"),
        );
        return;
    }
    match fs::read(root.join(path)) {
        Ok(bytes) => {
            into.insert(path.to_string(), bytes);
        }
        Err(e) => diags.push(Diagnostic::error(
            path,
            Pos::FILE,
            format!("cannot read this file: {e}"),
        )),
    }
}

/// The input that produces `year`'s pages, read from the project at `root`:
/// site-level files, every published year up to `year`, the pages and the theme.
pub fn collect_input(root: &Path, project: &Project, year: u16) -> Result<Tree, Diagnostics> {
    let mut tree = Tree::new();
    let mut diags = Diagnostics::new();
    for file in ["site.yaml", "data/regions.yaml", "data/indicators.yaml"] {
        read_input_file(root, file, &mut tree, &mut diags);
    }
    for y in project.years.values() {
        if y.is_published() && y.year <= year {
            read_input_dir(root, &format!("data/{}", y.year), &mut tree, &mut diags);
            read_input_dir(root, &format!("content/{}", y.year), &mut tree, &mut diags);
        }
    }
    read_input_dir(root, "content/pages", &mut tree, &mut diags);
    read_input_dir(
        root,
        &format!("themes/{}", project.site.theme),
        &mut tree,
        &mut diags,
    );
    if diags.has_errors() {
        return Err(diags.sorted());
    }
    Ok(tree)
}
