//! Where a private output may go: never inside the public output folder (or
//! any built site) and never inside the project's input folders.
//!
//! Paths are resolved before they are compared: the longest existing prefix
//! is canonicalised (symbolic links followed), the rest applied lexically,
//! so neither a link nor `..` can smuggle the output into a refused folder.

use std::ffi::OsString;
use std::fs;
use std::io;
use std::path::{Component, Path, PathBuf};

use crate::diagnostic::{Diagnostic, Pos};

/// Folders of a project that hold its input: nothing generated belongs there.
const INPUT_FOLDERS: [&str; 4] = ["data", "content", "themes", "archive"];

/// `out`, resolved, if `what` (e.g. "the forms") may be written there; else
/// the refusal, naming the folder it falls in.
pub fn private_output_dir(root: &Path, out: &Path, what: &str) -> Result<PathBuf, Diagnostic> {
    let refuse =
        |message: String, help: String| Diagnostic::error(out, Pos::FILE, message).with_help(help);
    let resolved = resolve(out).map_err(|e| {
        refuse(
            format!("cannot resolve the folder for {what}: {e}"),
            "pass a folder that exists or can be created, outside the project's public/, data/, content/, themes/ and archive/".into(),
        )
    })?;
    let elsewhere = format!(
        "{what} are private: write them outside public/ and the project's input folders (data/, content/, themes/, archive/), e.g. with the default --out"
    );
    let public = resolve(&root.join("public")).ok();
    if public.is_some_and(|p| resolved.starts_with(p)) {
        return Err(refuse(
            format!("refusing to write {what} into the public output folder public/"),
            elsewhere,
        ));
    }
    if let Some(site) = resolved
        .ancestors()
        .find(|dir| dir.join("sitemap.xml").is_file() && dir.join("feed.xml").is_file())
    {
        return Err(refuse(
            format!(
                "refusing to write {what} into the built site {}",
                site.display()
            ),
            elsewhere,
        ));
    }
    for folder in INPUT_FOLDERS {
        let input = resolve(&root.join(folder)).ok();
        if input.is_some_and(|input| resolved.starts_with(input)) {
            return Err(refuse(
                format!("refusing to write {what} into the project's input folder {folder}/"),
                elsewhere,
            ));
        }
    }
    Ok(resolved)
}

/// An absolute path with every existing part canonicalised and the parts
/// that do not exist yet appended lexically.
fn resolve(path: &Path) -> io::Result<PathBuf> {
    let absolute = std::path::absolute(path)?;
    let mut current = PathBuf::new();
    // Parts below `current` that do not exist (yet).
    let mut pending: Vec<OsString> = Vec::new();
    for component in absolute.components() {
        match component {
            Component::Prefix(_) | Component::RootDir => {
                current.push(component.as_os_str());
                current = fs::canonicalize(&current)?;
            }
            Component::CurDir => {}
            Component::ParentDir => {
                if pending.pop().is_none() {
                    current.pop();
                }
            }
            Component::Normal(name) => {
                let candidate = current.join(name);
                if pending.is_empty() && fs::symlink_metadata(&candidate).is_ok() {
                    // Follows links; a dangling link or a loop is an error.
                    current = fs::canonicalize(&candidate)?;
                } else {
                    pending.push(name.to_os_string());
                }
            }
        }
    }
    current.extend(pending);
    Ok(current)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_public_and_input_folders() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        fs::create_dir_all(root.join("data/2023")).unwrap();
        fs::create_dir_all(root.join("public")).unwrap();
        for bad in [
            "public",
            "public/forms",
            "data",
            "data/2023/x",
            "content/f",
            "themes",
            "archive/2021",
        ] {
            let error = private_output_dir(root, &root.join(bad), "the forms").unwrap_err();
            assert!(
                error.message.starts_with("refusing"),
                "{bad}: {}",
                error.message
            );
        }
        for good in ["forms", "forms/new/deeper", "datasets", "public-forms"] {
            assert!(
                private_output_dir(root, &root.join(good), "the forms").is_ok(),
                "{good}"
            );
        }
    }

    #[test]
    fn resolves_dot_dot_and_links_before_comparing() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        fs::create_dir_all(root.join("public")).unwrap();
        fs::create_dir_all(root.join("forms")).unwrap();
        let sneaky = root.join("forms/../public/x");
        assert!(private_output_dir(root, &sneaky, "the forms").is_err());
        let sneaky = root.join("forms/not-yet/../../data");
        assert!(private_output_dir(root, &sneaky, "the forms").is_err());
        #[cfg(unix)]
        {
            std::os::unix::fs::symlink(root.join("public"), root.join("link")).unwrap();
            assert!(private_output_dir(root, &root.join("link/forms"), "the forms").is_err());
            std::os::unix::fs::symlink(root.join("missing"), root.join("dangling")).unwrap();
            let error =
                private_output_dir(root, &root.join("dangling/x"), "the forms").unwrap_err();
            assert!(
                error.message.starts_with("cannot resolve"),
                "{}",
                error.message
            );
        }
    }

    #[test]
    fn refuses_a_built_site_anywhere() {
        let dir = tempfile::tempdir().unwrap();
        let site = dir.path().join("elsewhere/site");
        fs::create_dir_all(&site).unwrap();
        fs::write(site.join("sitemap.xml"), "").unwrap();
        fs::write(site.join("feed.xml"), "").unwrap();
        let project = dir.path().join("project");
        fs::create_dir_all(&project).unwrap();
        let error = private_output_dir(&project, &site.join("forms"), "the forms").unwrap_err();
        assert!(error.message.contains("built site"), "{}", error.message);
    }
}
