use std::path::PathBuf;

use clap::Args;
use ecoscore::init::{self, InitError};

use super::{say, FAILURE};

/// Create a new project that builds as it is.
///
/// The starter has three units and one year of sample data (示例数据), the
/// plan's 20 indicators, the year's rules and targets, a bulletin and the
/// default theme. Replace the sample data with your own, then set
/// `sample_data: false` in site.yaml.
///
/// Example: ecoscore init demo && cd demo && ecoscore serve --open
#[derive(Debug, Args)]
pub struct InitArgs {
    /// The folder to create the project in; it must be empty or not exist yet
    #[arg(value_name = "DIR", default_value = ".")]
    pub dir: PathBuf,
    /// Write into a folder that is not empty, overwriting the starter's files
    #[arg(long)]
    pub force: bool,
}

pub fn execute(args: &InitArgs) -> u8 {
    match init::init(&args.dir, args.force) {
        Ok(files) => {
            let dir = args.dir.display();
            say(&format!(
                "created a new project with {} files in {dir} (sample data: replace it with your own)",
                files.len()
            ));
            let cd = if args.dir.as_os_str() == "." {
                String::new()
            } else {
                format!("cd {dir} && ")
            };
            say(&format!(
                "next: {cd}ecoscore serve --open   (preview, reloads on every save)"
            ));
            0
        }
        Err(error) => {
            eprintln!("error: {error}");
            match error {
                InitError::NotEmpty(_) => eprintln!(
                    "help: choose a new folder name, or pass --force to write the starter files into it (other files are left alone)"
                ),
                InitError::NotAFolder(_) => eprintln!("help: choose a folder name"),
                InitError::Write { .. } => {}
            }
            FAILURE
        }
    }
}
