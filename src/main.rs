//! The `ecoscore` command: parse arguments, run the command, exit with its code.

mod cmd;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// mimalloc instead of the system allocator: rendering a national site makes
/// millions of short-lived strings, and glibc's malloc took a fifth of the
/// build's CPU time (BENCHMARKS.md).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Score and publish the government eco-environment protection target
/// responsibility assessment (政府生态环境保护目标责任制考核) as a static site.
#[derive(Debug, Parser)]
#[command(
    name = "ecoscore",
    version,
    after_help = "Examples:
  ecoscore init demo && cd demo   start a new project (sample data)
  ecoscore serve --open           preview it; pages reload on every save
  ecoscore check                  list every problem in the input
  ecoscore build                  write the public site to public/

Exit codes: 0 success, 1 invalid input or failed build, 2 usage error."
)]
struct Cli {
    #[command(flatten)]
    common: cmd::Common,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    Init(cmd::init::InitArgs),
    #[cfg(feature = "serve")]
    Serve(cmd::serve::ServeArgs),
    Check(cmd::check::CheckArgs),
    Build(cmd::build::BuildArgs),
    Scores(cmd::scores::ScoresArgs),
    Brief(cmd::brief::BriefArgs),
    Forms(cmd::forms::FormsArgs),
    Import(cmd::import::ImportArgs),
    Letters(cmd::letters::LettersArgs),
    Report(cmd::report::ReportArgs),
    Archive(cmd::archive::ArchiveArgs),
    Verify(cmd::verify::VerifyArgs),
    Completions(cmd::completions::CompletionsArgs),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    cli.common.init_verbosity();
    let code = match &cli.command {
        Command::Archive(args) => cmd::archive::execute(&cli.common, args),
        Command::Init(args) => cmd::init::execute(args),
        #[cfg(feature = "serve")]
        Command::Serve(args) => cmd::serve::execute(&cli.common, args),
        Command::Build(args) => cmd::build::execute(&cli.common, args),
        Command::Brief(args) => cmd::brief::execute(&cli.common, args),
        Command::Forms(args) => cmd::forms::execute(&cli.common, args),
        Command::Import(args) => cmd::import::execute(&cli.common, args),
        Command::Letters(args) => cmd::letters::execute(&cli.common, args),
        Command::Report(args) => cmd::report::execute(&cli.common, args),
        Command::Check(args) => cmd::check::execute(&cli.common, args),
        Command::Scores(args) => cmd::scores::execute(&cli.common, args),
        Command::Verify(args) => cmd::verify::execute(&cli.common, args),
        Command::Completions(args) => cmd::completions::execute::<Cli>(args),
    };
    ExitCode::from(code)
}
