//! The shape of the code: data flows one way. Every `crate::` path in a source
//! file is an edge from that file to the file defining the module; a cycle of
//! such edges is allowed only among the files of one module folder (never
//! among the top-level files of `src/`, each of which is a stage).

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};

/// Source file → the module path it defines (`src/render/mod.rs` → `render`).
fn modules(src: &Path) -> BTreeMap<String, PathBuf> {
    let mut found = BTreeMap::new();
    for entry in walkdir::WalkDir::new(src).sort_by_file_name() {
        let entry = entry.expect("walk src/");
        let path = entry.path();
        if path.extension().is_none_or(|e| e != "rs") {
            continue;
        }
        let relative = path.strip_prefix(src).expect("under src/");
        let mut parts: Vec<String> = relative
            .with_extension("")
            .components()
            .map(|c| c.as_os_str().to_string_lossy().into_owned())
            .collect();
        if parts
            .last()
            .is_some_and(|p| p == "mod" || p == "lib" || p == "main")
        {
            parts.pop();
        }
        found.insert(parts.join("::"), path.to_path_buf());
    }
    found
}

/// The file a `crate::a::b::c` path lands in: the longest module prefix.
fn target<'m>(modules: &'m BTreeMap<String, PathBuf>, path: &str) -> Option<&'m PathBuf> {
    let parts: Vec<&str> = path.split("::").collect();
    (1..=parts.len())
        .rev()
        .find_map(|n| modules.get(&parts[..n].join("::")))
}

/// Every `crate::lower::case::path` in `text` (type names stop the path).
fn crate_paths(text: &str) -> Vec<String> {
    let mut paths = Vec::new();
    let mut rest = text;
    while let Some(at) = rest.find("crate::") {
        let tail = &rest[at + "crate::".len()..];
        let mut path = String::new();
        for segment in tail.split("::") {
            let name: String = segment
                .chars()
                .take_while(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == '_')
                .collect();
            if name.is_empty() {
                break;
            }
            if !path.is_empty() {
                path.push_str("::");
            }
            path.push_str(&name);
            if name.len() != segment.len() {
                break;
            }
        }
        if !path.is_empty() {
            paths.push(path);
        }
        rest = tail;
    }
    paths
}

/// `use crate::{a, b::c}` lists too: expanded into `a` and `b::c`.
fn grouped_paths(text: &str) -> Vec<String> {
    let mut paths = Vec::new();
    for (at, _) in text.match_indices("crate::{") {
        let group = &text[at + "crate::".len()..];
        expand_group("", braced(group), &mut paths);
    }
    paths
}

/// The text inside the braces `text` starts with.
fn braced(text: &str) -> &str {
    let mut depth = 0;
    for (i, c) in text.char_indices() {
        match c {
            '{' => depth += 1,
            '}' => {
                depth -= 1;
                if depth == 0 {
                    return &text[1..i];
                }
            }
            _ => {}
        }
    }
    &text[1.min(text.len())..]
}

fn expand_group(prefix: &str, inner: &str, into: &mut Vec<String>) {
    let mut depth = 0;
    let mut item_start = 0;
    let mut items = Vec::new();
    for (i, c) in inner.char_indices() {
        match c {
            '{' => depth += 1,
            '}' => depth -= 1,
            ',' if depth == 0 => {
                items.push(&inner[item_start..i]);
                item_start = i + 1;
            }
            _ => {}
        }
    }
    items.push(&inner[item_start..]);
    for item in items.into_iter().map(str::trim).filter(|i| !i.is_empty()) {
        if let Some(open) = item.find('{') {
            let head = join(prefix, item[..open].trim_end_matches("::"));
            expand_group(&head, braced(&item[open..]), into);
        } else {
            let path = join(prefix, item);
            into.extend(crate_paths(&format!("crate::{path}")));
        }
    }
}

fn join(prefix: &str, rest: &str) -> String {
    match (prefix.is_empty(), rest.is_empty()) {
        (true, _) => rest.to_string(),
        (_, true) => prefix.to_string(),
        _ => format!("{prefix}::{rest}"),
    }
}

/// `super::x` paths, spelt out from the file's own module path.
fn super_paths(modules: &BTreeMap<String, PathBuf>, file: &Path, text: &str) -> Vec<String> {
    let Some(own) = modules
        .iter()
        .find(|(_, f)| f.as_path() == file)
        .map(|(m, _)| m)
    else {
        return Vec::new();
    };
    let parent = own.rsplit_once("::").map_or("", |(p, _)| p);
    let as_crate = text.replace(
        "super::",
        &format!(
            "crate::{parent}{}",
            if parent.is_empty() { "" } else { "::" }
        ),
    );
    crate_paths(&as_crate.replace("crate::crate::", "crate::"))
}

#[test]
fn no_import_cycle_between_files_of_different_folders() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let modules = modules(&src);
    let mut edges: BTreeMap<&PathBuf, BTreeSet<&PathBuf>> = BTreeMap::new();
    for file in modules.values() {
        let text = fs::read_to_string(file).expect("read source");
        // Tests may reach anywhere; only the code proper has a direction.
        let code = text.split("#[cfg(test)]").next().unwrap_or_default();
        // Comments name modules without importing them.
        let code: String = code
            .lines()
            .map(|line| line.split("//").next().unwrap_or_default())
            .collect::<Vec<_>>()
            .join("\n");
        let code = code.as_str();
        let mut paths = crate_paths(code);
        paths.extend(grouped_paths(code));
        paths.extend(super_paths(&modules, file, code));
        for path in paths {
            if let Some(to) = target(&modules, &path) {
                if to != file {
                    edges.entry(file).or_default().insert(to);
                }
            }
        }
    }
    let mut cycles = Vec::new();
    for (from, tos) in &edges {
        for to in tos {
            // Files of one module folder may lean on each other; the crate's
            // top-level files are each a stage of their own.
            if from.parent() == to.parent() && from.parent() != Some(src.as_path()) {
                continue;
            }
            // A path back from `to` to `from` closes a cycle.
            let mut seen = BTreeSet::new();
            let mut stack = vec![*to];
            while let Some(at) = stack.pop() {
                if at == *from {
                    let name = |p: &Path| p.strip_prefix(&src).unwrap_or(p).display().to_string();
                    cycles.push(format!("src/{} → src/{} → … → back", name(from), name(to)));
                    break;
                }
                if seen.insert(at) {
                    stack.extend(edges.get(at).into_iter().flatten().copied());
                }
            }
        }
    }
    assert!(
        cycles.is_empty(),
        "imports that run both ways between folders:\n{}",
        cycles.join("\n")
    );
}

#[test]
fn the_import_reader_sees_grouped_and_nested_paths() {
    let text = "use crate::{archive::Tree, render::{view::X, markdown}};\nlet a = crate::score::round2(x);";
    let mut all = crate_paths(text);
    all.extend(grouped_paths(text));
    for want in [
        "archive",
        "render::view",
        "render::markdown",
        "score::round2",
    ] {
        assert!(all.iter().any(|p| p == want), "{want} not in {all:?}");
    }
}
