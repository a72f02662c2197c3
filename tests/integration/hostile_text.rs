//! Hostile text: templates and Markdown that would run for minutes or
//! exhaust memory fail fast at the line that caused it, and data printed
//! into the site or its CSV files stays literal text. Every test drives the
//! real binary; the time each refusal takes is printed (`--nocapture`), not
//! asserted.

use std::fs;
use std::path::Path;
use std::time::Instant;

use crate::common::*;

/// Run `test`, printing how long it took.
fn timed(label: &str, test: Test) -> Output {
    let start = Instant::now();
    let output = test.run();
    println!("{label}: {:.3} s", start.elapsed().as_secs_f64());
    output
}

/// Append `extra` as the last lines of `root/path`; returns the line it starts on.
fn append_lines(root: &Path, path: &str, extra: &str) -> usize {
    let text = read(root, path);
    let line = text.lines().count() + 1;
    append(root, path, extra);
    line
}

/// `build` refuses with the message at `file:line:col`, exit 1, and
/// writes no site.
fn refused(root: &Path, label: &str, at: &str, message: &str) {
    let out = root.join("public");
    timed(label, Test::new().root(root).arg("build"))
        .failure()
        .stderr_contains(at)
        .stderr_contains(message);
    assert!(
        !out.exists(),
        "{label}: a failed build wrote {}",
        out.display()
    );
}

// ---------------------------------------------------------------------------
// class 3: budgets

#[test]
fn nested_loops_in_a_bulletin_run_out_of_fuel() {
    let dir = tiny_project();
    let line = append_lines(
        dir.path(),
        "content/2023/bulletin.md",
        "{% for i in range(100000) %}{% for j in range(100000) %}{{ j }}{% endfor %}{% endfor %}\n",
    );
    refused(
        dir.path(),
        "nested range(100000) loops",
        &format!("content/2023/bulletin.md:{line}:"),
        "this template does more work than one page may",
    );
}

#[test]
fn nested_loops_in_a_theme_template_run_out_of_fuel() {
    let dir = tiny_project();
    let line = edit(
        dir.path(),
        "themes/default/templates/404.html",
        "<h1>页面未找到</h1>",
        "<h1>页面未找到</h1>{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}",
    );
    refused(
        dir.path(),
        "nested loops in 404.html",
        &format!("themes/default/templates/404.html:{line}:"),
        "used up its budget of 5 million steps",
    );
}

#[test]
fn a_huge_string_printed_many_times_hits_the_output_cap() {
    let dir = tiny_project();
    let line = append_lines(
        dir.path(),
        "content/2023/bulletin.md",
        "{% set a = \"x\" * 100000000 %}{% for i in range(100) %}{{ a }}{% endfor %}\n",
    );
    // The column of `a` in `{{ a }}`.
    refused(
        dir.path(),
        "\"x\" * 100000000 printed 100 times",
        &format!("content/2023/bulletin.md:{line}:58"),
        "the template's output grows past 8 MiB here",
    );
}

#[test]
fn a_string_too_large_to_pay_for_is_never_allocated() {
    let dir = tiny_project();
    let line = append_lines(
        dir.path(),
        "content/2023/bulletin.md",
        "{% set a = \"x\" * 4000000000 %}{{ a }}\n",
    );
    refused(
        dir.path(),
        "\"x\" * 4000000000",
        &format!("content/2023/bulletin.md:{line}:"),
        "this template does more work than one page may",
    );
}

#[test]
fn a_theme_page_larger_than_the_cap_is_refused() {
    let dir = tiny_project();
    let line = edit(
        dir.path(),
        "themes/default/templates/404.html",
        "<h1>页面未找到</h1>",
        "<h1>页面未找到</h1>{% set a = \"x\" * 40000000 %}{{ a }}{{ a }}",
    );
    refused(
        dir.path(),
        "a 80 MB 404 page",
        &format!("themes/default/templates/404.html:{line}:"),
        "the template's output grows past 64 MiB here",
    );
}

#[test]
fn a_narrative_of_nested_quotes_is_refused_at_its_line() {
    let dir = tiny_project();
    let narrative = "content/2023/regions/alpha.md";
    fs::create_dir_all(dir.path().join("content/2023/regions")).unwrap();
    // 200 KB of nested `>`: 83 s before the limit.
    fs::write(
        dir.path().join(narrative),
        format!("甲市情况。\n\n{} 深\n", ">".repeat(200_000)),
    )
    .unwrap();
    refused(
        dir.path(),
        "200 KB narrative of nested >",
        &format!("{narrative}:3:33"),
        "blockquotes and lists are nested more than 32 levels",
    );
}

#[test]
fn a_page_of_nested_lists_is_refused_at_its_line() {
    let dir = tiny_project();
    fs::create_dir_all(dir.path().join("content/pages")).unwrap();
    let items: String = (0..2000)
        .map(|i| format!("{}- 项\n", "  ".repeat(i)))
        .collect();
    // Front matter is lines 1–3, the body starts on line 4; the 33rd item
    // (line 36) is one too deep, at column 65.
    fs::write(
        dir.path().join("content/pages/about.md"),
        format!("---\ntitle: 关于\n---\n{items}"),
    )
    .unwrap();
    refused(
        dir.path(),
        "page of 2000 nested list items",
        "content/pages/about.md:36:65",
        "blockquotes and lists are nested more than 32 levels",
    );
}

#[test]
fn nested_divs_are_refused_in_narratives_and_bulletins() {
    let dir = tiny_project();
    let narrative = "content/2023/regions/beta.md";
    fs::create_dir_all(dir.path().join("content/2023/regions")).unwrap();
    fs::write(
        dir.path().join(narrative),
        format!("乙市\n{}\n", "<div>".repeat(40_000)),
    )
    .unwrap();
    refused(
        dir.path(),
        "narrative of 40,000 nested <div>",
        &format!("{narrative}:2:161"),
        "HTML elements are nested more than 32 levels",
    );

    // Generated by the bulletin's template: located at the template text
    // that wrote the 33rd `<div>`.
    let dir = tiny_project();
    let line = append_lines(
        dir.path(),
        "content/2023/bulletin.md",
        "\n{% for i in range(40000) %}<div>{% endfor %}\n",
    );
    refused(
        dir.path(),
        "bulletin writing 40,000 nested <div>",
        &format!("content/2023/bulletin.md:{}:28", line + 1),
        "HTML elements are nested more than 32 levels",
    );
}

#[test]
fn nested_lists_in_a_bulletin_are_refused_at_their_line() {
    let dir = tiny_project();
    let line = append_lines(
        dir.path(),
        "content/2023/bulletin.md",
        &format!("\n{}项\n", "- ".repeat(10_000)),
    );
    refused(
        dir.path(),
        "bulletin line of 10,000 list markers",
        &format!("content/2023/bulletin.md:{}:65", line + 1),
        "blockquotes and lists are nested more than 32 levels",
    );
}

#[test]
fn check_reports_every_budget_breach_in_one_run() {
    let dir = tiny_project();
    fs::create_dir_all(dir.path().join("content/2023/regions")).unwrap();
    fs::write(
        dir.path().join("content/2023/regions/alpha.md"),
        format!("{} 深\n", "> ".repeat(100)),
    )
    .unwrap();
    append(
        dir.path(),
        "content/2023/bulletin.md",
        "{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}\n",
    );
    timed(
        "check with two breaches",
        Test::new().root(dir.path()).arg("check"),
    )
    .failure()
    .stderr_contains("content/2023/regions/alpha.md:1:")
    .stderr_contains("content/2023/bulletin.md:10:")
    .stderr_contains("2 errors");
}

// ---------------------------------------------------------------------------
// class 4: data is never markup

const HOSTILE: &str =
    "甲<img src=\"https://evil.example/t.png\">**粗**_斜_`码`[链](https://evil.example)";

/// The tiny project with unit `alpha` named [`HOSTILE`], a narrative and a
/// page that try to print data, and a bulletin that prints names in every
/// Markdown context: paragraph, heading, list, table, link text, raw HTML.
fn hostile_project() -> tempfile::TempDir {
    let dir = tiny_project();
    let root = dir.path();
    edit(
        root,
        "data/regions.yaml",
        "name: 甲市,",
        &format!("name: '{HOSTILE}',"),
    );
    append(
        root,
        "content/2023/bulletin.md",
        "{% set a = units | selectattr(\"id\", \"equalto\", \"alpha\") | first %}\n\
         ## {{ a.name }}\n\n\
         {% for u in units %}- {{ u.name }}\n{% endfor %}\n\
         | 单位 | 得分 |\n|---|---|\n{% for u in units %}| {{ u.name }} | {{ u.total }} |\n{% endfor %}\n\
         [{{ a.name }}](https://example.test/)\n\n\
         <div class=\"x\">{{ a.name }}</div>\n",
    );
    fs::create_dir_all(root.join("content/2023/regions")).unwrap();
    fs::write(
        root.join("content/2023/regions/alpha.md"),
        "本市情况：{{ units[0].name }}。\n",
    )
    .unwrap();
    fs::create_dir_all(root.join("content/pages")).unwrap();
    fs::write(
        root.join("content/pages/about.md"),
        "---\ntitle: 关于\n---\n各单位：{{ units }}\n",
    )
    .unwrap();
    dir
}

/// No HTML file in `dir` turns the hostile name into markup.
fn assert_no_markup_from_data(dir: &Path) {
    for (path, bytes) in read_tree(dir) {
        if !path.ends_with(".html") {
            continue;
        }
        let html = String::from_utf8(bytes).unwrap();
        for markup in [
            "<img src=\"https://evil",
            "<strong>粗</strong>",
            "<em>斜</em>",
            "<code>码</code>",
            "href=\"https://evil",
        ] {
            assert!(!html.contains(markup), "{path} contains {markup}");
        }
    }
}

#[test]
fn data_prints_as_text_in_the_bulletin() {
    let dir = hostile_project();
    let root = dir.path();
    Test::new().root(root).arg("build").run().success();
    let public = root.join("public");
    assert_no_markup_from_data(&public);
    let bulletin = read(&public, "2023/bulletin/index.html");
    let shown =
        "甲&lt;img src=\"https://evil.example/t.png\"&gt;**粗**_斜_`码`[链](https://evil.example)";
    // Paragraph (the first line joins names), heading, list item, table
    // cell, link text and raw HTML each show the name as written.
    assert!(
        bulletin.contains(&format!("<h2>{shown}</h2>")),
        "{bulletin}"
    );
    assert!(
        bulletin.contains(&format!("<li>{shown}</li>")),
        "{bulletin}"
    );
    assert!(
        bulletin.contains(&format!("<td>{shown}</td>")),
        "{bulletin}"
    );
    assert!(
        bulletin.contains(&format!(
            "<a href=\"https://example.test/\" rel=\"noopener noreferrer\">{shown}</a>"
        )),
        "{bulletin}"
    );
    assert!(
        bulletin.contains(&format!("<div>{shown}</div>")),
        "{bulletin}"
    );
    // The template's own table and list still work.
    assert!(bulletin.contains("<table>"), "{bulletin}");
    assert!(bulletin.matches("<li>").count() >= 3, "{bulletin}");
}

#[test]
fn data_prints_as_text_in_the_briefing_copy() {
    let dir = hostile_project();
    let root = dir.path();
    Test::new()
        .root(root)
        .args(["brief", "--year", "2023"])
        .run()
        .success();
    let briefing = root.join("briefing");
    assert_no_markup_from_data(&briefing);
    let html = read(&briefing, "2023/index.html");
    assert!(
        html.contains("<h2>甲&lt;img src=\"https://evil.example/t.png\"&gt;**粗**"),
        "{html}"
    );
}

#[test]
fn narratives_and_pages_never_print_data() {
    let dir = hostile_project();
    let root = dir.path();
    Test::new().root(root).arg("build").run().success();
    let public = root.join("public");
    assert_no_markup_from_data(&public);
    // A narrative and a page are plain Markdown: template syntax in them is
    // text, so no data value can reach their Markdown pass.
    let card = read(&public, "2023/regions/alpha/index.html");
    assert!(card.contains("本市情况：{{ units[0].name }}。"), "{card}");
    let page = read(&public, "pages/about/index.html");
    assert!(page.contains("各单位：{{ units }}"), "{page}");
    // The unit's name around the narrative (title, heading) is escaped HTML.
    assert!(card.contains("<h1>甲&lt;img src="), "{card}");
}

// ---------------------------------------------------------------------------
// class 4: CSV formula injection

#[test]
fn csv_text_cells_never_start_a_formula() {
    let dir = tiny_project();
    let root = dir.path();
    let leads = ["=", "+", "-", "@", "\\t", "\\r"];
    // Three units, so two rounds of names.
    for round in leads.chunks(3) {
        let names: Vec<String> = round
            .iter()
            .map(|lead| format!("{lead}HYPERLINK(\\\"https://evil.example\\\")"))
            .collect();
        fs::write(
            root.join("data/regions.yaml"),
            format!(
                "regions:\n  - {{ id: alpha, name: \"{}甲市\", kind: city, code: \"220100\" }}\n  \
                 - {{ id: beta, name: \"{}乙市\", kind: city, code: \"220200\" }}\n  \
                 - {{ id: gamma, name: \"{}丙管委会\", kind: committee }}\n",
                names[0], names[1], names[2]
            ),
        )
        .unwrap();
        let csv = Test::new()
            .root(root)
            .args(["scores", "--year", "2023", "--format", "csv"])
            .run()
            .success()
            .stdout;
        Test::new().root(root).arg("build").run().success();
        let published = fs::read(root.join("public/2023/data/results.csv")).unwrap();
        assert_eq!(&published[..3], b"\xEF\xBB\xBF");
        assert_eq!(std::str::from_utf8(&published[3..]).unwrap(), csv);
        let rows = parse_csv(&csv);
        assert_eq!(rows.len(), 4, "{csv}");
        for row in &rows[1..] {
            let name = &row[2];
            let lead = name.chars().next().unwrap();
            assert!(
                !"=+-@\t\r".contains(lead),
                "{name:?} starts a formula in\n{csv}"
            );
            // Numbers stay numbers: digits, a point and maybe a sign.
            for figure in &row[6..13] {
                assert!(
                    figure
                        .trim_start_matches('-')
                        .replace('.', "")
                        .chars()
                        .all(|c| c.is_ascii_digit()),
                    "{figure:?} in {row:?}"
                );
            }
        }
        for lead in round.iter().filter(|l| !l.starts_with('\\')) {
            assert!(
                rows.iter()
                    .any(|r| r[2]
                        .starts_with(&format!("'{lead}HYPERLINK(\"https://evil.example\")"))),
                "no defused {lead:?} name in\n{csv}"
            );
        }
        // The JSON keeps the names exactly as loaded (a name's leading tab
        // or carriage return is trimmed when it is read).
        let json = Test::new()
            .root(root)
            .args(["scores", "--year", "2023", "--format", "json"])
            .run()
            .success()
            .json();
        for row in &rows[1..] {
            let unit = json["regions"]
                .as_array()
                .unwrap()
                .iter()
                .find(|r| r["id"] == row[1].as_str())
                .unwrap();
            let name = unit["name"].as_str().unwrap();
            let defused = row[2]
                .strip_prefix('\'')
                .filter(|n| n.starts_with(['=', '+', '-', '@']));
            assert_eq!(defused.unwrap_or(&row[2]), name);
        }
    }
}

/// The fields of each CSV record (RFC 4180: quoted fields, `""` for `"`).
fn parse_csv(text: &str) -> Vec<Vec<String>> {
    let mut rows = Vec::new();
    let mut row = Vec::new();
    let mut field = String::new();
    let mut quoted = false;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match (quoted, c) {
            (true, '"') if chars.peek() == Some(&'"') => {
                chars.next();
                field.push('"');
            }
            (true, '"') => quoted = false,
            (true, c) => field.push(c),
            (false, '"') => quoted = true,
            (false, ',') => row.push(std::mem::take(&mut field)),
            (false, '\r') if chars.peek() == Some(&'\n') => {}
            (false, '\n') => {
                row.push(std::mem::take(&mut field));
                rows.push(std::mem::take(&mut row));
            }
            (false, c) => field.push(c),
        }
    }
    rows
}
