//! The fill-in form (填报表) of one unit for one year: its layout, written
//! with `rust_xlsxwriter`, and the same layout read back by `import`.
//!
//! [`layout`] describes every sheet as fixed cells (locked: titles, headers,
//! the catalogue, the targets) and input cells (unlocked, shaded, with data
//! validation). The writer draws it; `import` compares every fixed cell of a
//! returned form against it and reads the input cells at the same places, so
//! the two can never disagree about where a figure is.

use std::collections::BTreeMap;

use rust_decimal::Decimal;
use sha2::{Digest, Sha256};

pub use super::form_xlsx::{issue_date, write};
use crate::model::{Better, DowngradeKind, Source, TaskCategory, UnitResult};
use crate::validate::YearTemplate;

/// Changes whenever the layout does, so a form of an older layout is recognised.
pub const FORMAT_VERSION: &str = "1";

pub const INDICATORS: &str = "主要指标";
pub const TASKS: &str = "重点任务";
pub const FUNDS: &str = "资金项目";
pub const BONUS: &str = "加分";
pub const VETO: &str = "否决与降档";
pub const SATISFACTION: &str = "公众满意度";
pub const SELF: &str = "自评";
pub const GUIDE: &str = "说明";
/// The hidden sheet that says which form this is.
pub const META: &str = "ecoscore";

/// Rows 1–3 (0-based 0–2): title, note, column headers; data from row 4.
pub const HEADER_ROW: u32 = 2;
pub const FIRST_ROW: u32 = 3;

/// Columns of 主要指标.
pub const COL_TARGET: u16 = 3;
pub const COL_VALUE: u16 = 6;
pub const COL_SOURCE: u16 = 7;
pub const COL_NOTE: u16 = 8;

/// Rows of the hidden sheet, value in column B.
pub const META_VERSION: u32 = 0;
pub const META_YEAR: u32 = 1;
pub const META_UNIT: u32 = 2;
pub const META_TEMPLATE: u32 = 4;

/// Blank, shaded entry rows prepared on the list sheets (one printed page);
/// the columns stay unlocked below them for a unit that needs more.
const TASK_ROWS: u32 = 20;
const LIST_ROWS: u32 = 12;

pub const NOT_APPLICABLE: &str = "不适用";
pub const PROVINCIAL: &str = "本地报送";
pub const NATIONAL: &str = "国家考核";
pub const VETO_KIND: &str = "否决项";

/// How the form names a downgrade kind (降档类别).
pub fn downgrade_label(kind: DowngradeKind) -> &'static str {
    match kind {
        DowngradeKind::RectificationOverdue => "降档：未按期完成督察问题整改任务",
        DowngradeKind::BindingTargetMissed => "降档：未完成约束性指标任务",
    }
}

pub const DOWNGRADE_KINDS: [DowngradeKind; 2] = [
    DowngradeKind::RectificationOverdue,
    DowngradeKind::BindingTargetMissed,
];

/// The rows of 自评, in order, with the key the results file uses.
pub const SELF_ROWS: [(&str, &str); 6] = [
    ("indicators", "主要指标"),
    ("tasks", "重点任务"),
    ("funds", "资金投入"),
    ("satisfaction", "公众满意度"),
    ("bonus", "加分"),
    ("total", "总分"),
];

/// A cell's content.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Cell {
    Text(String),
    Number(Decimal),
}

impl Cell {
    pub fn text(text: impl Into<String>) -> Cell {
        Cell::Text(text.into())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Style {
    /// Merged across the sheet's columns.
    Title,
    Note,
    Header,
    Body,
    Wrap,
    Number,
}

#[derive(Debug, Clone)]
pub struct Fixed {
    pub row: u32,
    pub col: u16,
    pub cell: Cell,
    pub style: Style,
}

impl Fixed {
    /// Whether `import` requires the cell as issued: the headers, the
    /// catalogue, the targets and maxima. Titles, notes and the 说明 sheet
    /// only explain (a renamed unit or a dropped 示例数据 mark leaves the
    /// returned forms valid), and the hidden sheet is read on its own.
    pub fn checked(&self, sheet: &str) -> bool {
        !matches!(self.style, Style::Title | Style::Note) && sheet != GUIDE && sheet != META
    }
}

/// What an input cell takes.
#[derive(Debug, Clone, PartialEq)]
pub enum Kind {
    /// A number in `min..=max`; with `na`, 不适用 too.
    Figure {
        min: Decimal,
        max: Decimal,
        na: bool,
    },
    /// A non-negative number with at most two decimals, at most `max`.
    Points {
        max: Decimal,
    },
    /// One of a list.
    Choice(Vec<String>),
    Date,
    Text,
}

#[derive(Debug, Clone)]
pub struct Input {
    pub row: u32,
    pub col: u16,
    pub kind: Kind,
}

#[derive(Debug, Clone)]
pub struct SheetLayout {
    pub name: &'static str,
    /// Column widths in characters (a CJK character is about two).
    pub widths: Vec<f64>,
    pub fixed: Vec<Fixed>,
    pub inputs: Vec<Input>,
    /// A list sheet: every row from [`FIRST_ROW`] is one entry, over `widths.len()` columns.
    pub list: bool,
    pub hidden: bool,
}

impl SheetLayout {
    pub(super) fn new(name: &'static str, widths: &[f64]) -> SheetLayout {
        SheetLayout {
            name,
            widths: widths.to_vec(),
            fixed: Vec::new(),
            inputs: Vec::new(),
            list: false,
            hidden: false,
        }
    }

    fn put(&mut self, row: u32, col: u16, cell: Cell, style: Style) {
        self.fixed.push(Fixed {
            row,
            col,
            cell,
            style,
        });
    }

    pub(super) fn text(&mut self, row: u32, col: u16, text: impl Into<String>, style: Style) {
        self.put(row, col, Cell::text(text), style);
    }

    fn input(&mut self, row: u32, col: u16, kind: Kind) {
        self.inputs.push(Input { row, col, kind });
    }

    /// Title row and note row above the column headers.
    fn heading(&mut self, title: String, note: &str, headers: &[&str]) {
        self.text(0, 0, title, Style::Title);
        self.text(1, 0, note, Style::Note);
        for (col, header) in (0u16..).zip(headers) {
            self.text(HEADER_ROW, col, *header, Style::Header);
        }
    }
}

/// Values to write into a form's cells, by sheet, row and column: a filled
/// form for benchmarks and tests, made by the same code as the blank one.
/// A value for a locked cell replaces what the layout puts there.
#[derive(Debug, Clone, Default)]
pub struct Fill(pub BTreeMap<(&'static str, u32, u16), Cell>);

impl Fill {
    pub fn set(&mut self, sheet: &'static str, row: u32, col: u16, cell: Cell) {
        self.0.insert((sheet, row, col), cell);
    }

    /// The input cells as a unit would fill them in from its results.
    pub fn from_results(t: &YearTemplate, unit: &UnitResult) -> Fill {
        let mut fill = Fill::default();
        for (row, rule) in (FIRST_ROW..).zip(indicator_rows(t)) {
            let Some(measure) = unit.measures.get(rule) else {
                continue;
            };
            let value = match measure.value {
                Some(v) => Cell::Number(v),
                None => Cell::text(NOT_APPLICABLE),
            };
            fill.set(INDICATORS, row, COL_VALUE, value);
            if measure.source == Source::National {
                fill.set(INDICATORS, row, COL_SOURCE, Cell::text(NATIONAL));
            }
        }
        for (i, task) in unit.tasks.iter().enumerate() {
            let row = FIRST_ROW + i as u32;
            fill.set(TASKS, row, 0, Cell::text(task.category.name()));
            fill.set(TASKS, row, 1, Cell::Number(task.deduct));
            fill.set(TASKS, row, 2, Cell::text(&task.reason));
        }
        for (i, funds) in unit.funds.iter().enumerate() {
            let row = FIRST_ROW + i as u32;
            fill.set(FUNDS, row, 0, Cell::Number(funds.deduct));
            fill.set(FUNDS, row, 1, Cell::text(&funds.reason));
        }
        for (i, bonus) in unit.bonus.iter().enumerate() {
            let row = FIRST_ROW + i as u32;
            fill.set(BONUS, row, 0, Cell::Number(bonus.points));
            fill.set(BONUS, row, 1, Cell::text(&bonus.reason));
        }
        let mut row = FIRST_ROW;
        for veto in &unit.veto {
            fill.set(VETO, row, 0, Cell::text(VETO_KIND));
            fill.set(VETO, row, 1, Cell::text(veto.date.to_string()));
            fill.set(VETO, row, 2, Cell::text(&veto.event));
            row += 1;
        }
        for downgrade in &unit.downgrade {
            fill.set(VETO, row, 0, Cell::text(downgrade_label(downgrade.kind)));
            fill.set(VETO, row, 2, Cell::text(&downgrade.reason));
            row += 1;
        }
        fill.set(SATISFACTION, FIRST_ROW, 2, Cell::Number(unit.satisfaction));
        if let Some(s) = &unit.self_assessment {
            let values = [
                s.sections.indicators,
                s.sections.tasks,
                s.sections.funds,
                s.sections.satisfaction,
                s.bonus,
                s.total,
            ];
            for (i, value) in values.into_iter().enumerate() {
                fill.set(SELF, FIRST_ROW + i as u32, 2, Cell::Number(value));
            }
        }
        fill
    }
}

/// The rules' indicators (indices into `Rules::indicators`) in catalogue
/// order, as data/indicators.yaml lists them: the rows of 主要指标.
pub fn indicator_rows(t: &YearTemplate) -> Vec<usize> {
    let mut rows: Vec<usize> = (0..t.rules.indicators.len()).collect();
    rows.sort_by_key(|&i| t.rules.indicators[i].indicator);
    rows
}

pub(super) fn plain(value: Decimal) -> String {
    value.normalize().to_string()
}

/// "88.5%", "34μg/m³", or 不适用.
pub(super) fn target_text(target: Option<Decimal>, unit: &str) -> String {
    match target {
        Some(t) => format!("{}{unit}", plain(t)),
        None => NOT_APPLICABLE.to_string(),
    }
}

/// What identifies the template a form was made from: the indicators, the
/// unit's targets and the year's rules, in a fixed order. Two years with the
/// same rules and targets give the same digest.
pub fn template_digest(t: &YearTemplate, unit: usize) -> String {
    let mut text = format!("ecoscore form {FORMAT_VERSION}\n");
    let s = &t.rules.sections;
    text.push_str(&format!(
        "sections {} {} {} {}\nbonus_cap {}\ngrades {} {} {}\n",
        plain(s.indicators),
        plain(s.tasks),
        plain(s.funds),
        plain(s.satisfaction),
        plain(t.rules.bonus_cap),
        plain(t.rules.grades.excellent),
        plain(t.rules.grades.good),
        plain(t.rules.grades.pass),
    ));
    for (rule, target) in t.rules.indicators.iter().zip(&t.targets[unit]) {
        let i = &t.indicators[rule.indicator];
        text.push_str(&format!(
            "indicator {} {} {} {:?} {} {:?} {} {}\n",
            i.id,
            i.name,
            i.unit,
            i.better,
            plain(rule.points),
            rule.method,
            rule.binding,
            target.map_or("n/a".to_string(), plain),
        ));
    }
    for task in &t.rules.tasks {
        text.push_str(&format!(
            "task {} {}\n",
            task.category.id(),
            plain(task.points)
        ));
    }
    let digest = Sha256::digest(text.as_bytes());
    digest[..8].iter().map(|b| format!("{b:02x}")).collect()
}

pub(super) fn title(t: &YearTemplate, unit: usize, what: &str) -> String {
    let sample = if t.site.sample_data {
        "（示例数据）"
    } else {
        ""
    };
    format!(
        "{}{}年度政府生态环境保护目标责任制考核 · {what}{sample}",
        t.units[unit].name, t.year
    )
}

/// Every sheet of unit `unit`'s form, in workbook order.
pub fn layout(t: &YearTemplate, unit: usize) -> Vec<SheetLayout> {
    vec![
        indicators_sheet(t, unit),
        tasks_sheet(t, unit),
        list_sheet(
            t,
            unit,
            FUNDS,
            "资金项目扣分",
            &format!(
                "每行填写一项扣分：扣分（正数，最多两位小数）和扣分事由。资金投入满分{}分，扣完为止；没有扣分的留空。",
                plain(t.rules.sections.funds)
            ),
            &["扣分", "扣分事由"],
            t.rules.sections.funds,
        ),
        list_sheet(
            t,
            unit,
            BONUS,
            "加分项",
            &format!(
                "每行填写一项加分：加分（正数，最多两位小数）和加分事由（获得的表彰、入选的示范等）。加分合计不超过{}分；没有加分的留空。",
                plain(t.rules.bonus_cap)
            ),
            &["加分", "加分事由"],
            t.rules.bonus_cap,
        ),
        veto_sheet(t, unit),
        satisfaction_sheet(t, unit),
        self_sheet(t, unit),
        super::guide::guide_sheet(t, unit),
        meta_sheet(t, unit),
    ]
}

fn indicators_sheet(t: &YearTemplate, unit: usize) -> SheetLayout {
    let mut sheet = SheetLayout::new(
        INDICATORS,
        &[21.0, 38.0, 9.0, 9.0, 10.0, 7.0, 11.0, 11.0, 24.0],
    );
    sheet.heading(
        title(t, unit, "主要指标完成情况"),
        "请在浅黄色单元格中填写完成值（数字，不带单位）、数据来源和备注；目标值为“不适用”的指标不计分，完成值可留空。灰色单元格已锁定。",
        &["类别", "指标", "单位", "目标值", "方向", "约束性", "完成值", "数据来源", "备注"],
    );
    for (row, index) in (FIRST_ROW..).zip(indicator_rows(t)) {
        let rule = &t.rules.indicators[index];
        let target = &t.targets[unit][index];
        let indicator = &t.indicators[rule.indicator];
        sheet.text(row, 0, indicator.category.name(), Style::Body);
        sheet.text(row, 1, &indicator.name, Style::Wrap);
        sheet.text(row, 2, &indicator.unit, Style::Body);
        match target {
            Some(target) => sheet.put(row, COL_TARGET, Cell::Number(*target), Style::Number),
            None => sheet.text(row, COL_TARGET, NOT_APPLICABLE, Style::Body),
        }
        let better = match indicator.better {
            Better::Higher => "越高越好",
            Better::Lower => "越低越好",
        };
        sheet.text(row, 4, better, Style::Body);
        sheet.text(row, 5, if rule.binding { "是" } else { "否" }, Style::Body);
        let (min, max) = indicator.range;
        sheet.input(row, COL_VALUE, Kind::Figure { min, max, na: true });
        sheet.input(
            row,
            COL_SOURCE,
            Kind::Choice(vec![PROVINCIAL.into(), NATIONAL.into()]),
        );
        sheet.input(row, COL_NOTE, Kind::Text);
    }
    sheet
}

fn tasks_sheet(t: &YearTemplate, unit: usize) -> SheetLayout {
    let mut sheet = SheetLayout::new(TASKS, &[34.0, 10.0, 70.0]);
    let points: Vec<String> = t
        .rules
        .tasks
        .iter()
        .map(|task| format!("{}{}分", task.category.name(), plain(task.points)))
        .collect();
    sheet.heading(
        title(t, unit, "重点任务扣分"),
        &format!(
            "每行填写一项扣分：选择任务类别，填写扣分（正数，最多两位小数）和扣分事由；没有扣分的留空。各类分值：{}；各类扣完为止。",
            points.join("、")
        ),
        &["任务类别", "扣分", "扣分事由"],
    );
    let categories: Vec<String> = t
        .rules
        .tasks
        .iter()
        .map(|task| task.category.name().to_string())
        .collect();
    let max = t
        .rules
        .tasks
        .iter()
        .map(|task| task.points)
        .max()
        .unwrap_or(Decimal::ZERO);
    sheet.list = true;
    for row in FIRST_ROW..FIRST_ROW + TASK_ROWS {
        sheet.input(row, 0, Kind::Choice(categories.clone()));
        sheet.input(row, 1, Kind::Points { max });
        sheet.input(row, 2, Kind::Text);
    }
    sheet
}

fn list_sheet(
    t: &YearTemplate,
    unit: usize,
    name: &'static str,
    what: &str,
    note: &str,
    headers: &[&str],
    max: Decimal,
) -> SheetLayout {
    let mut sheet = SheetLayout::new(name, &[10.0, 90.0]);
    sheet.heading(title(t, unit, what), note, headers);
    sheet.list = true;
    for row in FIRST_ROW..FIRST_ROW + LIST_ROWS {
        sheet.input(row, 0, Kind::Points { max });
        sheet.input(row, 1, Kind::Text);
    }
    sheet
}

fn veto_sheet(t: &YearTemplate, unit: usize) -> SheetLayout {
    let mut sheet = SheetLayout::new(VETO, &[36.0, 13.0, 60.0]);
    sheet.heading(
        title(t, unit, "否决项与降档项"),
        "每行填写一项：选择类型；否决项填写发生日期（如 2023-07-12）和事件，降档项填写事由、日期留空。没有的留空。有否决项的考核结果直接评定为不合格；有降档项的降一档。",
        &["类型", "日期", "事件或事由"],
    );
    let mut kinds = vec![VETO_KIND.to_string()];
    kinds.extend(
        DOWNGRADE_KINDS
            .iter()
            .map(|k| downgrade_label(*k).to_string()),
    );
    sheet.list = true;
    for row in FIRST_ROW..FIRST_ROW + LIST_ROWS {
        sheet.input(row, 0, Kind::Choice(kinds.clone()));
        sheet.input(row, 1, Kind::Date);
        sheet.input(row, 2, Kind::Text);
    }
    sheet
}

fn satisfaction_sheet(t: &YearTemplate, unit: usize) -> SheetLayout {
    let mut sheet = SheetLayout::new(SATISFACTION, &[40.0, 16.0, 18.0]);
    sheet.heading(
        title(t, unit, "公众满意度"),
        &format!(
            "填写公众对生态环境质量满意度调查的得分（百分制，0–100）；按满分{}分折算计入总分。",
            plain(t.rules.sections.satisfaction)
        ),
        &["项目", "满分", "得分"],
    );
    sheet.text(FIRST_ROW, 0, "公众满意度调查得分", Style::Body);
    sheet.put(
        FIRST_ROW,
        1,
        Cell::Number(Decimal::ONE_HUNDRED),
        Style::Number,
    );
    sheet.input(
        FIRST_ROW,
        2,
        Kind::Figure {
            min: Decimal::ZERO,
            max: Decimal::ONE_HUNDRED,
            na: false,
        },
    );
    sheet
}

fn self_sheet(t: &YearTemplate, unit: usize) -> SheetLayout {
    let mut sheet = SheetLayout::new(SELF, &[30.0, 18.0, 18.0]);
    sheet.heading(
        title(t, unit, "自评分"),
        "填写本单位对照考核细则自查自评的各部分得分（最多两位小数），总分等于四部分得分与加分之和。省里将自评分与核定结果比对。不自评的整表留空。",
        &["部分", "分值", "自评分"],
    );
    let s = &t.rules.sections;
    let maxima = [
        s.indicators,
        s.tasks,
        s.funds,
        s.satisfaction,
        t.rules.bonus_cap,
        Decimal::ONE_HUNDRED + t.rules.bonus_cap,
    ];
    for (i, ((_, label), max)) in SELF_ROWS.iter().zip(maxima).enumerate() {
        let row = FIRST_ROW + i as u32;
        let label = match i {
            4 => format!("{label}（上限）"),
            _ => label.to_string(),
        };
        sheet.text(row, 0, label, Style::Body);
        sheet.put(row, 1, Cell::Number(max), Style::Number);
        sheet.input(row, 2, Kind::Points { max });
    }
    sheet
}

fn meta_sheet(t: &YearTemplate, unit: usize) -> SheetLayout {
    let mut sheet = SheetLayout::new(META, &[16.0, 24.0]);
    sheet.hidden = true;
    let rows = [
        ("ecoscore 填报表，请勿修改", Cell::text(FORMAT_VERSION)),
        ("年度", Cell::Number(Decimal::from(t.year))),
        ("单位代码", Cell::text(&t.units[unit].id)),
        ("单位", Cell::text(&t.units[unit].name)),
        ("模板", Cell::text(template_digest(t, unit))),
    ];
    for (row, (label, value)) in (0u32..).zip(rows) {
        sheet.text(row, 0, label, Style::Body);
        sheet.put(row, 1, value, Style::Body);
    }
    sheet
}

/// A file name for the unit's form: its name, with characters no file
/// system takes replaced.
pub fn file_name(unit_name: &str) -> String {
    let name: String = unit_name
        .trim()
        .chars()
        .map(|c| {
            if c.is_control() || matches!(c, '/' | '\\' | ':' | '*' | '?' | '"' | '<' | '>' | '|') {
                '_'
            } else {
                c
            }
        })
        .collect();
    let name = name.trim_start_matches('.');
    if name.is_empty() {
        "unit.xlsx".to_string()
    } else {
        format!("{name}.xlsx")
    }
}

/// The category a task row names: its Chinese name, or its id.
pub fn task_category(t: &YearTemplate, text: &str) -> Option<TaskCategory> {
    t.rules
        .tasks
        .iter()
        .map(|task| task.category)
        .find(|c| c.name() == text || c.id() == text)
}
