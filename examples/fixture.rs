//! Write a synthetic project for benchmarks:
//! `cargo run --release --example fixture -- --units 3000 --years 5 --seed 1 --out target/fixture-3000`

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Parser;
use ecoscore::fixture::{write_fixture, FixtureOptions};

#[derive(Parser)]
struct Args {
    #[arg(long, default_value_t = 300)]
    units: usize,
    #[arg(long, default_value_t = 5)]
    years: usize,
    #[arg(long, default_value_t = 1)]
    seed: u64,
    #[arg(long, default_value_t = 2021)]
    first_year: u16,
    /// Folder to write the project into
    #[arg(long)]
    out: PathBuf,
}

fn main() -> ExitCode {
    let args = Args::parse();
    let theme = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("themes/default");
    let options = FixtureOptions {
        units: args.units,
        years: args.years,
        seed: args.seed,
        first_year: args.first_year,
    };
    match write_fixture(&args.out, &theme, options) {
        Ok(()) => {
            println!(
                "wrote {} units × {} years to {}",
                args.units,
                args.years,
                args.out.display()
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: cannot write the fixture: {e}");
            ExitCode::FAILURE
        }
    }
}
