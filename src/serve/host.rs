//! The Host check of `serve`: only requests addressed to this server by a
//! loopback name and its port are answered, the defence against DNS
//! rebinding (a page of another site resolving its own name to 127.0.0.1 to
//! read the preview with the visitor's browser).

use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, StatusCode, Uri};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

/// Whether `host` (a Host header or a request's authority) is one of the
/// loopback names with `port`.
fn is_local_host(host: &str, port: u16) -> bool {
    let (name, given_port) = match host.strip_prefix('[') {
        Some(rest) => match rest.split_once(']') {
            Some((inside, after)) => (&host[..inside.len() + 2], after),
            None => return false,
        },
        None => match host.rsplit_once(':') {
            Some((name, _)) => (name, &host[name.len()..]),
            None => (host, ""),
        },
    };
    let local = name.eq_ignore_ascii_case("localhost") || name == "127.0.0.1" || name == "[::1]";
    let port_ok = match given_port.strip_prefix(':') {
        Some(given) => given == port.to_string(),
        // A browser leaves out the default port.
        None => given_port.is_empty() && port == 80,
    };
    local && port_ok
}

/// Whether a request is addressed to this server by a loopback name: its
/// Host header, and the authority of an absolute request target if it has one.
fn addressed_locally(headers: &HeaderMap, uri: &Uri, port: u16) -> bool {
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .is_some_and(|h| is_local_host(h, port));
    let authority = uri
        .authority()
        .is_none_or(|a| is_local_host(a.as_str(), port));
    host && authority
}

/// Every request, before its route: one for another host is refused.
pub(super) async fn only_local(State(port): State<u16>, request: Request, next: Next) -> Response {
    if addressed_locally(request.headers(), request.uri(), port) {
        return next.run(request).await;
    }
    (
        StatusCode::MISDIRECTED_REQUEST,
        [
            (header::CONTENT_TYPE, "text/plain; charset=utf-8"),
            (header::CACHE_CONTROL, "no-store"),
        ],
        format!(
            "ecoscore serve answers only requests for 127.0.0.1:{port}, localhost:{port} or [::1]:{port}\n"
        ),
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_loopback_names_with_the_port_are_local() {
        for host in [
            "127.0.0.1:8080",
            "localhost:8080",
            "LocalHost:8080",
            "[::1]:8080",
        ] {
            assert!(is_local_host(host, 8080), "{host}");
        }
        for host in [
            "127.0.0.1",
            "localhost",
            "localhost:8081",
            "evil.example:8080",
            "localhost.evil.example:8080",
            "127.0.0.1.nip.io:8080",
            "[::1]",
            "[::2]:8080",
            "[::1:8080",
            "localhost:8080:8080",
            "",
        ] {
            assert!(!is_local_host(host, 8080), "{host}");
        }
        assert!(
            is_local_host("localhost", 80),
            "the default port may be left out"
        );
    }
}
