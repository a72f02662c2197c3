//! The HTTP side: the router, the server's own files, the live-reload
//! event stream, and how a request path maps onto the snapshot's files.

use std::convert::Infallible;
use std::sync::Arc;

use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::{header, HeaderValue, Method, StatusCode, Uri};
use axum::middleware;
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use futures_util::stream;
use tokio::sync::watch;

use super::snapshot::Snapshot;
use super::{host, OWN_PREFIX};

const LIVERELOAD_JS: &str = include_str!("livereload.js");
const PROBLEMS_CSS: &str = include_str!("problems.css");

pub(super) type Shared = watch::Receiver<Arc<Snapshot>>;

pub(super) fn router(shared: Shared, port: u16) -> Router {
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
            snapshot.answer(&file).unwrap_or_default(),
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
        (_, Lookup::NotFound) => match snapshot.answer("404.html") {
            Some(bytes) => page(StatusCode::NOT_FOUND, "text/html; charset=utf-8", bytes),
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

#[cfg(test)]
mod tests {
    use super::*;

    fn snapshot(mount: &str, files: &[&str]) -> Snapshot {
        Snapshot {
            mount: mount.to_string(),
            files: files.iter().map(|f| (f.to_string(), 0)).collect(),
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
}
