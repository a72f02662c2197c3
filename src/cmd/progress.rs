//! A progress bar over the pipeline's stages for builds that take more than a
//! moment, plus the per-stage timings `--verbose` prints.
//!
//! The bar is drawn only on a terminal, never in CI logs (`CI` set), never
//! with `--quiet`, and only once a build has run longer than [`DELAY`]: a
//! fast build prints its summary line and nothing else.

use std::io::IsTerminal;
use std::sync::mpsc::{self, RecvTimeoutError};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use ecoscore::site::Stage;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use super::{verbosity, Verbosity};

/// How long a build runs before the bar appears.
const DELAY: Duration = Duration::from_millis(300);

const STAGES: [Stage; 4] = [Stage::Load, Stage::Score, Stage::Render, Stage::Write];

/// Whether a progress bar may be drawn: on a terminal, outside CI, not quiet.
fn bar_allowed() -> bool {
    std::io::stderr().is_terminal()
        && std::env::var_os("CI").is_none_or(|v| v.is_empty() || v == "false")
        && verbosity() > Verbosity::Quiet
}

/// Watches one pipeline run: feed it stages with [`Progress::stage`].
pub struct Progress {
    marks: Vec<(Stage, Instant)>,
    bar: Option<(mpsc::Sender<Stage>, JoinHandle<()>)>,
}

impl Progress {
    pub fn start() -> Progress {
        let bar = bar_allowed().then(|| {
            let (tx, rx) = mpsc::channel();
            let handle = std::thread::spawn(move || draw(&rx));
            (tx, handle)
        });
        Progress {
            marks: Vec::new(),
            bar,
        }
    }

    pub fn stage(&mut self, stage: Stage) {
        self.marks.push((stage, Instant::now()));
        if let Some((tx, _)) = &self.bar {
            let _ = tx.send(stage);
        }
    }

    /// Remove the bar and return how long each stage took, in order.
    pub fn finish(mut self) -> Vec<(Stage, Duration)> {
        if let Some((tx, handle)) = self.bar.take() {
            drop(tx);
            let _ = handle.join();
        }
        let end = Instant::now();
        let mut timings = Vec::new();
        for (i, (stage, at)) in self.marks.iter().enumerate() {
            let next = self.marks.get(i + 1).map_or(end, |(_, t)| *t);
            timings.push((*stage, next - *at));
        }
        timings
    }
}

/// "load 12 ms · score 3 ms · render 80 ms · write 20 ms"
pub fn format_timings(timings: &[(Stage, Duration)]) -> String {
    timings
        .iter()
        .map(|(stage, took)| format!("{} {} ms", stage.name(), took.as_millis()))
        .collect::<Vec<_>>()
        .join(" · ")
}

/// The bar's thread: wait out the delay, then draw until the sender is dropped.
fn draw(rx: &mpsc::Receiver<Stage>) {
    let deadline = Instant::now() + DELAY;
    let mut current = None;
    loop {
        match rx.recv_timeout(deadline.saturating_duration_since(Instant::now())) {
            Ok(stage) => current = Some(stage),
            Err(RecvTimeoutError::Timeout) => break,
            Err(RecvTimeoutError::Disconnected) => return,
        }
    }
    let style = ProgressStyle::with_template("{spinner} [{bar:24}] {msg} {elapsed}")
        .unwrap_or_else(|_| ProgressStyle::default_bar())
        .progress_chars("=> ");
    let bar =
        ProgressBar::with_draw_target(Some(STAGES.len() as u64), ProgressDrawTarget::stderr())
            .with_style(style);
    bar.enable_steady_tick(Duration::from_millis(100));
    let show = |stage: Stage| {
        let done = STAGES.iter().position(|s| *s == stage).unwrap_or(0);
        bar.set_position(done as u64);
        bar.set_message(stage.name());
    };
    if let Some(stage) = current {
        show(stage);
    }
    while let Ok(stage) = rx.recv() {
        show(stage);
    }
    bar.finish_and_clear();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timings_follow_the_stages() {
        let mut progress = Progress {
            marks: Vec::new(),
            bar: None,
        };
        progress.stage(Stage::Load);
        progress.stage(Stage::Render);
        let timings = progress.finish();
        let stages: Vec<Stage> = timings.iter().map(|(s, _)| *s).collect();
        assert_eq!(stages, [Stage::Load, Stage::Render]);
        let text = format_timings(&timings);
        assert!(
            text.starts_with("load ") && text.contains(" · render "),
            "{text}"
        );
    }
}
