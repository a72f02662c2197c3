//! The year overview: ranking and section scores here, the indicator heat
//! map (`heatmap`) and the grade distribution across years (`grades`).

mod grades;
mod heatmap;

pub use grades::grade_distribution;
pub use heatmap::heatmap;

use super::canvas::{px, text_width, Anchor, Canvas, Weight};
use super::palette::{grade_shape, Palette, Rgb};
use super::table::{Cell, Table};
use super::{finish, num, stagger, Chart, Legend, Mark, Scale, FONT, PAD, SMALL, WIDTH};
use crate::render::view::{UnitRow, YearView};
use rust_decimal::Decimal;

/// The rank and name columns every per-unit chart starts with.
struct NameColumn {
    rank_right: f64,
    name_left: f64,
    /// Where the chart's marks begin.
    end: f64,
}

impl NameColumn {
    fn new<'a>(units: impl Iterator<Item = &'a UnitRow>, size: f64) -> NameColumn {
        let (mut rank_w, mut name_w) = (0.0f64, 0.0f64);
        for u in units {
            rank_w = rank_w.max(text_width(&u.rank.to_string(), size));
            name_w = name_w.max(text_width(&u.name, size));
        }
        let rank_right = PAD + rank_w;
        let name_left = rank_right + 6.0;
        NameColumn {
            rank_right,
            name_left,
            end: name_left + name_w + 8.0,
        }
    }

    fn draw(
        &self,
        pen: &mut super::Pen<'_>,
        palette: &Palette,
        unit: &UnitRow,
        cy: f64,
        size: f64,
    ) {
        pen.text(
            px(self.rank_right),
            px(cy),
            &unit.rank.to_string(),
            size,
            palette.muted,
            Anchor::End,
            Weight::Normal,
        );
        pen.text(
            px(self.name_left),
            px(cy),
            &unit.name,
            size,
            palette.ink,
            Anchor::Start,
            Weight::Normal,
        );
    }
}

/// A year's per-unit charts draw every unit up to this many; above it only
/// the first and last [`EACH_END`] in rank order, with a marked gap between
/// (the table under the chart likewise; the open data lists every unit), so
/// no chart grows with the number of units.
pub(super) const FULL_UP_TO: usize = 30;
pub(super) const EACH_END: usize = 10;

/// The rows a per-unit chart of `n` units draws: unit indices in rank order,
/// `None` for the gap.
pub(super) fn shown(n: usize) -> Vec<Option<usize>> {
    if n <= FULL_UP_TO {
        (0..n).map(Some).collect()
    } else {
        (0..EACH_END)
            .map(Some)
            .chain([None])
            .chain((n - EACH_END..n).map(Some))
            .collect()
    }
}

fn gap_text(n: usize) -> String {
    format!("⋯ 中间{}个地区略", n.saturating_sub(2 * EACH_END))
}

/// The gap row's label, where the names are.
pub(super) fn gap_label(pen: &mut super::Pen<'_>, palette: &Palette, n: usize, cy: f64) {
    pen.text(
        px(PAD),
        px(cy),
        &gap_text(n),
        SMALL,
        palette.muted,
        Anchor::Start,
        Weight::Normal,
    );
}

/// The gap as a table row of `columns` cells.
pub(super) fn gap_row(n: usize, columns: usize) -> Vec<Cell> {
    let mut row = vec![Cell::Text(format!("{}（见开放数据）", gap_text(n)))];
    row.extend((1..columns).map(|_| Cell::Text(String::new())));
    row
}

/// "降档" or "否决" when the grade is not the one the total earns.
fn change_flag(unit: &UnitRow) -> Option<&'static str> {
    if unit.vetoed {
        Some("否决")
    } else if unit.downgraded {
        Some("降档")
    } else {
        None
    }
}

fn grade_counts_text(year: &YearView) -> String {
    year.grades
        .iter()
        .filter(|g| g.count > 0)
        .map(|g| format!("{}{}个", g.name, g.count))
        .collect::<Vec<_>>()
        .join("、")
}

/// (a) Totals in rank order as a dot plot: one grade-coloured, grade-shaped
/// point per unit on an axis that spans the scores (cut, and marked so, when
/// it does not start at 0), so that 88 and 99 stand apart; the grade
/// thresholds inside that span as dashed lines. The total and any grade
/// change stand right of the plot.
pub fn ranking(year: &YearView, palette: &Palette) -> Chart {
    const ROW: f64 = 22.0;
    let units = &year.units;
    let rows = shown(units.len());
    let drawn = || rows.iter().filter_map(|r| r.map(|i| &units[i]));
    let names = NameColumn::new(drawn(), FONT);
    let totals: Vec<f64> = units.iter().map(|u| num(&u.total)).collect();
    let lowest = totals.iter().copied().fold(100.0, f64::min);
    let highest = totals.iter().copied().fold(0.0, f64::max);
    let lo = (((lowest - 1.0) / 5.0).floor() * 5.0).max(0.0);
    let hi = highest.max(100.0).ceil();
    let cut = lo > 0.0;
    let thresholds: Vec<(f64, String)> = [
        ("合格", &year.rules.pass),
        ("良好", &year.rules.good),
        ("优秀", &year.rules.excellent),
    ]
    .iter()
    .map(|(name, text)| (num(text), format!("{name}{text}")))
    .filter(|(value, _)| *value >= lo && *value <= hi)
    .collect();
    let label = |u: &UnitRow| match change_flag(u) {
        Some(flag) => format!("{} {flag}", u.total),
        None => u.total.clone(),
    };
    let label_w = drawn()
        .map(|u| text_width(&label(u), SMALL))
        .fold(0.0, f64::max);
    let scale = Scale::new((lo, hi), (names.end + 6.0, WIDTH - PAD - label_w - 12.0));
    let threshold_labels: Vec<(f64, f64)> = thresholds
        .iter()
        .map(|(value, text)| (scale.at(*value), text_width(text, SMALL)))
        .collect();
    let label_rows = stagger(&threshold_labels);
    let header_rows = label_rows.iter().max().map_or(0, |r| r + 1) as f64;
    let top = PAD + header_rows * 16.0 + 4.0;
    let bottom = top + rows.len() as f64 * ROW;
    let axis_h = 38.0;
    let mut items: Vec<(Mark, String)> = crate::score::Grade::ALL
        .into_iter()
        .filter(|g| units.iter().any(|u| u.grade == g.key()))
        .map(|g| {
            (
                Mark::Marker(grade_shape(g.key()), palette.grade(g.key())),
                g.name().to_string(),
            )
        })
        .collect();
    if !thresholds.is_empty() {
        items.push((Mark::Dash(palette.ink), "等次分数线".into()));
    }
    let legend = Legend::new(items);
    let height = bottom + axis_h + legend.height(WIDTH - 2.0 * PAD) + PAD;
    let mut canvas = Canvas::new(WIDTH as u32, height as u32, palette.ink);
    let (x0, x1) = (scale.px(lo), scale.px(hi));

    canvas.layer_lines("tracks", "", (palette.track, 1), |pen| {
        for (r, row) in rows.iter().enumerate() {
            if row.is_some() {
                let cy = px(top + r as f64 * ROW + ROW / 2.0);
                pen.line((x0, cy), (x1, cy), palette.track, 1);
            }
        }
    });
    canvas.layer_lines(
        "thresholds",
        " stroke-dasharray=\"3 3\"",
        (palette.ink, 1),
        |pen| {
            for (value, _) in &thresholds {
                let x = scale.px(*value);
                pen.line((x, px(top - 2.0)), (x, px(bottom)), palette.ink, 1);
            }
        },
    );
    canvas.layer("points", "", |pen| {
        for (r, row) in rows.iter().enumerate() {
            let Some(u) = row.map(|i| &units[i]) else {
                continue;
            };
            let cy = px(top + r as f64 * ROW + ROW / 2.0);
            let (shape, colour) = (grade_shape(u.grade), palette.grade(u.grade));
            pen.marker(scale.px(num(&u.total)), cy, 11, shape, colour);
        }
    });
    canvas.layer("axis", "", |pen| {
        let y = px(bottom + 2.0);
        pen.line((x0, y), (x1, y), palette.line, 1);
        if cut {
            // Two slanted strokes across the axis's start: it does not begin at 0.
            for dx in [3, 7] {
                pen.line((x0 + dx - 2, y + 4), (x0 + dx + 2, y - 4), palette.muted, 1);
            }
        }
        let step = if hi - lo <= 20.0 {
            5
        } else if hi - lo <= 50.0 {
            10
        } else {
            20
        };
        let mut tick = lo as i64;
        while tick as f64 <= hi {
            let x = scale.px(tick as f64);
            pen.line((x, y), (x, y + 4), palette.line, 1);
            pen.text(
                x,
                y + 12,
                &tick.to_string(),
                SMALL,
                palette.muted,
                Anchor::Middle,
                Weight::Normal,
            );
            tick += step;
        }
        let caption = if cut {
            format!("总分（横轴自{lo}分起，非自0分）")
        } else {
            "总分".to_string()
        };
        pen.text(
            x0,
            y + 28,
            &caption,
            SMALL,
            palette.muted,
            Anchor::Start,
            Weight::Normal,
        );
        for (((x, _), (_, text)), row) in threshold_labels.iter().zip(&thresholds).zip(&label_rows)
        {
            pen.text(
                px(*x),
                px(PAD + *row as f64 * 16.0 + 7.0),
                text,
                SMALL,
                palette.ink,
                Anchor::Middle,
                Weight::Normal,
            );
        }
    });
    canvas.layer("labels", "", |pen| {
        for (r, row) in rows.iter().enumerate() {
            let cy = top + r as f64 * ROW + ROW / 2.0;
            match row.map(|i| &units[i]) {
                Some(u) => {
                    names.draw(pen, palette, u, cy, FONT);
                    pen.text(
                        px(WIDTH - PAD - label_w),
                        px(cy),
                        &label(u),
                        SMALL,
                        palette.ink,
                        Anchor::Start,
                        Weight::Normal,
                    );
                }
                None => gap_label(pen, palette, units.len(), cy),
            }
        }
    });
    canvas.layer("legend", "", |pen| {
        legend.draw(pen, palette, PAD, bottom + axis_h, WIDTH - 2.0 * PAD);
    });

    let mut table = Table::new(
        format!("{}年度各地区总分与等次（按名次）", year.year),
        &["名次", "单位", "总分", "等次", "说明"],
    );
    for row in &rows {
        let Some(u) = row.map(|i| &units[i]) else {
            table.row(gap_row(units.len(), 5));
            continue;
        };
        table.row(vec![
            Cell::Num(u.rank.to_string()),
            Cell::Head(u.name.clone()),
            Cell::Num(u.total.clone()),
            Cell::Text(u.grade_name.to_string()),
            Cell::Text(match change_flag(u) {
                Some(flag) => format!("{flag}（原{}）", u.base_grade_name),
                None => String::new(),
            }),
        ]);
    }
    let extremes = match (units.first(), units.last()) {
        (Some(f), Some(l)) if units.len() > 1 => format!(
            "第1名{}（{}分，{}），末位{}（{}分，{}）。",
            f.name, f.total, f.grade_name, l.name, l.total, l.grade_name
        ),
        _ => String::new(),
    };
    let desc = format!(
        "{}个地区按名次排列的总分点图{}，点的颜色和形状标明等次：{}。{}虚线为等次分数线：优秀{}分、良好{}分、合格{}分。",
        units.len(),
        if cut {
            format!("（横轴自{lo}分起）")
        } else {
            String::new()
        },
        grade_counts_text(year),
        extremes,
        year.rules.excellent,
        year.rules.good,
        year.rules.pass
    );
    finish(
        "ranking.svg",
        canvas,
        format!("{}年度各地区考核总分与等次", year.year),
        desc,
        table,
    )
}
/// The alternating shades of the four sections in the stacked bars: neighbours
/// differ in lightness, so they stay apart in greyscale.
fn section_shades(palette: &Palette) -> [Rgb; 4] {
    [
        palette.brand,
        palette.section_light,
        palette.brand,
        palette.section_light,
    ]
}

/// A section: its name, its maximum, and a unit's score in it.
type Part<'a> = (&'static str, &'a str, fn(&UnitRow) -> &str);

/// (c) Every unit's four section scores stacked in one bar: each section
/// takes the room of its maximum, its score fills it, and what is left
/// (pale red) is the points lost there.
pub fn sections(year: &YearView, palette: &Palette) -> Chart {
    const ROW: f64 = 22.0;
    const BAR: f64 = 14.0;
    let units = &year.units;
    let rows = shown(units.len());
    let names = NameColumn::new(rows.iter().filter_map(|r| r.map(|i| &units[i])), FONT);
    let rules = &year.rules.sections;
    let parts: [Part<'_>; 4] = [
        ("主要指标", &rules.indicators, |u| {
            &u.sections.indicators
        }),
        ("重点任务", &rules.tasks, |u| &u.sections.tasks),
        ("资金投入", &rules.funds, |u| &u.sections.funds),
        ("公众满意度", &rules.satisfaction, |u| {
            &u.sections.satisfaction
        }),
    ];
    let lost = |u: &UnitRow| -> Decimal {
        parts
            .iter()
            .map(|(_, max, score)| decimal(max) - decimal(score(u)))
            .sum()
    };
    let lost_label = |u: &UnitRow| format!("扣{:.2}", lost(u));
    let label_w = rows
        .iter()
        .filter_map(|r| r.map(|i| &units[i]))
        .map(|u| text_width(&lost_label(u), SMALL))
        .fold(0.0, f64::max);
    let full: f64 = parts.iter().map(|p| num(p.1)).sum();
    let scale = Scale::new((0.0, full), (names.end, WIDTH - PAD - label_w - 6.0));
    // Where each section starts on the points scale.
    let starts: Vec<f64> = parts
        .iter()
        .scan(0.0, |acc, p| {
            let start = *acc;
            *acc += num(p.1);
            Some(start)
        })
        .collect();
    // The sections are named in the legend, in bar order: a segment as
    // narrow as 资金投入's has no room for its name on a phone.
    let shades = section_shades(palette);
    let top = PAD;
    let bottom = top + rows.len() as f64 * ROW;
    let legend = Legend::new(
        parts
            .iter()
            .zip(shades)
            .map(|((name, max, _), shade)| (Mark::Swatch(shade), format!("{name}{max}")))
            .chain([(Mark::Swatch(palette.lost), "扣分".to_string())])
            .collect(),
    );
    let height = bottom + 6.0 + legend.height(WIDTH - 2.0 * PAD) + PAD;
    let mut canvas = Canvas::new(WIDTH as u32, height as u32, palette.ink);

    canvas.layer_filled("bars", palette.lost, |pen| {
        for (i, row) in rows.iter().enumerate() {
            let Some(u) = row.map(|r| &units[r]) else {
                continue;
            };
            let y = top + i as f64 * ROW + (ROW - BAR) / 2.0;
            for (p, ((_, max, score), start)) in parts.iter().zip(&starts).enumerate() {
                let (from, to) = (scale.px(*start), scale.px(start + num(max)));
                let filled = scale.px(start + num(score(u)));
                pen.rect(from, px(y), to - 1, px(y + BAR), palette.lost);
                pen.rect(from, px(y), (filled - 1).max(from), px(y + BAR), shades[p]);
            }
        }
    });
    canvas.layer("labels", "", |pen| {
        for (i, row) in rows.iter().enumerate() {
            let cy = top + i as f64 * ROW + ROW / 2.0;
            let Some(u) = row.map(|r| &units[r]) else {
                gap_label(pen, palette, units.len(), cy);
                continue;
            };
            names.draw(pen, palette, u, cy, FONT);
            pen.text(
                scale.px(full) + 6,
                px(cy),
                &lost_label(u),
                SMALL,
                palette.ink,
                Anchor::Start,
                Weight::Normal,
            );
        }
    });
    canvas.layer("legend", "", |pen| {
        legend.draw(pen, palette, PAD, bottom + 6.0, WIDTH - 2.0 * PAD);
    });

    let head: Vec<String> = ["名次", "单位"]
        .iter()
        .map(|s| s.to_string())
        .chain(parts.iter().map(|(n, max, _)| format!("{n}（满分{max}）")))
        .chain(["扣分合计".to_string()])
        .collect();
    let mut table =
        Table::with_columns(format!("{}年度各地区各部分得分（按名次）", year.year), head);
    for row in &rows {
        let Some(u) = row.map(|i| &units[i]) else {
            table.row(gap_row(units.len(), 7));
            continue;
        };
        let mut row = vec![Cell::Num(u.rank.to_string()), Cell::Head(u.name.clone())];
        row.extend(parts.iter().map(|p| Cell::Num(p.2(u).to_string())));
        row.push(Cell::Num(format!("{:.2}", lost(u))));
        table.row(row);
    }
    let most_lost = parts
        .iter()
        .map(|(name, max, score)| {
            let sum: Decimal = units.iter().map(|u| decimal(max) - decimal(score(u))).sum();
            (name, sum)
        })
        .max_by(|a, b| a.1.cmp(&b.1))
        .filter(|(_, sum)| *sum > Decimal::ZERO)
        .map(|(name, sum)| format!("各地区合计失分最多的是{name}（共{sum:.2}分）。"))
        .unwrap_or_default();
    let desc = format!(
        "{}个地区（按名次）各一条横条，依次为主要指标（满分{}）、重点任务（{}）、资金投入（{}）、公众满意度（{}），每段长度为该部分满分（图例自左至右），深色与浅色交替为得分，浅红为扣分；条右为四部分扣分合计（不含加分）。{}",
        units.len(),
        rules.indicators,
        rules.tasks,
        rules.funds,
        rules.satisfaction,
        most_lost
    );
    finish(
        "sections.svg",
        canvas,
        format!("{}年度各地区分项得分", year.year),
        desc,
        table,
    )
}

/// An exact figure from the view, for sums shown to readers.
fn decimal(text: &str) -> Decimal {
    text.parse().unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stacked_sections_alternate_light_and_dark() {
        for pair in section_shades(&Palette::DEFAULT).windows(2) {
            assert_ne!(
                crate::render::charts::hex(pair[0]),
                crate::render::charts::hex(pair[1])
            );
        }
    }
}
