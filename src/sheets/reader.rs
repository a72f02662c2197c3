//! Read one filled form: every fixed cell must be as issued, every input
//! cell is checked again (data validation does not stop a paste), and each
//! problem names the workbook, sheet and cell, e.g.
//! `长春市.xlsx › 主要指标 › G7: 完成值「九十」不是数字`.

use std::path::PathBuf;

use rust_decimal::Decimal;

use super::book::{Book, SheetCells, Value};
use super::cell_ref;
use super::forms::{self, Cell, Kind, SheetLayout, FIRST_ROW};
use super::record::{IndicatorEntry, Num, Record, Value as Figure};
use super::values::{date, is_not_applicable, number};
use crate::diagnostic::{Diagnostic, Pos};
use crate::validate::YearTemplate;

/// Where a problem is: "长春市.xlsx › 主要指标 › G7".
pub fn place(workbook: &str, sheet: &str, row: u32, col: u16) -> PathBuf {
    PathBuf::from(format!("{workbook} › {sheet} › {}", cell_ref(row, col)))
}

pub fn error(at: PathBuf, message: impl Into<String>, help: impl Into<String>) -> Diagnostic {
    Diagnostic::error(at, Pos::FILE, message).with_help(help)
}

/// What the hidden sheet says about a form.
#[derive(Debug)]
pub struct Meta {
    pub version: String,
    pub year: Value,
    pub unit: String,
    pub template: String,
}

/// The hidden sheet's entries, or why this is not a form `forms` made.
pub fn meta(book: &Book, workbook: &str) -> Result<Meta, Diagnostic> {
    let not_a_form = || {
        error(
            PathBuf::from(workbook),
            format!(
                "这不是 ecoscore 制发的填报表（没有隐藏的工作表「{}」）",
                forms::META
            ),
            "请用 ecoscore forms 生成的表格填报；不要把内容复制到新建的工作簿中",
        )
    };
    let sheet = book.sheet(forms::META).ok_or_else(not_a_form)?;
    let text = |row: u32| sheet.get(row, 1).map(Value::shown).unwrap_or_default();
    Ok(Meta {
        version: text(forms::META_VERSION),
        year: sheet
            .get(forms::META_YEAR, 1)
            .cloned()
            .unwrap_or(Value::Text(String::new())),
        unit: text(forms::META_UNIT),
        template: text(forms::META_TEMPLATE),
    })
}

fn plain(value: Decimal) -> String {
    value.normalize().to_string()
}

fn expected_text(cell: &Cell) -> String {
    match cell {
        Cell::Text(text) => text.trim().to_string(),
        Cell::Number(n) => plain(*n),
    }
}

fn actual_text(value: Option<&Value>) -> String {
    match value {
        None => String::new(),
        Some(value) => number(value).map_or_else(|| value.shown(), |n| plain(n.value)),
    }
}

/// Reads one form, collecting every problem.
pub struct FormReader<'a> {
    pub t: &'a YearTemplate,
    pub unit: usize,
    pub workbook: &'a str,
    pub diags: Vec<Diagnostic>,
    /// False when the template changed since the form was issued: a locked
    /// cell that differs is then the template's change, not the unit's.
    pub template_current: bool,
}

impl FormReader<'_> {
    fn at(&self, sheet: &str, row: u32, col: u16) -> PathBuf {
        place(self.workbook, sheet, row, col)
    }

    fn push(&mut self, sheet: &str, row: u32, col: u16, message: String, help: impl Into<String>) {
        let at = self.at(sheet, row, col);
        self.diags.push(error(at, message, help));
    }

    /// Check the fixed cells and that nothing lies outside the input cells;
    /// the sheet's cells, if it is there.
    fn check_sheet<'b>(&mut self, book: &'b Book, layout: &SheetLayout) -> Option<&'b SheetCells> {
        let Some(sheet) = book.sheet(layout.name) else {
            self.diags.push(error(
                PathBuf::from(self.workbook),
                format!("缺少工作表「{}」", layout.name),
                "不要删除或重命名工作表；请用 ecoscore forms 制发的原表填写",
            ));
            return None;
        };
        for fixed in layout.fixed.iter().filter(|f| f.checked(layout.name)) {
            let expected = expected_text(&fixed.cell);
            let found = actual_text(sheet.get(fixed.row, fixed.col));
            if expected != found {
                let shown = |t: &str| {
                    if t.is_empty() {
                        "（空）".to_string()
                    } else {
                        format!("「{t}」")
                    }
                };
                let (message, help) = if self.template_current {
                    (
                        format!("锁定的单元格被改动：应为{}，表格中为{}", shown(&expected), shown(&found)),
                        "目标值、指标名称等锁定单元格不能修改；请在原表上重新填写，或请省里重新制发表格",
                    )
                } else {
                    (
                        format!(
                            "与现行模板不同：现行为{}，表格中为{}",
                            shown(&expected),
                            shown(&found)
                        ),
                        "这份表格制发后模板已修改；请用新制发的表格填报",
                    )
                };
                self.push(layout.name, fixed.row, fixed.col, message, help);
            }
        }
        let width = layout.widths.len() as u16;
        for (&(row, col), value) in &sheet.cells {
            let known = layout.fixed.iter().any(|f| f.row == row && f.col == col)
                || layout.inputs.iter().any(|i| i.row == row && i.col == col)
                || (layout.list && row >= FIRST_ROW && col < width);
            if !known {
                self.push(
                    layout.name,
                    row,
                    col,
                    format!("这里不是填报区域，「{}」不会被导入", value.shown()),
                    "请删除这个单元格的内容；只在浅黄色单元格中填写",
                );
            }
        }
        if let Some((row, col)) = sheet.beyond {
            self.push(
                layout.name,
                row,
                col,
                "这里不是填报区域，表格的填报范围之外有内容".into(),
                "请删除填报区域之外的内容",
            );
        }
        Some(sheet)
    }

    /// A required or optional number in `min..=max` with at most `decimals`.
    fn figure(
        &mut self,
        sheet: &SheetCells,
        name: &str,
        (row, col): (u32, u16),
        what: &str,
        (min, max): (Decimal, Decimal),
        decimals: Option<u32>,
    ) -> Option<Num> {
        let value = sheet.get(row, col)?;
        let Some(n) = number(value) else {
            let help = if matches!(value, Value::Text(t) if t.ends_with(['%', '％'])) {
                "去掉百分号，只填数字".to_string()
            } else {
                format!("填写 {} 到 {} 之间的数字，不带单位", plain(min), plain(max))
            };
            self.push(
                name,
                row,
                col,
                format!("{what}「{}」不是数字", value.shown()),
                help,
            );
            return None;
        };
        if n.value < min || n.value > max {
            self.push(
                name,
                row,
                col,
                format!("{what} {} 超出范围 {}–{}", n.text, plain(min), plain(max)),
                "核对数值和单位",
            );
            return None;
        }
        if let Some(decimals) = decimals {
            if n.value.normalize().scale() > decimals {
                self.push(
                    name,
                    row,
                    col,
                    format!("{what} {} 超过{decimals}位小数", n.text),
                    format!(
                        "最多保留{decimals}位小数，如 {}",
                        n.value.round_dp(decimals).normalize()
                    ),
                );
                return None;
            }
        }
        Some(n)
    }

    fn text(sheet: &SheetCells, row: u32, col: u16) -> Option<String> {
        sheet.get(row, col).map(Value::shown)
    }

    fn blank_required(&mut self, name: &str, row: u32, col: u16, what: &str, help: &str) {
        self.push(name, row, col, format!("{what}未填写"), help.to_string());
    }

    fn indicators(&mut self, sheet: &SheetCells, record: &mut Record) {
        let name = forms::INDICATORS;
        for (row, index) in (FIRST_ROW..).zip(forms::indicator_rows(self.t)) {
            let rule = &self.t.rules.indicators[index];
            let target = self.t.targets[self.unit][index];
            let indicator = &self.t.indicators[rule.indicator];
            let cell = (row, forms::COL_VALUE);
            let value = match sheet.get(row, forms::COL_VALUE) {
                None if target.is_none() => Some(Figure::NotApplicable),
                None => {
                    self.blank_required(
                        name,
                        row,
                        forms::COL_VALUE,
                        "完成值",
                        &format!(
                            "填写{}的完成值（数字）；不适用的填写“不适用”",
                            indicator.name
                        ),
                    );
                    None
                }
                Some(v) if is_not_applicable(v) => Some(Figure::NotApplicable),
                Some(_) => self
                    .figure(sheet, name, cell, "完成值", indicator.range, None)
                    .map(Figure::Number),
            };
            let national = match Self::text(sheet, row, forms::COL_SOURCE).as_deref() {
                None | Some(forms::PROVINCIAL) => false,
                Some(forms::NATIONAL) => true,
                Some(other) => {
                    self.push(
                        name,
                        row,
                        forms::COL_SOURCE,
                        format!("数据来源「{other}」不是可选项"),
                        format!("可选：{}、{}，或留空", forms::PROVINCIAL, forms::NATIONAL),
                    );
                    false
                }
            };
            if let Some(value) = value {
                record.indicators.push(IndicatorEntry {
                    id: indicator.id.clone(),
                    value,
                    national,
                    note: Self::text(sheet, row, forms::COL_NOTE),
                });
            }
        }
    }

    /// The rows of a list sheet that hold anything, with their cells.
    fn rows(sheet: &SheetCells) -> Vec<u32> {
        let mut rows: Vec<u32> = sheet
            .cells
            .keys()
            .map(|(r, _)| *r)
            .filter(|r| *r >= FIRST_ROW)
            .collect();
        rows.dedup();
        rows
    }

    fn reason(
        &mut self,
        sheet: &SheetCells,
        name: &str,
        row: u32,
        col: u16,
        what: &str,
    ) -> Option<String> {
        let reason = Self::text(sheet, row, col);
        if reason.is_none() {
            self.blank_required(
                name,
                row,
                col,
                what,
                &format!("写明{what}；这一行不用就整行清空"),
            );
        }
        reason
    }

    fn points(
        &mut self,
        sheet: &SheetCells,
        name: &str,
        row: u32,
        col: u16,
        what: &str,
        max: Decimal,
    ) -> Option<Num> {
        if sheet.get(row, col).is_none() {
            self.blank_required(
                name,
                row,
                col,
                what,
                &format!("填写{what}（正数，最多两位小数）；这一行不用就整行清空"),
            );
            return None;
        }
        if let Some(n) = sheet.get(row, col).and_then(number) {
            if n.value.is_sign_negative() && !n.value.is_zero() {
                self.push(
                    name,
                    row,
                    col,
                    format!("{what}不能为负数（{}）", n.text),
                    format!("填写正数 {}", n.value.abs().normalize()),
                );
                return None;
            }
        }
        self.figure(sheet, name, (row, col), what, (Decimal::ZERO, max), Some(2))
    }

    fn tasks(&mut self, sheet: &SheetCells, record: &mut Record) {
        let name = forms::TASKS;
        let max = self
            .t
            .rules
            .tasks
            .iter()
            .map(|t| t.points)
            .max()
            .unwrap_or(Decimal::ZERO);
        for row in Self::rows(sheet) {
            let category = match Self::text(sheet, row, 0) {
                None => {
                    self.blank_required(
                        name,
                        row,
                        0,
                        "任务类别",
                        "从列表中选择任务类别；这一行不用就整行清空",
                    );
                    None
                }
                Some(text) => match forms::task_category(self.t, &text) {
                    Some(c) => Some(c),
                    None => {
                        let names: Vec<&str> = self
                            .t
                            .rules
                            .tasks
                            .iter()
                            .map(|t| t.category.name())
                            .collect();
                        self.push(
                            name,
                            row,
                            0,
                            format!("任务类别「{text}」不是本年度的重点任务类别"),
                            format!("可选：{}", names.join("、")),
                        );
                        None
                    }
                },
            };
            let deduct = self.points(sheet, name, row, 1, "扣分", max);
            let reason = self.reason(sheet, name, row, 2, "扣分事由");
            if let (Some(c), Some(d), Some(r)) = (category, deduct, reason) {
                record.tasks.push((c.id().to_string(), d, r));
            }
        }
    }

    fn pairs(
        &mut self,
        sheet: &SheetCells,
        name: &str,
        what: &str,
        max: Decimal,
    ) -> Vec<(Num, String)> {
        let mut out = Vec::new();
        for row in Self::rows(sheet) {
            let points = self.points(sheet, name, row, 0, what, max);
            let reason = self.reason(sheet, name, row, 1, &format!("{what}事由"));
            out.extend(points.zip(reason));
        }
        out
    }

    fn vetoes(&mut self, sheet: &SheetCells, record: &mut Record) {
        let name = forms::VETO;
        for row in Self::rows(sheet) {
            let kind = Self::text(sheet, row, 0);
            let reason = self.reason(sheet, name, row, 2, "事件或事由");
            let downgrade = forms::DOWNGRADE_KINDS
                .iter()
                .find(|k| kind.as_deref() == Some(forms::downgrade_label(**k)));
            match (kind.as_deref(), downgrade) {
                (Some(forms::VETO_KIND), _) => match sheet.get(row, 1) {
                    None => self.blank_required(
                        name,
                        row,
                        1,
                        "否决项的日期",
                        "填写事件发生的日期，如 2023-07-12",
                    ),
                    Some(value) => match date(value) {
                        Some(d) => record.veto.extend(reason.map(|r| (d, r))),
                        None => self.push(
                            name,
                            row,
                            1,
                            format!("日期「{}」不是有效的日期", value.shown()),
                            "按 2023-07-12 的格式填写日期".to_string(),
                        ),
                    },
                },
                (Some(_), Some(kind)) => {
                    if let Some(value) = sheet.get(row, 1) {
                        self.push(
                            name,
                            row,
                            1,
                            format!("降档项不填日期，「{}」不会被导入", value.shown()),
                            "清空这个单元格；日期只用于否决项".to_string(),
                        );
                    } else {
                        record.downgrade.extend(reason.map(|r| (*kind, r)));
                    }
                }
                (None, _) => self.blank_required(
                    name,
                    row,
                    0,
                    "类型",
                    "从列表中选择否决项或降档项；这一行不用就整行清空",
                ),
                (Some(other), None) => {
                    let mut kinds = vec![forms::VETO_KIND];
                    kinds.extend(
                        forms::DOWNGRADE_KINDS
                            .iter()
                            .map(|k| forms::downgrade_label(*k)),
                    );
                    self.push(
                        name,
                        row,
                        0,
                        format!("类型「{other}」不是可选项"),
                        format!("可选：{}", kinds.join("、")),
                    );
                }
            }
        }
    }

    fn satisfaction(&mut self, sheet: &SheetCells, record: &mut Record) {
        let (row, col) = (FIRST_ROW, 2);
        if sheet.get(row, col).is_none() {
            self.blank_required(
                forms::SATISFACTION,
                row,
                col,
                "公众满意度调查得分",
                "填写调查得分（百分制）",
            );
            return;
        }
        record.satisfaction = self.figure(
            sheet,
            forms::SATISFACTION,
            (row, col),
            "公众满意度调查得分",
            (Decimal::ZERO, Decimal::ONE_HUNDRED),
            None,
        );
    }

    fn self_assessment(&mut self, sheet: &SheetCells, layout: &SheetLayout, record: &mut Record) {
        let name = forms::SELF;
        let filled = layout
            .inputs
            .iter()
            .any(|i| sheet.get(i.row, i.col).is_some());
        if !filled {
            return;
        }
        let mut values = Vec::new();
        for (input, (_, label)) in layout.inputs.iter().zip(forms::SELF_ROWS) {
            let Kind::Points { max } = input.kind.clone() else {
                continue;
            };
            if sheet.get(input.row, input.col).is_none() && label == "加分" {
                values.push(Some(Num::new(Decimal::ZERO, "0")));
                continue;
            }
            values.push(self.points(
                sheet,
                name,
                input.row,
                input.col,
                &format!("自评{label}"),
                max,
            ));
        }
        let Some(values) = values.into_iter().collect::<Option<Vec<Num>>>() else {
            return;
        };
        let Ok(values) = <[Num; 6]>::try_from(values) else {
            return;
        };
        let sum: Decimal = values[..5].iter().map(|n| n.value).sum();
        if values[5].value != sum {
            let total = &layout.inputs[5];
            self.push(
                name,
                total.row,
                total.col,
                format!(
                    "自评总分 {} 不等于四部分得分与加分之和 {}",
                    values[5].text,
                    plain(sum)
                ),
                format!("总分填写 {}，或改正各部分的自评分", plain(sum)),
            );
            return;
        }
        record.self_assessment = Some(values);
    }

    /// Every cell of the form, checked; the record holds what was valid.
    pub fn read(&mut self, book: &Book) -> Record {
        let region = &self.t.units[self.unit];
        let mut record = Record {
            region: region.id.clone(),
            year: self.t.year,
            ..Record::default()
        };
        let layouts = forms::layout(self.t, self.unit);
        let filled = layouts.iter().any(|layout| {
            book.sheet(layout.name).is_some_and(|sheet| {
                sheet.cells.keys().any(|&(row, col)| {
                    layout.inputs.iter().any(|i| i.row == row && i.col == col)
                        || (layout.list && row >= FIRST_ROW)
                })
            })
        });
        if !filled {
            self.diags.push(error(
                PathBuf::from(self.workbook),
                "这份表格还没有填写：所有填报单元格都是空的",
                "在浅黄色单元格中填写完成值、满意度等内容并保存后再导入；确认导入的是填好的那一份",
            ));
            return record;
        }
        for layout in &layouts {
            let Some(sheet) = self.check_sheet(book, layout) else {
                continue;
            };
            match layout.name {
                forms::INDICATORS => self.indicators(sheet, &mut record),
                forms::TASKS => self.tasks(sheet, &mut record),
                forms::FUNDS => {
                    record.funds =
                        self.pairs(sheet, forms::FUNDS, "扣分", self.t.rules.sections.funds)
                }
                forms::BONUS => {
                    record.bonus = self.pairs(sheet, forms::BONUS, "加分", self.t.rules.bonus_cap)
                }
                forms::VETO => self.vetoes(sheet, &mut record),
                forms::SATISFACTION => self.satisfaction(sheet, &mut record),
                forms::SELF => self.self_assessment(sheet, layout, &mut record),
                _ => {}
            }
        }
        record
    }
}
