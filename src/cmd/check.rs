use clap::Args;
use std::path::Path;

use ecoscore::{links, site, Diagnostics, Project};

use super::{from_archive, report, say, Common, FAILURE};

/// Validate the whole project and print every problem; writes nothing.
///
/// Example: ecoscore check --root path/to/project
#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Also check that every internal link and asset reference of the rendered site resolves
    #[arg(long)]
    pub links: bool,
}

pub fn execute(common: &Common, args: &CheckArgs) -> u8 {
    let checked = if args.links {
        check_with_links(&common.root)
    } else {
        site::check(&common.root)
    };
    match checked {
        Ok(checked) => {
            report(&checked.warnings);
            say(&format!(
                "{}{}",
                summary(&checked.project, checked.files),
                from_archive(&checked.archived)
            ));
            0
        }
        Err(diags) => {
            report(&diags);
            FAILURE
        }
    }
}

/// [`site::check`] plus the link checker, which quotes the line of a broken
/// link and so keeps the rendered pages. Broken links come back as errors,
/// with the warnings.
fn check_with_links(root: &Path) -> Result<site::Checked, Diagnostics> {
    let rendered = site::render(root, true, false)?;
    let broken = links::check(
        &rendered.files,
        &rendered.project.site.base_url,
        &links::Sources::of(&rendered.project),
    );
    if broken.has_errors() {
        let mut all = rendered.warnings;
        all.extend(broken);
        return Err(all.sorted());
    }
    Ok(site::Checked {
        project: rendered.project,
        files: rendered.files.len(),
        warnings: rendered.warnings,
        archived: rendered.archived,
    })
}

/// One line saying what was checked, e.g. "ok: checked 12 units, 5 years
/// (2021–2025), 20 indicators, 1200 results; 100 files would be written".
fn summary(project: &Project, files: usize) -> String {
    let years = match (
        project.years.keys().next(),
        project.years.keys().next_back(),
    ) {
        (Some(first), Some(last)) if first == last => format!("1 year ({first})"),
        (Some(first), Some(last)) => format!("{} years ({first}–{last})", project.years.len()),
        _ => "no years".to_string(),
    };
    let results: usize = project
        .years
        .values()
        .flat_map(|year| &year.units)
        .map(|unit| unit.measures.len())
        .sum();
    format!(
        "ok: checked {} units, {years}, {} indicators, {results} results; {files} files would be written",
        project.regions.len(),
        project.indicators.len(),
    )
}
