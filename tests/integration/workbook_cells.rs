//! `results.xlsx` cell by cell: every cell read by openpyxl has the
//! value, type and number format the open data (results.csv) says, the
//! sheets have the layout and the workbook the properties
//! docs/spreadsheets.md describes, and hostile text reads back as written.

use calamine::{Data, Reader, Xlsx};
use serde_json::Value;

use crate::common::sheets::*;
use crate::common::*;

/// Every sheet of a workbook cell by cell (value, type, number format,
/// quote prefix, bold), with what a reader sees of its layout: merged
/// title, column widths, frozen and printed header rows, page setup, and
/// the document properties.
const EVERY_CELL: &str = r#"
import json, sys, openpyxl
book = openpyxl.load_workbook(sys.argv[1])
out = {"properties": {"title": book.properties.title, "creator": book.properties.creator,
                      "created": book.properties.created.isoformat()},
       "order": book.sheetnames, "sheets": {}}
for sheet in book.worksheets:
    cells = [[[None if c.value is None else (repr(c.value) if c.data_type == "n" else c.value),
               c.data_type, c.number_format, bool(c.quotePrefix), bool(c.font.b)] for c in row]
             for row in sheet.iter_rows()]
    widths = [0] * sheet.max_column
    for dim in sheet.column_dimensions.values():
        for col in range(dim.min, dim.max + 1):
            widths[col - 1] = dim.width
    out["sheets"][sheet.title] = {
        "cells": cells, "widths": widths, "freeze": sheet.freeze_panes,
        "merged": [str(r) for r in sheet.merged_cells.ranges],
        "print_rows": sheet.print_title_rows, "orientation": sheet.page_setup.orientation,
        "paper": sheet.page_setup.paperSize, "fit": [sheet.sheet_properties.pageSetUpPr.fitToPage,
                # One page wide (the default) and as many pages high as it takes.
                int(sheet.page_setup.fitToWidth or 1), int(sheet.page_setup.fitToHeight)],
        "title_height": sheet.row_dimensions[1].height,
        "title_size": sheet["A1"].font.sz, "header_fill": sheet["A2"].fill.fgColor.rgb,
    }
print(json.dumps(out, ensure_ascii=False))
"#;

#[test]
fn every_cell_of_results_xlsx_reads_as_the_open_data_says() {
    use rust_decimal::Decimal;
    use std::str::FromStr;
    let Some(python) = python() else { return };
    let project = unarchived_sample_project();
    let root = project.path();
    let site = build_site(root);
    let (model, _) = ecoscore::Project::load(root).unwrap();
    let indicator_name = |id: &str| {
        let indicator = model.indicators.iter().find(|i| i.id == id);
        indicator.unwrap().name.clone()
    };
    let dec = |text: &str| Decimal::from_str(text).unwrap();
    let data = site.join("2024/data");
    let book: Value = serde_json::from_str(&run_python(
        &python,
        EVERY_CELL,
        &[&data.join("results.xlsx")],
    ))
    .unwrap();
    assert_eq!(book["properties"]["title"], "2024年度考核结果");
    assert_eq!(book["properties"]["created"], "2025-04-25T00:00:00");
    let publisher = model.site.publisher.as_str();
    assert_eq!(book["properties"]["creator"], publisher);
    let sheets = book["sheets"].as_object().unwrap();
    let order = serde_json::json!(["考核结果", "扣分明细", "指标完成情况", "重点工程"]);
    assert_eq!(book["order"], order);
    // What every sheet shares: the title merged over the columns, 14 pt
    // bold, 24 pt high; a bold shaded header; both frozen and printed on
    // every A4 landscape page, one page wide.
    for (name, sheet) in sheets {
        let cells = sheet["cells"].as_array().unwrap();
        let columns = cells[1].as_array().unwrap().len();
        let last = (b'A' + columns as u8 - 1) as char;
        assert_eq!(
            sheet["merged"],
            serde_json::json!([format!("A1:{last}1")]),
            "{name}"
        );
        assert_eq!(sheet["freeze"], "A3", "{name}");
        assert_eq!(sheet["print_rows"], "$1:$2", "{name}");
        assert_eq!(sheet["orientation"], "landscape", "{name}");
        assert_eq!(sheet["paper"], 9, "{name}");
        assert_eq!(sheet["fit"], serde_json::json!([true, 1, 0]), "{name}");
        assert_eq!(sheet["title_height"], 24.0, "{name}");
        assert_eq!(sheet["title_size"], 14.0, "{name}");
        assert_eq!(sheet["header_fill"], "FFDCE3EA", "{name}");
        assert_eq!(cells[0][0][1], "s", "{name}: the title is text");
        assert_eq!(cells[0][0][4], true, "{name}: the title is bold");
        for header in cells[1].as_array().unwrap() {
            assert_eq!(
                (&header[1], &header[4]),
                (&"s".into(), &true.into()),
                "{name}"
            );
        }
        // Column widths as set, plus Excel's padding of 5 pixels.
        for width in sheet["widths"].as_array().unwrap() {
            let fraction = width.as_f64().unwrap().fract();
            assert!((fraction - 0.7109375).abs() < 1e-9, "{name}: {width}");
        }
    }
    let widths: Vec<f64> = [6, 13, 18, 8, 9, 9, 9, 9, 10, 8, 9, 8, 6, 6, 30]
        .iter()
        .map(|w| f64::from(*w) + 0.7109375)
        .collect();
    assert_eq!(sheets["考核结果"]["widths"], serde_json::json!(widths));
    let results = &sheets["考核结果"]["cells"].as_array().unwrap()[2..];
    let csv = read(root, "site/2024/data/results.csv");
    let lines: Vec<&str> = csv.trim_start_matches('\u{feff}').lines().skip(1).collect();
    assert_eq!(results.len(), lines.len(), "one row per unit");
    // results.csv's columns in the sheet's order, and how each is written:
    // ("n", format) a number equal to the CSV's, ("s", _) text.
    const COLUMNS: [(usize, &str, &str); 15] = [
        (0, "n", "General"),
        (1, "s", ""),
        (2, "s", ""),
        (4, "s", ""),
        (6, "n", "0.00"),
        (7, "n", "0.00"),
        (8, "n", "0.00"),
        (9, "n", "0.00"),
        (10, "n", "0.00"),
        (11, "n", "0.00"),
        (12, "n", "0.00"),
        (5, "s", ""),
        (13, "s", ""),
        (14, "s", ""),
        (15, "s", ""),
    ];
    for (row, line) in results.iter().zip(&lines) {
        let fields: Vec<&str> = line.split(',').collect();
        let row = row.as_array().unwrap();
        assert_eq!(row.len(), COLUMNS.len());
        for (cell, (field, kind, format)) in row.iter().zip(COLUMNS) {
            let (value, expected) = (&cell[0], fields[field]);
            if kind == "n" {
                assert_eq!(cell[1], kind, "{line}: column {field}");
                assert_eq!(cell[2], format, "{line}: column {field}");
                assert_eq!(dec(value.as_str().unwrap()), dec(expected), "{line}");
                continue;
            }
            let expected = match field {
                // The base grade in Chinese, flags as 是/否, indicators by name.
                5 => grade_name(expected).to_string(),
                13 | 14 => if expected == "true" { "是" } else { "否" }.to_string(),
                15 => expected
                    .split(' ')
                    .filter(|id| !id.is_empty())
                    .map(indicator_name)
                    .collect::<Vec<_>>()
                    .join("、"),
                _ => expected.to_string(),
            };
            if expected.is_empty() {
                assert!(value.is_null(), "{line}: column {field} is blank");
            } else {
                assert_eq!(cell[1], kind, "{line}: column {field}");
                assert_eq!(value, &Value::from(expected), "{line}: column {field}");
            }
        }
    }
    // The other sheets: each column holds one kind of cell, numbers with
    // their number format; 目标值 and 完成值 also say 不适用.
    let kinds: [(&str, &[(usize, &str)]); 2] = [
        ("扣分明细", &[(0, "General"), (4, "0.00")]),
        (
            "指标完成情况",
            &[(6, "General"), (7, "General"), (10, "0.00"), (11, "0.00")],
        ),
    ];
    for (name, numbers) in kinds {
        let rows = &sheets[name]["cells"].as_array().unwrap()[2..];
        assert!(!rows.is_empty(), "{name}");
        for row in rows {
            for (col, cell) in row.as_array().unwrap().iter().enumerate() {
                let number = numbers.iter().find(|(c, _)| *c == col);
                if cell[0].is_null() {
                    // A grade change loses no points: an empty bordered cell.
                    assert_eq!((name, col), ("扣分明细", 4), "{row}");
                    continue;
                }
                match (number, cell[1].as_str().unwrap()) {
                    (Some((_, format)), "n") => assert_eq!(cell[2], *format, "{name} {row}"),
                    (Some(_), _) => assert_eq!(cell[0], "不适用", "{name} {row}"),
                    (None, kind) => assert_eq!(kind, "s", "{name} {row}"),
                }
                assert_eq!(cell[3], false, "{name}: no formula-like text here");
            }
        }
    }
}

fn grade_name(key: &str) -> &'static str {
    match key {
        "excellent" => "优秀",
        "good" => "良好",
        "pass" => "合格",
        "fail" => "不合格",
        other => panic!("unknown grade {other}"),
    }
}

#[test]
fn hostile_text_in_a_workbook_reads_back_as_written() {
    let Some(python) = python() else { return };
    // Control characters XML cannot hold, text that looks like an escape
    // or like markup; and a text longer than a cell holds.
    const HOSTILE: &str = "控制\u{b}符\u{1} _x0041_ <b>&amp;</b> \"引号\"\t末";
    let long = "长".repeat(40_000);
    let project = unarchived_sample_project();
    let root = project.path();
    let path = "data/2023/results/changchun.yaml";
    edit(
        root,
        path,
        "reason: 秋季秸秆露天焚烧卫星遥感监测火点超过控制目标 }",
        r#"reason: "控制\v符\x01 _x0041_ <b>&amp;</b> \"引号\"\t末" }"#,
    );
    edit(
        root,
        path,
        "reason: 排污许可证后执法检查覆盖率未达要求 }",
        &format!("reason: {long} }}"),
    );
    let site = build_site(root);
    let xlsx = site.join("2023/data/results.xlsx");
    // An independent reader loads every sheet: the XML is valid.
    run_python(
        &python,
        "import sys, openpyxl\nfor s in openpyxl.load_workbook(sys.argv[1]).worksheets: list(s.values)",
        &[&xlsx],
    );
    let mut book: Xlsx<_> = calamine::open_workbook(&xlsx).unwrap();
    let range = book.worksheet_range("扣分明细").unwrap();
    let reasons: Vec<String> = range
        .rows()
        .filter(|row| row[1] == Data::String("长春市".into()))
        .map(|row| row[5].to_string())
        .collect();
    let short: Vec<&String> = reasons.iter().filter(|r| r.len() < 200).collect();
    assert!(reasons.iter().any(|r| r == HOSTILE), "{short:?}");
    let cut: String = "长".repeat(32_766) + "…";
    assert!(
        reasons.contains(&cut),
        "a text longer than a cell holds is cut to 32,767 characters"
    );
}
