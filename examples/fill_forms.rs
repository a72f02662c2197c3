//! Write every unit's form for a year, filled in from the project's own
//! results, as a unit would return it (for the import benchmark):
//! `cargo run --release --example fill_forms -- --root target/bench/fixture-3000 --year 2021 --out target/bench/filled`

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Parser;
use ecoscore::sheets::forms::{self, Fill};
use ecoscore::sheets::issue;
use rayon::prelude::*;

#[derive(Parser)]
struct Args {
    #[arg(long)]
    root: PathBuf,
    #[arg(long)]
    year: u16,
    /// Folder to write the filled forms into
    #[arg(long)]
    out: PathBuf,
}

fn main() -> ExitCode {
    let args = Args::parse();
    let (project, template) = match (
        ecoscore::Project::load(&args.root),
        issue::template(&args.root, args.year),
    ) {
        (Ok((project, _)), Ok(template)) => (project, template),
        (Err(diags), _) | (_, Err(diags)) => {
            eprint!("{}", diags.render(false));
            return ExitCode::FAILURE;
        }
    };
    let Some(year) = project.years.get(&args.year) else {
        eprintln!("error: no results for {}", args.year);
        return ExitCode::FAILURE;
    };
    if let Err(e) = std::fs::create_dir_all(&args.out) {
        eprintln!("error: cannot create {}: {e}", args.out.display());
        return ExitCode::FAILURE;
    }
    let written: Result<usize, String> = year
        .units
        .par_iter()
        .map(|unit| {
            let name = &project.units[unit.region].name;
            let bytes = forms::write(&template, unit.region, &Fill::from_results(&template, unit))
                .map_err(|e| e.to_string())?;
            std::fs::write(args.out.join(forms::file_name(name)), bytes)
                .map_err(|e| e.to_string())?;
            Ok(1)
        })
        .sum();
    match written {
        Ok(n) => {
            println!("wrote {n} filled forms to {}", args.out.display());
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}
