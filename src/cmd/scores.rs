use clap::{Args, ValueEnum};
use ecoscore::{open_data, score};

use super::{load_project, report, Common, FAILURE};

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum Format {
    Table,
    Json,
    Csv,
}

/// Print the computed results of one year, in rank order.
///
/// Example: ecoscore scores --year 2023 --format json
#[derive(Debug, Args)]
pub struct ScoresArgs {
    /// The assessed year
    #[arg(long)]
    pub year: u16,
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
}

pub fn execute(common: &Common, args: &ScoresArgs) -> u8 {
    let Some(project) = load_project(common) else {
        return FAILURE;
    };
    let year = match project.year(args.year) {
        Ok(year) => year,
        Err(unknown) => {
            report(&unknown.into());
            return FAILURE;
        }
    };
    let scores = score::score_year(year);
    let text = match args.format {
        Format::Table => open_data::to_table(&project, &scores),
        Format::Json => open_data::to_json(&project, &scores),
        Format::Csv => open_data::to_csv(&project, &scores),
    };
    print!("{text}");
    0
}
