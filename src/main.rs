//! The `ecoscore` command: parse arguments, run the command, exit with its code.

mod cmd;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// Score and publish the government eco-environment protection target
/// responsibility assessment (政府生态环境保护目标责任制考核) as a static site.
#[derive(Debug, Parser)]
#[command(name = "ecoscore", version, about, long_about = None)]
struct Cli {
    #[command(flatten)]
    common: cmd::Common,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    Archive(cmd::archive::ArchiveArgs),
    Build(cmd::build::BuildArgs),
    Brief(cmd::brief::BriefArgs),
    Check(cmd::check::CheckArgs),
    Scores(cmd::scores::ScoresArgs),
    Verify(cmd::verify::VerifyArgs),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let code = match &cli.command {
        Command::Archive(args) => cmd::archive::execute(&cli.common, args),
        Command::Build(args) => cmd::build::execute(&cli.common, args),
        Command::Brief(args) => cmd::brief::execute(&cli.common, args),
        Command::Check(args) => cmd::check::execute(&cli.common, args),
        Command::Scores(args) => cmd::scores::execute(&cli.common, args),
        Command::Verify(args) => cmd::verify::execute(&cli.common, args),
    };
    ExitCode::from(code)
}
