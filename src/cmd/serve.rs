use std::path::PathBuf;
use std::process::{Command, Stdio};

use clap::Args;
use ecoscore::serve::{self, ServeError, ServeEvent, ServeOptions};

use super::progress::format_timings;
use super::{built_line, detail, report, say, Common, FAILURE};

/// Preview the site on 127.0.0.1; pages reload on every change.
///
/// The site is built into a private temporary folder (removed when it
/// stops), drafts shown and marked, and rebuilt when site.yaml or anything
/// under data/, content/, themes/ or archive/ changes; nothing is written to
/// public/. While an edit breaks the input, every page shows the
/// problems (file, line, what is wrong) until the file is fixed. Ctrl-C stops it.
///
/// Example: ecoscore serve --port 8080 --open
#[derive(Debug, Args)]
pub struct ServeArgs {
    /// The port to listen on (0 picks a free one)
    #[arg(long, short, default_value_t = 8080)]
    pub port: u16,
    /// Open the site in the web browser ($BROWSER, or the system's default)
    #[arg(long)]
    pub open: bool,
}

pub fn execute(common: &Common, args: &ServeArgs) -> u8 {
    let options = ServeOptions {
        root: common.root.clone(),
        port: args.port,
    };
    let open = args.open;
    let result = serve::run(&options, move |event| match event {
        ServeEvent::Built {
            millis,
            stages,
            pages,
            charts,
            files,
            years,
            warnings,
            changed,
            reload,
        } => {
            report(warnings);
            detail(&format_timings(stages));
            let what = if changed.is_empty() {
                format!(
                    "{}, drafts shown",
                    built_line(pages, charts, files, years, millis)
                )
            } else if reload {
                format!("{} → rebuilt in {millis} ms, pages reloaded", list(changed))
            } else {
                format!(
                    "{} → rebuilt in {millis} ms, no page changed",
                    list(changed)
                )
            };
            say(&what);
        }
        ServeEvent::Failed {
            millis,
            diagnostics,
            changed,
        } => {
            report(diagnostics);
            let after = if changed.is_empty() {
                String::new()
            } else {
                format!("{} → ", list(changed))
            };
            eprintln!(
                "{after}build failed in {millis} ms: pages show the problems until the files are fixed"
            );
        }
        ServeEvent::Listening { url, watched } => {
            say(&format!("serving {url} (Ctrl-C stops)"));
            let watched: Vec<String> = watched.iter().map(|p| p.display().to_string()).collect();
            detail(&format!("watching {}", watched.join(", ")));
            if open {
                open_browser(url);
            }
        }
        ServeEvent::WatchError { message } => eprintln!("warning: {message}"),
        ServeEvent::Stopping => say("stopping"),
    });
    match result {
        Ok(()) => 0,
        Err(error) => {
            eprintln!("error: {error}");
            match error {
                ServeError::PortInUse { .. } => {}
                ServeError::Listen { .. } => {
                    eprintln!("help: choose another port with --port, e.g. --port 0 for any free one")
                }
                ServeError::Root { .. } => eprintln!(
                    "help: run ecoscore serve in a project folder, or pass --root DIR (ecoscore init DIR creates one)"
                ),
                ServeError::Watch { .. } | ServeError::Scratch(_) | ServeError::Runtime(_) => {}
            }
            FAILURE
        }
    }
}

/// "data/2023/results/a.yaml" or "3 files".
fn list(changed: &[PathBuf]) -> String {
    match changed {
        [one] => one.display().to_string(),
        many => format!("{} files", many.len()),
    }
}

/// Open `url` in a browser without ever failing the server: `$BROWSER` (a
/// command, arguments allowed) if set, else the system's opener.
fn open_browser(url: &str) {
    let browser = std::env::var("BROWSER")
        .ok()
        .filter(|b| !b.trim().is_empty());
    let (program, mut arguments): (String, Vec<String>) = match &browser {
        Some(command) => {
            let mut words = command.split_whitespace().map(str::to_string);
            let program = words.next().unwrap_or_default();
            (program, words.collect())
        }
        None if cfg!(target_os = "macos") => ("open".to_string(), Vec::new()),
        None if cfg!(windows) => (
            "cmd".to_string(),
            vec!["/C".into(), "start".into(), String::new()],
        ),
        None => ("xdg-open".to_string(), Vec::new()),
    };
    arguments.push(url.to_string());
    let spawned = Command::new(&program)
        .args(&arguments)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn();
    match spawned {
        Ok(mut child) => {
            // Reap the opener when it exits, so it leaves no zombie behind.
            std::thread::spawn(move || child.wait());
        }
        Err(e) => {
            eprintln!("note: could not open a browser with {program} ({e}); open {url} yourself")
        }
    }
}
