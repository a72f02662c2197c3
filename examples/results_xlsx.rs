//! The cost of one year's `results.xlsx` alone: loads and scores the
//! project, then writes the workbook and prints the CPU time and the peak
//! memory of that step only (Linux: /proc/self), so the figure does not
//! include loading the project.
//! `cargo run --release --example results_xlsx -- --root target/bench/fixture-3000 --year 2025 --out /dev/shm/results.xlsx`

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use clap::Parser;

/// The same allocator as the ecoscore binary, so the memory figure is its.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Parser)]
struct Args {
    #[arg(long)]
    root: PathBuf,
    #[arg(long)]
    year: u16,
    /// Where to write the workbook
    #[arg(long)]
    out: PathBuf,
}

/// User and system CPU seconds of this process so far (fields 14 and 15 of
/// /proc/self/stat, in clock ticks of 1/100 s on Linux).
fn cpu_seconds() -> Option<(f64, f64)> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // The command name may hold spaces; the fields after it do not.
    let fields: Vec<&str> = stat.rsplit_once(')')?.1.split_whitespace().collect();
    let ticks = |i: usize| fields.get(i)?.parse::<f64>().ok().map(|t| t / 100.0);
    Some((ticks(11)?, ticks(12)?))
}

/// Peak and current resident memory in KB (VmHWM, VmRSS).
fn memory_kb() -> Option<(u64, u64)> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let field = |name: &str| {
        status
            .lines()
            .find_map(|l| l.strip_prefix(name))?
            .split_whitespace()
            .next()?
            .parse()
            .ok()
    };
    Some((field("VmHWM:")?, field("VmRSS:")?))
}

fn main() -> ExitCode {
    let args = Args::parse();
    let project = match ecoscore::Project::load(&args.root) {
        Ok((project, _)) => project,
        Err(diags) => {
            eprint!("{}", diags.render(false));
            return ExitCode::FAILURE;
        }
    };
    let Some(year) = project.years.get(&args.year) else {
        eprintln!("error: no results for {}", args.year);
        return ExitCode::FAILURE;
    };
    let scores = ecoscore::score::score_year(year);
    // "5" resets the peak resident size to the current one, so VmHWM after
    // the workbook is the peak of writing it.
    let _ = std::fs::write("/proc/self/clear_refs", "5");
    let (before_peak, before_rss) = memory_kb().unwrap_or((0, 0));
    let (user0, sys0) = cpu_seconds().unwrap_or((0.0, 0.0));
    let start = Instant::now();
    let bytes = match ecoscore::sheets::open_data::results_xlsx(&project, year, &scores) {
        Ok(bytes) => bytes,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::FAILURE;
        }
    };
    let wall = start.elapsed().as_secs_f64();
    let (user1, sys1) = cpu_seconds().unwrap_or((0.0, 0.0));
    let (peak, _) = memory_kb().unwrap_or((0, 0));
    if let Err(e) = std::fs::write(&args.out, &bytes) {
        eprintln!("error: cannot write {}: {e}", args.out.display());
        return ExitCode::FAILURE;
    }
    println!(
        "results.xlsx {}: {} bytes, {wall:.2} s wall, {:.2} s user, {:.2} s sys, peak {} KB above the {} KB before (reset peak {} KB)",
        args.year,
        bytes.len(),
        user1 - user0,
        sys1 - sys0,
        peak.saturating_sub(before_rss),
        before_rss,
        before_peak,
    );
    ExitCode::SUCCESS
}
