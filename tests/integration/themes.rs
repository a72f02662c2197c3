//! Themes that inherit the built-in default (docs/templates.md, Themes): a
//! theme of one stylesheet, one that overrides a template and the chart
//! palette, one that extends the default's base.html to replace its footer,
//! the theme's settings checked like every input, and an archived year
//! drawn in its theme's colours that still verifies.

use std::collections::BTreeMap;
use std::fs;
use std::path::Path;

use crate::common::*;
use tempfile::TempDir;

type Tree = BTreeMap<String, Vec<u8>>;

/// The tiny fixture with no theme on disk but `themes/<name>/` holding
/// `files`, and `theme: <name>` in site.yaml: whatever the theme leaves out
/// can only come from the binary.
fn project_with_theme(name: &str, files: &[(&str, &str)]) -> TempDir {
    let dir = TempDir::new().unwrap();
    copy_dir(&repo().join("tests/fixtures/tiny"), dir.path());
    edit(
        dir.path(),
        "site.yaml",
        "theme: default",
        &format!("theme: {name}"),
    );
    for (path, text) in files {
        let file = dir.path().join("themes").join(name).join(path);
        fs::create_dir_all(file.parent().unwrap()).unwrap();
        fs::write(file, text).unwrap();
    }
    dir
}

fn build(root: &Path) -> (Output, Tree) {
    let out = TempDir::new().unwrap();
    let site = out.path().join("public");
    let output = Test::new()
        .root(root)
        .arg("build")
        .arg("--out")
        .arg(&site)
        .run()
        .success();
    (output, read_tree(&site))
}

/// The tiny project with the repository's default theme, built.
fn default_site() -> Tree {
    build(tiny_project().path()).1
}

/// Paths whose bytes differ between two sites (or that only one has).
fn differing(a: &Tree, b: &Tree) -> Vec<String> {
    a.keys()
        .chain(b.keys())
        .filter(|path| a.get(*path) != b.get(*path))
        .cloned()
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect()
}

fn text(tree: &Tree, path: &str) -> String {
    String::from_utf8(tree[path].clone()).unwrap()
}

/// The default stylesheet with the brand colour changed: the worked
/// example of docs/templates.md.
fn restyled_css() -> String {
    let css = fs::read_to_string(repo().join("themes/default/static/style.css")).unwrap();
    assert!(css.contains("--brand: #0b4f8a;"));
    css.replace("--brand: #0b4f8a;", "--brand: #8a1c0b;")
}

#[test]
fn a_theme_of_one_stylesheet_builds_and_inherits_every_other_file() {
    let css = restyled_css();
    let project = project_with_theme("jilin", &[("static/style.css", &css)]);
    Test::new()
        .root(project.path())
        .arg("check")
        .run()
        .success();
    let (_, site) = build(project.path());
    assert_eq!(text(&site, "static/style.css"), css, "the theme's CSS");
    // Every other file, every page and the default's other static files
    // included, is what the default theme makes.
    // The stylesheet and the year's own copy of it (docs/templates.md).
    assert_eq!(text(&site, "2023/static/style.css"), css, "the year's copy");
    assert_eq!(
        differing(&default_site(), &site),
        ["2023/static/style.css", "static/style.css"],
        "only the stylesheet differs"
    );
    assert!(text(&site, "2023/index.html").contains("static/style.css"));
}

#[cfg(feature = "serve")]
#[test]
fn a_theme_of_one_stylesheet_is_served() {
    use std::io::{BufRead, BufReader, Read, Write};

    let css = restyled_css();
    let project = project_with_theme("jilin", &[("static/style.css", &css)]);
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_ecoscore"))
        .arg("--root")
        .arg(project.path())
        .args(["serve", "--port", "0"])
        .env("NO_COLOR", "1")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut url = None;
    for _ in 0..10 {
        let mut line = String::new();
        if stdout.read_line(&mut line).unwrap() == 0 {
            break;
        }
        if let Some(rest) = line.strip_prefix("serving http://") {
            url = rest.split_whitespace().next().map(str::to_string);
            break;
        }
    }
    let fetched = url.map(|url| {
        let (address, mount) = url.split_at(url.find('/').unwrap());
        let mut stream = std::net::TcpStream::connect(address).unwrap();
        write!(
            stream,
            "GET {mount}static/style.css HTTP/1.1\r\nHost: {address}\r\nConnection: close\r\n\r\n"
        )
        .unwrap();
        let mut response = String::new();
        stream.read_to_string(&mut response).unwrap();
        response
    });
    let _ = child.kill();
    let _ = child.wait();
    let response = fetched.expect("serve announced its address");
    let (head, body) = response.split_once("\r\n\r\n").unwrap();
    assert!(head.starts_with("HTTP/1.1 200"), "{head}");
    assert_eq!(body, css);
}

/// A 404 page of the theme's own, and three chart colours.
const NOT_FOUND: &str = r#"{% extends "base.html" %}
{% block main %}<h1>页面未找到</h1><p>请从首页重新进入。</p>{% endblock %}
"#;
const PALETTE: &str =
    "palette:\n  excellent: \"#0f5b2a\"\n  fail: '#a01818'\n  track: \"#ececec\"\n";
/// The colours as the charts write them, the theme's and the default's.
const COLOURS: [(&str, &str); 3] = [
    ("#0F5B2A", "#1A7F37"),
    ("#A01818", "#C62828"),
    ("#ECECEC", "#E6E9ED"),
];

/// A scorecard of a theme made before the default drew its figures as
/// gauges: it still shows the indicator chart as an SVG file.
const SVG_SCORECARD: &str = r#"{% extends "base.html" %}
{% block main %}<h1>{{ card.row.name }}</h1>{{ m.chart(charts.indicators, page.root) }}{% endblock %}
"#;

#[test]
fn a_theme_reading_a_scorecards_charts_gets_their_files_and_only_those() {
    let project = project_with_theme(
        "older",
        &[
            ("templates/scorecard.html", SVG_SCORECARD),
            ("theme.yaml", PALETTE),
        ],
    );
    let (_, site) = build(project.path());
    let page = text(&site, "2023/regions/alpha/index.html");
    assert!(page
        .contains("<img class=\"chart-svg\" src=\"../../../2023/regions/alpha/indicators.svg\""));
    let svg = text(&site, "2023/regions/alpha/indicators.svg");
    assert!(svg.starts_with("<svg") && svg.contains("甲市2023年度主要指标完成情况"));
    assert!(svg.contains("=\"#A01818\""), "drawn in the theme's palette");
    // The chart the template does not read is neither drawn nor written.
    assert!(!site.contains_key("2023/regions/alpha/sections.svg"));
    // The default theme reads neither: no scorecard writes a chart file.
    let default = default_site();
    assert!(!default
        .keys()
        .any(|p| p.starts_with("2023/regions/") && p.ends_with(".svg")));
}

#[test]
fn a_theme_overriding_one_template_and_the_palette_changes_exactly_those() {
    let project = project_with_theme(
        "jilin",
        &[("templates/404.html", NOT_FOUND), ("theme.yaml", PALETTE)],
    );
    let (_, site) = build(project.path());
    let default = default_site();
    assert!(text(&site, "404.html").contains("请从首页重新进入。"));
    for (theme, standard) in COLOURS {
        let svg = text(&site, "2023/charts/ranking.svg")
            + &text(&site, "2023/charts/sections.svg")
            + &text(&site, "2023/charts/heatmap.svg");
        assert!(
            svg.contains(&format!("=\"{theme}\"")) && !svg.contains(&format!("=\"{standard}\"")),
            "the charts draw {theme}, not {standard}"
        );
    }
    // With the theme's colours read back as the default's, only the page of
    // the overridden template differs.
    let mut read_back = site.clone();
    for bytes in read_back.values_mut() {
        // Workbooks are binary and hold no chart colour: compared as they are.
        let Ok(text) = std::str::from_utf8(bytes) else {
            continue;
        };
        let mut text = text.to_string();
        for (theme, standard) in COLOURS {
            text = text.replace(theme, standard);
        }
        *bytes = text.into_bytes();
    }
    assert_eq!(differing(&default, &read_back), ["404.html"]);
    let changed = differing(&default, &site);
    assert!(
        changed.iter().any(|p| p.ends_with(".svg"))
            && changed.iter().all(|p| p != "static/style.css"),
        "{changed:?}"
    );
}

#[test]
fn a_theme_extends_the_default_base_and_replaces_only_its_footer() {
    let base = r#"{% extends "builtin/base.html" %}
{% block footer %}<footer class="site-footer"><div class="wrap"><p>主办：吉林省生态环境厅</p></div></footer>{% endblock %}
"#;
    let project = project_with_theme("jilin", &[("templates/base.html", base)]);
    let (_, site) = build(project.path());
    let default = default_site();
    let changed = differing(&default, &site);
    assert!(
        changed.contains(&"2023/index.html".to_string()),
        "{changed:?}"
    );
    for path in &changed {
        assert!(path.ends_with(".html"), "{path} changed");
        let (ours, theirs) = (text(&site, path), text(&default, path));
        let cut = |page: &str| page.find("<footer").map(|at| page[..at].to_string());
        assert_eq!(
            cut(&ours),
            cut(&theirs),
            "{path}: everything above the footer is the default's"
        );
        assert!(
            ours.contains("<p>主办：吉林省生态环境厅</p></div></footer>"),
            "{path}"
        );
        assert!(
            !ours.contains("开放数据与站点由"),
            "{path}: the default footer is gone"
        );
    }
}

#[test]
fn theme_settings_are_checked_with_every_problem_located() {
    let project = project_with_theme(
        "jilin",
        &[(
            "theme.yaml",
            "palette:\n  exellent: \"#0f5b2a\"\n  good: #0b5cad\n  pass: yellow\n  met_cell: \"#333\"\n",
        )],
    );
    let check = Test::new()
        .root(project.path())
        .arg("check")
        .run()
        .failure();
    insta::assert_snapshot!("theme_settings_problems", check.stderr);
    // build refuses the same input and writes nothing.
    let out = TempDir::new().unwrap();
    Test::new()
        .root(project.path())
        .arg("build")
        .arg("--out")
        .arg(out.path().join("public"))
        .run()
        .failure()
        .stderr_contains("themes/jilin/theme.yaml:5:13");
    assert!(!out.path().join("public").exists());
}

#[test]
fn an_error_in_an_inherited_template_names_it_and_what_the_theme_gave_it() {
    // The theme's macros.html lacks the macros the default's pages call.
    let project = project_with_theme(
        "jilin",
        &[(
            "templates/macros.html",
            "{% macro nothing() %}{% endmacro %}\n",
        )],
    );
    Test::new()
        .root(project.path())
        .arg("check")
        .run()
        .failure()
        .stderr_contains("<built-in default theme>/templates/year.html")
        .stderr_contains(
            "themes/jilin/templates has no year.html, so the built-in default's is used",
        );
}

#[test]
fn an_archived_year_keeps_its_theme_colours_and_verifies() {
    let project = project_with_theme(
        "jilin",
        &[("templates/404.html", NOT_FOUND), ("theme.yaml", PALETTE)],
    );
    let root = project.path();
    Test::new()
        .root(root)
        .args(["archive", "--year", "2023"])
        .run()
        .success();
    assert!(root
        .join("archive/2023/input/themes/jilin/theme.yaml")
        .is_file());
    Test::new()
        .root(root)
        .arg("verify")
        .run()
        .success()
        .stdout_contains("rebuild: byte-identical");
    let (first, archived) = build(root);
    // Its charts redraw from its archived input, so site-wide pages keep
    // its per-indicator detail.
    assert!(
        !first.stderr.contains("does not give its published"),
        "{}",
        first.stderr
    );
    // A later palette leaves the archived pages as they were.
    fs::write(
        root.join("themes/jilin/theme.yaml"),
        "palette:\n  excellent: \"#145a32\"\n",
    )
    .unwrap();
    let (later, rebuilt) = build(root);
    later.stderr_contains("themes/jilin/theme.yaml: changed since 2023 was archived");
    let under = |tree: &Tree| -> Tree {
        tree.iter()
            .filter(|(path, _)| path.starts_with("2023/"))
            .map(|(p, b)| (p.clone(), b.clone()))
            .collect()
    };
    assert_eq!(under(&archived), under(&rebuilt));
    assert!(text(&rebuilt, "charts/grades.svg").contains("#145A32"));
    Test::new().root(root).arg("verify").run().success();
}
