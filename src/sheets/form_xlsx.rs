//! Writing a form with rust_xlsxwriter: the layout of [`super::forms`]
//! drawn as locked and unlocked cells, formats, data validation, row
//! heights and page setup.

use std::collections::BTreeMap;

use rust_decimal::Decimal;
use rust_xlsxwriter::{
    DataValidation, DataValidationRule, Format, Formula, Workbook, Worksheet, XlsxError,
};

use super::forms::{
    layout, Cell, Fill, Kind, SheetLayout, Style, FIRST_ROW, GUIDE, NOT_APPLICABLE,
};
use super::{cell_ref, print_setup, properties, text_lines, write_decimal, write_text, Styles};
use crate::model::Date;
use crate::validate::YearTemplate;

fn plain(value: Decimal) -> String {
    value.normalize().to_string()
}

/// The date the forms carry in their properties: the first day after the
/// assessed year, when reporting on it starts (never the clock).
pub fn issue_date(year: u16) -> Date {
    Date {
        year: year.saturating_add(1),
        month: 1,
        day: 1,
    }
}

struct Formats {
    styles: Styles,
    /// Below the prepared rows of a list sheet: unlocked, unshaded.
    input_column: Format,
    input: Format,
    input_points: Format,
    input_date: Format,
    input_wrap: Format,
}

impl Formats {
    fn new() -> Formats {
        let styles = Styles::new();
        let locked_fill = 0xEEF1F4;
        let input = styles
            .body
            .clone()
            .set_unlocked()
            .set_background_color(0xFFF4C2);
        let styles = Styles {
            body: styles.body.clone().set_background_color(locked_fill),
            wrap: styles.wrap.clone().set_background_color(locked_fill),
            number: styles.number.clone().set_background_color(locked_fill),
            ..styles
        };
        Formats {
            input_column: Format::new().set_font_name(super::FONT).set_unlocked(),
            input_points: input.clone().set_num_format("0.00"),
            input_date: input.clone().set_num_format("yyyy-mm-dd"),
            input_wrap: input.clone().set_text_wrap(),
            input,
            styles,
        }
    }

    fn fixed(&self, style: Style) -> &Format {
        match style {
            Style::Title => &self.styles.title,
            Style::Note => &self.styles.note,
            Style::Header => &self.styles.header,
            Style::Body => &self.styles.body,
            Style::Wrap => &self.styles.wrap,
            Style::Number => &self.styles.number,
        }
    }

    fn input(&self, kind: &Kind) -> &Format {
        match kind {
            Kind::Points { .. } => &self.input_points,
            Kind::Date => &self.input_date,
            Kind::Text => &self.input_wrap,
            Kind::Figure { .. } | Kind::Choice(_) => &self.input,
        }
    }
}

fn validation(kind: &Kind, cell: &str) -> Result<Option<DataValidation>, XlsxError> {
    let dv = match kind {
        Kind::Figure {
            min,
            max,
            na: false,
        } => DataValidation::new()
            .allow_decimal_number(DataValidationRule::Between(
                super::to_f64(*min),
                super::to_f64(*max),
            ))
            .set_error_title("数值不正确")?
            .set_error_message(format!(
                "请填写 {} 到 {} 之间的数字（不带单位）。",
                plain(*min),
                plain(*max)
            ))?,
        Kind::Figure { min, max, na: true } => DataValidation::new()
            .allow_custom(Formula::new(format!(
                "=OR({cell}=\"{NOT_APPLICABLE}\",AND(ISNUMBER({cell}),{cell}>={},{cell}<={}))",
                plain(*min),
                plain(*max)
            )))
            .set_error_title("数值不正确")?
            .set_error_message(format!(
                "请填写 {} 到 {} 之间的数字（不带单位），或“{NOT_APPLICABLE}”。",
                plain(*min),
                plain(*max)
            ))?,
        Kind::Points { max } => DataValidation::new()
            .allow_decimal_number(DataValidationRule::Between(0.0, super::to_f64(*max)))
            .set_error_title("分值不正确")?
            .set_error_message(format!(
                "请填写 0 到 {} 之间的数字，最多两位小数。",
                plain(*max)
            ))?,
        Kind::Choice(options) => {
            let options: Vec<&str> = options.iter().map(String::as_str).collect();
            DataValidation::new()
                .allow_list_strings(&options)?
                .set_error_title("请从列表中选择")?
                .set_error_message(format!("可选：{}", options.join("、")))?
        }
        Kind::Date | Kind::Text => return Ok(None),
    };
    Ok(Some(dv))
}

fn write_sheet(
    sheet: &mut Worksheet,
    layout: &SheetLayout,
    fill: &Fill,
    formats: &Formats,
) -> Result<(), XlsxError> {
    sheet.set_name(layout.name)?;
    let last_col = layout.widths.len().saturating_sub(1) as u16;
    for (col, width) in (0u16..).zip(&layout.widths) {
        sheet.set_column_width(col, *width)?;
        if layout.list {
            sheet.set_column_format(col, &formats.input_column)?;
        }
    }
    let write = |sheet: &mut Worksheet, row: u32, col: u16, cell: &Cell, format: &Format| match cell
    {
        Cell::Text(text) => write_text(sheet, row, col, text, format),
        Cell::Number(number) => write_decimal(sheet, row, col, *number, format),
    };
    for fixed in &layout.fixed {
        let cell = fill
            .0
            .get(&(layout.name, fixed.row, fixed.col))
            .unwrap_or(&fixed.cell);
        let format = formats.fixed(fixed.style);
        match (fixed.style, cell) {
            (Style::Title | Style::Note, Cell::Text(text)) if last_col > 0 && fixed.col == 0 => {
                sheet.merge_range(fixed.row, 0, fixed.row, last_col, "", format)?;
                write_text(sheet, fixed.row, 0, text, format)?;
            }
            _ => write(sheet, fixed.row, fixed.col, cell, format)?,
        }
    }
    // Each row as tall as its wrapped text needs; data rows room to write in.
    let total: f64 = layout.widths.iter().sum();
    let mut heights: BTreeMap<u32, f64> = BTreeMap::new();
    for fixed in &layout.fixed {
        let Cell::Text(text) = &fixed.cell else {
            continue;
        };
        let (width, scale, line, pad) = match fixed.style {
            Style::Title => (total, 1.25, 20.0, 4.0),
            Style::Note => (total, 1.0, 15.0, 4.0),
            Style::Wrap | Style::Header => (
                layout
                    .widths
                    .get(usize::from(fixed.col))
                    .copied()
                    .unwrap_or(10.0),
                1.0,
                15.0,
                5.0,
            ),
            Style::Body | Style::Number => continue,
        };
        let height = f64::from(text_lines(text, width, scale)) * line + pad;
        let row = heights.entry(fixed.row).or_insert(0.0);
        *row = row.max(height);
    }
    if !layout.hidden && layout.name != GUIDE {
        for input in &layout.inputs {
            let row = heights.entry(input.row).or_insert(0.0);
            *row = row.max(20.0);
        }
    }
    for (row, height) in heights {
        sheet.set_row_height(row, height)?;
    }
    // Filled cells outside the layout (what a user might type anywhere).
    for ((sheet_name, row, col), cell) in &fill.0 {
        let in_layout = layout.fixed.iter().any(|f| f.row == *row && f.col == *col)
            || layout.inputs.iter().any(|i| i.row == *row && i.col == *col);
        if *sheet_name == layout.name && !in_layout {
            write(sheet, *row, *col, cell, &formats.styles.body)?;
        }
    }
    let mut previous: Option<(u16, u32, u32, Kind)> = None;
    let mut validations: Vec<(u16, u32, u32, Kind)> = Vec::new();
    for input in &layout.inputs {
        let format = formats.input(&input.kind);
        match fill.0.get(&(layout.name, input.row, input.col)) {
            Some(cell) => write(sheet, input.row, input.col, cell, format)?,
            None => {
                sheet.write_blank(input.row, input.col, format)?;
            }
        }
        // One validation for each run of rows in a column that take the same.
        match &mut previous {
            Some((col, _, last, kind))
                if *col == input.col && *last + 1 == input.row && *kind == input.kind =>
            {
                *last = input.row;
            }
            _ => {
                validations.extend(previous.take());
                previous = Some((input.col, input.row, input.row, input.kind.clone()));
            }
        }
    }
    validations.extend(previous);
    validations.sort_by_key(|(col, first, _, _)| (*first, *col));
    for (col, first, last, kind) in validations {
        if let Some(dv) = validation(&kind, &cell_ref(first, col))? {
            sheet.add_data_validation(first, col, last, col, &dv)?;
        }
    }
    if layout.hidden {
        sheet.set_very_hidden(true);
    } else {
        print_setup(sheet, if layout.name == GUIDE { 0 } else { FIRST_ROW })?;
    }
    sheet.protect();
    Ok(())
}

/// The form of unit `unit` as .xlsx bytes, with `fill` written into its cells.
pub fn write(t: &YearTemplate, unit: usize, fill: &Fill) -> Result<Vec<u8>, XlsxError> {
    let mut workbook = Workbook::new();
    let name = &t.units[unit].name;
    workbook.set_properties(&properties(
        &format!("{name}{}年度考核填报表", t.year),
        "政府生态环境保护目标责任制考核",
        &t.site.publisher,
        issue_date(t.year),
    ));
    // A form is small: the fastest deflate level costs a few kB and halves
    // the time to make 3,000 of them.
    workbook.set_zip_compression_level(1);
    let formats = Formats::new();
    for layout in layout(t, unit) {
        let sheet = workbook.add_worksheet();
        write_sheet(sheet, &layout, fill, &formats)?;
    }
    workbook.save_to_buffer()
}
