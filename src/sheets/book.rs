//! A workbook as sparse cells, read with calamine: .xlsx (streamed cell by
//! cell), .xls and .ods.
//!
//! Only the area a form can use is kept; the first cell beyond it is
//! remembered so `import` can report it instead of reading a pasted
//! million rows. Files are size-checked before calamine sees them.

use std::collections::BTreeMap;
use std::fs::File;
use std::io::{BufReader, Read, Seek};
use std::path::Path;

use calamine::{Data, DataRef, Reader, Xlsx};

use crate::model::Date;

/// No filled form comes near these; a larger file is a mistake.
const MAX_FILE_BYTES: u64 = 16 * 1024 * 1024;
const MAX_UNZIPPED_BYTES: u64 = 256 * 1024 * 1024;
/// Rows and columns a form's cells may lie in.
pub const MAX_ROWS: u32 = 10_000;
pub const MAX_COLS: u16 = 64;

/// One non-empty cell as the file holds it.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Text(String),
    Number(f64),
    Int(i64),
    Bool(bool),
    Date(Date),
    /// A date/time cell that is not a whole day, or an ISO text calamine gave.
    DateTime(String),
    Error(String),
}

impl Value {
    /// How the cell shows the value, for messages and comparisons.
    pub fn shown(&self) -> String {
        match self {
            Value::Text(text) => text.clone(),
            Value::Number(n) => format!("{n}"),
            Value::Int(i) => i.to_string(),
            Value::Bool(b) => if *b { "TRUE" } else { "FALSE" }.to_string(),
            Value::Date(d) => d.to_string(),
            Value::DateTime(text) | Value::Error(text) => text.clone(),
        }
    }
}

#[derive(Debug, Default)]
pub struct SheetCells {
    pub cells: BTreeMap<(u32, u16), Value>,
    /// The first cell with content outside `MAX_ROWS` × `MAX_COLS`.
    pub beyond: Option<(u32, u16)>,
}

impl SheetCells {
    pub fn get(&self, row: u32, col: u16) -> Option<&Value> {
        self.cells.get(&(row, col))
    }

    fn put(&mut self, row: u32, col: u32, value: Option<Value>) {
        let Some(value) = value else { return };
        match u16::try_from(col) {
            Ok(col) if row < MAX_ROWS && col < MAX_COLS => {
                self.cells.insert((row, col), value);
            }
            _ => {
                let col = u16::try_from(col).unwrap_or(u16::MAX);
                if self.beyond.is_none_or(|b| (row, col) < b) {
                    self.beyond = Some((row, col));
                }
            }
        }
    }
}

/// Sheets by name, in workbook order.
#[derive(Debug, Default)]
pub struct Book {
    pub sheets: Vec<(String, SheetCells)>,
}

impl Book {
    pub fn sheet(&self, name: &str) -> Option<&SheetCells> {
        self.sheets.iter().find(|(n, _)| n == name).map(|(_, s)| s)
    }
}

fn date_value(serial: f64, ymd: (u16, u8, u8), whole_day: bool) -> Value {
    let (year, month, day) = ymd;
    match Date::parse(&format!("{year:04}-{month:02}-{day:02}")) {
        Some(date) if whole_day => Value::Date(date),
        _ => Value::DateTime(format!("{serial}")),
    }
}

/// An ISO 8601 date or date-time (.ods): a date when it is a whole day.
fn iso_value(text: &str) -> Value {
    let (day, time) = text.split_once('T').unwrap_or((text, ""));
    match Date::parse(day) {
        Some(date) if time.trim_matches(['0', ':', '.']).is_empty() => Value::Date(date),
        _ => Value::DateTime(text.to_string()),
    }
}

fn text_value(text: &str) -> Option<Value> {
    let trimmed = text.trim();
    (!trimmed.is_empty()).then(|| Value::Text(trimmed.to_string()))
}

fn from_data_ref(value: &DataRef<'_>) -> Option<Value> {
    match value {
        DataRef::Empty => None,
        DataRef::String(s) => text_value(s),
        DataRef::SharedString(s) => text_value(s),
        DataRef::Float(f) => Some(Value::Number(*f)),
        DataRef::Int(i) => Some(Value::Int(*i)),
        DataRef::Bool(b) => Some(Value::Bool(*b)),
        DataRef::DateTime(d) => {
            let (y, m, day, ..) = d.to_ymd_hms_milli();
            Some(date_value(
                d.as_f64(),
                (y, m, day),
                d.as_f64().fract() == 0.0,
            ))
        }
        DataRef::DateTimeIso(s) => Some(iso_value(s)),
        DataRef::DurationIso(s) => Some(Value::DateTime(s.clone())),
        DataRef::Error(e) => Some(Value::Error(format!("{e}"))),
    }
}

fn from_data(value: &Data) -> Option<Value> {
    match value {
        Data::Empty => None,
        Data::String(s) => text_value(s),
        Data::Float(f) => Some(Value::Number(*f)),
        Data::Int(i) => Some(Value::Int(*i)),
        Data::Bool(b) => Some(Value::Bool(*b)),
        Data::DateTime(d) => {
            let (y, m, day, ..) = d.to_ymd_hms_milli();
            Some(date_value(
                d.as_f64(),
                (y, m, day),
                d.as_f64().fract() == 0.0,
            ))
        }
        Data::DateTimeIso(s) => Some(iso_value(s)),
        Data::DurationIso(s) => Some(Value::DateTime(s.clone())),
        Data::Error(e) => Some(Value::Error(format!("{e}"))),
    }
}

/// The total unzipped size a zip-based workbook declares.
fn unzipped_size<R: Read + Seek>(reader: R) -> Result<u64, String> {
    let mut archive =
        zip::ZipArchive::new(reader).map_err(|e| format!("不是有效的 .xlsx/.ods 文件（{e}）"))?;
    let mut total: u64 = 0;
    for index in 0..archive.len() {
        let entry = archive
            .by_index_raw(index)
            .map_err(|e| format!("文件已损坏（{e}）"))?;
        total = total.saturating_add(entry.size());
    }
    Ok(total)
}

fn read_xlsx(path: &Path) -> Result<Book, String> {
    let mut workbook: Xlsx<BufReader<File>> =
        calamine::open_workbook(path).map_err(|e| format!("无法读取这个 .xlsx 文件（{e}）"))?;
    let mut book = Book::default();
    for name in workbook.sheet_names() {
        let mut sheet = SheetCells::default();
        let mut cells = workbook
            .worksheet_cells_reader(&name)
            .map_err(|e| format!("无法读取工作表「{name}」（{e}）"))?;
        while let Some(cell) = cells
            .next_cell()
            .map_err(|e| format!("无法读取工作表「{name}」（{e}）"))?
        {
            let (row, col) = cell.get_position();
            sheet.put(row, col, from_data_ref(cell.get_value()));
        }
        drop(cells);
        book.sheets.push((name, sheet));
    }
    Ok(book)
}

fn read_other(path: &Path) -> Result<Book, String> {
    let mut workbook =
        calamine::open_workbook_auto(path).map_err(|e| format!("无法读取这个文件（{e}）"))?;
    let mut book = Book::default();
    for name in workbook.sheet_names() {
        let range = workbook
            .worksheet_range(&name)
            .map_err(|e| format!("无法读取工作表「{name}」（{e}）"))?;
        let mut sheet = SheetCells::default();
        let (top, left) = range.start().unwrap_or((0, 0));
        for (row, col, value) in range.used_cells() {
            let row = top.saturating_add(u32::try_from(row).unwrap_or(u32::MAX));
            let col = left.saturating_add(u32::try_from(col).unwrap_or(u32::MAX));
            sheet.put(row, col, from_data(value));
        }
        book.sheets.push((name, sheet));
    }
    Ok(book)
}

/// Read the workbook at `path`, or say in the clerk's words why not.
pub fn read(path: &Path) -> Result<Book, String> {
    let extension = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)
        .unwrap_or_default();
    if !matches!(extension.as_str(), "xlsx" | "xlsm" | "xls" | "ods") {
        return Err("不是表格文件：请导入 .xlsx 文件（也可读取 .xls 和 .ods）".into());
    }
    let mut file = File::open(path).map_err(|e| format!("无法打开这个文件（{e}）"))?;
    let metadata = file
        .metadata()
        .map_err(|e| format!("无法打开这个文件（{e}）"))?;
    if !metadata.is_file() {
        return Err("这不是一个文件".into());
    }
    if metadata.len() > MAX_FILE_BYTES {
        return Err(format!(
            "文件有 {} 字节，填报表最多 {MAX_FILE_BYTES} 字节",
            metadata.len()
        ));
    }
    if extension != "xls" {
        let size = unzipped_size(&mut file)?;
        if size > MAX_UNZIPPED_BYTES {
            return Err(format!(
                "文件解压后有 {size} 字节，填报表最多 {MAX_UNZIPPED_BYTES} 字节"
            ));
        }
    }
    if matches!(extension.as_str(), "xlsx" | "xlsm") {
        read_xlsx(path)
    } else {
        read_other(path)
    }
}
