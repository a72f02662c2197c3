//! `ecoscore init`: a new, working project from a starter embedded in the binary.
//!
//! The starter is three units of the sample for one year: the indicator
//! catalogue, the year's rules and the three units' results are the
//! repository's own sample files, the theme is `themes/default` byte for byte
//! (a test keeps the list complete), and the files that had to be cut down for
//! three units live in `src/init/template/`.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

/// Every file of the starter project: relative path and contents.
pub const STARTER: &[(&str, &[u8])] = &[
    (".gitignore", include_bytes!("init/template/gitignore")),
    ("site.yaml", include_bytes!("init/template/site.yaml")),
    (
        "data/regions.yaml",
        include_bytes!("init/template/data/regions.yaml"),
    ),
    (
        "data/indicators.yaml",
        include_bytes!("../data/indicators.yaml"),
    ),
    (
        "data/2024/rules.yaml",
        include_bytes!("../data/2024/rules.yaml"),
    ),
    (
        "data/2024/targets.yaml",
        include_bytes!("init/template/data/2024/targets.yaml"),
    ),
    (
        "data/2024/results/changchun.yaml",
        include_bytes!("../data/2024/results/changchun.yaml"),
    ),
    (
        "data/2024/results/jilin.yaml",
        include_bytes!("../data/2024/results/jilin.yaml"),
    ),
    (
        "data/2024/results/changbaishan.yaml",
        include_bytes!("../data/2024/results/changbaishan.yaml"),
    ),
    (
        "content/2024/bulletin.md",
        include_bytes!("init/template/content/2024/bulletin.md"),
    ),
    (
        "content/pages/about.md",
        include_bytes!("init/template/content/pages/about.md"),
    ),
];

/// The default theme, as `themes/default/<path>` in the repository.
pub const DEFAULT_THEME: &[(&str, &[u8])] = &[
    (
        "static/access.js",
        include_bytes!("../themes/default/static/access.js"),
    ),
    (
        "static/official.css",
        include_bytes!("../themes/default/static/official.css"),
    ),
    (
        "static/search.js",
        include_bytes!("../themes/default/static/search.js"),
    ),
    (
        "static/style.css",
        include_bytes!("../themes/default/static/style.css"),
    ),
    (
        "templates/404.html",
        include_bytes!("../themes/default/templates/404.html"),
    ),
    (
        "templates/archive.html",
        include_bytes!("../themes/default/templates/archive.html"),
    ),
    (
        "templates/base.html",
        include_bytes!("../themes/default/templates/base.html"),
    ),
    (
        "templates/briefing.html",
        include_bytes!("../themes/default/templates/briefing.html"),
    ),
    (
        "templates/bulletin.html",
        include_bytes!("../themes/default/templates/bulletin.html"),
    ),
    (
        "templates/feed.xml",
        include_bytes!("../themes/default/templates/feed.xml"),
    ),
    (
        "templates/index.html",
        include_bytes!("../themes/default/templates/index.html"),
    ),
    (
        "templates/letter.html",
        include_bytes!("../themes/default/templates/letter.html"),
    ),
    (
        "templates/macros.html",
        include_bytes!("../themes/default/templates/macros.html"),
    ),
    (
        "templates/method.html",
        include_bytes!("../themes/default/templates/method.html"),
    ),
    (
        "templates/official.html",
        include_bytes!("../themes/default/templates/official.html"),
    ),
    (
        "templates/page.html",
        include_bytes!("../themes/default/templates/page.html"),
    ),
    (
        "templates/region.html",
        include_bytes!("../themes/default/templates/region.html"),
    ),
    (
        "templates/report.html",
        include_bytes!("../themes/default/templates/report.html"),
    ),
    (
        "templates/scorecard.html",
        include_bytes!("../themes/default/templates/scorecard.html"),
    ),
    (
        "templates/search.html",
        include_bytes!("../themes/default/templates/search.html"),
    ),
    (
        "templates/sitemap.xml",
        include_bytes!("../themes/default/templates/sitemap.xml"),
    ),
    (
        "templates/year.html",
        include_bytes!("../themes/default/templates/year.html"),
    ),
];

#[derive(Debug, thiserror::Error)]
pub enum InitError {
    #[error("{} is not empty", .0.display())]
    NotEmpty(PathBuf),
    #[error("{} exists and is not a folder", .0.display())]
    NotAFolder(PathBuf),
    #[error("cannot write {}: {source}", .path.display())]
    Write { path: PathBuf, source: io::Error },
}

/// Every file `init` writes, by `/`-separated path relative to the project.
pub fn files() -> impl Iterator<Item = (String, &'static [u8])> {
    STARTER
        .iter()
        .map(|(path, bytes)| (path.to_string(), *bytes))
        .chain(
            DEFAULT_THEME
                .iter()
                .map(|(path, bytes)| (format!("themes/default/{path}"), *bytes)),
        )
}

/// Write the starter project into `dir` (created if missing). A folder that
/// already holds anything is refused unless `force`, which overwrites the
/// starter's files and leaves every other file alone. Returns the files written.
pub fn init(dir: &Path, force: bool) -> Result<Vec<PathBuf>, InitError> {
    let write_error = |path: &Path, source: io::Error| InitError::Write {
        path: path.to_path_buf(),
        source,
    };
    if dir.exists() {
        if !dir.is_dir() {
            return Err(InitError::NotAFolder(dir.to_path_buf()));
        }
        let mut entries = fs::read_dir(dir).map_err(|e| write_error(dir, e))?;
        if entries.next().is_some() && !force {
            return Err(InitError::NotEmpty(dir.to_path_buf()));
        }
    }
    let mut written = Vec::new();
    for (relative, bytes) in files() {
        let path = dir.join(&relative);
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent).map_err(|e| write_error(parent, e))?;
        }
        fs::write(&path, bytes).map_err(|e| write_error(&path, e))?;
        written.push(PathBuf::from(relative));
    }
    Ok(written)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    /// Every file under `dir` by `/`-separated relative path.
    fn tree(dir: &Path) -> BTreeMap<String, Vec<u8>> {
        walkdir::WalkDir::new(dir)
            .sort_by_file_name()
            .into_iter()
            .map(|e| e.unwrap())
            .filter(|e| e.file_type().is_file())
            .map(|e| {
                let relative = e
                    .path()
                    .strip_prefix(dir)
                    .unwrap()
                    .components()
                    .map(|c| c.as_os_str().to_string_lossy().into_owned())
                    .collect::<Vec<_>>()
                    .join("/");
                (relative, fs::read(e.path()).unwrap())
            })
            .collect()
    }

    #[test]
    fn embedded_theme_is_the_repositorys_default_theme() {
        let on_disk = tree(&Path::new(env!("CARGO_MANIFEST_DIR")).join("themes/default"));
        let embedded: BTreeMap<String, Vec<u8>> = DEFAULT_THEME
            .iter()
            .map(|(p, b)| (p.to_string(), b.to_vec()))
            .collect();
        let on_disk_names: Vec<&String> = on_disk.keys().collect();
        let embedded_names: Vec<&String> = embedded.keys().collect();
        assert_eq!(
            embedded_names, on_disk_names,
            "src/init.rs DEFAULT_THEME must list every file of themes/default"
        );
        assert!(
            embedded == on_disk,
            "embedded theme differs from themes/default"
        );
    }

    #[test]
    fn refuses_a_folder_with_files_unless_forced() {
        let dir = tempfile::tempdir().unwrap();
        fs::write(dir.path().join("notes.txt"), "mine").unwrap();
        assert!(matches!(
            init(dir.path(), false),
            Err(InitError::NotEmpty(_))
        ));
        assert!(!dir.path().join("site.yaml").exists(), "nothing written");
        let written = init(dir.path(), true).unwrap();
        assert_eq!(written.len(), STARTER.len() + DEFAULT_THEME.len());
        assert_eq!(
            fs::read_to_string(dir.path().join("notes.txt")).unwrap(),
            "mine"
        );
        assert!(dir
            .path()
            .join("themes/default/templates/base.html")
            .is_file());
    }

    #[test]
    fn refuses_a_file() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("x");
        fs::write(&file, "").unwrap();
        assert!(matches!(init(&file, true), Err(InitError::NotAFolder(_))));
    }

    #[test]
    fn the_starter_is_a_valid_project() {
        let dir = tempfile::tempdir().unwrap();
        init(&dir.path().join("demo"), false).unwrap();
        let crate::site::Rendered {
            project,
            files,
            warnings,
            ..
        } = crate::site::Site::new(&dir.path().join("demo"), &crate::site::Options::default())
            .render()
            .unwrap_or_else(|d| {
                panic!("{}", d.render(false));
            });
        assert!(warnings.is_empty(), "{}", warnings.render(false));
        assert!(project.site.sample_data);
        assert_eq!(project.regions.len(), 3);
        assert!(files.iter().any(|f| f.path == "2024/index.html"));
    }
}
