//! (d) The grade distribution across years.

use super::super::canvas::{px, text_width, Anchor, Canvas, Weight};
use super::super::palette::{Palette, WHITE};
use super::super::table::{Cell, Table};
use super::super::{finish, Chart, Legend, Mark, Scale, FONT, PAD, SMALL, WIDTH};
use super::grade_counts_text;
use crate::render::view::YearView;
use crate::score::Grade;

/// A grade's stretch of a year's bar: key, name, count, from, to.
type Segment = (&'static str, &'static str, usize, f64, f64);

/// (d) How many units got each grade, one stacked bar per year, oldest first.
/// The caller decides which years a page may show (a year's pages: up to it).
pub fn grade_distribution(years: &[&YearView], palette: &Palette) -> Chart {
    const ROW: f64 = 28.0;
    const BAR: f64 = 20.0;
    let label = |y: &YearView| {
        if y.draft {
            format!("{}年度（草稿）", y.year)
        } else {
            format!("{}年度", y.year)
        }
    };
    let label_w = years
        .iter()
        .map(|y| text_width(&label(y), FONT))
        .fold(0.0, f64::max);
    let x0 = PAD + label_w + 8.0;
    let top = PAD;
    let bottom = top + years.len() as f64 * ROW;
    let legend = Legend::new(
        Grade::ALL
            .iter()
            .map(|g| (Mark::Swatch(palette.grade(g.key())), g.name().to_string()))
            .collect(),
    );
    let height = bottom + 6.0 + legend.height(WIDTH - 2.0 * PAD) + PAD;
    // Segments of each year: (grade key, grade name, count, x from, x to).
    let segments_to = |x1: f64| -> Vec<Vec<Segment>> {
        years
            .iter()
            .map(|y| {
                let total: usize = y.grades.iter().map(|g| g.count).sum();
                let scale = Scale::new((0.0, total.max(1) as f64), (x0, x1));
                let mut sum = 0;
                y.grades
                    .iter()
                    .filter(|g| g.count > 0)
                    .map(|g| {
                        let from = scale.at(sum as f64);
                        sum += g.count;
                        (g.key, g.name, g.count, from, scale.at(sum as f64))
                    })
                    .collect()
            })
            .collect()
    };
    let long = |name: &str, count: usize| format!("{name}{count}");
    // A segment too short for its grade's name shows the count alone, and the
    // name goes in a note after the bar ("不合格1"), so 合格 and 不合格 never
    // rest on colour alone. Which segments need a note is decided on the full
    // width with room to spare, then the bars shrink to make room for notes.
    let notes: Vec<Vec<String>> = segments_to(WIDTH - PAD)
        .iter()
        .map(|row| {
            row.iter()
                .filter(|(_, name, count, from, to)| {
                    text_width(&long(name, *count), SMALL) + 6.0 > (to - from) * 0.8
                })
                .map(|(_, name, count, _, _)| long(name, *count))
                .collect()
        })
        .collect();
    let note_w = notes
        .iter()
        .map(|n| text_width(&n.join(" "), SMALL))
        .fold(0.0, f64::max);
    let x1 = if note_w > 0.0 {
        WIDTH - PAD - note_w - 6.0
    } else {
        WIDTH - PAD
    };
    let segments = segments_to(x1);
    let mut canvas = Canvas::new(WIDTH as u32, height as u32, palette.ink);
    canvas.layer("bars", "", |pen| {
        for (i, row) in segments.iter().enumerate() {
            let y = top + i as f64 * ROW + (ROW - BAR) / 2.0;
            for (key, _, _, from, to) in row {
                // A one-unit white gap keeps neighbouring segments apart in greyscale.
                pen.rect(
                    px(*from),
                    px(y),
                    px(*to) - 1,
                    px(y + BAR),
                    palette.grade(key),
                );
            }
        }
    });
    canvas.layer("labels", "", |pen| {
        for (i, (y, row)) in years.iter().zip(&segments).enumerate() {
            let cy = px(top + i as f64 * ROW + ROW / 2.0);
            pen.text(
                px(PAD),
                cy,
                &label(y),
                FONT,
                palette.ink,
                Anchor::Start,
                Weight::Normal,
            );
            for (_, name, count, from, to) in row {
                let noted = notes[i].contains(&long(name, *count));
                let text = if !noted && text_width(&long(name, *count), SMALL) + 6.0 <= to - from {
                    long(name, *count)
                } else {
                    count.to_string()
                };
                if text_width(&text, SMALL) + 4.0 <= to - from {
                    pen.text(
                        px((from + to) / 2.0),
                        cy,
                        &text,
                        SMALL,
                        WHITE,
                        Anchor::Middle,
                        Weight::Bold,
                    );
                }
            }
        }
    });
    canvas.layer("notes", "", |pen| {
        for (i, note) in notes.iter().enumerate() {
            if !note.is_empty() {
                pen.text(
                    px(x1 + 6.0),
                    px(top + i as f64 * ROW + ROW / 2.0),
                    &note.join(" "),
                    SMALL,
                    palette.ink,
                    Anchor::Start,
                    Weight::Normal,
                );
            }
        }
    });
    canvas.layer("legend", "", |pen| {
        legend.draw(pen, palette, PAD, bottom + 6.0, WIDTH - 2.0 * PAD);
    });

    let mut head = vec!["年度".to_string()];
    head.extend(Grade::ALL.iter().map(|g| g.name().to_string()));
    head.push("合计".to_string());
    let span = match (years.first(), years.last()) {
        (Some(f), Some(l)) if f.year != l.year => format!("{}—{}年度", f.year, l.year),
        (Some(f), _) => format!("{}年度", f.year),
        _ => String::new(),
    };
    let mut table = Table::with_columns(format!("{span}各等次地区数"), head);
    let mut lines = Vec::new();
    for y in years {
        let mut row = vec![Cell::Head(label(y))];
        row.extend(y.grades.iter().map(|g| Cell::Num(g.count.to_string())));
        row.push(Cell::Num(y.units.len().to_string()));
        table.row(row);
        lines.push(format!("{}：{}", label(y), grade_counts_text(y)));
    }
    let desc = format!(
        "每年一条横条，按等次从优秀到不合格分段，段长为该等次地区数。{}。",
        lines.join("；")
    );
    finish(
        "grades.svg",
        canvas,
        format!("{span}考核等次分布"),
        desc,
        table,
    )
}
