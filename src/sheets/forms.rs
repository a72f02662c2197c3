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
use rust_xlsxwriter::{
    DataValidation, DataValidationRule, Format, Formula, Workbook, Worksheet, XlsxError,
};
use sha2::{Digest, Sha256};

use super::{cell_ref, print_setup, properties, text_lines, write_decimal, write_text, Styles};
use crate::model::{Better, Date, DowngradeKind, Method, Source, TaskCategory, UnitResult};
use crate::render::view::method_text;
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
    fn new(name: &'static str, widths: &[f64]) -> SheetLayout {
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

    fn text(&mut self, row: u32, col: u16, text: impl Into<String>, style: Style) {
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

fn plain(value: Decimal) -> String {
    value.normalize().to_string()
}

/// "88.5%", "34μg/m³", or 不适用.
fn target_text(target: Option<Decimal>, unit: &str) -> String {
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

fn title(t: &YearTemplate, unit: usize, what: &str) -> String {
    let sample = if t.site.sample_data {
        "（示例数据）"
    } else {
        ""
    };
    format!(
        "{}{}年度政府生态环境保护目标责任制考核 · {what}{sample}",
        t.regions[unit].name, t.year
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
        guide_sheet(t, unit),
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

/// The year's rule for one indicator in words, numbered `n`.
fn rule_text(t: &YearTemplate, unit: usize, index: usize, n: usize) -> String {
    let rule = &t.rules.indicators[index];
    let indicator = &t.indicators[rule.indicator];
    let better = match indicator.better {
        Better::Higher => "越高越好",
        Better::Lower => "越低越好",
    };
    let method = match rule.method {
        Method::Proportional => "按完成目标的比例得分".to_string(),
        method => method_text(method, indicator),
    };
    let binding = if rule.binding {
        "；约束性指标，未完成的降档"
    } else {
        ""
    };
    format!(
        "（{n}）{}：目标{}，{better}，{}分，{method}{binding}。",
        indicator.name,
        target_text(t.targets[unit][index], &indicator.unit),
        plain(rule.points),
    )
}

fn guide_sheet(t: &YearTemplate, unit: usize) -> SheetLayout {
    let mut sheet = SheetLayout::new(GUIDE, &[92.0]);
    let name = &t.regions[unit].name;
    let year = t.year;
    let r = &t.rules;
    let s = &r.sections;
    let mut lines: Vec<(String, Style)> = vec![(title(t, unit, "填表说明"), Style::Title)];
    let mut line = |text: String, style: Style| lines.push((text, style));
    line("一、怎样填写".into(), Style::Header);
    for text in [
        format!("1. 本表由{}制发，供{name}填报{year}年度政府生态环境保护目标责任制考核的完成情况和自评分。", t.site.publisher),
        "2. 只填写浅黄色单元格。灰色单元格已锁定，请勿改动，也不要增删行列或修改工作表名称；导入时每个单元格都会重新核对。".into(),
        "3. 数字直接填写，不带单位和百分号；不适用的指标在完成值中填写“不适用”。".into(),
        "4. 数据来源：直接运用国家考核结果的选“国家考核”，其余选“本地报送”或留空。".into(),
        "5. 重点任务、资金项目、加分、否决与降档：每行填写一项，扣分和加分填正数（最多两位小数），每项都要写明事由；没有的留空。".into(),
        "6. 公众满意度：填写满意度调查得分（百分制）。".into(),
        "7. 自评：填写本单位自评的各部分得分和总分；总分等于各部分得分与加分之和。".into(),
        "8. 填好后保存为 .xlsx 格式（WPS 请选择“Excel 文件”），按原文件名报送。".into(),
    ] {
        line(text, Style::Wrap);
    }
    line(format!("二、{year}年度考核细则"), Style::Header);
    line(
        format!(
            "考核采用百分制：主要指标{}分、重点任务{}分、资金投入{}分、公众满意度{}分；另设加分项，加分合计不超过{}分。总分{}分及以上为优秀，{}分及以上为良好，{}分及以上为合格，{}分以下为不合格。",
            plain(s.indicators), plain(s.tasks), plain(s.funds), plain(s.satisfaction), plain(r.bonus_cap),
            plain(r.grades.excellent), plain(r.grades.good), plain(r.grades.pass), plain(r.grades.pass)
        ),
        Style::Wrap,
    );
    line("有否决项的，考核结果直接评定为不合格；有降档项或未完成约束性指标的，在得分基础上降一档（只降一档）。".into(), Style::Wrap);
    line(
        format!(
            "主要指标按适用指标的分值折算为{}分；公众满意度得分 = 调查得分 × {} ÷ 100。各部分四舍五入保留两位小数。",
            plain(s.indicators),
            plain(s.satisfaction)
        ),
        Style::Wrap,
    );
    line("三、主要指标计分方法".into(), Style::Header);
    for (n, index) in (1..).zip(indicator_rows(t)) {
        line(rule_text(t, unit, index, n), Style::Wrap);
    }
    line("四、重点任务分值".into(), Style::Header);
    let tasks: Vec<String> = r
        .tasks
        .iter()
        .map(|task| format!("{}{}分", task.category.name(), plain(task.points)))
        .collect();
    line(format!("{}。每类扣完为止。", tasks.join("；")), Style::Wrap);
    for (row, (text, style)) in (0u32..).zip(lines) {
        sheet.text(row, 0, text, style);
    }
    sheet
}

fn meta_sheet(t: &YearTemplate, unit: usize) -> SheetLayout {
    let mut sheet = SheetLayout::new(META, &[16.0, 24.0]);
    sheet.hidden = true;
    let rows = [
        ("ecoscore 填报表，请勿修改", Cell::text(FORMAT_VERSION)),
        ("年度", Cell::Number(Decimal::from(t.year))),
        ("单位代码", Cell::text(&t.regions[unit].id)),
        ("单位", Cell::text(&t.regions[unit].name)),
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
    let mut heights: std::collections::BTreeMap<u32, f64> = std::collections::BTreeMap::new();
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
    let name = &t.regions[unit].name;
    workbook.set_properties(&properties(
        &format!("{name}{}年度考核填报表", t.year),
        "政府生态环境保护目标责任制考核",
        &t.site.publisher,
        issue_date(t.year),
    ));
    let formats = Formats::new();
    for layout in layout(t, unit) {
        let sheet = workbook.add_worksheet();
        write_sheet(sheet, &layout, fill, &formats)?;
    }
    workbook.save_to_buffer()
}

/// The category a task row names: its Chinese name, or its id.
pub fn task_category(t: &YearTemplate, text: &str) -> Option<TaskCategory> {
    t.rules
        .tasks
        .iter()
        .map(|task| task.category)
        .find(|c| c.name() == text || c.id() == text)
}
