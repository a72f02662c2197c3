//! Workbooks of computed results: `results.xlsx` beside each published
//! year's CSV (results in rank order, every lost point with its reason, the
//! indicator values and targets, and the key projects when the year has a
//! project library); the briefing copy's `briefing.xlsx`
//! (src/brief/workbook.rs) starts from the same sheets.
//!
//! Numbers are number cells shown with two decimals, grades are in Chinese,
//! every sheet has a frozen header and prints on A4 landscape. The creation
//! date is the document's own (bulletin or 印发日期), so the same input gives
//! the same bytes.

use std::borrow::Cow;
use std::io;

use rust_decimal::Decimal;

pub(crate) use super::xlsx::Book;
use super::xlsx::{Layout, Properties, Style};
use super::{text_lines, to_f64};
use crate::model::{Better, Date, Project, Source, Year, PROGRAMMES, PROJECT_STATUSES};
use crate::render::projects::rate;
use crate::score::YearScores;

/// File name inside `<year>/data/`.
pub const RESULTS: &str = "results.xlsx";

/// A cell of a table row; text borrowed from the model where it can be,
/// so a national year's rows are not a copy of every name.
pub(crate) enum C<'a> {
    Text(Cow<'a, str>),
    Num(Decimal),
    /// A number shown as written (targets and values), not as two decimals.
    Plain(Decimal),
    Blank,
}

pub(crate) fn t<'a>(text: impl Into<Cow<'a, str>>) -> C<'a> {
    C::Text(text.into())
}

pub(crate) fn yes_no(flag: bool) -> C<'static> {
    t(if flag { "是" } else { "否" })
}

/// A decimal written as text in a view ("93.45"), back as a number cell.
pub(crate) fn n(text: &str) -> C<'_> {
    text.parse().map_or_else(|_| t(text), C::Num)
}

/// One sheet: a title row, a header row (frozen, repeated on every printed
/// page) and the rows, straight into the workbook's zip.
pub(crate) fn table(
    book: &mut Book,
    name: &str,
    title: &str,
    columns: &[(&str, f64)],
    rows: &[Vec<C>],
) -> io::Result<()> {
    let widths: Vec<f64> = columns.iter().map(|(_, width)| *width).collect();
    let count = u32::try_from(rows.len()).map_or(u32::MAX, |n| n.saturating_add(2));
    let mut sheet = book.sheet(&Layout {
        name,
        widths: &widths,
        rows: count,
        header_rows: 2,
    })?;
    // The title, merged across the columns.
    sheet.row(Some(24.0))?;
    sheet.text(0, title, Style::Title);
    for col in (1u16..).take(columns.len().saturating_sub(1)) {
        sheet.blank(col, Style::Title);
    }
    sheet.row(None)?;
    for (col, (header, _)) in (0u16..).zip(columns) {
        sheet.text(col, header, Style::Header);
    }
    for cells in rows {
        let lines = row_lines(cells, columns);
        sheet.row((lines > 1).then(|| f64::from(lines) * 15.0 + 4.0))?;
        for (col, cell) in (0u16..).zip(cells) {
            match cell {
                C::Text(text) => sheet.text(col, text, Style::Wrap),
                C::Num(value) => sheet.number(col, to_f64(*value), Style::Fixed2),
                C::Plain(value) => sheet.number(col, to_f64(*value), Style::Plain),
                C::Blank => sheet.blank(col, Style::Body),
            }
        }
    }
    sheet.end()
}

/// The printed lines of a row: those of its tallest text.
fn row_lines(cells: &[C], columns: &[(&str, f64)]) -> u32 {
    cells
        .iter()
        .zip(columns)
        .filter_map(|(cell, (_, width))| match cell {
            C::Text(text) => Some(text_lines(text, *width, 1.0)),
            _ => None,
        })
        .fold(1, u32::max)
}

pub(crate) fn sample_mark(project: &Project) -> &'static str {
    if project.site.sample_data {
        "（示例数据）"
    } else {
        ""
    }
}

fn results_rows<'a>(project: &'a Project, scores: &'a YearScores) -> Vec<Vec<C<'a>>> {
    scores
        .cards
        .iter()
        .map(|c| {
            let region = &project.units[c.region];
            let missed: Vec<&str> = c
                .binding_missed
                .iter()
                .filter_map(|id| project.indicators.iter().find(|i| &i.id == id))
                .map(|i| i.name.as_str())
                .collect();
            vec![
                C::Plain(Decimal::from(c.rank)),
                t(&region.id),
                t(&region.name),
                t(c.grade.name()),
                C::Num(c.total),
                C::Num(c.sections.indicators),
                C::Num(c.sections.tasks),
                C::Num(c.sections.funds),
                C::Num(c.sections.satisfaction),
                C::Num(c.bonus),
                C::Num(c.bonus_claimed),
                t(c.base_grade.name()),
                yes_no(c.downgraded),
                yes_no(c.vetoed),
                t(missed.join("、")),
            ]
        })
        .collect()
}

const RESULT_COLUMNS: [(&str, f64); 15] = [
    ("名次", 6.0),
    ("代码", 13.0),
    ("单位", 18.0),
    ("等次", 8.0),
    ("总分", 9.0),
    ("主要指标", 9.0),
    ("重点任务", 9.0),
    ("资金投入", 9.0),
    ("公众满意度", 10.0),
    ("加分", 8.0),
    ("申报加分", 9.0),
    ("原等次", 8.0),
    ("降档", 6.0),
    ("否决", 6.0),
    ("未完成的约束性指标", 30.0),
];

/// Every lost point and every grade change, with its reason, in rank order.
fn lost_rows<'a>(project: &'a Project, year: &'a Year, scores: &'a YearScores) -> Vec<Vec<C<'a>>> {
    let mut rows = Vec::new();
    for card in &scores.cards {
        let region = &project.units[card.region];
        let Some(unit) = year.result_of(card.region) else {
            continue;
        };
        // A reason may be made up for the row, so it is the row's own.
        let mut row = |part: &'a str, item: &'a str, points: C<'a>, reason: &str| {
            rows.push(vec![
                C::Plain(Decimal::from(card.rank)),
                t(&region.name),
                t(part),
                t(item),
                points,
                t(reason.to_string()),
            ]);
        };
        for item in card.indicators.iter().filter(|i| i.lost > Decimal::ZERO) {
            let indicator = &project.indicators[year.rules.indicators[item.rule].indicator];
            row(
                "主要指标",
                &indicator.name,
                C::Num(item.lost),
                item.reason.as_deref().unwrap_or(""),
            );
        }
        for task in &card.tasks {
            for (deduct, reason) in &task.deductions {
                row("重点任务", task.category.name(), C::Num(*deduct), reason);
            }
        }
        for funds in &unit.funds {
            row("资金投入", "资金项目", C::Num(funds.deduct), &funds.reason);
        }
        let satisfaction_lost = year.rules.sections.satisfaction - card.sections.satisfaction;
        if satisfaction_lost > Decimal::ZERO {
            let reason = format!(
                "满意度调查得分{}分（百分制）",
                unit.satisfaction.normalize()
            );
            row(
                "公众满意度",
                "满意度调查",
                C::Num(satisfaction_lost),
                &reason,
            );
        }
        for veto in &unit.veto {
            row(
                "等次",
                "否决项",
                C::Blank,
                &format!("{}{}", veto.date.chinese(), veto.event),
            );
        }
        if !card.vetoed {
            for change in &card.downgrade_reasons {
                row(
                    "等次",
                    "降档",
                    C::Blank,
                    &format!("{}：{}", change.kind, change.reason),
                );
            }
        }
    }
    rows
}

const LOST_COLUMNS: [(&str, f64); 6] = [
    ("名次", 6.0),
    ("单位", 18.0),
    ("部分", 10.0),
    ("项目", 30.0),
    ("扣分", 8.0),
    ("原因", 60.0),
];

fn indicator_rows<'a>(
    project: &'a Project,
    year: &'a Year,
    scores: &'a YearScores,
) -> Vec<Vec<C<'a>>> {
    let mut rows = Vec::new();
    for card in &scores.cards {
        let region = &project.units[card.region];
        for item in &card.indicators {
            let rule = &year.rules.indicators[item.rule];
            let indicator = &project.indicators[rule.indicator];
            let figure = |v: Option<Decimal>| v.map_or_else(|| t("不适用"), C::Plain);
            rows.push(vec![
                t(&region.name),
                t(indicator.category.name()),
                t(&indicator.name),
                t(&indicator.unit),
                t(match indicator.better {
                    Better::Higher => "越高越好",
                    Better::Lower => "越低越好",
                }),
                yes_no(rule.binding),
                figure(item.target),
                figure(item.value),
                t(match item.source {
                    Source::National => "国家考核",
                    Source::Provincial => "本地报送",
                }),
                t(if !item.applicable {
                    "不适用"
                } else if item.met {
                    "是"
                } else {
                    "否"
                }),
                C::Num(rule.points),
                C::Num(item.earned),
            ]);
        }
    }
    rows
}

const INDICATOR_COLUMNS: [(&str, f64); 12] = [
    ("单位", 18.0),
    ("类别", 20.0),
    ("指标", 34.0),
    ("计量单位", 9.0),
    ("方向", 9.0),
    ("约束性", 7.0),
    ("目标值", 9.0),
    ("完成值", 9.0),
    ("数据来源", 9.0),
    ("是否完成", 8.0),
    ("分值", 7.0),
    ("得分", 7.0),
];

pub(crate) fn results_sheets(
    book: &mut Book,
    project: &Project,
    year: &Year,
    scores: &YearScores,
) -> io::Result<()> {
    let y = year.year;
    let mark = sample_mark(project);
    table(
        book,
        "考核结果",
        &format!("{y}年度政府生态环境保护目标责任制考核结果{mark}"),
        &RESULT_COLUMNS,
        &results_rows(project, scores),
    )?;
    table(
        book,
        "扣分明细",
        &format!("{y}年度各地区扣分及等次调整明细{mark}"),
        &LOST_COLUMNS,
        &lost_rows(project, year, scores),
    )?;
    table(
        book,
        "指标完成情况",
        &format!("{y}年度各地区主要指标目标值和完成值{mark}"),
        &INDICATOR_COLUMNS,
        &indicator_rows(project, year, scores),
    )
}

/// The key projects, the columns of projects.csv in its order (render/projects.rs):
/// investments are numbers equal to the YAML's digits, shown with two decimals.
fn project_rows<'a>(project: &'a Project, year: &'a Year) -> Vec<Vec<C<'a>>> {
    let mut rows = Vec::new();
    for (region, list) in year.projects.iter().enumerate() {
        let unit = &project.units[region];
        for p in list {
            let date = |d: Option<Date>| d.map_or(C::Blank, |d| t(d.to_string()));
            rows.push(vec![
                t(&p.id),
                t(&unit.id),
                t(&unit.name),
                t(PROGRAMMES[p.programme]),
                t(&p.name),
                C::Num(p.planned),
                C::Num(p.completed),
                rate(p.completed, p.planned)
                    .and_then(|r| r.parse().ok())
                    .map_or(C::Blank, C::Plain),
                t(PROJECT_STATUSES[p.status]),
                date(p.start),
                t(p.planned_completion.to_string()),
                date(p.actual_completion),
                p.delay_reason.as_deref().map_or(C::Blank, t),
            ]);
        }
    }
    rows
}

const PROJECT_COLUMNS: [(&str, f64); 13] = [
    ("项目编号", 12.0),
    ("代码", 13.0),
    ("单位", 12.0),
    ("工程类别", 16.0),
    ("项目名称", 34.0),
    ("计划投资（万元）", 12.0),
    ("完成投资（万元）", 12.0),
    ("投资完成率（%）", 10.0),
    ("状态", 7.0),
    ("开工日期", 11.0),
    ("计划完工", 11.0),
    ("实际完工", 11.0),
    ("延期原因", 30.0),
];

/// The workbook's bytes, with its document properties: dated `date`
/// (the document's own, never the clock).
pub(crate) fn finish(
    book: Book,
    title: &str,
    project: &Project,
    date: Date,
) -> io::Result<Vec<u8>> {
    book.finish(&Properties {
        title,
        subject: "政府生态环境保护目标责任制考核",
        author: &project.site.publisher,
        created: date,
    })
}

/// `results.xlsx` of one year, dated with its bulletin.
pub fn results_xlsx(project: &Project, year: &Year, scores: &YearScores) -> io::Result<Vec<u8>> {
    let mut book = Book::new();
    results_sheets(&mut book, project, year, scores)?;
    // Like projects.csv, only for a year with a project library.
    if year.projects.iter().any(|list| !list.is_empty()) {
        table(
            &mut book,
            "重点工程",
            &format!("{}年度重点工程项目{}", year.year, sample_mark(project)),
            &PROJECT_COLUMNS,
            &project_rows(project, year),
        )?;
    }
    finish(
        book,
        &format!("{}年度考核结果", year.year),
        project,
        year.bulletin.date,
    )
}

#[cfg(test)]
mod tests {
    use std::io::Read;

    use super::*;

    fn first_sheet_xml(bytes: &[u8]) -> String {
        let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
        let mut xml = String::new();
        archive
            .by_name("xl/worksheets/sheet1.xml")
            .unwrap()
            .read_to_string(&mut xml)
            .unwrap();
        xml
    }

    /// The opening tag of each <row>, by its number.
    fn row_tags(xml: &str) -> Vec<(u32, &str)> {
        xml.match_indices("<row r=\"")
            .map(|(at, _)| {
                let tag = &xml[at..at + xml[at..].find('>').unwrap()];
                let number = tag["<row r=\"".len()..].split('"').next().unwrap();
                (number.parse().unwrap(), tag)
            })
            .collect()
    }

    #[test]
    fn every_row_is_written_once_and_a_tall_last_row_keeps_its_height() {
        let long = "超过控制目标的原因".repeat(8);
        for last in ["短", long.as_str()] {
            let mut book = Book::new();
            let rows = vec![
                vec![t(long.as_str()), C::Num(Decimal::ONE)],
                vec![t(last), C::Blank],
            ];
            let columns = [("原因", 10.0), ("扣分", 8.0)];
            table(&mut book, "表", "标题", &columns, &rows).unwrap();
            let properties = Properties {
                title: "t",
                subject: "s",
                author: "a",
                created: Date {
                    year: 2025,
                    month: 4,
                    day: 25,
                },
            };
            let xml = first_sheet_xml(&book.finish(&properties).unwrap());
            let tags = row_tags(&xml);
            assert!(
                tags.windows(2).all(|w| w[0].0 < w[1].0),
                "rows ascending, none twice: {xml}"
            );
            let height = |n: u32| tags.iter().any(|(r, tag)| *r == n && tag.contains(" ht="));
            assert!(height(3), "the first row is tall: {xml}");
            assert_eq!(height(4), last == long, "{xml}");
            assert!(xml.contains("<c r=\"A4\" "), "the last row's cells: {xml}");
            assert!(
                !xml.contains("<c r=\"A5\""),
                "no cell below the table: {xml}"
            );
        }
    }
}
