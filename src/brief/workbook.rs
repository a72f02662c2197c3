//! `briefing.xlsx`: the briefing copy's tables as a workbook, the public
//! results sheets first (the same as `results.xlsx`), then what only the
//! briefing holds: self-assessment against the verified scores, the change
//! from the previous year and the internal notes.

use std::io;

use rust_decimal::Decimal;

use super::BriefingView;
use crate::model::{Project, Year};
use crate::score::YearScores;
use crate::sheets::open_data::{finish, n, results_sheets, sample_mark, t, table, yes_no, Book, C};

/// `briefing.xlsx`: the briefing copy's tables, dated with its 印发日期.
pub(super) fn briefing_xlsx(
    project: &Project,
    year: &Year,
    scores: &YearScores,
    view: &BriefingView<'_>,
) -> io::Result<Vec<u8>> {
    // Written in memory: the briefing's rows never reach the disk.
    let mut workbook = Book::new();
    let y = year.year;
    let mark = sample_mark(project);
    results_sheets(&mut workbook, project, year, scores)?;
    let mut rows = Vec::new();
    for row in &view.self_assessment {
        for part in row.parts.iter().chain([&row.total]) {
            rows.push(vec![
                C::Plain(Decimal::from(row.rank)),
                t(&row.name),
                t(part.name),
                n(&part.claimed),
                n(&part.verified),
                n(&part.difference),
                yes_no(part.name == "总分" && row.over_threshold),
            ]);
        }
    }
    let over = format!("超过{}分", view.self_assessment_threshold);
    let columns = [
        ("名次", 6.0),
        ("单位", 18.0),
        ("部分", 12.0),
        ("自评", 9.0),
        ("核定", 9.0),
        ("差额（自评−核定）", 12.0),
        (over.as_str(), 10.0),
    ];
    table(
        &mut workbook,
        "自评与核定",
        &format!("{y}年度各地区自评分与核定分{mark}"),
        &columns,
        &rows,
    )?;
    if let Some(previous) = &view.previous {
        let rows: Vec<Vec<C>> = previous
            .changes
            .iter()
            .map(|c| {
                let (rank, grade, total) = match &c.previous {
                    Some(p) => (
                        C::Plain(Decimal::from(p.rank)),
                        t(p.grade_name),
                        n(&p.total),
                    ),
                    None => (C::Blank, t("未参加考核"), C::Blank),
                };
                vec![
                    t(&c.name),
                    rank,
                    C::Plain(Decimal::from(c.rank)),
                    t(&c.rank_change),
                    grade,
                    t(c.grade_name),
                    t(c.grade_change),
                    total,
                    n(&c.total),
                ]
            })
            .collect();
        let p = previous.year;
        let headers = [
            format!("{p}年名次"),
            format!("{y}年名次"),
            format!("{p}年等次"),
            format!("{y}年等次"),
            format!("{p}年总分"),
            format!("{y}年总分"),
        ];
        let columns = [
            ("单位", 18.0),
            (headers[0].as_str(), 9.0),
            (headers[1].as_str(), 9.0),
            ("名次变化", 10.0),
            (headers[2].as_str(), 10.0),
            (headers[3].as_str(), 9.0),
            ("等次变化", 9.0),
            (headers[4].as_str(), 9.0),
            (headers[5].as_str(), 9.0),
        ];
        table(
            &mut workbook,
            "与上年度比较",
            &format!("{y}年度与{p}年度考核结果比较{mark}"),
            &columns,
            &rows,
        )?;
    }
    let rows: Vec<Vec<C>> = view
        .internal
        .iter()
        .flat_map(|u| {
            u.notes
                .iter()
                .map(|note| vec![t(&u.name), t(&note.label), t(&note.text)])
        })
        .collect();
    table(
        &mut workbook,
        "内部意见",
        &format!("{y}年度内部意见（不公开）{mark}"),
        &[("单位", 18.0), ("类别", 12.0), ("内容", 80.0)],
        &rows,
    )?;
    finish(
        workbook,
        &format!("{y}年度考核结果抄送件"),
        project,
        year.bulletin.briefing.printed,
    )
}
