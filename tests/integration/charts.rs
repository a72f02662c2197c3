//! What the charts show, read back from the built site: bars and their order,
//! fills by grade, labels, reference lines at the thresholds, heat map cells,
//! the standalone .svg files, and that a year's chart sees no later year.
//!
//! The tiny fixture (tests/fixtures/tiny) scores, in rank order:
//! 1 丙管委会 优秀 94.34 · 2 甲市 优秀 91.83 · 3 乙市 良好 95.90 (降档: the
//! binding indicator air_days missed); pm missed by 丙管委会 and 甲市; forest
//! not applicable to 丙管委会.

use std::collections::BTreeMap;
use std::fs;
use std::path::Path;

use crate::common::*;

const EXCELLENT: &str = "#1A7F37";
const GOOD: &str = "#0B5CAD";
const FAIL: &str = "#C62828";

fn build_site(root: &Path) -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("public");
    Test::new()
        .root(root)
        .arg("build")
        .arg("--out")
        .arg(&out)
        .run()
        .success();
    (dir, out)
}

fn read(out: &Path, path: &str) -> String {
    fs::read_to_string(out.join(path)).unwrap_or_else(|e| panic!("read {path}: {e}"))
}

/// The body of `<g class="{class}" …>` in an SVG.
fn layer<'a>(svg: &'a str, class: &str) -> &'a str {
    let open = format!("<g class=\"{class}\"");
    let start = svg
        .find(&open)
        .unwrap_or_else(|| panic!("no layer {class} in\n{svg}"));
    let body = &svg[start..];
    let body = &body[body.find('>').unwrap() + 1..];
    &body[..body.find("</g>").unwrap()]
}

fn attrs(tag: &str) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    let mut rest = tag;
    while let Some(eq) = rest.find("=\"") {
        let name = rest[..eq].rsplit(' ').next().unwrap().to_string();
        let value_start = eq + 2;
        let len = rest[value_start..].find('"').unwrap();
        out.insert(name, rest[value_start..value_start + len].to_string());
        rest = &rest[value_start + len + 1..];
    }
    out
}

/// Every element `<{name} …>` of a layer with its attributes, `fill` filled
/// in from the layer or the `<svg>` element when the mark leaves it out.
fn layer_elements(svg: &str, class: &str, name: &str) -> Vec<BTreeMap<String, String>> {
    let open = &svg[svg.find(&format!("<g class=\"{class}\"")).unwrap()..];
    let layer_fill = attrs(&open[..open.find('>').unwrap()]).remove("fill");
    let root_fill = attrs(&svg[..svg.find('>').unwrap()]).remove("fill");
    let fill = layer_fill.or(root_fill).unwrap_or_else(|| "#000000".into());
    elements(layer(svg, class), name)
        .into_iter()
        .map(|mut e| {
            e.entry("fill".into()).or_insert_with(|| fill.clone());
            e
        })
        .collect()
}

/// Every element `<{name} …>` with its attributes.
fn elements(svg: &str, name: &str) -> Vec<BTreeMap<String, String>> {
    let open = format!("<{name} ");
    svg.match_indices(&open)
        .map(|(i, _)| {
            let tag = &svg[i..];
            attrs(&tag[..tag.find('>').unwrap()])
        })
        .collect()
}

#[derive(Debug)]
struct Label {
    x: i32,
    y: i32,
    text: String,
}

fn labels(svg: &str) -> Vec<Label> {
    svg.match_indices("<text ")
        .map(|(i, _)| {
            let tag = &svg[i..];
            let close = tag.find('>').unwrap();
            let a = attrs(&tag[..close]);
            let text = &tag[close + 1..tag.find("</text>").unwrap()];
            Label {
                x: a["x"].parse().unwrap(),
                y: a["y"].parse().unwrap(),
                text: text.to_string(),
            }
        })
        .collect()
}

fn label<'a>(all: &'a [Label], text: &str) -> &'a Label {
    all.iter()
        .find(|l| l.text == text)
        .unwrap_or_else(|| panic!("no label {text:?} in {all:?}"))
}

fn num(map: &BTreeMap<String, String>, key: &str) -> i32 {
    map[key].parse().unwrap()
}

/// Start and end x of each `<polyline>` (plotters draws lines as polylines).
fn segments(svg: &str) -> Vec<((i32, i32), (i32, i32))> {
    elements(svg, "polyline")
        .iter()
        .map(|p| {
            let points: Vec<(i32, i32)> = p["points"]
                .split_whitespace()
                .map(|xy| {
                    let (x, y) = xy.split_once(',').unwrap();
                    (x.parse().unwrap(), y.parse().unwrap())
                })
                .collect();
            (points[0], *points.last().unwrap())
        })
        .collect()
}

fn assert_accessible(svg: &str, id: &str) {
    let root = &svg[..svg.find('>').unwrap()];
    assert!(root.contains("role=\"img\""), "{root}");
    assert!(root.contains("viewBox=\"0 0 "), "{root}");
    assert!(
        !root.contains(" width=") && !root.contains(" height="),
        "sized by viewBox only: {root}"
    );
    assert!(root.contains(&format!("aria-labelledby=\"{id}-title {id}-desc\"")));
    assert!(svg.contains(&format!("<title id=\"{id}-title\">")));
    assert!(svg.contains(&format!("<desc id=\"{id}-desc\">")));
}

#[test]
fn ranking_chart_is_a_dot_plot_in_rank_order_on_a_marked_cut_axis() {
    let project = tiny_project();
    let (_dir, out) = build_site(project.path());
    let svg = read(&out, "2023/charts/ranking.svg");
    assert_accessible(&svg, "chart-ranking");

    // One point per unit, coloured and shaped by grade: 优秀 circles, 良好 a square.
    let circles = layer_elements(&svg, "points", "circle");
    let squares = layer_elements(&svg, "points", "rect");
    assert_eq!((circles.len(), squares.len()), (2, 1), "one point per unit");
    assert!(circles.iter().all(|c| c["fill"] == EXCELLENT));
    assert_eq!(squares[0]["fill"], GOOD);
    let centres: Vec<(i32, i32)> = circles
        .iter()
        .map(|c| (num(c, "cx"), num(c, "cy")))
        .chain(squares.iter().map(|r| {
            (
                num(r, "x") + num(r, "width") / 2,
                num(r, "y") + num(r, "height") / 2,
            )
        }))
        .collect();
    assert!(
        centres.windows(2).all(|w| w[0].1 < w[1].1),
        "top to bottom: {centres:?}"
    );

    let text = labels(layer(&svg, "labels"));
    let names: Vec<i32> = ["丙管委会", "甲市", "乙市"]
        .iter()
        .map(|n| label(&text, n).y)
        .collect();
    for (centre, name_y) in centres.iter().zip(&names) {
        assert!((centre.1 - name_y).abs() <= 1, "point beside its name");
    }
    label(&text, "94.34");
    label(&text, "91.83");
    // 乙市 scored 95.90 but was downgraded: the label says so.
    label(&text, "95.90 降档");

    // The totals span 91.83–95.90: the axis runs 90–100, so the differences
    // show, and says it does not start at 0.
    let axis = labels(layer(&svg, "axis"));
    let (x90, x100) = (label(&axis, "90").x, label(&axis, "100").x);
    assert!(
        axis.iter().any(|l| l.text.contains("横轴自90分起")),
        "cut axis marked: {axis:?}"
    );
    assert!(
        !axis.iter().any(|l| l.text == "0"),
        "no 0 tick on a cut axis"
    );
    let at = |value: f64| x90 as f64 + (x100 - x90) as f64 * (value - 90.0) / 10.0;
    for ((x, _), total) in centres.iter().zip([94.34, 91.83, 95.90]) {
        assert!((*x as f64 - at(total)).abs() <= 1.0, "point at {total}");
    }
    // The one threshold inside the span, dashed and labelled above its line.
    let lines: Vec<i32> = segments(layer(&svg, "thresholds"))
        .iter()
        .map(|(from, to)| {
            assert_eq!(from.0, to.0, "vertical");
            from.0
        })
        .collect();
    assert_eq!(lines, [x90]);
    assert!(svg.contains("<g class=\"thresholds\" stroke-dasharray="));
    assert_eq!(label(&axis, "优秀90").x, x90);
    assert!(!axis
        .iter()
        .any(|l| l.text == "良好80" || l.text == "合格60"));
    for grade in ["优秀", "良好", "等次分数线"] {
        label(&labels(layer(&svg, "legend")), grade);
    }
}

#[test]
fn heat_map_marks_each_unit_and_indicator_in_rank_order() {
    let project = tiny_project();
    let (_dir, out) = build_site(project.path());
    let svg = read(&out, "2023/charts/heatmap.svg");
    assert_accessible(&svg, "chart-heatmap");
    let cells: Vec<BTreeMap<String, String>> = layer_elements(&svg, "cells", "rect")
        .into_iter()
        .filter(|r| r.contains_key("fill") && r["fill"] != "none")
        .collect();
    assert_eq!(cells.len(), 9, "3 units × 3 indicators");
    let fills: Vec<&str> = cells.iter().map(|c| c["fill"].as_str()).collect();
    let (met, missed, na) = ("#CFE8D5", "#F0B46E", "#FFFFFF");
    assert_eq!(
        fills,
        [
            met, missed, na, // 丙管委会: pm missed, forest n/a
            met, missed, met, // 甲市: pm missed
            FAIL, met, met, // 乙市: the binding air_days missed
        ]
    );
    // Not applicable is outlined, and every state but "met" carries a glyph.
    assert_eq!(
        layer_elements(&svg, "cells", "rect")
            .iter()
            .filter(|r| r.get("fill").map(String::as_str) == Some("none"))
            .count(),
        1
    );
    let marks: Vec<String> = labels(layer(&svg, "marks"))
        .into_iter()
        .map(|l| l.text)
        .collect();
    assert_eq!(marks, ["×", "–", "×", "!"]);
    // Units top to bottom in rank order; indicators numbered with a key.
    let text = labels(layer(&svg, "labels"));
    assert!(label(&text, "丙管委会").y < label(&text, "甲市").y);
    assert!(label(&text, "甲市").y < label(&text, "乙市").y);
    let key: Vec<String> = labels(layer(&svg, "key"))
        .into_iter()
        .map(|l| l.text)
        .collect();
    assert_eq!(key, ["1 优良天数比率", "2 细颗粒物浓度", "3 森林覆盖率"]);
    for state in ["完成", "未完成", "约束性指标未完成", "不适用"] {
        label(&labels(layer(&svg, "legend")), state);
    }
}

#[test]
fn section_chart_stacks_each_section_against_its_maximum() {
    let project = tiny_project();
    let (_dir, out) = build_site(project.path());
    let svg = read(&out, "2023/charts/sections.svg");
    assert_accessible(&svg, "chart-sections");
    let rects = layer_elements(&svg, "bars", "rect");
    assert_eq!(
        rects.len(),
        3 * 4 * 2,
        "per unit and section: maximum and score"
    );
    // The first unit's sections: the maximum's box widths are in proportion 40:35:10:15.
    let maxima: Vec<i32> = rects
        .iter()
        .step_by(2)
        .take(4)
        .map(|r| num(r, "width") + 1)
        .collect();
    let unit = maxima.iter().sum::<i32>() as f64 / 100.0;
    for (width, max) in maxima.iter().zip([40.0, 35.0, 10.0, 15.0]) {
        assert!((*width as f64 - max * unit).abs() <= 1.5, "{maxima:?}");
    }
    // The sections are named in the legend, in bar order, each whole.
    let legend = labels(layer(&svg, "legend"));
    for header in [
        "主要指标40",
        "重点任务35",
        "资金投入10",
        "公众满意度15",
        "扣分",
    ] {
        label(&legend, header);
    }
    let xs: Vec<i32> = ["主要指标40", "重点任务35", "资金投入10", "公众满意度15"]
        .iter()
        .map(|h| label(&legend, h).y * 1000 + label(&legend, h).x)
        .collect();
    assert!(xs.windows(2).all(|w| w[0] < w[1]), "in bar order: {xs:?}");
    let text = labels(layer(&svg, "labels"));
    // Points lost over the four sections (bonus aside), in rank order.
    let lost: Vec<&str> = text
        .iter()
        .filter(|l| l.text.starts_with('扣'))
        .map(|l| l.text.as_str())
        .collect();
    assert_eq!(lost, ["扣5.66", "扣11.17", "扣5.10"]);
}

#[test]
fn grade_distribution_counts_each_grade() {
    let project = tiny_project();
    let (_dir, out) = build_site(project.path());
    let svg = read(&out, "2023/charts/grades.svg");
    assert_accessible(&svg, "chart-grades");
    let bars = layer_elements(&svg, "bars", "rect");
    let fills: Vec<&str> = bars.iter().map(|b| b["fill"].as_str()).collect();
    assert_eq!(fills, [EXCELLENT, GOOD], "2 优秀 then 1 良好");
    let (excellent, good) = (num(&bars[0], "width"), num(&bars[1], "width"));
    assert!(
        (excellent - 2 * good).abs() <= 2,
        "widths 2:1, got {excellent}:{good}"
    );
    let text = labels(layer(&svg, "labels"));
    label(&text, "2023年度");
    label(&text, "优秀2");
    label(&text, "良好1");
}

/// The rows of the scorecard table `id` (its body, one chunk per `<tr`).
fn table_rows<'a>(html: &'a str, id: &str) -> Vec<&'a str> {
    let table = &html[html
        .find(&format!("id=\"{id}\""))
        .unwrap_or_else(|| panic!("no table {id}"))..];
    let body = &table[table.find("<tbody>").unwrap()..table.find("</tbody>").unwrap()];
    body.split("<tr").skip(1).collect()
}

/// The classes of a row's gauge (`<i class="g …">`), if it has one.
fn gauge(row: &str) -> Option<Vec<String>> {
    tags(row)
        .into_iter()
        .find(|t| t.name == "i" && t.attrs.get("class").is_some_and(|c| c.starts_with("g ")))
        .map(|t| {
            assert_eq!(t.attrs.get("aria-hidden").map(String::as_str), Some("true"));
            t.attrs["class"].split(' ').map(str::to_string).collect()
        })
}

/// The percent a gauge class sets (`t93` → 93), if the gauge has one.
fn position(classes: &[String], key: char) -> Option<u32> {
    classes
        .iter()
        .find_map(|c| c.strip_prefix(key)?.parse().ok())
}

/// The figure a cell starts with, after its ≥/≤ ("≥89.5%" → 89.5).
fn figure(cell: &str) -> Option<f64> {
    let text = cell.split_once('>').map_or(cell, |(_, t)| t);
    let text = text.trim_start_matches(['≥', '≤']);
    let end = text
        .find(|c: char| !(c.is_ascii_digit() || c == '.' || c == '-'))
        .unwrap_or(text.len());
    text[..end].parse().ok()
}

/// Where the gauge should put `x`: on zero, the value and the target with
/// 8 % room (as the chart drew them), in whole percents.
fn expected(value: f64, target: f64, x: f64) -> u32 {
    let lo = value.min(target).min(0.0);
    let hi = value.max(target).max(0.0);
    let span = (hi - lo).max(f64::EPSILON);
    let d0 = if lo < 0.0 { lo - span * 0.08 } else { 0.0 };
    let mut d1 = if hi > 0.0 { hi + span * 0.08 } else { 0.0 };
    if d1 <= d0 {
        d1 = d0 + 1.0;
    }
    ((x - d0) / (d1 - d0) * 100.0).round() as u32
}

/// Every indicator row's gauge against the figures printed in its row:
/// the target line, the bar from zero to the value, the met band's side,
/// and a miss marked. Returns how many gauges it checked.
fn check_indicator_gauges(page: &str, html: &str) -> usize {
    let mut checked = 0;
    for row in table_rows(html, "ind-table") {
        let row_class = tags(&format!("<tr{row}"))[0]
            .attrs
            .get("class")
            .cloned()
            .unwrap_or_default();
        let cells: Vec<&str> = row.split("<td").skip(1).collect();
        let (target, value) = (figure(cells[0]), figure(cells[1]));
        let Some(classes) = gauge(row) else {
            assert!(
                row_class == "na" || target.is_none() || value.is_none(),
                "{page}: a row with figures and no gauge: {row}"
            );
            continue;
        };
        let (target, value) = (target.unwrap(), value.unwrap());
        let at = |x: f64| expected(value, target, x);
        assert_eq!(
            position(&classes, 't'),
            Some(at(target)),
            "{page}: target in {row}"
        );
        let (from, to) = (at(0.0).min(at(value)), at(0.0).max(at(value)));
        assert_eq!(
            position(&classes, 'b'),
            Some(to),
            "{page}: bar end in {row}"
        );
        assert_eq!(
            position(&classes, 'a').unwrap_or(0),
            from,
            "{page}: bar start in {row}"
        );
        assert_eq!(
            classes.iter().any(|c| c == "l"),
            cells[0].contains('≤'),
            "{page}: the met band on the left exactly when lower is better: {row}"
        );
        assert_eq!(
            row_class == "missed",
            row.contains("status-missed"),
            "{page}: a missed gauge sits in a row marked missed: {row}"
        );
        checked += 1;
    }
    checked
}

#[test]
fn scorecard_gauges_sit_where_each_rows_figures_put_them() {
    let project = tiny_project();
    let (_dir, out) = build_site(project.path());
    // 乙市: air_days 80 against ≥90 missed; pm 28 against ≤30 met; forest 45 ≥ 40 met.
    let html = read(&out, "2023/regions/beta/index.html");
    let rows = table_rows(&html, "ind-table");
    let classes: Vec<Vec<String>> = rows.iter().map(|r| gauge(r).unwrap()).collect();
    assert_eq!(
        classes[0],
        ["g", "t93", "b82"],
        "air_days: 90 and 80 on 0–97.2"
    );
    assert!(
        rows[0].starts_with(" class=\"missed\""),
        "air_days missed: a red bar"
    );
    assert_eq!(
        classes[1],
        ["g", "t93", "b86", "l"],
        "pm: band left of the target"
    );
    assert!(!rows[1].starts_with(" class="), "pm met");
    assert_eq!(
        classes[2],
        ["g", "t82", "b93"],
        "forest: 40 and 45 on 0–48.6"
    );
    assert_eq!(check_indicator_gauges("beta", &html), 3);
    // No SVG file for them, and the page points to none.
    assert!(!out.join("2023/regions/beta/indicators.svg").exists());
    assert!(!out.join("2023/regions/beta/sections.svg").exists());
    assert!(!html.contains(".svg"), "the scorecard shows no chart file");

    // 甲市's sections on one points scale, the largest maximum (40) the
    // whole width; the bonus against its cap (3), its claim of 3.5 capped.
    let html = read(&out, "2023/regions/alpha/index.html");
    let bars: Vec<(Vec<String>, Option<f64>)> = table_rows(&html, "sections-table")
        .iter()
        .map(|row| {
            (
                gauge(row).unwrap(),
                figure(row.split("<td").nth(2).unwrap()),
            )
        })
        .collect();
    assert_eq!(bars.len(), 5);
    let maxima = [40.0, 35.0, 10.0, 15.0, 3.0];
    for ((classes, score), max) in bars.iter().zip(maxima) {
        let at = |x: f64| (x / 40.0 * 100.0).round() as u32;
        assert_eq!(position(classes, 't'), Some(at(max)), "{classes:?}");
        assert_eq!(
            position(classes, 'b'),
            Some(at(score.unwrap())),
            "{classes:?}"
        );
    }
    assert_eq!(position(&bars[1].0, 'b'), Some(71), "重点任务 28.50 of 40");
    assert!(
        bars[4].0.contains(&"bonus".to_string()),
        "the bonus drawn apart"
    );
    assert!(bars[..4].iter().all(|(c, _)| c[..2] == ["g", "s"]));

    // Every gauge of the sample's scorecards, every year rendered.
    let project = sample_project();
    let (_dir, out) = build_site(project.path());
    let mut checked = 0;
    for (path, bytes) in read_tree(&out) {
        let is_scorecard = path.split('/').count() == 4 && path.contains("/regions/");
        if is_scorecard
            && path.ends_with("/index.html")
            && !out.join(&path).with_file_name("indicators.svg").exists()
        {
            checked += check_indicator_gauges(&path, &String::from_utf8(bytes).unwrap());
        }
    }
    assert!(checked > 200, "{checked} gauges checked");
}

#[test]
fn unit_page_charts_total_rank_and_key_indicators_per_year() {
    let project = tiny_project();
    let (_dir, out) = build_site(project.path());
    // Each year's total a bar in its row of the table of years, on a
    // 100-point scale: no trend chart file.
    assert!(!out.join("regions/beta/trend.svg").exists());
    let html = read(&out, "regions/beta/index.html");
    let years = table_rows(&html, "years-table");
    assert_eq!(years.len(), 1);
    assert!(
        years[0].contains("95.90<i class=\"g s t100 b96\" aria-hidden=\"true\"></i>"),
        "{}",
        years[0]
    );

    // The key indicators: a table of years, each cell's figures with a
    // gauge on the row's one scale; a miss in red and in words.
    assert!(!out.join("regions/beta/key-indicators.svg").exists());
    let html = read(&out, "regions/beta/index.html");
    let rows = table_rows(&html, "key-table");
    assert_eq!(rows.len(), 2, "only air and water indicators: {rows:?}");
    assert!(
        !html.contains("森林覆盖率"),
        "only air and water indicators"
    );
    assert!(
        rows[0].starts_with("><th>优良天数比率（%，越高越好）"),
        "{}",
        rows[0]
    );
    assert!(
        rows[1].starts_with("><th>细颗粒物浓度（μg/m³，越低越好）"),
        "{}",
        rows[1]
    );
    let last = |row: &str| row.rsplit("<td").next().unwrap().to_string();
    let air = last(rows[0]);
    assert!(air.starts_with(" class=\"missed\">80 / 90 未完成"), "{air}");
    let gauge_of = |cell: &str| gauge(cell).unwrap();
    assert_eq!(gauge_of(&air), ["g", "t93", "b82"]);
    assert!(
        gauge_of(&last(rows[1])).contains(&"l".to_string()),
        "pm: band on the left"
    );
}

/// The class of the page table a chart points to.
fn table_class(id: &str) -> &'static str {
    match id {
        "sections-table" => "sections",
        "ind-table" => "indicators",
        _ => "ranking",
    }
}

#[test]
fn pages_show_each_chart_file_once_with_its_table() {
    let project = tiny_project();
    let (_dir, out) = build_site(project.path());
    for (page, dir, charts) in [
        (
            "2023/index.html",
            "2023/charts/",
            &["grades", "ranking", "heatmap", "sections"][..],
        ),
        ("index.html", "charts/", &["grades"][..]),
    ] {
        let html = read(&out, page);
        let root = "../".repeat(page.matches('/').count());
        for chart in charts {
            let file = format!("{dir}{chart}.svg");
            let svg = read(&out, &file);
            // Written once: the page shows the file and does not inline it.
            assert!(
                html.contains(&format!("<img class=\"chart-svg\" src=\"{root}{file}\"")),
                "{page} shows {file}"
            );
            let title = &svg[svg.find("-title\">").unwrap() + 8..svg.find("</title>").unwrap()];
            assert!(
                html.contains(&format!("alt=\"{title}。")),
                "{page}: {file} described"
            );
            assert!(
                !html.contains(&svg[..svg.find('>').unwrap()]),
                "{page} inlines {file}"
            );
        }
        // Each chart's figures are in a table: its own, or one of the page's
        // that it points to rather than repeating it (a scorecard's tables,
        // a unit's table of years).
        let pointers: Vec<&str> = html
            .split("<a class=\"chart-data\" href=\"#")
            .skip(1)
            .map(|s| &s[..s.find('"').unwrap()])
            .collect();
        for id in &pointers {
            assert!(
                html.contains(&format!(
                    "<table class=\"{}\" id=\"{id}\">",
                    table_class(id)
                )),
                "{page}: no table {id}"
            );
        }
        assert_eq!(
            html.matches("<details class=\"chart-table\">").count() + pointers.len(),
            charts.len(),
            "{page}: every chart has its figures as a table"
        );
    }
    // The table repeats the chart's figures.
    let html = read(&out, "2023/index.html");
    assert!(html.contains("<th scope=\"row\">乙市</th><td class=\"num\">95.90</td><td>良好</td><td>降档（原优秀）</td>"));
}

#[test]
fn a_years_grade_chart_shows_no_later_year_and_the_home_page_shows_all() {
    let project = sample_project();
    let (_dir, out) = build_site(project.path());
    let year_labels = |path: &str| -> Vec<String> {
        labels(layer(&read(&out, path), "labels"))
            .into_iter()
            .map(|l| l.text)
            .filter(|t| t.ends_with("年度"))
            .collect()
    };
    assert_eq!(
        year_labels("2022/charts/grades.svg"),
        ["2021年度", "2022年度"]
    );
    // 2022's two 合格 and one 不合格 are too narrow segments for their names
    // on the phone-width chart: the names are written beside the bar, so they
    // do not rest on colour alone.
    let notes: Vec<String> = labels(layer(&read(&out, "2022/charts/grades.svg"), "notes"))
        .into_iter()
        .map(|l| l.text)
        .collect();
    assert_eq!(notes, ["合格2", "不合格1"]);
    assert_eq!(
        year_labels("charts/grades.svg"),
        ["2021年度", "2022年度", "2023年度", "2024年度"]
    );
    // A scorecard, its gauges drawn in its tables, stays well inside the
    // page budget (150 KB).
    for id in ["changchun", "yanbian", "baicheng"] {
        let page = format!("2024/regions/{id}/index.html");
        let total = read(&out, &page).len();
        assert!(total < 40_000, "{page}: {total} bytes");
    }
}
