//! A minimal streaming SpreadsheetML writer for the workbooks of computed
//! results (`results.xlsx`, `briefing.xlsx`): cells go as XML straight into
//! the zip, with a fixed style table and a shared-string table.
//!
//! Why not rust_xlsxwriter (still used for the forms): on a national clean
//! build (3,000 units × 5 years, perf) its results.xlsx took about 25 % of
//! the CPU (20 % in its cells, 4.6 % in deflate), and most of it was
//! per-cell bookkeeping these workbooks do not need: hashing and comparing
//! each cell's `Format` (`format_xf_index` 8.8 %), a BTreeMap per row, a
//! `String` and an `Arc` per text cell. Written here, results.xlsx is 7 %
//! of a build that takes a fifth less CPU, 2.5 % of it deflate. These workbooks have six
//! cell styles known in advance, every row is written once in order, and
//! the XML is what rust_xlsxwriter 0.102 wrote (the same parts, cells,
//! style attributes, widths, heights and escapes), less its theme part: the
//! fonts' colour is automatic instead of the theme's text colour, the same
//! black.
//!
//! The zip holds no clock: every entry is dated 1980-01-01, in a fixed
//! order, so the same cells give the same bytes.

use std::collections::HashMap;
use std::io::{self, Cursor, Write};

use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, DateTime, ZipArchive, ZipWriter};

use crate::model::Date;

mod parts;
use parts::{app, content_types, core, styles, workbook, workbook_rels, ROOT_RELS};

/// The cell styles; each also has a quoted variant (Excel's quote prefix,
/// for text that would otherwise be taken for a formula).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Style {
    /// 14 pt bold, the sheet's title row.
    Title,
    /// Bold, shaded, centred and wrapped: the header row.
    Header,
    /// A number as written ("General"), right-aligned.
    Plain,
    /// Text, wrapped.
    Wrap,
    /// A number shown with two decimals.
    Fixed2,
    /// An empty bordered cell.
    Body,
}

const STYLES: [Style; 6] = [
    Style::Title,
    Style::Header,
    Style::Plain,
    Style::Wrap,
    Style::Fixed2,
    Style::Body,
];

impl Style {
    /// The index into cellXfs: 0 is Excel's default, then the styles, then
    /// the same styles quoted.
    fn xf(self, quoted: bool) -> u32 {
        let index = STYLES.iter().position(|s| *s == self).unwrap_or(0) as u32 + 1;
        if quoted {
            index + STYLES.len() as u32
        } else {
            index
        }
    }
}

/// The document properties: the same input gives the same text.
pub(crate) struct Properties<'a> {
    pub title: &'a str,
    pub subject: &'a str,
    pub author: &'a str,
    pub created: Date,
}

/// One sheet's layout, known before its rows are written.
pub(crate) struct Layout<'a> {
    pub name: &'a str,
    /// Column widths in characters, as Excel's column width box takes them.
    pub widths: &'a [f64],
    /// Rows the sheet will hold, title and header included.
    pub rows: u32,
    /// Rows frozen at the top and repeated on every printed page.
    pub header_rows: u32,
}

/// A workbook being written: the sheets go into a zip of their own as they
/// are written; `finish` puts the package around them.
pub(crate) struct Book {
    sheets: ZipWriter<Cursor<Vec<u8>>>,
    /// Each sheet's name and header rows.
    names: Vec<(String, u32)>,
    strings: HashMap<Box<str>, u32>,
    /// The `<si>` elements, in order of first use.
    sst: Vec<u8>,
    string_cells: u64,
}

/// Flush a sheet's XML to the compressor in pieces of this size.
const CHUNK: usize = 1 << 16;

fn options() -> SimpleFileOptions {
    SimpleFileOptions::default()
        .compression_method(CompressionMethod::Deflated)
        // Level 2 (zlib-rs's deflate_fast): on a national year's sheets
        // (36 MB of XML) 118 ms for 4.2 MB, where level 3 takes 183 ms for
        // 4.0 MB and the usual 6 takes 670 ms for 3.3 MB.
        .compression_level(Some(2))
        .unix_permissions(0o600)
        .last_modified_time(DateTime::default())
        .large_file(false)
}

impl Book {
    pub fn new() -> Book {
        Book {
            sheets: ZipWriter::new(Cursor::new(Vec::new())),
            names: Vec::new(),
            strings: HashMap::new(),
            sst: Vec::new(),
            string_cells: 0,
        }
    }

    /// Start the next sheet; its rows follow through the returned writer.
    pub fn sheet(&mut self, layout: &Layout<'_>) -> io::Result<Sheet<'_>> {
        self.names
            .push((layout.name.to_string(), layout.header_rows));
        let index = self.names.len();
        self.sheets
            .start_file(format!("xl/worksheets/sheet{index}.xml"), options())?;
        let mut xml = Vec::with_capacity(CHUNK * 2);
        xml.extend_from_slice(XML_DECLARATION);
        xml.extend_from_slice(
            br#"<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheetPr><pageSetUpPr fitToPage="1"/></sheetPr><dimension ref=""#,
        );
        let last_col = u16::try_from(layout.widths.len().saturating_sub(1)).unwrap_or(u16::MAX);
        xml.extend_from_slice(b"A1");
        if layout.rows > 1 || last_col > 0 {
            xml.push(b':');
            push_ref(&mut xml, layout.rows.saturating_sub(1), last_col);
        }
        xml.extend_from_slice(br#""/><sheetViews><sheetView "#);
        if index == 1 {
            xml.extend_from_slice(br#"tabSelected="1" "#);
        }
        xml.extend_from_slice(br#"workbookViewId="0""#);
        if layout.header_rows > 0 {
            xml.extend_from_slice(br#"><pane ySplit=""#);
            push_u32(&mut xml, layout.header_rows);
            xml.extend_from_slice(br#"" topLeftCell=""#);
            push_ref(&mut xml, layout.header_rows, 0);
            xml.extend_from_slice(
                br#"" activePane="bottomLeft" state="frozen"/><selection pane="bottomLeft"/></sheetView>"#,
            );
        } else {
            xml.extend_from_slice(b"/>");
        }
        xml.extend_from_slice(br#"</sheetViews><sheetFormatPr defaultRowHeight="15"/>"#);
        push_cols(&mut xml, layout.widths);
        xml.extend_from_slice(b"<sheetData>");
        Ok(Sheet {
            book: self,
            xml,
            row: 0,
            row_open: false,
            last_col,
        })
    }

    /// The index of `text` in the shared-string table.
    fn string(&mut self, text: &str) -> u32 {
        self.string_cells += 1;
        if let Some(index) = self.strings.get(text) {
            return *index;
        }
        let index = self.strings.len() as u32;
        self.strings.insert(text.into(), index);
        let preserve = text.starts_with(['\t', '\n', ' ']) || text.ends_with(['\t', '\n', ' ']);
        self.sst.extend_from_slice(if preserve {
            br#"<si><t xml:space="preserve">"#
        } else {
            b"<si><t>"
        });
        escape_text(&mut self.sst, text);
        self.sst.extend_from_slice(b"</t></si>");
        index
    }

    /// The workbook's bytes: the package parts around the sheets.
    pub fn finish(mut self, properties: &Properties<'_>) -> io::Result<Vec<u8>> {
        let sheets = self.sheets.finish()?;
        let mut zip = ZipWriter::new(Cursor::new(Vec::with_capacity(
            sheets.get_ref().len() + self.sst.len() / 4 + (1 << 14),
        )));
        let part = |zip: &mut ZipWriter<_>, name: &str, text: &[u8]| -> io::Result<()> {
            zip.start_file(name, options())?;
            zip.write_all(text)
        };
        let names = &self.names;
        part(
            &mut zip,
            "[Content_Types].xml",
            content_types(names).as_bytes(),
        )?;
        part(&mut zip, "_rels/.rels", ROOT_RELS.as_bytes())?;
        part(
            &mut zip,
            "xl/_rels/workbook.xml.rels",
            workbook_rels(names).as_bytes(),
        )?;
        part(&mut zip, "xl/styles.xml", styles().as_bytes())?;
        part(&mut zip, "xl/workbook.xml", workbook(names).as_bytes())?;
        zip.merge_archive(ZipArchive::new(sheets)?)?;
        let mut sst = Vec::with_capacity(self.sst.len() + 256);
        sst.extend_from_slice(XML_DECLARATION);
        let _ = write!(
            sst,
            r#"<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="{}" uniqueCount="{}">"#,
            self.string_cells,
            self.strings.len()
        );
        sst.append(&mut self.sst);
        sst.extend_from_slice(b"</sst>");
        part(&mut zip, "xl/sharedStrings.xml", &sst)?;
        part(&mut zip, "docProps/core.xml", core(properties).as_bytes())?;
        part(
            &mut zip,
            "docProps/app.xml",
            app(names, properties.author).as_bytes(),
        )?;
        Ok(zip.finish()?.into_inner())
    }
}

/// A sheet being written, row by row.
pub(crate) struct Sheet<'a> {
    book: &'a mut Book,
    xml: Vec<u8>,
    /// The number of the row open or last written (1-based).
    row: u32,
    row_open: bool,
    last_col: u16,
}

impl Sheet<'_> {
    /// Start the next row, `height` in points when it is not the default.
    pub fn row(&mut self, height: Option<f64>) -> io::Result<()> {
        self.close_row();
        if self.xml.len() >= CHUNK {
            self.book.sheets.write_all(&self.xml)?;
            self.xml.clear();
        }
        self.row = self.row.saturating_add(1);
        self.xml.extend_from_slice(br#"<row r=""#);
        push_u32(&mut self.xml, self.row);
        if let Some(points) = height {
            // As Excel stores it: whole pixels at 96 dpi, back in points.
            let pixels = (points * 4.0 / 3.0).round();
            let _ = write!(self.xml, r#"" ht="{}" customHeight="1"#, pixels * 0.75);
        }
        self.xml.extend_from_slice(b"\">");
        self.row_open = true;
        Ok(())
    }

    fn cell_start(&mut self, col: u16, style: Style, quoted: bool) {
        self.xml.extend_from_slice(br#"<c r=""#);
        push_ref(&mut self.xml, self.row.saturating_sub(1), col);
        self.xml.extend_from_slice(br#"" s=""#);
        push_u32(&mut self.xml, style.xf(quoted));
    }

    /// A text cell (at most `MAX_CELL_CHARS`, as `super::cell_text` cuts
    /// it); text a spreadsheet program would take for a formula gets the
    /// quote prefix, the value itself unchanged. Empty text is a blank cell
    /// with the style, as Excel writes it.
    pub fn text(&mut self, col: u16, text: &str, style: Style) {
        if text.is_empty() {
            return self.blank(col, style);
        }
        let text = super::cell_text(text);
        let index = self.book.string(&text);
        self.cell_start(col, style, super::looks_like_formula(&text));
        self.xml.extend_from_slice(br#"" t="s"><v>"#);
        push_u32(&mut self.xml, index);
        self.xml.extend_from_slice(b"</v></c>");
    }

    /// A number cell; a value no spreadsheet holds (NaN, infinite) is text.
    pub fn number(&mut self, col: u16, value: f64, style: Style) {
        if !value.is_finite() {
            let text = if value.is_nan() {
                "NAN"
            } else if value > 0.0 {
                "INF"
            } else {
                "-INF"
            };
            return self.text(col, text, style);
        }
        self.cell_start(col, style, false);
        let _ = write!(self.xml, r#""><v>{value}</v></c>"#);
    }

    /// An empty cell with a style (a border, the title's merged area).
    pub fn blank(&mut self, col: u16, style: Style) {
        self.cell_start(col, style, false);
        self.xml.extend_from_slice(b"\"/>");
    }

    fn close_row(&mut self) {
        if self.row_open {
            self.xml.extend_from_slice(b"</row>");
            self.row_open = false;
        }
    }

    /// Finish the sheet: the title row merged across the columns, the
    /// page set up for A4 landscape, one page wide, numbered.
    pub fn end(mut self) -> io::Result<()> {
        self.close_row();
        self.xml.extend_from_slice(b"</sheetData>");
        if self.last_col > 0 {
            self.xml
                .extend_from_slice(br#"<mergeCells count="1"><mergeCell ref="A1:"#);
            push_ref(&mut self.xml, 0, self.last_col);
            self.xml.extend_from_slice(br#""/></mergeCells>"#);
        }
        self.xml.extend_from_slice(
            r#"<pageMargins left="0.5" right="0.5" top="0.6" bottom="0.6" header="0.3" footer="0.3"/><pageSetup paperSize="9" fitToHeight="0" orientation="landscape" horizontalDpi="200" verticalDpi="200"/><headerFooter><oddFooter>&amp;C第 &amp;P 页，共 &amp;N 页</oddFooter></headerFooter></worksheet>"#
                .as_bytes(),
        );
        self.book.sheets.write_all(&self.xml)
    }
}

const XML_DECLARATION: &[u8] = b"<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n";

fn push_u32(out: &mut Vec<u8>, mut n: u32) {
    let mut digits = [0u8; 10];
    let mut at = digits.len();
    loop {
        at -= 1;
        digits[at] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    out.extend_from_slice(&digits[at..]);
}

/// A1-style reference of a 0-based row and column.
fn push_ref(out: &mut Vec<u8>, row: u32, col: u16) {
    let mut letters = [0u8; 3];
    let mut at = letters.len();
    let mut n = u32::from(col) + 1;
    while n > 0 && at > 0 {
        at -= 1;
        letters[at] = b'A' + ((n - 1) % 26) as u8;
        n = (n - 1) / 26;
    }
    out.extend_from_slice(&letters[at..]);
    push_u32(out, row.saturating_add(1));
}

/// The `<cols>` element: neighbouring columns of one width share a `<col>`.
fn push_cols(out: &mut Vec<u8>, widths: &[f64]) {
    if widths.is_empty() {
        return;
    }
    // Excel's column width: whole pixels of a 7-pixel digit and 5 of
    // padding, back in characters at 1/256 steps.
    let pixels = |w: f64| -> u32 {
        if w <= 0.0 {
            0
        } else if w < 1.0 {
            (w * 12.0).round() as u32
        } else {
            (w * 7.0).round().min(1790.0) as u32 + 5
        }
    };
    out.extend_from_slice(b"<cols>");
    let mut first = 0;
    while first < widths.len() {
        let px = pixels(widths[first]);
        let mut last = first;
        while last + 1 < widths.len() && pixels(widths[last + 1]) == px {
            last += 1;
        }
        let chars = f64::from(px * 256 / 7) / 256.0;
        let _ = write!(
            out,
            r#"<col min="{}" max="{}" width="{chars}" customWidth="1"/>"#,
            first + 1,
            last + 1
        );
        first = last + 1;
    }
    out.extend_from_slice(b"</cols>");
}

/// Text as XML character data, as Excel writes it: `& < >` escaped, the
/// control characters XML cannot hold (and U+FFFE, U+FFFF) as `_xHHHH_`,
/// and a literal `_xHHHH_` in the text protected with `_x005F` so it reads
/// back as written.
pub(crate) fn escape_text(out: &mut Vec<u8>, text: &str) {
    let bytes = text.as_bytes();
    let mut plain = 0;
    for (at, ch) in text.char_indices() {
        let escape: Option<String> = match ch {
            '&' => Some("&amp;".into()),
            '<' => Some("&lt;".into()),
            '>' => Some("&gt;".into()),
            '\t' | '\n' => None,
            '\0'..='\x1F' | '\u{FFFE}' | '\u{FFFF}' => Some(format!("_x{:04X}_", u32::from(ch))),
            '_' if is_escape_like(&bytes[at..]) => Some("_x005F_".into()),
            _ => None,
        };
        if let Some(escape) = escape {
            out.extend_from_slice(&bytes[plain..at]);
            out.extend_from_slice(escape.as_bytes());
            plain = at + ch.len_utf8();
        }
    }
    out.extend_from_slice(&bytes[plain..]);
}

/// `_xHHHH_` at the start of `bytes`.
fn is_escape_like(bytes: &[u8]) -> bool {
    bytes.len() >= 7
        && bytes[1] == b'x'
        && bytes[2..6].iter().all(u8::is_ascii_hexdigit)
        && bytes[6] == b'_'
}

#[cfg(test)]
mod tests {
    use calamine::{Data, Reader, Xlsx};

    use super::*;

    fn escaped(text: &str) -> String {
        let mut out = Vec::new();
        escape_text(&mut out, text);
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn text_is_escaped_as_excel_does() {
        assert_eq!(escaped("a<b>&c"), "a&lt;b&gt;&amp;c");
        assert_eq!(escaped("行\n\t列\"'"), "行\n\t列\"'");
        assert_eq!(escaped("\u{1}x\u{b}\r"), "_x0001_x_x000B__x000D_");
        assert_eq!(escaped("\u{fffe}"), "_xFFFE_");
        assert_eq!(
            escaped("_x0041_ _x00zz_ _x41_"),
            "_x005F_x0041_ _x00zz_ _x41_"
        );
    }

    #[test]
    fn references_widths_and_heights_are_excels() {
        let reference = |row, col| {
            let mut out = Vec::new();
            push_ref(&mut out, row, col);
            String::from_utf8(out).unwrap()
        };
        assert_eq!(reference(0, 0), "A1");
        assert_eq!(reference(9, 25), "Z10");
        assert_eq!(reference(0, 26), "AA1");
        assert_eq!(reference(59_999, 11), "L60000");
        assert_eq!(super::super::cell_ref(0, 701), reference(0, 701));
        let mut cols = Vec::new();
        push_cols(&mut cols, &[6.0, 9.0, 9.0, 0.5, 60.0]);
        assert_eq!(
            String::from_utf8(cols).unwrap(),
            r#"<cols><col min="1" max="1" width="6.7109375" customWidth="1"/><col min="2" max="3" width="9.7109375" customWidth="1"/><col min="4" max="4" width="0.85546875" customWidth="1"/><col min="5" max="5" width="60.7109375" customWidth="1"/></cols>"#
        );
    }

    fn book(title: &str) -> Vec<u8> {
        let mut book = Book::new();
        let mut sheet = book
            .sheet(&Layout {
                name: "表",
                widths: &[10.0, 8.0],
                rows: 3,
                header_rows: 2,
            })
            .unwrap();
        sheet.row(Some(24.0)).unwrap();
        sheet.text(0, title, Style::Title);
        sheet.blank(1, Style::Title);
        sheet.row(None).unwrap();
        sheet.text(0, "原因", Style::Header);
        sheet.text(1, "扣分", Style::Header);
        sheet.row(Some(34.0)).unwrap();
        sheet.text(0, "=1+1", Style::Wrap);
        sheet.number(1, 0.1, Style::Fixed2);
        sheet.end().unwrap();
        let created = Date {
            year: 2025,
            month: 4,
            day: 25,
        };
        book.finish(&Properties {
            title: "t",
            subject: "s",
            author: "a",
            created,
        })
        .unwrap()
    }

    #[test]
    fn a_book_reads_back_and_is_the_same_bytes_every_time() {
        let bytes = book("标题");
        assert_eq!(bytes, book("标题"));
        assert_ne!(bytes, book("另一个标题"));
        let mut xlsx = Xlsx::new(Cursor::new(bytes.clone())).unwrap();
        let range = xlsx.worksheet_range("表").unwrap();
        let cells: Vec<Vec<Data>> = range.rows().map(<[Data]>::to_vec).collect();
        assert_eq!(
            cells,
            [
                vec![Data::String("标题".into()), Data::Empty],
                vec![Data::String("原因".into()), Data::String("扣分".into())],
                vec![Data::String("=1+1".into()), Data::Float(0.1)],
            ]
        );
        let mut archive = ZipArchive::new(Cursor::new(bytes)).unwrap();
        let mut xml = String::new();
        io::Read::read_to_string(
            &mut archive.by_name("xl/worksheets/sheet1.xml").unwrap(),
            &mut xml,
        )
        .unwrap();
        // 34 points are 45 whole pixels, 33.75 points; the formula-like
        // text has the quoted wrap style.
        assert!(
            xml.contains(r#"<row r="3" ht="33.75" customHeight="1">"#),
            "{xml}"
        );
        let quoted = Style::Wrap.xf(true);
        assert!(
            xml.contains(&format!(r#"<c r="A3" s="{quoted}" t="s">"#)),
            "{xml}"
        );
        assert!(xml.contains(r#"<mergeCell ref="A1:B1"/>"#), "{xml}");
    }
}
