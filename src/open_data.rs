//! The computed results as data: the JSON, CSV and text table that
//! `ecoscore scores` prints and the open data files publish.

use rust_decimal::Decimal;
use serde::Serialize;

use crate::model::Project;
use crate::score::{Grade, YearScores};

/// Two-decimal figure, serialized as a string ("93.45") so no reader parses it as a float.
#[derive(Debug, Clone, Copy)]
pub struct Fixed2(pub Decimal);

impl Serialize for Fixed2 {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(&format_args!("{:.2}", self.0))
    }
}

#[derive(Debug, Serialize)]
pub struct ScoresDoc<'a> {
    pub year: u16,
    pub regions: Vec<RegionScore<'a>>,
}

#[derive(Debug, Serialize)]
pub struct SectionsDoc {
    pub indicators: Fixed2,
    pub tasks: Fixed2,
    pub funds: Fixed2,
    pub satisfaction: Fixed2,
}

#[derive(Debug, Serialize)]
pub struct RegionScore<'a> {
    pub id: &'a str,
    pub name: &'a str,
    pub rank: usize,
    pub grade: Grade,
    pub base_grade: Grade,
    pub total: Fixed2,
    pub bonus: Fixed2,
    pub sections: SectionsDoc,
    pub downgraded: bool,
    pub vetoed: bool,
    pub binding_missed: &'a [String],
    /// The bonus entries' sum before the cap.
    pub bonus_claimed: Fixed2,
    pub grade_name: &'static str,
}

pub fn scores_doc<'a>(project: &'a Project, scores: &'a YearScores) -> ScoresDoc<'a> {
    ScoresDoc {
        year: scores.year,
        regions: scores
            .cards
            .iter()
            .map(|c| {
                let region = &project.units[c.region];
                RegionScore {
                    id: &region.id,
                    name: &region.name,
                    rank: c.rank,
                    grade: c.grade,
                    base_grade: c.base_grade,
                    total: Fixed2(c.total),
                    bonus: Fixed2(c.bonus),
                    sections: SectionsDoc {
                        indicators: Fixed2(c.sections.indicators),
                        tasks: Fixed2(c.sections.tasks),
                        funds: Fixed2(c.sections.funds),
                        satisfaction: Fixed2(c.sections.satisfaction),
                    },
                    downgraded: c.downgraded,
                    vetoed: c.vetoed,
                    binding_missed: &c.binding_missed,
                    bonus_claimed: Fixed2(c.bonus_claimed),
                    grade_name: c.grade.name(),
                }
            })
            .collect(),
    }
}

pub fn to_json(project: &Project, scores: &YearScores) -> String {
    let mut text = serde_json::to_string_pretty(&scores_doc(project, scores)).unwrap_or_default();
    text.push('\n');
    text
}

const CSV_HEADER: [&str; 16] = [
    "rank",
    "id",
    "name",
    "grade",
    "grade_name",
    "base_grade",
    "total",
    "indicators",
    "tasks",
    "funds",
    "satisfaction",
    "bonus",
    "bonus_claimed",
    "downgraded",
    "vetoed",
    "binding_missed",
];

/// Which columns hold text (ids, names, grades); the others are numbers and
/// booleans, written as they are.
const CSV_TEXT: [bool; 16] = [
    false, true, true, true, true, true, false, false, false, false, false, false, false, false,
    false, true,
];

/// A text cell a spreadsheet would run as a formula (`=`, `+`, `-`, `@`, a
/// tab or a carriage return first) gets a leading `'`, as the OWASP guidance
/// on CSV injection says, so Excel and WPS show it as text.
pub(crate) fn defuse(text: &str) -> String {
    if text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{text}")
    } else {
        text.to_string()
    }
}

pub(crate) fn csv_field(field: &str) -> String {
    if field.contains([',', '"', '\n', '\r']) || field.starts_with('\'') {
        format!("\"{}\"", field.replace('"', "\"\""))
    } else {
        field.to_string()
    }
}

fn rows(project: &Project, scores: &YearScores) -> Vec<[String; 16]> {
    scores_doc(project, scores)
        .regions
        .iter()
        .map(|r| {
            let f = |x: Fixed2| format!("{:.2}", x.0);
            [
                r.rank.to_string(),
                r.id.to_string(),
                r.name.to_string(),
                r.grade.key().to_string(),
                r.grade_name.to_string(),
                r.base_grade.key().to_string(),
                f(r.total),
                f(r.sections.indicators),
                f(r.sections.tasks),
                f(r.sections.funds),
                f(r.sections.satisfaction),
                f(r.bonus),
                f(r.bonus_claimed),
                r.downgraded.to_string(),
                r.vetoed.to_string(),
                r.binding_missed.join(" "),
            ]
        })
        .collect()
}

/// CSV with CRLF line ends, as spreadsheet programs expect.
pub fn to_csv(project: &Project, scores: &YearScores) -> String {
    let mut out = CSV_HEADER.join(",");
    out.push_str("\r\n");
    for row in rows(project, scores) {
        out.push_str(&csv_line(&row));
    }
    out
}

/// One record: text cells defused (see [`defuse`]), numbers as they are
/// (`-2.50` stays a number).
fn csv_line(row: &[String; 16]) -> String {
    let fields: Vec<String> = row
        .iter()
        .zip(CSV_TEXT)
        .map(|(f, text)| csv_field(&if text { defuse(f) } else { f.clone() }))
        .collect();
    format!("{}\r\n", fields.join(","))
}

/// Whether a character is full width: CJK and full-width forms take two
/// terminal columns and a whole em in a proportional font.
pub fn is_wide(c: char) -> bool {
    matches!(c as u32,
        0x1100..=0x115F | 0x2E80..=0x303E | 0x3041..=0x33FF | 0x3400..=0x4DBF |
        0x4E00..=0x9FFF | 0xA000..=0xA4CF | 0xAC00..=0xD7A3 | 0xF900..=0xFAFF |
        0xFE30..=0xFE4F | 0xFF00..=0xFF60 | 0xFFE0..=0xFFE6)
}

/// Display width in a terminal: CJK and full-width characters take two columns.
pub fn display_width(text: &str) -> usize {
    text.chars().map(|c| if is_wide(c) { 2 } else { 1 }).sum()
}

/// An aligned plain-text table for the terminal.
pub fn to_table(project: &Project, scores: &YearScores) -> String {
    let header = [
        "名次",
        "单位",
        "等次",
        "总分",
        "主要指标",
        "重点任务",
        "资金投入",
        "满意度",
        "加分",
        "说明",
    ];
    let mut table: Vec<Vec<String>> = vec![header.iter().map(|s| s.to_string()).collect()];
    for card in &scores.cards {
        let mut notes = Vec::new();
        if card.vetoed {
            notes.push("否决".to_string());
        }
        if card.downgraded {
            notes.push(format!("降档（原{}）", card.base_grade.name()));
        }
        if !card.binding_missed.is_empty() {
            // Names as the scorecard shows them; an id is the file's key, not
            // what a reader knows the indicator by.
            let names: Vec<&str> = card
                .binding_missed
                .iter()
                .map(|id| {
                    project
                        .indicators
                        .iter()
                        .find(|i| &i.id == id)
                        .map_or(id.as_str(), |i| i.name.as_str())
                })
                .collect();
            notes.push(format!("约束性指标未完成：{}", names.join("、")));
        }
        if card.bonus_claimed > card.bonus {
            // The scorecard's words (scorecard.html), so both explain the cap alike.
            let cap = project
                .year(scores.year)
                .map_or(card.bonus, |year| year.rules.bonus_cap);
            notes.push(format!(
                "加分：申报合计{}分，超过上限，按{}分计",
                card.bonus_claimed.normalize(),
                cap.normalize()
            ));
        }
        let f = |x: Decimal| format!("{x:.2}");
        table.push(vec![
            card.rank.to_string(),
            project.units[card.region].name.clone(),
            card.grade.name().to_string(),
            f(card.total),
            f(card.sections.indicators),
            f(card.sections.tasks),
            f(card.sections.funds),
            f(card.sections.satisfaction),
            f(card.bonus),
            notes.join("；"),
        ]);
    }
    let columns = header.len();
    let widths: Vec<usize> = (0..columns)
        .map(|i| {
            table
                .iter()
                .map(|row| display_width(&row[i]))
                .max()
                .unwrap_or(0)
        })
        .collect();
    let mut out = format!("{}年度考核结果\n", scores.year);
    for row in &table {
        let mut line = String::new();
        for (i, cell) in row.iter().enumerate() {
            let pad = widths[i] - display_width(cell);
            let numeric = (3..9).contains(&i) || i == 0;
            if numeric {
                line.push_str(&" ".repeat(pad));
                line.push_str(cell);
            } else {
                line.push_str(cell);
                if i + 1 < columns {
                    line.push_str(&" ".repeat(pad));
                }
            }
            if i + 1 < columns {
                line.push_str("  ");
            }
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn widths_count_cjk_as_two() {
        assert_eq!(display_width("长春市"), 6);
        assert_eq!(display_width("a1"), 2);
        assert_eq!(display_width("（原优秀）"), 10);
    }

    #[test]
    fn csv_quotes_only_when_needed() {
        assert_eq!(csv_field("长春市"), "长春市");
        assert_eq!(csv_field("a,b"), "\"a,b\"");
        assert_eq!(csv_field("say \"x\""), "\"say \"\"x\"\"\"");
    }

    #[test]
    fn formula_leads_are_defused_in_text_only() {
        for lead in ["=", "+", "-", "@", "\t", "\r"] {
            let cell = format!("{lead}HYPERLINK(\"https://evil.example\")");
            assert_eq!(defuse(&cell), format!("'{cell}"));
            let mut row: [String; 16] = std::array::from_fn(|_| "-2.50".to_string());
            for (i, text) in CSV_TEXT.iter().enumerate() {
                if *text {
                    row[i] = cell.clone();
                }
            }
            let line = csv_line(&row);
            let quoted = csv_field(&format!("'{cell}"));
            assert!(quoted.starts_with("\"'"), "{quoted}");
            // id, name, grade, grade_name, base_grade defused; the figures
            // and booleans (here all -2.50) untouched; binding_missed defused.
            let expected = format!(
                "-2.50,{q},{q},{q},{q},{q},{n}{q}\r\n",
                q = quoted,
                n = "-2.50,".repeat(9)
            );
            assert_eq!(line, expected);
        }
        assert_eq!(defuse("长春市=1"), "长春市=1");
        let text_columns: Vec<&str> = CSV_HEADER
            .iter()
            .zip(CSV_TEXT)
            .filter(|(_, text)| *text)
            .map(|(h, _)| *h)
            .collect();
        assert_eq!(
            text_columns,
            [
                "id",
                "name",
                "grade",
                "grade_name",
                "base_grade",
                "binding_missed"
            ]
        );
    }
}
