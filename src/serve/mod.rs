//! `ecoscore serve`: the site built (drafts included) into a private folder
//! outside the project, served on 127.0.0.1, rebuilt when an input file
//! changes, and reloaded in the browser.
//!
//! Every build is [`crate::site::Site::build`] over the previous output, so
//! a rebuild redoes only what an edit reaches (docs/rebuilds.md) and the
//! server holds no page in memory: files are read from that folder as they
//! are asked for, and the folder is removed when the server stops. A build
//! that fails keeps the last good files for assets but answers every page
//! with the problems, so the browser never shows a stale site as if it were
//! current. The browser learns
//! about a new build from a server-sent event stream; the script that listens
//! is served as a file (`/__ecoscore/livereload.js`), never inline, so a
//! Content-Security-Policy without `'unsafe-inline'` does not block it.
//!
//! This file starts the server and stops it; `watch.rs` is the watcher
//! thread (which changes matter, one rebuild per burst), `snapshot.rs` what
//! a build leaves to serve (the files with the reload tag, or the problems
//! page), `http.rs` the routes and `host.rs` the Host check in front of them.

use std::future::IntoFuture;
use std::io;
use std::net::{Ipv4Addr, TcpListener as StdListener};
use std::path::PathBuf;
use std::sync::{mpsc, Arc};
use std::time::Duration;

use crate::diagnostic::Diagnostics;
use crate::site::Stage;
use snapshot::{Builder, Snapshot};
use watch::{Message, Watcher};

mod host;
mod http;
mod snapshot;
mod watch;

/// The server's own files live under this path, outside any site.
const OWN_PREFIX: &str = "/__ecoscore/";

/// Where the server's events go, from either thread.
type Report = dyn Fn(ServeEvent<'_>) + Send + Sync;

#[derive(Debug, Clone)]
pub struct ServeOptions {
    pub root: PathBuf,
    /// 0 picks a free port.
    pub port: u16,
}

/// What the server reports while it runs.
#[derive(Debug)]
pub enum ServeEvent<'a> {
    /// A build succeeded. `changed` is empty for the first build; `reload`
    /// says whether the output differed from the previous build (and open
    /// pages were told to reload).
    Built {
        millis: u128,
        stages: &'a [(Stage, Duration)],
        pages: usize,
        charts: usize,
        files: usize,
        years: &'a [u16],
        warnings: &'a Diagnostics,
        changed: &'a [PathBuf],
        reload: bool,
    },
    /// A build failed; pages show `diagnostics` until a build succeeds.
    Failed {
        millis: u128,
        diagnostics: &'a Diagnostics,
        changed: &'a [PathBuf],
    },
    /// The server accepts connections at `url` (the site's own path on it).
    Listening {
        url: &'a str,
        watched: &'a [PathBuf],
    },
    /// The file watcher reported a problem; the server keeps running.
    WatchError { message: String },
    /// Ctrl-C (or SIGTERM) arrived; the server is stopping.
    Stopping,
}

#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    #[error("port {port} is in use{}", match .free { Some(p) => format!("; try --port {p}"), None => String::new() })]
    PortInUse { port: u16, free: Option<u16> },
    #[error("cannot listen on 127.0.0.1:{port}: {source}")]
    Listen { port: u16, source: io::Error },
    #[error("cannot open the project folder {}: {source}", .root.display())]
    Root { root: PathBuf, source: io::Error },
    #[error("cannot watch {} for changes: {message}", .path.display())]
    Watch { path: PathBuf, message: String },
    #[error("cannot make a private folder to build the site in: {0}")]
    Scratch(io::Error),
    #[error("cannot run the server: {0}")]
    Runtime(io::Error),
}

/// Bind, build, watch and serve until Ctrl-C. `report` is told what happens.
pub fn run(
    options: &ServeOptions,
    report: impl Fn(ServeEvent<'_>) + Send + Sync + 'static,
) -> Result<(), ServeError> {
    let report: Arc<Report> = Arc::new(report);
    let root = std::fs::canonicalize(&options.root).map_err(|source| ServeError::Root {
        root: options.root.clone(),
        source,
    })?;
    let listener = bind(options.port)?;
    let address = listener.local_addr().map_err(ServeError::Runtime)?;

    let mut builder = Builder::new(&root).map_err(ServeError::Scratch)?;
    let first = builder
        .rebuild(&Snapshot::default(), &[], &*report)
        .unwrap_or_default();
    let mount = first.mount.clone();
    let (publish, shared) = tokio::sync::watch::channel(Arc::new(first));

    let (messages, inbox) = mpsc::channel();
    let watcher = Watcher::start(&root, messages.clone(), &*report)?;

    let url = format!("http://{address}{mount}");
    let watched_paths = watcher.watched();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(ServeError::Runtime)?;
    // Take over Ctrl-C before saying the server is up, so a stop that comes
    // right after the announcement is a clean stop, not the default kill.
    let stop_signals = {
        let _context = runtime.enter();
        StopSignals::register()
    };
    report(ServeEvent::Listening {
        url: &url,
        watched: &watched_paths,
    });

    let watcher_report = Arc::clone(&report);
    let watcher =
        std::thread::spawn(move || watcher.run(inbox, builder, publish, &*watcher_report));

    let served = runtime.block_on(async move {
        let listener = tokio::net::TcpListener::from_std(listener)?;
        let (stopping, stopped) = tokio::sync::oneshot::channel::<()>();
        let shutdown_report = Arc::clone(&report);
        let shutdown = async move {
            stop_signals.wait().await;
            shutdown_report(ServeEvent::Stopping);
            let _ = messages.send(Message::Stop);
            let _ = stopping.send(());
        };
        let server = axum::serve(listener, http::router(shared, address.port()))
            .with_graceful_shutdown(shutdown)
            .into_future();
        // Open connections get a moment to finish, not forever.
        let deadline = async {
            if stopped.await.is_ok() {
                tokio::time::sleep(Duration::from_secs(3)).await;
            } else {
                std::future::pending::<()>().await;
            }
        };
        tokio::select! {
            result = server => result,
            () = deadline => Ok(()),
        }
    });
    let _ = watcher.join();
    served.map_err(ServeError::Runtime)
}

fn bind(port: u16) -> Result<StdListener, ServeError> {
    match StdListener::bind((Ipv4Addr::LOCALHOST, port)) {
        Ok(listener) => {
            listener
                .set_nonblocking(true)
                .map_err(|source| ServeError::Listen { port, source })?;
            Ok(listener)
        }
        Err(e) if e.kind() == io::ErrorKind::AddrInUse => Err(ServeError::PortInUse {
            port,
            free: free_port_after(port),
        }),
        Err(source) => Err(ServeError::Listen { port, source }),
    }
}

/// The first port after `port` that can be bound now (to suggest it).
fn free_port_after(port: u16) -> Option<u16> {
    (port.checked_add(1)?..=port.saturating_add(50))
        .find(|p| StdListener::bind((Ipv4Addr::LOCALHOST, *p)).is_ok())
}

/// Ctrl-C (and SIGTERM on Unix), registered up front.
struct StopSignals {
    #[cfg(unix)]
    interrupt: Option<tokio::signal::unix::Signal>,
    #[cfg(unix)]
    terminate: Option<tokio::signal::unix::Signal>,
}

impl StopSignals {
    /// Must run inside the runtime's context.
    fn register() -> StopSignals {
        #[cfg(unix)]
        {
            use tokio::signal::unix::{signal, SignalKind};
            StopSignals {
                interrupt: signal(SignalKind::interrupt()).ok(),
                terminate: signal(SignalKind::terminate()).ok(),
            }
        }
        #[cfg(not(unix))]
        StopSignals {}
    }

    async fn wait(self) {
        #[cfg(unix)]
        {
            async fn next(signal: Option<tokio::signal::unix::Signal>) {
                match signal {
                    Some(mut signal) => {
                        signal.recv().await;
                    }
                    None => std::future::pending::<()>().await,
                }
            }
            tokio::select! {
                () = next(self.interrupt) => {}
                () = next(self.terminate) => {}
            }
        }
        #[cfg(not(unix))]
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    }
}
