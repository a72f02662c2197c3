//! `ecoscore serve`: the site rendered into memory (drafts included), served on
//! 127.0.0.1, rebuilt when an input file changes, and reloaded in the browser.
//!
//! Nothing is written to disk: every build goes through [`Site::render`]
//! and the files are answered from a map. A build that fails keeps the last
//! good files for assets but answers every page with the problems, so the
//! browser never shows a stale site as if it were current. The browser learns
//! about a new build from a server-sent event stream; the script that listens
//! is served as a file (`/__ecoscore/livereload.js`), never inline, so a
//! Content-Security-Policy without `'unsafe-inline'` does not block it.

use std::collections::{BTreeSet, HashMap};
use std::convert::Infallible;
use std::future::IntoFuture;
use std::hash::{DefaultHasher, Hash, Hasher};
use std::io;
use std::net::{Ipv4Addr, TcpListener as StdListener};
use std::path::{Path, PathBuf};
use std::sync::{mpsc, Arc};
use std::time::{Duration, Instant};

use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::{header, HeaderValue, Method, StatusCode, Uri};
use axum::middleware;
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use futures_util::stream;
use notify::{EventKind, RecursiveMode};
use notify_debouncer_full::{new_debouncer, DebounceEventResult};
use tokio::sync::watch;

use crate::diagnostic::Diagnostics;
use crate::output::OutputFile;
use crate::paths::site_path;
use crate::site::{self, Options, Site, Stage};

mod host;

/// How long the watcher waits for a burst of file events (an editor's save is
/// often several) to settle before rebuilding.
const DEBOUNCE: Duration = Duration::from_millis(100);

/// The folders and file of a project whose changes trigger a rebuild.
const WATCHED_FOLDERS: [&str; 3] = ["data", "content", "themes"];
const WATCHED_FILE: &str = "site.yaml";

/// The server's own files live under this path, outside any site.
const OWN_PREFIX: &str = "/__ecoscore/";

const LIVERELOAD_JS: &str = include_str!("serve/livereload.js");
const PROBLEMS_CSS: &str = include_str!("serve/problems.css");

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
    #[error("cannot run the server: {0}")]
    Runtime(io::Error),
}

/// What the server answers with at one moment.
#[derive(Debug, Default)]
struct Snapshot {
    /// Changes with every build whose result differs; pages carry it so the
    /// live-reload script knows whether it is out of date. Unique per
    /// process, so a page from an earlier run reloads too.
    version: String,
    /// The path the site is served under, from `base_url` ("/kaohe/").
    mount: String,
    /// The last good build, with the live-reload script in every page.
    files: HashMap<String, Bytes>,
    /// Fingerprint of the last good build's output, to skip no-op reloads.
    fingerprint: u64,
    /// While the input is broken: the problems page, answered for every page.
    problems: Option<Bytes>,
}

type Shared = watch::Receiver<Arc<Snapshot>>;

/// Bind, build, watch and serve until Ctrl-C. `report` is told what happens.
pub fn run(
    options: &ServeOptions,
    report: impl Fn(ServeEvent<'_>) + Send + Sync + 'static,
) -> Result<(), ServeError> {
    let report: Arc<dyn Fn(ServeEvent<'_>) + Send + Sync> = Arc::new(report);
    let root = std::fs::canonicalize(&options.root).map_err(|source| ServeError::Root {
        root: options.root.clone(),
        source,
    })?;
    let listener = bind(options.port)?;
    let address = listener.local_addr().map_err(ServeError::Runtime)?;

    let mut builder = Builder::new(&root);
    let first = builder
        .rebuild(&Snapshot::default(), &[], &*report)
        .unwrap_or_default();
    let mount = first.mount.clone();
    let (publish, shared) = watch::channel(Arc::new(first));

    let (messages, inbox) = mpsc::channel();
    let from_watcher = messages.clone();
    let mut debouncer = new_debouncer(DEBOUNCE, None, move |result: DebounceEventResult| {
        let _ = from_watcher.send(Message::Changes(result));
    })
    .map_err(|e| ServeError::Watch {
        path: root.clone(),
        message: e.to_string(),
    })?;
    debouncer
        .watch(&root, RecursiveMode::NonRecursive)
        .map_err(|e| ServeError::Watch {
            path: root.clone(),
            message: e.to_string(),
        })?;
    let mut watched = BTreeSet::new();
    watch_folders(&mut debouncer, &root, &mut watched, &*report);

    let url = format!("http://{address}{mount}");
    let mut watched_paths: Vec<PathBuf> = vec![PathBuf::from(WATCHED_FILE)];
    watched_paths.extend(watched.iter().cloned());
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
    let watcher = std::thread::spawn(move || {
        let mut debouncer = debouncer;
        while let Ok(message) = inbox.recv() {
            let batch = match message {
                Message::Stop => break,
                Message::Changes(Err(errors)) => {
                    for error in errors {
                        watcher_report(ServeEvent::WatchError {
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
            let mut add = |events: Vec<notify_debouncer_full::DebouncedEvent>| {
                for event in events {
                    if matches!(event.kind, EventKind::Access(_)) {
                        continue;
                    }
                    changed.extend(event.paths.iter().filter_map(|p| relevant(&root, p)));
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
            watch_folders(&mut debouncer, &root, &mut watched, &*watcher_report);
            if changed.is_empty() {
                continue;
            }
            let changed: Vec<PathBuf> = changed.into_iter().collect();
            let current = Arc::clone(&publish.borrow());
            if let Some(next) = builder.rebuild(&current, &changed, &*watcher_report) {
                publish.send_replace(Arc::new(next));
            }
        }
        // Dropping `publish` ends every live-reload stream, so the server's
        // graceful shutdown does not wait for open pages.
        drop(publish);
        drop(debouncer);
    });

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
        let server = axum::serve(listener, router(shared, address.port()))
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

enum Message {
    Changes(DebounceEventResult),
    Stop,
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

/// Watch each of data/, content/, themes/ that exists and is not watched yet
/// (a folder created after start is picked up at the next event in the root).
fn watch_folders(
    debouncer: &mut notify_debouncer_full::Debouncer<
        notify::RecommendedWatcher,
        notify_debouncer_full::RecommendedCache,
    >,
    root: &Path,
    watched: &mut BTreeSet<PathBuf>,
    report: &(dyn Fn(ServeEvent<'_>) + Send + Sync),
) {
    watched.retain(|folder| root.join(folder).is_dir());
    for folder in WATCHED_FOLDERS {
        let path = root.join(folder);
        if !path.is_dir() || watched.contains(Path::new(folder)) {
            continue;
        }
        match debouncer.watch(&path, RecursiveMode::Recursive) {
            Ok(()) => {
                watched.insert(PathBuf::from(folder));
            }
            Err(e) => report(ServeEvent::WatchError {
                message: format!("cannot watch {folder}/: {e}"),
            }),
        }
    }
}

/// The project-relative path of a changed file if it is an input of the site
/// (site.yaml, or under data/, content/, themes/), leaving out editors'
/// backup, swap and hidden files.
fn relevant(root: &Path, path: &Path) -> Option<PathBuf> {
    let relative = path.strip_prefix(root).ok()?;
    let first = relative.components().next()?.as_os_str();
    let name = relative.file_name()?.to_string_lossy();
    let scratch = name.starts_with('.')
        || name.ends_with('~')
        || name.ends_with(".swp")
        || name.ends_with(".swx")
        || name == "4913";
    let input = if relative.components().count() == 1 {
        first == WATCHED_FILE || WATCHED_FOLDERS.iter().any(|f| first == *f)
    } else {
        WATCHED_FOLDERS.iter().any(|f| first == *f)
    };
    (input && !scratch).then(|| relative.to_path_buf())
}

/// Renders the project into snapshots.
struct Builder {
    root: PathBuf,
    process: u32,
    builds: u64,
}

impl Builder {
    fn new(root: &Path) -> Builder {
        Builder {
            root: root.to_path_buf(),
            process: std::process::id(),
            builds: 0,
        }
    }

    /// Render the site and return the snapshot to serve next, or `None` when
    /// the output is what `current` already serves (open pages need no reload).
    fn rebuild(
        &mut self,
        current: &Snapshot,
        changed: &[PathBuf],
        report: &(dyn Fn(ServeEvent<'_>) + Send + Sync),
    ) -> Option<Snapshot> {
        let started = Instant::now();
        let mut marks: Vec<(Stage, Instant)> = Vec::new();
        let options = Options {
            drafts: true,
            pdf: false,
        };
        let result = Site::new(&self.root, &options)
            .observe(&mut |stage| marks.push((stage, Instant::now())))
            .render();
        let millis = started.elapsed().as_millis();
        let end = Instant::now();
        let stages: Vec<(Stage, Duration)> = marks
            .iter()
            .enumerate()
            .map(|(i, (stage, at))| (*stage, marks.get(i + 1).map_or(end, |m| m.1) - *at))
            .collect();
        match result {
            Ok(site::Rendered {
                project,
                files,
                warnings,
                years,
                ..
            }) => {
                let fingerprint = fingerprint(&files);
                let unchanged = current.problems.is_none()
                    && !current.version.is_empty()
                    && current.fingerprint == fingerprint;
                report(ServeEvent::Built {
                    millis,
                    stages: &stages,
                    pages: files.iter().filter(|f| f.path.ends_with(".html")).count(),
                    charts: site::count_charts(&files),
                    files: files.len(),
                    years: &years,
                    warnings: &warnings,
                    changed,
                    reload: !unchanged,
                });
                if unchanged {
                    return None;
                }
                let version = self.next_version();
                let files = files
                    .into_iter()
                    .map(|file| {
                        let bytes = if file.path.ends_with(".html") {
                            with_reload_script(&file.bytes, &version)
                        } else {
                            file.bytes
                        };
                        (file.path, Bytes::from(bytes))
                    })
                    .collect();
                Some(Snapshot {
                    version,
                    mount: site_path(&project.site.base_url),
                    files,
                    fingerprint,
                    problems: None,
                })
            }
            Err(diagnostics) => {
                report(ServeEvent::Failed {
                    millis,
                    diagnostics: &diagnostics,
                    changed,
                });
                let version = self.next_version();
                let problems = Bytes::from(problems_page(&diagnostics, &version));
                Some(Snapshot {
                    version,
                    mount: if current.mount.is_empty() {
                        "/".to_string()
                    } else {
                        current.mount.clone()
                    },
                    files: current.files.clone(),
                    fingerprint: current.fingerprint,
                    problems: Some(problems),
                })
            }
        }
    }

    fn next_version(&mut self) -> String {
        self.builds += 1;
        format!("{}-{}", self.process, self.builds)
    }
}

fn fingerprint(files: &[OutputFile]) -> u64 {
    let mut hasher = DefaultHasher::new();
    for file in files {
        file.path.hash(&mut hasher);
        file.bytes.hash(&mut hasher);
    }
    hasher.finish()
}

/// The page with the live-reload script tag added at the end of `<head>`
/// (or of `<body>`, or of the document).
fn with_reload_script(html: &[u8], version: &str) -> Vec<u8> {
    let tag = format!(
        r#"<script src="{OWN_PREFIX}livereload.js" data-ecoscore-version="{version}" defer></script>"#
    );
    let find = |needle: &[u8]| {
        html.windows(needle.len())
            .position(|w| w.eq_ignore_ascii_case(needle))
    };
    let at = find(b"</head>")
        .or_else(|| find(b"</body>"))
        .unwrap_or(html.len());
    let mut out = Vec::with_capacity(html.len() + tag.len());
    out.extend_from_slice(&html[..at]);
    out.extend_from_slice(tag.as_bytes());
    out.extend_from_slice(&html[at..]);
    out
}

/// The page every request for a page gets while the input is broken: each
/// problem with its file, line and column, then the full report.
fn problems_page(diagnostics: &Diagnostics, version: &str) -> Vec<u8> {
    let errors = diagnostics.error_count();
    let mut list = String::new();
    for d in diagnostics.iter() {
        list.push_str(&format!(
            "<li class=\"{}\"><code>{}</code></li>\n",
            if d.is_error() { "error" } else { "warning" },
            crate::render::charts::escape(&d.to_string())
        ));
    }
    let page = format!(
        r#"<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>站点无法生成 · the site does not build</title>
<link rel="stylesheet" href="{OWN_PREFIX}problems.css">
</head>
<body>
<main class="ecoscore-problems">
<h1>站点无法生成 · the site does not build</h1>
<p>{errors} {noun}. 修改下列文件并保存后，本页会自动刷新。Fix the files below and save: this page reloads by itself; the server keeps running.</p>
<ul>
{list}</ul>
<pre>{report}</pre>
</main>
</body>
</html>
"#,
        noun = if errors == 1 { "error" } else { "errors" },
        report = crate::render::charts::escape(&diagnostics.render(false)),
    );
    with_reload_script(page.as_bytes(), version)
}

fn router(shared: Shared, port: u16) -> Router {
    Router::new()
        .route(
            &format!("{OWN_PREFIX}livereload.js"),
            get(|| async { own_file(LIVERELOAD_JS, "text/javascript; charset=utf-8") }),
        )
        .route(
            &format!("{OWN_PREFIX}problems.css"),
            get(|| async { own_file(PROBLEMS_CSS, "text/css; charset=utf-8") }),
        )
        .route(&format!("{OWN_PREFIX}events"), get(events))
        .fallback(site_file)
        .with_state(shared)
        .layer(middleware::from_fn_with_state(port, host::only_local))
}

fn own_file(text: &'static str, content_type: &'static str) -> Response {
    (
        [
            (header::CONTENT_TYPE, content_type),
            (header::CACHE_CONTROL, "no-store"),
        ],
        text,
    )
        .into_response()
}

/// The live-reload stream: the current version at once, then each new one.
async fn events(State(shared): State<Shared>) -> impl IntoResponse {
    let versions = stream::unfold((shared, true), |(mut shared, first)| async move {
        if !first && shared.changed().await.is_err() {
            return None;
        }
        let version = shared.borrow_and_update().version.clone();
        Some((
            Ok::<Event, Infallible>(Event::default().data(version)),
            (shared, false),
        ))
    });
    Sse::new(versions).keep_alive(KeepAlive::default())
}

fn content_type(path: &str) -> &'static str {
    let extension = path.rsplit_once('.').map_or("", |(_, e)| e);
    match extension.to_ascii_lowercase().as_str() {
        "html" | "htm" => "text/html; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "json" => "application/json",
        "xml" => "application/xml; charset=utf-8",
        "csv" => "text/csv; charset=utf-8",
        "txt" | "md" => "text/plain; charset=utf-8",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "webp" => "image/webp",
        "ico" => "image/x-icon",
        "woff2" => "font/woff2",
        "woff" => "font/woff",
        "pdf" => "application/pdf",
        _ => "application/octet-stream",
    }
}

/// `%XX` sequences decoded; `None` if that is not UTF-8 or a sequence is cut.
fn percent_decode(path: &str) -> Option<String> {
    let bytes = path.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = std::str::from_utf8(bytes.get(i + 1..i + 3)?).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

/// How a request path maps onto the site.
#[derive(Debug, PartialEq, Eq)]
enum Lookup {
    /// The file at this site-relative path.
    File(String),
    /// A folder asked for without its slash, or the server root: go here.
    Redirect(String),
    NotFound,
}

fn lookup(snapshot: &Snapshot, path: &str) -> Lookup {
    let Some(relative) = path.strip_prefix(snapshot.mount.as_str()) else {
        if path == "/" || format!("{path}/") == snapshot.mount {
            return Lookup::Redirect(snapshot.mount.clone());
        }
        return Lookup::NotFound;
    };
    let file = if relative.is_empty() || relative.ends_with('/') {
        format!("{relative}index.html")
    } else {
        relative.to_string()
    };
    if snapshot.files.contains_key(&file) {
        return Lookup::File(file);
    }
    if snapshot
        .files
        .contains_key(&format!("{relative}/index.html"))
    {
        return Lookup::Redirect(format!("{path}/"));
    }
    Lookup::NotFound
}

async fn site_file(State(shared): State<Shared>, method: Method, uri: Uri) -> Response {
    if method != Method::GET && method != Method::HEAD {
        return (
            StatusCode::METHOD_NOT_ALLOWED,
            [(header::ALLOW, "GET, HEAD")],
        )
            .into_response();
    }
    let snapshot = Arc::clone(&shared.borrow());
    let Some(path) = percent_decode(uri.path()) else {
        return (StatusCode::BAD_REQUEST, "bad path").into_response();
    };
    let found = lookup(&snapshot, &path);
    let is_page = match &found {
        Lookup::File(file) => file.ends_with(".html"),
        Lookup::Redirect(_) => false,
        Lookup::NotFound => true,
    };
    let mut response = match (&snapshot.problems, found) {
        (Some(problems), _) if is_page => page(
            StatusCode::INTERNAL_SERVER_ERROR,
            "text/html; charset=utf-8",
            problems.clone(),
        ),
        (_, Lookup::File(file)) => page(
            StatusCode::OK,
            content_type(&file),
            snapshot.files[&file].clone(),
        ),
        (_, Lookup::Redirect(to)) => {
            let to = match uri.query() {
                Some(query) => format!("{to}?{query}"),
                None => to,
            };
            let mut response = StatusCode::TEMPORARY_REDIRECT.into_response();
            if let Ok(location) = HeaderValue::from_str(&to) {
                response.headers_mut().insert(header::LOCATION, location);
            }
            response
        }
        (_, Lookup::NotFound) => match snapshot.files.get("404.html") {
            Some(bytes) => page(
                StatusCode::NOT_FOUND,
                "text/html; charset=utf-8",
                bytes.clone(),
            ),
            None => (StatusCode::NOT_FOUND, "not found").into_response(),
        },
    };
    if method == Method::HEAD {
        *response.body_mut() = Body::empty();
    }
    response
}

fn page(status: StatusCode, content_type: &'static str, bytes: Bytes) -> Response {
    (
        status,
        [
            (header::CONTENT_TYPE, content_type),
            (header::CACHE_CONTROL, "no-store"),
        ],
        bytes,
    )
        .into_response()
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

#[cfg(test)]
mod tests {
    use super::*;

    fn snapshot(mount: &str, files: &[&str]) -> Snapshot {
        Snapshot {
            mount: mount.to_string(),
            files: files
                .iter()
                .map(|f| (f.to_string(), Bytes::from_static(b"x")))
                .collect(),
            ..Snapshot::default()
        }
    }

    #[test]
    fn paths_map_onto_the_site_under_its_mount() {
        let s = snapshot(
            "/kaohe/",
            &["index.html", "2023/index.html", "static/style.css"],
        );
        assert_eq!(lookup(&s, "/"), Lookup::Redirect("/kaohe/".into()));
        assert_eq!(lookup(&s, "/kaohe"), Lookup::Redirect("/kaohe/".into()));
        assert_eq!(lookup(&s, "/kaohe/"), Lookup::File("index.html".into()));
        assert_eq!(
            lookup(&s, "/kaohe/2023/"),
            Lookup::File("2023/index.html".into())
        );
        assert_eq!(
            lookup(&s, "/kaohe/2023"),
            Lookup::Redirect("/kaohe/2023/".into())
        );
        assert_eq!(
            lookup(&s, "/kaohe/static/style.css"),
            Lookup::File("static/style.css".into())
        );
        assert_eq!(lookup(&s, "/kaohe/2024/"), Lookup::NotFound);
        assert_eq!(lookup(&s, "/other/"), Lookup::NotFound);
        assert_eq!(lookup(&s, "/kaohe/../index.html"), Lookup::NotFound);
    }

    #[test]
    fn content_types_name_their_charset() {
        assert_eq!(content_type("a/index.html"), "text/html; charset=utf-8");
        assert_eq!(content_type("2023/data.csv"), "text/csv; charset=utf-8");
        assert_eq!(content_type("feed.xml"), "application/xml; charset=utf-8");
        assert_eq!(content_type("charts/x.svg"), "image/svg+xml");
        assert_eq!(content_type("README"), "application/octet-stream");
    }

    #[test]
    fn percent_decoding() {
        assert_eq!(percent_decode("/a%20b/").as_deref(), Some("/a b/"));
        assert_eq!(
            percent_decode("/%E5%90%89%E6%9E%97").as_deref(),
            Some("/吉林")
        );
        assert_eq!(percent_decode("/%E5%90"), None);
        assert_eq!(percent_decode("/%4"), None);
    }

    #[test]
    fn the_reload_script_goes_at_the_end_of_head_as_a_file() {
        let page = with_reload_script(
            b"<html><head><title>t</title></head><body></body></html>",
            "7-1",
        );
        let text = String::from_utf8(page).unwrap();
        assert!(text.contains(
            r#"<script src="/__ecoscore/livereload.js" data-ecoscore-version="7-1" defer></script></head>"#
        ));
        let bare = String::from_utf8(with_reload_script(b"<p>x</p>", "1")).unwrap();
        assert!(bare.starts_with("<p>x</p><script src="));
    }

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
    fn the_problems_page_escapes_and_locates() {
        let diagnostics: Diagnostics = [crate::Diagnostic::error(
            "data/2023/results/a.yaml",
            crate::diagnostic::Pos::new(3, 5),
            "expected a number, found <b>",
        )]
        .into_iter()
        .collect();
        let page = String::from_utf8(problems_page(&diagnostics, "1-2")).unwrap();
        assert!(page.contains("data/2023/results/a.yaml:3:5: expected a number, found &lt;b&gt;"));
        assert!(!page.contains("<b>"));
        assert!(page.contains(r#"data-ecoscore-version="1-2""#));
        assert!(!page.contains("<script>"), "no inline script");
        assert!(!page.contains("<style"), "no inline style");
    }

    #[test]
    fn a_failed_build_keeps_assets_and_shows_problems_then_recovers() {
        let dir = tempfile::tempdir().unwrap();
        crate::init::init(dir.path(), false).unwrap();
        let mut builder = Builder::new(dir.path());
        let quiet = |_: ServeEvent<'_>| {};
        let good = builder.rebuild(&Snapshot::default(), &[], &quiet).unwrap();
        assert!(good.problems.is_none());
        assert_eq!(good.mount, "/kaohe/");
        let index = String::from_utf8(good.files["index.html"].to_vec()).unwrap();
        assert!(index.contains(&format!("data-ecoscore-version=\"{}\"", good.version)));

        assert!(
            builder.rebuild(&good, &[], &quiet).is_none(),
            "an identical build does not reload pages"
        );

        let rules = dir.path().join("data/2024/rules.yaml");
        let text = std::fs::read_to_string(&rules).unwrap();
        std::fs::write(&rules, text.replace("bonus_cap: 5", "bonus_cap: five")).unwrap();
        let broken = builder.rebuild(&good, &[], &quiet).unwrap();
        let problems = String::from_utf8(broken.problems.clone().unwrap().to_vec()).unwrap();
        assert!(problems.contains("data/2024/rules.yaml:"), "{problems}");
        assert_eq!(broken.files.len(), good.files.len(), "assets stay");
        assert_ne!(broken.version, good.version);

        std::fs::write(&rules, text).unwrap();
        let fixed = builder.rebuild(&broken, &[], &quiet).unwrap();
        assert!(fixed.problems.is_none());
        assert_ne!(fixed.version, broken.version);
    }
}
