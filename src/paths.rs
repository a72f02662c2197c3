//! Names every stage uses for the project's files and the site's pages.

use std::path::Path;

/// The project's cache folder: what a build keeps for the next one
/// (`site/stored.rs`). Not an input, and never an output folder.
pub const CACHE: &str = ".ecoscore-cache";

/// `path` relative to `base`, `/`-separated on every platform.
pub(crate) fn relative_name(base: &Path, path: &Path) -> String {
    path.strip_prefix(base)
        .unwrap_or(path)
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect::<Vec<_>>()
        .join("/")
}

/// The path part of an absolute URL: "https://host/kaohe/" → "/kaohe/".
pub fn site_path(base_url: &str) -> String {
    let after_scheme = base_url
        .split_once("://")
        .map_or(base_url, |(_, rest)| rest);
    match after_scheme.find('/') {
        Some(slash) => after_scheme[slash..].to_string(),
        None => "/".to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn site_paths() {
        assert_eq!(site_path("https://example.gov.cn/kaohe/"), "/kaohe/");
        assert_eq!(site_path("https://example.gov.cn/"), "/");
    }

    #[test]
    fn relative_names_use_slashes() {
        let base = Path::new("/p/themes/default");
        assert_eq!(
            relative_name(base, &base.join("static").join("a.css")),
            "static/a.css"
        );
    }
}
