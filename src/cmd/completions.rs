use clap::{Args, CommandFactory};
use clap_complete::Shell;

/// Print a shell completion script to stdout.
///
/// Example: ecoscore completions bash > ~/.local/share/bash-completion/completions/ecoscore
///
/// zsh: ecoscore completions zsh > "${fpath[1]}/_ecoscore";
/// fish: ecoscore completions fish > ~/.config/fish/completions/ecoscore.fish
#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell to complete for
    #[arg(value_enum)]
    pub shell: Shell,
}

pub fn execute<C: CommandFactory>(args: &CompletionsArgs) -> u8 {
    let mut command = C::command();
    let name = command.get_name().to_string();
    clap_complete::generate(args.shell, &mut command, name, &mut std::io::stdout());
    0
}
