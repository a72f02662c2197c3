//! The watcher thread: file events from the project's inputs, debounced,
//! filtered to the files a build reads, and one rebuild for each burst.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::{mpsc, Arc};
use std::time::Duration;

use notify::{EventKind, RecursiveMode};
use notify_debouncer_full::{new_debouncer, DebounceEventResult, DebouncedEvent};
use tokio::sync::watch;

use super::snapshot::{Builder, Snapshot};
use super::{Report, ServeError, ServeEvent};
use crate::load::{INPUTS, SITE_FILE};

/// How long the watcher waits for a burst of file events (an editor's save is
/// often several) to settle before rebuilding.
const DEBOUNCE: Duration = Duration::from_millis(100);

type Debouncer = notify_debouncer_full::Debouncer<
    notify::RecommendedWatcher,
    notify_debouncer_full::RecommendedCache,
>;

pub(super) enum Message {
    Changes(DebounceEventResult),
    Stop,
}

/// The file watcher and the input folders it watches.
pub(super) struct Watcher {
    debouncer: Debouncer,
    root: PathBuf,
    watched: BTreeSet<PathBuf>,
}

impl Watcher {
    /// Watch the project folder itself (for site.yaml, and for input folders
    /// created later) and each input folder in it; events go to `messages`.
    pub(super) fn start(
        root: &Path,
        messages: mpsc::Sender<Message>,
        report: &Report,
    ) -> Result<Watcher, ServeError> {
        let mut debouncer = new_debouncer(DEBOUNCE, None, move |result: DebounceEventResult| {
            let _ = messages.send(Message::Changes(result));
        })
        .map_err(|e| ServeError::Watch {
            path: root.to_path_buf(),
            message: e.to_string(),
        })?;
        debouncer
            .watch(root, RecursiveMode::NonRecursive)
            .map_err(|e| ServeError::Watch {
                path: root.to_path_buf(),
                message: e.to_string(),
            })?;
        let mut watcher = Watcher {
            debouncer,
            root: root.to_path_buf(),
            watched: BTreeSet::new(),
        };
        watcher.watch_folders(report);
        Ok(watcher)
    }

    /// What is watched, for the announcement: the file, then the folders.
    pub(super) fn watched(&self) -> Vec<PathBuf> {
        let mut watched_paths: Vec<PathBuf> = vec![PathBuf::from(SITE_FILE)];
        watched_paths.extend(self.watched.iter().cloned());
        watched_paths
    }

    /// Rebuild through `builder` after each burst of changes to an input and
    /// publish the new snapshot, until [`Message::Stop`] or the last sender
    /// is gone.
    pub(super) fn run(
        mut self,
        inbox: mpsc::Receiver<Message>,
        mut builder: Builder,
        publish: watch::Sender<Arc<Snapshot>>,
        report: &Report,
    ) {
        while let Ok(message) = inbox.recv() {
            let batch = match message {
                Message::Stop => break,
                Message::Changes(Err(errors)) => {
                    for error in errors {
                        report(ServeEvent::WatchError {
                            message: error.to_string(),
                        });
                    }
                    continue;
                }
                Message::Changes(Ok(events)) => events,
            };
            // Take every batch already waiting: one rebuild for all of them.
            let mut changed = BTreeSet::new();
            let mut stop = false;
            let root = &self.root;
            let mut add = |events: Vec<DebouncedEvent>| {
                for event in events {
                    if matches!(event.kind, EventKind::Access(_)) {
                        continue;
                    }
                    changed.extend(event.paths.iter().filter_map(|p| relevant(root, p)));
                }
            };
            add(batch);
            while let Ok(more) = inbox.try_recv() {
                match more {
                    Message::Changes(Ok(events)) => add(events),
                    Message::Changes(Err(_)) => {}
                    Message::Stop => stop = true,
                }
            }
            if stop {
                break;
            }
            self.watch_folders(report);
            if changed.is_empty() {
                continue;
            }
            let changed: Vec<PathBuf> = changed.into_iter().collect();
            let current = Arc::clone(&publish.borrow());
            if let Some(next) = builder.rebuild(&current, &changed, report) {
                publish.send_replace(Arc::new(next));
            }
        }
        // Dropping `publish` ends every live-reload stream, so the server's
        // graceful shutdown does not wait for open pages.
        drop(publish);
    }

    /// Watch each of [`INPUTS`] that is a folder and is not watched yet. A
    /// file among them (site.yaml) is seen through the watch on the project
    /// folder, and so is a folder created after start, which is watched from
    /// the next event on.
    fn watch_folders(&mut self, report: &Report) {
        let (root, watched) = (&self.root, &mut self.watched);
        watched.retain(|folder| root.join(folder).is_dir());
        for folder in INPUTS {
            let path = root.join(folder);
            if !path.is_dir() || watched.contains(Path::new(folder)) {
                continue;
            }
            match self.debouncer.watch(&path, RecursiveMode::Recursive) {
                Ok(()) => {
                    watched.insert(PathBuf::from(folder));
                }
                Err(e) => report(ServeEvent::WatchError {
                    message: format!("cannot watch {folder}/: {e}"),
                }),
            }
        }
    }
}

/// The project-relative path of a changed file if it is an input of the site
/// (one of [`INPUTS`] or under it), leaving out editors' backup, swap and
/// hidden files.
fn relevant(root: &Path, path: &Path) -> Option<PathBuf> {
    let relative = path.strip_prefix(root).ok()?;
    let first = relative.components().next()?.as_os_str();
    let name = relative.file_name()?.to_string_lossy();
    let scratch = name.starts_with('.')
        || name.ends_with('~')
        || name.ends_with(".swp")
        || name.ends_with(".swx")
        || name == "4913";
    let input = INPUTS.iter().any(|i| first == *i);
    (input && !scratch).then(|| relative.to_path_buf())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_site_inputs_trigger_a_rebuild() {
        let root = Path::new("/p");
        let yes = [
            "site.yaml",
            "data/2023/results/a.yaml",
            "themes/default/static/style.css",
            "content",
        ];
        for path in yes {
            assert_eq!(
                relevant(root, &root.join(path)),
                Some(PathBuf::from(path)),
                "{path}"
            );
        }
        let no = [
            "public/index.html",
            "README.md",
            "data/2023/results/.a.yaml.swp",
            "data/2023/results/a.yaml~",
            "content/4913",
            "target/debug/x",
        ];
        for path in no {
            assert_eq!(relevant(root, &root.join(path)), None, "{path}");
        }
        assert_eq!(relevant(root, Path::new("/elsewhere/site.yaml")), None);
    }

    #[test]
    fn every_input_of_a_build_triggers_a_rebuild() {
        let root = Path::new("/p");
        for input in INPUTS {
            let mut changed = vec![input.to_string()];
            if input != SITE_FILE {
                changed.push(format!("{input}/2023/a.yaml"));
            }
            for path in changed {
                assert_eq!(
                    relevant(root, &root.join(&path)),
                    Some(PathBuf::from(&path)),
                    "{path}"
                );
            }
        }
    }
}
