//! Spreadsheets: the fill-in forms each unit gets (`forms`), reading them
//! back (`import`), and the workbooks beside the open data and the briefing
//! copy (`open_data`).
//!
//! What every workbook shares lives here: cell references, the fixed
//! document properties that keep the bytes identical from run to run, text
//! cells that a spreadsheet program never takes for a formula, and the check
//! that keeps private output folders out of the public site and the input.

pub mod book;
mod form_xlsx;
pub mod forms;
mod guide;
pub mod import;
pub mod issue;
pub mod open_data;
mod out_dir;
pub mod reader;
pub mod record;
mod values;
mod xlsx;

pub use out_dir::private_output_dir;

use std::borrow::Cow;
use std::fmt::Write as _;
use std::io::{self, Write as _};
use std::path::Path;

use rust_decimal::Decimal;
use rust_xlsxwriter::{
    DocProperties, ExcelDateTime, Format, FormatAlign, FormatBorder, Worksheet, XlsxError,
};

use crate::model::Date;

/// The font of every cell: present on every Chinese Windows, WPS and
/// LibreOffice install (which substitutes a CJK font of the same metrics).
pub const FONT: &str = "宋体";

/// Excel keeps at most this many characters in a cell.
const MAX_CELL_CHARS: usize = 32_767;

/// A1-style reference of a 0-based row and column: (6, 6) → "G7".
pub fn cell_ref(row: u32, col: u16) -> String {
    let mut letters = Vec::new();
    let mut n = u32::from(col) + 1;
    while n > 0 {
        let rem = (n - 1) % 26;
        letters.push(char::from(b'A' + rem as u8));
        n = (n - 1) / 26;
    }
    let mut out: String = letters.into_iter().rev().collect();
    let _ = write!(out, "{}", u64::from(row) + 1);
    out
}

/// A text a spreadsheet program would take for a formula if a user edited
/// the cell: OWASP's list of leading characters (= + - @, tab, CR).
pub fn looks_like_formula(text: &str) -> bool {
    text.starts_with(['=', '+', '-', '@', '\t', '\r'])
}

/// `text` as a cell holds it: a text longer than Excel keeps (counted in
/// UTF-16 units, as Excel counts) is cut and ends with "…".
pub(crate) fn cell_text(text: &str) -> Cow<'_, str> {
    // A text of no more bytes than the limit has no more UTF-16 units.
    if text.len() <= MAX_CELL_CHARS || text.encode_utf16().count() <= MAX_CELL_CHARS {
        return Cow::Borrowed(text);
    }
    let mut units = 0;
    let mut cut = String::with_capacity(MAX_CELL_CHARS * 3);
    for ch in text.chars() {
        units += ch.len_utf16();
        if units > MAX_CELL_CHARS - 1 {
            break;
        }
        cut.push(ch);
    }
    cut.push('…');
    Cow::Owned(cut)
}

/// Write `text` as a text cell. Text that looks like a formula gets Excel's
/// quote prefix (the `'` a user types before such text): the cell shows the
/// text exactly and stays text when edited, and the value itself is not
/// changed, so it reads back as written.
pub fn write_text(
    sheet: &mut Worksheet,
    row: u32,
    col: u16,
    text: &str,
    format: &Format,
) -> Result<(), XlsxError> {
    let text = cell_text(text).into_owned();
    if looks_like_formula(&text) {
        sheet.write_string_with_format(row, col, text, &format.clone().set_quote_prefix())?;
    } else {
        sheet.write_string_with_format(row, col, text, format)?;
    }
    Ok(())
}

/// The printed lines `text` takes in a column `width` units wide (a CJK
/// character is about two units at 11 pt; `scale` for larger or bold
/// type). Spreadsheet writers do not fit row heights to wrapped text, so
/// the rows are given the height their text needs.
pub fn text_lines(text: &str, width: f64, scale: f64) -> u32 {
    text.split('\n')
        .map(|line| {
            let needed = crate::open_data::display_width(line) as f64 * 0.9 * scale;
            (needed / width.max(1.0)).ceil().max(1.0) as u32
        })
        .sum()
}

/// The powers of ten a float holds exactly.
const EXACT_POWERS_OF_TEN: [f64; 23] = [
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16,
    1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
];

/// A decimal as the nearest binary float, so 86.3 is the float a
/// spreadsheet program stores when 86.3 is typed. When the digits and the
/// power of ten are both exact floats (every figure a form holds), one
/// division rounds once, to that nearest float; any other goes through its
/// text, as a typed number is read.
pub fn to_f64(value: Decimal) -> f64 {
    let digits = value.mantissa();
    let power = usize::try_from(value.scale())
        .ok()
        .and_then(|scale| EXACT_POWERS_OF_TEN.get(scale));
    match power {
        Some(power) if digits != 0 && digits.unsigned_abs() < 1 << 53 => digits as f64 / power,
        _ => value.normalize().to_string().parse().unwrap_or(0.0),
    }
}

/// Write a decimal as a number cell.
pub fn write_decimal(
    sheet: &mut Worksheet,
    row: u32,
    col: u16,
    value: Decimal,
    format: &Format,
) -> Result<(), XlsxError> {
    sheet.write_number_with_format(row, col, to_f64(value), format)?;
    Ok(())
}

/// Document properties with a creation date taken from the input (never the
/// clock), so the same input gives the same bytes.
pub fn properties(title: &str, subject: &str, author: &str, date: Date) -> DocProperties {
    let properties = DocProperties::new()
        .set_title(title)
        .set_subject(subject)
        .set_author(author)
        .set_company(author);
    // A validated date is always one Excel can hold; 1900-01-01 keeps the
    // bytes fixed even for one it could not.
    match ExcelDateTime::from_ymd(date.year, date.month, date.day)
        .or_else(|_| ExcelDateTime::from_ymd(1900, 1, 1))
    {
        Ok(datetime) => properties.set_creation_datetime(&datetime),
        Err(_) => properties,
    }
}

/// A temporary file in `dir` holding `bytes`, to be renamed into place:
/// created with the usual permissions (tempfile's own are owner-only), so
/// the final file reads like any other the user makes.
pub(crate) fn staged(dir: &Path, bytes: &[u8]) -> io::Result<tempfile::NamedTempFile> {
    let mut builder = tempfile::Builder::new();
    builder.prefix(".ecoscore-");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        builder.permissions(std::fs::Permissions::from_mode(0o666));
    }
    let mut file = builder.tempfile_in(dir)?;
    file.write_all(bytes)?;
    Ok(file)
}

/// The formats every workbook uses.
#[derive(Clone)]
pub struct Styles {
    pub title: Format,
    pub note: Format,
    pub header: Format,
    pub body: Format,
    pub wrap: Format,
    pub number: Format,
    pub fixed2: Format,
}

impl Styles {
    pub fn new() -> Styles {
        let base = Format::new().set_font_name(FONT).set_font_size(11);
        let cell = base
            .clone()
            .set_border(FormatBorder::Thin)
            .set_border_color(0x9AA4AE)
            .set_align(FormatAlign::VerticalCenter);
        Styles {
            title: base
                .clone()
                .set_bold()
                .set_font_size(14)
                .set_align(FormatAlign::VerticalCenter),
            note: base
                .clone()
                .set_text_wrap()
                .set_font_color(0x444444)
                .set_align(FormatAlign::Top),
            header: cell
                .clone()
                .set_bold()
                .set_background_color(0xDCE3EA)
                .set_text_wrap()
                .set_align(FormatAlign::Center),
            body: cell.clone(),
            wrap: cell.clone().set_text_wrap(),
            number: cell.clone().set_align(FormatAlign::Right),
            fixed2: cell.set_num_format("0.00").set_align(FormatAlign::Right),
        }
    }
}

impl Default for Styles {
    fn default() -> Self {
        Styles::new()
    }
}

/// Page setup for printing a table: A4 landscape, one page wide, the
/// header rows repeated on every page.
pub fn print_setup(sheet: &mut Worksheet, header_rows: u32) -> Result<(), XlsxError> {
    sheet.set_paper_size(9);
    sheet.set_landscape();
    sheet.set_print_fit_to_pages(1, 0);
    sheet.set_margins(0.5, 0.5, 0.6, 0.6, 0.3, 0.3);
    sheet.set_footer("&C第 &P 页，共 &N 页");
    if header_rows > 0 {
        sheet.set_repeat_rows(0, header_rows - 1)?;
        sheet.set_freeze_panes(header_rows, 0)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cell_refs_are_a1_style() {
        assert_eq!(cell_ref(0, 0), "A1");
        assert_eq!(cell_ref(6, 6), "G7");
        assert_eq!(cell_ref(9, 25), "Z10");
        assert_eq!(cell_ref(0, 26), "AA1");
        assert_eq!(cell_ref(0, 701), "ZZ1");
        assert_eq!(cell_ref(0, 702), "AAA1");
    }

    #[test]
    fn long_text_takes_more_lines() {
        assert_eq!(text_lines("短", 10.0, 1.0), 1);
        assert_eq!(text_lines(&"字".repeat(20), 30.0, 1.0), 2);
        assert_eq!(text_lines("a\nb", 10.0, 1.0), 2);
    }

    #[test]
    fn formula_lookalikes_are_recognised() {
        for text in ["=1+1", "+86", "-2", "@SUM(A1)", "\tx", "\rx"] {
            assert!(looks_like_formula(text), "{text:?}");
        }
        for text in ["长春市", "1.5", "a=b", ""] {
            assert!(!looks_like_formula(text), "{text:?}");
        }
    }

    #[test]
    fn decimals_become_the_float_typed() {
        assert_eq!(to_f64("86.30".parse().unwrap()), 86.3);
        assert_eq!(to_f64("0.1".parse().unwrap()).to_string(), "0.1");
        assert_eq!(to_f64("-3.25".parse().unwrap()), -3.25);
        assert_eq!(to_f64("-0.00".parse().unwrap()), 0.0);
        // Beyond the exact floats: through the text.
        let long: Decimal = "12345678901234567.891".parse().unwrap();
        assert_eq!(to_f64(long), 12345678901234567.891);
        let fine: Decimal = "0.0000000000000000000000001".parse().unwrap();
        assert_eq!(to_f64(fine), 1e-25);
    }

    #[test]
    fn the_division_gives_the_float_the_text_reads_as() {
        // Pseudo-random digits and scales, against the parse of the text.
        let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
        for _ in 0..200_000 {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            let digits = (state >> 11) as i64 * if state & 1 == 0 { 1 } else { -1 };
            let digits = digits % 10_i64.pow((state % 17) as u32 + 1);
            let value = Decimal::new(digits, ((state >> 5) % 12) as u32);
            let typed: f64 = value.normalize().to_string().parse().unwrap();
            assert_eq!(to_f64(value).to_bits(), typed.to_bits(), "{value}");
        }
    }
}
