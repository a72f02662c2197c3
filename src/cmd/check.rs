use clap::Args;

use ecoscore::{Options, Project, Site};

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
    if let Some(problem) = super::no_project(&common.root) {
        report(&problem);
        return FAILURE;
    }
    // A check covers drafts too: a draft's problems are found before it is published.
    let site = Site::new(
        &common.root,
        &Options {
            drafts: true,
            pdf: false,
        },
    );
    let checked = if args.links {
        site.check_links()
    } else {
        site.check()
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
        project.units.len(),
        project.indicators.len(),
    )
}
