use clap::{Args, ValueEnum};
use ecoscore::{export, score};

use super::{load_project, Common, FAILURE};

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
    let Some(year) = project.years.get(&args.year) else {
        let known: Vec<String> = project.years.keys().map(u16::to_string).collect();
        eprintln!(
            "error: there is no data for {}; years in this project: {}",
            args.year,
            if known.is_empty() {
                "none".to_string()
            } else {
                known.join(", ")
            }
        );
        return FAILURE;
    };
    let scores = score::score_year(year);
    let text = match args.format {
        Format::Table => export::to_table(&project, &scores),
        Format::Json => export::to_json(&project, &scores),
        Format::Csv => export::to_csv(&project, &scores),
    };
    print!("{text}");
    0
}
