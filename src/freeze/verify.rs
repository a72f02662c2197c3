//! `ecoscore verify`: every archive against its manifest, and each year
//! rebuilt from its archived input and compared with its archived pages.

use std::path::Path;

use super::render_year;
use crate::archive::{
    archived_years, inspect, read_archive, subtree, Metadata, Tree, TreeDiff, INPUT, SITE, VERSION,
};
use crate::diagnostic::Diagnostics;

/// What rebuilding an archived year from its archived input gave.
#[derive(Debug)]
pub enum Rebuild {
    Identical { pages: usize },
    Differs(TreeDiff),
    Failed(Diagnostics),
}

#[derive(Debug)]
pub struct YearReport {
    pub year: u16,
    pub metadata: Option<Metadata>,
    /// Files counted in the current revision's manifest check.
    pub files: usize,
    /// Every modified, missing or added file, as errors.
    pub problems: Diagnostics,
    pub rebuild: Rebuild,
}

impl YearReport {
    /// Why a rebuild may differ: only a different ecoscore version is an excuse.
    pub fn version_changed(&self) -> Option<&str> {
        self.metadata
            .as_ref()
            .map(|m| m.ecoscore.as_str())
            .filter(|v| *v != VERSION)
    }

    pub fn is_failure(&self) -> bool {
        let rebuild_failed = !matches!(self.rebuild, Rebuild::Identical { .. });
        self.problems.has_errors() || (rebuild_failed && self.version_changed().is_none())
    }
}

/// Check every archive against its manifest, and rebuild each from its
/// archived input to compare with the archived pages.
pub fn verify(root: &Path) -> Result<Vec<YearReport>, Diagnostics> {
    let mut reports = Vec::new();
    for (year, dir) in archived_years(root)? {
        let tree = read_archive(year, &dir)?;
        let (metadata, problems) = inspect(year, &tree);
        let archived_pages = subtree(&tree, SITE);
        let rebuild = match render_year(&subtree(&tree, INPUT), year) {
            Ok(pages) => {
                let rebuilt: Tree = pages.into_iter().map(|f| (f.path, f.bytes)).collect();
                let diff = TreeDiff::new(&archived_pages, &rebuilt);
                if diff.is_empty() {
                    Rebuild::Identical {
                        pages: rebuilt.len(),
                    }
                } else {
                    Rebuild::Differs(diff)
                }
            }
            Err(d) => Rebuild::Failed(d),
        };
        reports.push(YearReport {
            year,
            metadata,
            files: tree
                .keys()
                .filter(|p| p.starts_with(SITE) || p.starts_with(INPUT))
                .count(),
            problems,
            rebuild,
        });
    }
    Ok(reports)
}
