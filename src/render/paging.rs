//! Long tables split into pages of [`PAGE_ROWS`] rows, so a page's size does
//! not grow with the number of units: the year's ranking and its 进步排名.
//! The first page stays on the year page itself; the others are pages of
//! their own (`<year>/ranking/<n>/`, `<year>/change/<n>/`) rendered with
//! `ranking.html`. Each page links to the previous and next one and lists
//! every page, so the whole table is reachable without JavaScript; the full
//! table is in the open data.

use serde::Serialize;

use super::improvement::ChangeRow;
use super::view::UnitRow;

/// Rows per page. A ranking row is about 1 KB of HTML, so a page of rows
/// stays far below the 400 KB a page may weigh at any scale.
pub const PAGE_ROWS: usize = 100;

/// The two paged tables of a year.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Table {
    /// 考核排名, in rank order (`year.units`).
    Ranking,
    /// 进步排名, by change against the previous year.
    Change,
}

impl Table {
    fn folder(self) -> &'static str {
        match self {
            Table::Ranking => "ranking",
            Table::Change => "change",
        }
    }

    /// The section of the year page the table sits in (its first page).
    fn anchor(self) -> &'static str {
        match self {
            Table::Ranking => "rank-heading",
            Table::Change => "change-heading",
        }
    }

    /// The title of a page of its own.
    pub fn title(self, year: u16) -> String {
        match self {
            Table::Ranking => format!("{year}年度考核排名"),
            Table::Change => format!("{year}年度进步排名"),
        }
    }

    pub fn key(self) -> &'static str {
        self.folder()
    }
}

/// The site-relative path of page `number` (from 1) of a year's table; the
/// first page is the year page.
pub fn path(year: u16, table: Table, number: usize) -> String {
    if number <= 1 {
        format!("{year}/index.html")
    } else {
        format!("{year}/{}/{number}/index.html", table.folder())
    }
}

/// One entry of the page list.
#[derive(Debug, Clone, Serialize)]
pub struct PageLink {
    pub number: usize,
    /// Site-relative link (with the section's fragment on the year page).
    pub href: String,
    /// The positions (from 1) of its first and last row.
    pub first: usize,
    pub last: usize,
    pub current: bool,
}

/// Where a grade's units start in the ranking (rows are in grade order).
#[derive(Debug, Clone, Serialize)]
pub struct GradeStart {
    pub key: &'static str,
    pub name: &'static str,
    pub count: usize,
    pub href: String,
}

/// One page of a table, as templates see it.
#[derive(Debug, Clone, Serialize)]
pub struct Pager<R> {
    pub rows: Vec<R>,
    pub number: usize,
    /// How many pages the table has (1: nothing to page).
    pub count: usize,
    pub paged: bool,
    /// Rows of the whole table.
    pub total: usize,
    pub page_rows: usize,
    pub prev: Option<String>,
    pub next: Option<String>,
    pub pages: Vec<PageLink>,
    /// The ranking only: the page each grade starts on.
    pub grades: Vec<GradeStart>,
}

fn link(year: u16, table: Table, number: usize) -> String {
    let path = path(year, table, number);
    if number <= 1 {
        format!("{path}#{}", table.anchor())
    } else {
        path
    }
}

/// How many pages `total` rows take (at least one, even when empty).
pub fn page_count(total: usize) -> usize {
    total.div_ceil(PAGE_ROWS).max(1)
}

fn pager<R: Clone>(year: u16, table: Table, all: &[R], number: usize) -> Pager<R> {
    let count = page_count(all.len());
    let number = number.clamp(1, count);
    let start = (number - 1) * PAGE_ROWS;
    let rows = all.iter().skip(start).take(PAGE_ROWS).cloned().collect();
    let pages = (1..=count)
        .map(|n| PageLink {
            number: n,
            href: link(year, table, n),
            first: (n - 1) * PAGE_ROWS + 1,
            last: (n * PAGE_ROWS).min(all.len()),
            current: n == number,
        })
        .collect();
    Pager {
        rows,
        number,
        count,
        paged: count > 1,
        total: all.len(),
        page_rows: PAGE_ROWS,
        prev: (number > 1).then(|| link(year, table, number - 1)),
        next: (number < count).then(|| link(year, table, number + 1)),
        pages,
        grades: Vec::new(),
    }
}

/// Page `number` of the year's ranking, with where each grade starts.
pub fn ranking(year: u16, units: &[UnitRow], number: usize) -> Pager<UnitRow> {
    let mut page = pager(year, Table::Ranking, units, number);
    let mut at = 0;
    while let Some(first) = units.get(at) {
        let count = units[at..]
            .iter()
            .take_while(|u| u.grade == first.grade)
            .count();
        page.grades.push(GradeStart {
            key: first.grade,
            name: first.grade_name,
            count,
            href: link(year, Table::Ranking, at / PAGE_ROWS + 1),
        });
        at += count;
    }
    page
}

/// Page `number` of the year's 进步排名.
pub fn changes(year: u16, rows: &[ChangeRow], number: usize) -> Pager<ChangeRow> {
    pager(year, Table::Change, rows, number)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_cover_every_row_once() {
        let rows: Vec<usize> = (0..250).collect();
        let count = page_count(rows.len());
        assert_eq!(count, 3);
        let mut seen = Vec::new();
        for n in 1..=count {
            let page = pager(2024, Table::Ranking, &rows, n);
            assert_eq!(page.pages.len(), 3);
            assert_eq!(page.prev.is_some(), n > 1);
            assert_eq!(page.next.is_some(), n < 3);
            seen.extend(page.rows);
        }
        assert_eq!(seen, rows);
        let last = pager(2024, Table::Ranking, &rows, 3);
        assert_eq!((last.pages[2].first, last.pages[2].last), (201, 250));
        assert_eq!(last.pages[0].href, "2024/index.html#rank-heading");
        assert_eq!(last.pages[1].href, "2024/ranking/2/index.html");
    }

    #[test]
    fn a_short_table_is_one_page() {
        let page = pager(2024, Table::Change, &[1, 2, 3], 1);
        assert!(!page.paged);
        assert_eq!(page.rows, [1, 2, 3]);
        assert_eq!(page_count(0), 1);
        assert_eq!(path(2024, Table::Change, 2), "2024/change/2/index.html");
    }
}
