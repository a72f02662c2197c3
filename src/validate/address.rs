//! `base_url`: the address the site is published at. It is written into
//! every page (canonical links, the sitemap, the feed, the PDFs' links), so
//! only an absolute http(s) address with a host and a path is accepted, in
//! characters that need no escaping in a URL or an HTML attribute.

/// The address with a trailing `/`, or what is wrong with it.
pub fn base_url(written: &str) -> Result<String, String> {
    let text = written.trim();
    if let Some(c) = text.chars().find(|c| c.is_whitespace() || c.is_control()) {
        let what = if c == ' ' || c == '\u{3000}' {
            "a space".to_string()
        } else {
            format!("the character {c:?}")
        };
        return Err(format!("it contains {what}; write spaces in a path as %20"));
    }
    let Some((_, rest)) = ["https://", "http://"]
        .iter()
        .find_map(|scheme| text.strip_prefix(scheme).map(|rest| (scheme, rest)))
    else {
        return Err("it does not start with https:// or http://".into());
    };
    let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let (authority, path) = rest.split_at(authority_end);
    if authority.contains('@') {
        return Err("it names a user (`…@`); write only the host".into());
    }
    let (host, port) = match authority.rsplit_once(':') {
        Some((host, _)) if !host.ends_with(']') && host.contains(':') => (authority, None),
        Some((host, port)) => (host, Some(port)),
        None => (authority, None),
    };
    if host.is_empty() {
        return Err("it has no host after the scheme".into());
    }
    if !is_host(host) {
        return Err(format!("`{host}` is not a host name"));
    }
    if let Some(port) = port {
        if !port.bytes().all(|b| b.is_ascii_digit()) || !matches!(port.parse::<u16>(), Ok(1..)) {
            return Err(format!("`{port}` is not a port number"));
        }
    }
    if path.contains(['?', '#']) {
        return Err(
            "it has a query (`?`) or a fragment (`#`); the site's address is a folder".into(),
        );
    }
    if let Some(bad) = path_problem(path) {
        return Err(bad);
    }
    let mut address = text.to_string();
    if !address.ends_with('/') {
        address.push('/');
    }
    Ok(address)
}

/// A DNS name (letters, digits and `-` in dot-separated labels, Unicode
/// letters allowed for internationalised names) or a bracketed IPv6 address.
fn is_host(host: &str) -> bool {
    if let Some(inner) = host.strip_prefix('[').and_then(|h| h.strip_suffix(']')) {
        return !inner.is_empty()
            && inner
                .chars()
                .all(|c| c.is_ascii_hexdigit() || c == ':' || c == '.');
    }
    host.split('.').all(|label| {
        !label.is_empty()
            && !label.starts_with('-')
            && !label.ends_with('-')
            && label.chars().all(|c| c.is_alphanumeric() || c == '-')
    })
}

/// What is wrong with the path, if anything: it may hold the characters a
/// URL path allows unescaped (RFC 3986 `pchar`, `/`, and letters of any
/// script) and `%` escapes, nothing that would need escaping in HTML.
fn path_problem(path: &str) -> Option<String> {
    let mut chars = path.char_indices();
    while let Some((i, c)) = chars.next() {
        let allowed = c.is_alphanumeric() || "-._~!$&'()*+,;=:@/".contains(c);
        if c == '%' {
            let escape = path.get(i + 1..i + 3);
            if !escape.is_some_and(|e| e.bytes().all(|b| b.is_ascii_hexdigit())) {
                return Some("it has a `%` that is not followed by two hex digits".into());
            }
            chars.nth(1);
        } else if !allowed {
            return Some(format!(
                "its path contains `{c}`, which a web address cannot hold"
            ));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_absolute_addresses_with_a_host() {
        for (written, kept) in [
            (
                "https://sthjt.jl.gov.cn/kaohe/",
                "https://sthjt.jl.gov.cn/kaohe/",
            ),
            ("https://example.test/tiny", "https://example.test/tiny/"),
            ("http://localhost:8080", "http://localhost:8080/"),
            ("https://[::1]:8443/a/", "https://[::1]:8443/a/"),
            ("https://吉林.政务/考核/", "https://吉林.政务/考核/"),
            ("https://example.test/a%20b/", "https://example.test/a%20b/"),
        ] {
            assert_eq!(base_url(written).as_deref(), Ok(kept), "{written}");
        }
    }

    #[test]
    fn refuses_what_is_not_one() {
        for (written, why) in [
            ("http://", "no host"),
            ("https:///kaohe/", "no host"),
            ("https://example.test/ka ohe/", "a space"),
            ("https://example.test/\"><script>alert(1)</script>", "`\"`"),
            ("https://example.test/<b>/", "`<`"),
            ("example.test/tiny", "https://"),
            ("ftp://example.test/", "https://"),
            ("https://user@example.test/", "user"),
            ("https://exa_mple.test/", "not a host name"),
            ("https://example..test/", "not a host name"),
            ("https://example.test:0/", "port"),
            ("https://example.test:99999/", "port"),
            ("https://example.test/?a=1", "query"),
            ("https://example.test/#top", "fragment"),
            ("https://example.test/100%/", "hex digits"),
            ("https://example.test/a\\b/", "`\\`"),
        ] {
            let problem = base_url(written).unwrap_err();
            assert!(problem.contains(why), "{written}: {problem}");
        }
    }
}
