//! `ecoscore serve` over real HTTP: the binary is started on a free port in a
//! copy of the sample, pages are fetched with a minimal HTTP/1.1 client, and
//! input files are edited, broken and fixed while it runs.

#![cfg(feature = "serve")]

use std::collections::BTreeSet;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::process::{Child, ChildStdout, Command, Stdio};
use std::time::{Duration, Instant};

use crate::common::*;
use ecoscore::load::INPUTS;

/// How long a test waits for an edit to show. A bound against hanging, not a
/// speed test: the tests share two cores with the whole suite, and the
/// rebuild time is measured by scripts/bench-serve-rebuild.sh instead.
const EDIT_VISIBLE_WITHIN: Duration = Duration::from_secs(20);

/// A running `ecoscore serve`, killed when dropped (also when a test fails).
struct Server {
    child: Child,
    stdout: BufReader<ChildStdout>,
    /// "http://127.0.0.1:PORT/kaohe/"
    url: String,
    /// One server at a time: the "within two seconds" checks measure the
    /// server's rebuild, not four servers rebuilding at once on two cores.
    _serial: std::sync::MutexGuard<'static, ()>,
}

static SERIAL: std::sync::Mutex<()> = std::sync::Mutex::new(());

impl Server {
    fn start(root: &Path) -> Server {
        let serial = SERIAL
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let mut child = Command::new(env!("CARGO_BIN_EXE_ecoscore"))
            .arg("--root")
            .arg(root)
            .args(["serve", "--port", "0"])
            .env("NO_COLOR", "1")
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start ecoscore serve");
        let mut stdout = BufReader::new(child.stdout.take().expect("stdout"));
        let mut url = None;
        for _ in 0..10 {
            let mut line = String::new();
            if stdout.read_line(&mut line).expect("read stdout") == 0 {
                break;
            }
            if let Some(rest) = line.strip_prefix("serving ") {
                url = rest.split_whitespace().next().map(str::to_string);
                break;
            }
        }
        let Some(url) = url else {
            let _ = child.kill();
            let output = child.wait_with_output().expect("wait");
            panic!(
                "serve did not announce its address; stderr:\n{}",
                String::from_utf8_lossy(&output.stderr)
            );
        };
        Server {
            child,
            stdout,
            url,
            _serial: serial,
        }
    }

    fn address(&self) -> &str {
        let rest = self.url.strip_prefix("http://").expect("http URL");
        &rest[..rest.find('/').expect("path")]
    }

    fn get(&self, path: &str) -> Response {
        get(self.address(), path)
    }

    /// Fetch `path` until `accept` holds, for at most `within`.
    fn wait_for(
        &self,
        path: &str,
        within: Duration,
        what: &str,
        accept: impl Fn(&Response) -> bool,
    ) -> Response {
        let started = Instant::now();
        loop {
            let response = self.get(path);
            if accept(&response) {
                return response;
            }
            assert!(
                started.elapsed() < within,
                "{what}: not seen at {path} within {within:?}; last response: {} {}",
                response.status,
                &response.body[..response.body.len().min(2000)]
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[derive(Debug)]
struct Response {
    status: u16,
    headers: Vec<(String, String)>,
    body: String,
}

impl Response {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// GET over a fresh connection, `Connection: close`, body read to the end.
fn get(address: &str, path: &str) -> Response {
    request(address, path, address)
}

/// GET `target` (a path, or an absolute URL as a proxy is sent) from the
/// server at `address`, saying `Host: host`.
fn request(address: &str, target: &str, host: &str) -> Response {
    let mut stream = TcpStream::connect(address).expect("connect");
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    write!(
        stream,
        "GET {target} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).expect("read response");
    let text = String::from_utf8(raw).expect("UTF-8 response");
    let (head, body) = text.split_once("\r\n\r\n").expect("header end");
    let mut lines = head.lines();
    let status = lines
        .next()
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|s| s.parse().ok())
        .expect("status line");
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_string(), v.trim().to_string()))
        .collect();
    Response {
        status,
        headers,
        body: body.to_string(),
    }
}

const SCORECARD: &str = "2024/regions/changchun/index.html";
const RESULTS: &str = "data/2024/results/changchun.yaml";

#[test]
fn serves_rebuilds_shows_problems_and_recovers() {
    let project = sample_project();
    let server = Server::start(project.path());
    assert!(
        server.url.ends_with("/kaohe/"),
        "served under the site's own path: {}",
        server.url
    );
    let mount = "/kaohe/";
    let page_path = format!("{mount}{SCORECARD}");

    // The root redirects to the site; folders get their index.html.
    let root = server.get("/");
    assert_eq!(root.status, 307);
    assert_eq!(root.header("location"), Some(mount));
    let index = server.get(mount);
    assert_eq!(index.status, 200);
    assert_eq!(
        index.header("content-type"),
        Some("text/html; charset=utf-8")
    );
    assert_eq!(server.get(&format!("{mount}2024")).status, 307);

    // Drafts are shown, marked.
    assert!(
        index.body.contains("2025年度（草稿）"),
        "draft year in the nav"
    );
    assert_eq!(server.get(&format!("{mount}2025/")).status, 200);

    // Every page loads the live-reload script as a file, never inline.
    let tags = tags(&index.body);
    let reload = tags
        .iter()
        .find(|t| t.name == "script" && t.attrs.contains_key("data-ecoscore-version"))
        .expect("live-reload script tag");
    assert_eq!(reload.attrs["src"], "/__ecoscore/livereload.js");
    let script = server.get("/__ecoscore/livereload.js");
    assert_eq!(script.status, 200);
    assert_eq!(
        script.header("content-type"),
        Some("text/javascript; charset=utf-8")
    );
    assert!(script.body.contains("EventSource(\"/__ecoscore/events\")"));

    // Content types of the other kinds of file.
    let csv = server.get(&format!("{mount}2024/data/results.csv"));
    assert_eq!(csv.status, 200);
    assert_eq!(csv.header("content-type"), Some("text/csv; charset=utf-8"));
    assert_eq!(
        server
            .get(&format!("{mount}feed.xml"))
            .header("content-type"),
        Some("application/xml; charset=utf-8")
    );
    assert_eq!(
        server
            .get(&format!("{mount}static/style.css"))
            .header("content-type"),
        Some("text/css; charset=utf-8")
    );
    let missing = server.get(&format!("{mount}no/such/page/"));
    assert_eq!(missing.status, 404);
    assert!(missing.body.contains("页面未找到"), "the theme's 404 page");

    // Satisfaction 89.2 scores 13.38 of 15; 80.2 scores 12.03.
    let before = server.get(&page_path);
    assert_eq!(before.status, 200);
    assert!(before.body.contains("13.38") && !before.body.contains("12.03"));
    edit(
        project.path(),
        RESULTS,
        "satisfaction: 89.2",
        "satisfaction: 80.2",
    );
    server.wait_for(&page_path, EDIT_VISIBLE_WITHIN, "the new score", |r| {
        r.status == 200 && r.body.contains("12.03")
    });

    // A broken file: every page shows where and what, assets still load.
    let line = edit(
        project.path(),
        RESULTS,
        "satisfaction: 80.2",
        "satisfaction: [80.2",
    );
    let problems = server.wait_for(&page_path, EDIT_VISIBLE_WITHIN, "the problems page", |r| {
        r.status == 500
    });
    assert!(
        problems.body.contains(&format!("{RESULTS}:{line}:")),
        "names the file and line {line}:\n{}",
        problems.body
    );
    assert!(
        problems.body.contains("data-ecoscore-version"),
        "reloads itself"
    );
    let other_page = server.get(&format!("{mount}index.html"));
    assert_eq!(other_page.status, 500, "every page shows the problems");
    assert_eq!(
        server.get(&format!("{mount}static/style.css")).status,
        200,
        "assets of the last good build stay available"
    );

    // Fixed: the site is back, with the figure.
    edit(
        project.path(),
        RESULTS,
        "satisfaction: [80.2",
        "satisfaction: 80.2",
    );
    server.wait_for(&page_path, EDIT_VISIBLE_WITHIN, "the site again", |r| {
        r.status == 200 && r.body.contains("12.03")
    });

    assert!(
        !project.path().join("public").exists(),
        "serve never writes public/"
    );
}

/// The version a page (or the problems page) carries.
fn version_of(response: &Response) -> Option<String> {
    tags(&response.body)
        .into_iter()
        .find_map(|t| t.attrs.get("data-ecoscore-version").cloned())
}

/// How long a rebuild may take here before the test gives up: a bound so a
/// rebuild that never comes fails the test instead of hanging it, not a
/// promise about speed.
const REBUILD_WITHIN: Duration = Duration::from_secs(20);

/// A page of an archived year, published from archive/ as frozen.
const ARCHIVED_PAGE: &str = "archive/2023/site/2023/index.html";

#[test]
fn a_change_under_every_input_of_a_build_rebuilds() {
    let project = sample_project();
    let root = project.path();
    // The sample holds every kind of input, and nothing else at its top, so
    // an input the list forgot would show here.
    let top: BTreeSet<String> = std::fs::read_dir(root)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(top, INPUTS.iter().map(|i| i.to_string()).collect());

    let server = Server::start(root);
    let index = "/kaohe/index.html";
    let mut version = version_of(&server.get(index)).expect("version on the page");
    let archived = std::fs::read(root.join(ARCHIVED_PAGE)).unwrap();
    for input in INPUTS {
        // A change that alters the output (an unchanged output is not
        // announced), or one the build refuses: an archived page is
        // published only as frozen.
        let status = match input {
            "site.yaml" => {
                edit(
                    root,
                    input,
                    "publisher: 吉林省生态环境厅\n",
                    "publisher: 吉林省生态环境厅（改）\n",
                );
                200
            }
            "data" => {
                edit(root, RESULTS, "satisfaction: 89.2", "satisfaction: 80.2");
                200
            }
            "content" => {
                append(root, "content/pages/about.md", "\n本页有改动。\n");
                200
            }
            "themes" => {
                append(
                    root,
                    "themes/default/static/style.css",
                    ".changed { color: #000; }\n",
                );
                200
            }
            "archive" => {
                append(root, ARCHIVED_PAGE, "<!-- 改动 -->\n");
                500
            }
            other => panic!("this test has no change for the input {other}: add one"),
        };
        let what = format!("a rebuild after a change under {input}");
        let rebuilt = server.wait_for(index, REBUILD_WITHIN, &what, |r| {
            version_of(r).is_some_and(|v| v != version)
        });
        assert_eq!(rebuilt.status, status, "{what}: {}", rebuilt.body);
        version = version_of(&rebuilt).unwrap();
    }
    // The archived page restored: rebuilt again, and the site is back.
    std::fs::write(root.join(ARCHIVED_PAGE), archived).unwrap();
    let back = server.wait_for(index, REBUILD_WITHIN, "the site again", |r| {
        version_of(r).is_some_and(|v| v != version)
    });
    assert_eq!(back.status, 200, "{}", back.body);
    assert!(
        back.body.contains("吉林省生态环境厅（改）"),
        "with the new publisher"
    );
}

#[test]
fn the_event_stream_announces_the_version_pages_carry() {
    let project = sample_project();
    let server = Server::start(project.path());
    let page = server.get(&format!("{}index.html", "/kaohe/"));
    let version = tags(&page.body)
        .into_iter()
        .find_map(|t| t.attrs.get("data-ecoscore-version").cloned())
        .expect("version on the page");

    let mut stream = TcpStream::connect(server.address()).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    write!(
        stream,
        "GET /__ecoscore/events HTTP/1.1\r\nHost: {}\r\nAccept: text/event-stream\r\n\r\n",
        server.address()
    )
    .unwrap();
    let mut reader = BufReader::new(stream);
    let mut next_data = || loop {
        let mut line = String::new();
        assert!(reader.read_line(&mut line).unwrap() > 0, "stream ended");
        if let Some(data) = line.trim_end().strip_prefix("data: ") {
            return data.to_string();
        }
    };
    assert_eq!(next_data(), version, "the current version comes first");
    edit(
        project.path(),
        RESULTS,
        "satisfaction: 89.2",
        "satisfaction: 80.2",
    );
    let next = next_data();
    assert_ne!(next, version, "a rebuild announces a new version");
    let page = server.get("/kaohe/index.html");
    assert!(
        page.body
            .contains(&format!("data-ecoscore-version=\"{next}\"")),
        "pages now carry the announced version"
    );
}

#[cfg(unix)]
#[test]
fn ctrl_c_stops_it_cleanly() {
    let project = sample_project();
    let mut server = Server::start(project.path());
    // Keep a live-reload stream open: shutdown must not wait for it.
    let mut stream = TcpStream::connect(server.address()).unwrap();
    write!(
        stream,
        "GET /__ecoscore/events HTTP/1.1\r\nHost: {}\r\n\r\n",
        server.address()
    )
    .unwrap();
    // The shell's own `kill`: no procps needed on a bare machine.
    let killed = Command::new("sh")
        .args(["-c", &format!("kill -INT {}", server.child.id())])
        .status()
        .expect("run sh");
    assert!(killed.success());
    let started = Instant::now();
    let status = loop {
        if let Some(status) = server.child.try_wait().unwrap() {
            break status;
        }
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "still running after Ctrl-C"
        );
        std::thread::sleep(Duration::from_millis(50));
    };
    assert_eq!(status.code(), Some(0), "exits 0 after Ctrl-C");
    let mut rest = String::new();
    server.stdout.read_to_string(&mut rest).unwrap();
    assert!(rest.contains("stopping"), "{rest}");
}

#[test]
fn a_port_in_use_suggests_another() {
    let taken = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port();
    let project = tiny_project();
    Test::new()
        .root(project.path())
        .args(["serve", "--port", &port.to_string()])
        .run()
        .failure()
        .stderr_contains(&format!("port {port} is in use; try --port "));
}

#[test]
fn answers_only_its_own_loopback_names_with_its_port() {
    let project = sample_project();
    let server = Server::start(project.path());
    let address = server.address().to_string();
    let port = address.rsplit_once(':').unwrap().1.to_string();
    for host in [
        address.clone(),
        format!("localhost:{port}"),
        format!("LOCALHOST:{port}"),
        format!("[::1]:{port}"),
    ] {
        let response = request(&address, "/kaohe/", &host);
        assert_eq!(response.status, 200, "Host: {host}");
    }
    // A DNS-rebinding page sends its own name; a proxy request names its
    // target in the request line.
    let refused = [
        ("/kaohe/", "evil.example".to_string()),
        ("/kaohe/", format!("evil.example:{port}")),
        ("/kaohe/", format!("localhost.evil.example:{port}")),
        ("/kaohe/", "127.0.0.1".to_string()),
        (
            "/kaohe/",
            format!("127.0.0.1:{}", port.parse::<u16>().unwrap() ^ 1),
        ),
        ("/__ecoscore/events", format!("evil.example:{port}")),
        ("/__ecoscore/livereload.js", format!("evil.example:{port}")),
        ("http://evil.example/kaohe/", address.clone()),
    ];
    for (target, host) in refused {
        let response = request(&address, target, &host);
        assert_eq!(response.status, 421, "{target} with Host: {host}");
        assert_eq!(
            response.header("content-type"),
            Some("text/plain; charset=utf-8")
        );
        assert!(
            response.body.contains(&format!("localhost:{port}")) && response.body.len() < 200,
            "a short plain message: {}",
            response.body
        );
        assert!(!response.body.contains("吉林"), "nothing of the site");
    }
}

/// A note text that must never be served, in a results file of the sample.
const NOTE: &str = "内部意见-CANARY-5e1f";
const SECOND_NOTE: &str = "第二条-CANARY-77aa";

#[cfg(unix)]
#[test]
fn the_problems_page_never_quotes_internal_notes() {
    let project = sample_project();
    let server = Server::start(project.path());
    let page = format!("/kaohe/{SCORECARD}");

    // A duplicate key inside `internal:`: every page is the problems page,
    // which says where the problem is and nothing of what is written there.
    append(
        project.path(),
        RESULTS,
        &format!("internal:\n  notes: {NOTE}\n  notes: {SECOND_NOTE}\n"),
    );
    let lines = read(project.path(), RESULTS).lines().count();
    let problems = server.wait_for(&page, EDIT_VISIBLE_WITHIN, "the problems page", |r| {
        r.status == 500
    });
    assert!(
        problems.body.contains(&format!("{RESULTS}:{lines}:3")),
        "says where: {}",
        problems.body
    );
    for text in [NOTE, SECOND_NOTE, "`notes`"] {
        assert!(
            !problems.body.contains(text),
            "the problems page quotes {text}:\n{}",
            problems.body
        );
    }

    // A narrative that is a link to the results file: refused, both named,
    // nothing of the file shown.
    edit(
        project.path(),
        RESULTS,
        &format!("  notes: {SECOND_NOTE}\n"),
        "",
    );
    let narrative = project.path().join("content/2024/regions/changchun.md");
    std::fs::remove_file(&narrative).unwrap();
    std::os::unix::fs::symlink("../../../data/2024/results/changchun.yaml", &narrative).unwrap();
    let problems = server.wait_for(&page, EDIT_VISIBLE_WITHIN, "the link refused", |r| {
        r.status == 500 && r.body.contains("content/2024/regions/changchun.md")
    });
    assert!(
        problems.body.contains(RESULTS),
        "names the file linked to: {}",
        problems.body
    );
    assert!(!problems.body.contains(NOTE), "{}", problems.body);
    for path in ["/kaohe/index.html", "/kaohe/2024/regions/changchun/"] {
        assert!(!server.get(path).body.contains(NOTE), "{path}");
    }
}

/// The page as a build writes it: the live-reload tag serve adds taken out.
fn without_reload_tag(body: &str) -> String {
    let Some(start) = body.find("<script src=\"/__ecoscore/livereload.js\"") else {
        return body.to_string();
    };
    let end = body[start..].find("</script>").expect("tag closed") + start + "</script>".len();
    format!("{}{}", &body[..start], &body[end..])
}

/// After edits of the latest year (an earlier one kept from the previous
/// render) and of an earlier year, every file serve answers is byte for
/// byte what a clean build of the same input writes.
#[test]
fn after_an_edit_it_serves_what_a_clean_build_writes() {
    let project = sample_project();
    let root = project.path();
    let server = Server::start(root);
    let index = "/kaohe/index.html";
    let mut version = version_of(&server.get(index)).expect("version on the page");
    for (results, from, to, page) in [
        (
            "data/2025/results/changchun.yaml",
            "satisfaction: 89.6",
            "satisfaction: 80.6",
            "2025/regions/changchun/index.html",
        ),
        (
            RESULTS,
            "satisfaction: 89.2",
            "satisfaction: 80.2",
            SCORECARD,
        ),
    ] {
        edit(root, results, from, to);
        let rebuilt = server.wait_for(index, REBUILD_WITHIN, "a rebuild", |r| {
            version_of(r).is_some_and(|v| v != version)
        });
        version = version_of(&rebuilt).unwrap();
        assert_serves_a_clean_build(&server, root, &format!("after editing {results}"));
        let shown = to.trim_start_matches("satisfaction: ");
        let edited = server.get(&format!("/kaohe/{page}"));
        assert!(edited.body.contains(shown), "the edit is served at {page}");
    }
}

/// The text of the problems page's full report, as `check` prints it.
fn problems_report(body: &str) -> String {
    let start = body.find("<pre>").expect("a report") + "<pre>".len();
    let end = body[start..].find("</pre>").expect("report closed") + start;
    body[start..end]
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&amp;", "&")
}

/// serve keeps each file's parsed document between rebuilds: files broken
/// while it runs are reported exactly as `check` reports them (a file with
/// a problem is parsed every time, broken again the same way as before),
/// and once they are put back byte for byte, what it serves is what a clean
/// build writes.
#[test]
fn files_broken_and_put_back_are_reported_and_served_as_without_a_cache() {
    let project = sample_project();
    let root = project.path();
    let server = Server::start(root);
    let index = "/kaohe/index.html";
    let page = format!("/kaohe/{SCORECARD}");
    let other = "data/2025/results/changchun.yaml";
    let originals: Vec<(&str, Vec<u8>)> = [RESULTS, other]
        .into_iter()
        .map(|f| (f, std::fs::read(root.join(f)).unwrap()))
        .collect();
    // Twice the same breakage, with a good edit between: the second time
    // the other files come from the cache, the broken ones never do. Each
    // wait is for what the page shows, not for the next version: saving two
    // files may rebuild in between.
    for round in 0..2 {
        edit(root, RESULTS, "satisfaction: 89.2", "satisfaction: [89.2");
        append(root, other, "bogus_key: 1\n");
        let problems = server.wait_for(index, REBUILD_WITHIN, "both problems", |r| {
            let body = &r.body;
            r.status == 500 && body.contains(RESULTS) && body.contains(other)
        });
        let report = problems_report(&problems.body);
        let check = Test::new().root(root).args(["check"]).run().failure();
        assert!(
            check.stderr.contains(report.trim_end()),
            "round {round}: serve reports what check reports\n--- serve ---\n{report}\n--- check ---\n{}",
            check.stderr
        );
        for (file, bytes) in &originals {
            std::fs::write(root.join(file), bytes).unwrap();
        }
        server.wait_for(&page, REBUILD_WITHIN, "the site again", |r| {
            r.status == 200 && r.body.contains("13.38")
        });
        edit(root, RESULTS, "satisfaction: 89.2", "satisfaction: 80.2");
        server.wait_for(&page, REBUILD_WITHIN, "a good edit", |r| {
            r.status == 200 && r.body.contains("12.03")
        });
        edit(root, RESULTS, "satisfaction: 80.2", "satisfaction: 89.2");
        server.wait_for(&page, REBUILD_WITHIN, "the edit undone", |r| {
            r.status == 200 && r.body.contains("13.38")
        });
    }
    assert_serves_a_clean_build(&server, root, "after the files were put back");
}

/// Every text file a clean `build --drafts` of `root` writes is what
/// `server` answers for it, byte for byte but the reload tag.
fn assert_serves_a_clean_build(server: &Server, root: &Path, when: &str) {
    let outputs = tempfile::tempdir().unwrap();
    let out = outputs.path().join("public");
    Test::new()
        .root(root)
        .args(["build", "--drafts", "--out"])
        .arg(&out)
        .run()
        .success();
    let mut compared = 0;
    for (path, bytes) in read_tree(&out) {
        // The HTTP client here reads text; workbooks are compared by
        // their own tests.
        let Ok(text) = String::from_utf8(bytes) else {
            continue;
        };
        let served = server.get(&format!("/kaohe/{path}"));
        assert_eq!(served.status, 200, "{path}");
        assert!(
            without_reload_tag(&served.body) == text,
            "{path} differs {when}"
        );
        compared += 1;
    }
    assert!(compared > 100, "{compared} files compared");
}

/// An edit that breaks the latest year while the years before are kept
/// (serve validated them in its last build and their input is unchanged):
/// the problems are what `check` reports, and once the file is mended,
/// what serve answers is what a clean build writes.
#[test]
fn a_year_broken_then_mended_while_the_others_are_kept() {
    let project = sample_project();
    let root = project.path();
    let server = Server::start(root);
    let latest = "data/2025/results/changchun.yaml";
    let page = "/kaohe/2025/regions/changchun/index.html";
    edit(root, latest, "satisfaction: 89.6", "satisfaction: 8x.6");
    let problems = server.wait_for(page, REBUILD_WITHIN, "the problems", |r| {
        r.status == 500 && r.body.contains(latest)
    });
    let report = problems_report(&problems.body);
    let check = Test::new().root(root).args(["check"]).run().failure();
    assert!(
        check.stderr.contains(report.trim_end()),
        "serve reports what check reports\n--- serve ---\n{report}\n--- check ---\n{}",
        check.stderr
    );
    edit(root, latest, "satisfaction: 8x.6", "satisfaction: 80.6");
    server.wait_for(page, REBUILD_WITHIN, "the mended year", |r| {
        r.status == 200 && r.body.contains("80.6")
    });
    assert_serves_a_clean_build(&server, root, "after the year was mended");
}
