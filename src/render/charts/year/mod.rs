//! The year overview: ranking and section scores here, the indicator heat
//! map (`heatmap`) and the grade distribution across years (`grades`).

mod grades;
mod heatmap;

pub use grades::grade_distribution;
pub use heatmap::heatmap;

use super::canvas::{px, text_width, Anchor, Canvas, Weight};
use super::palette::{Palette, Rgb, WHITE};
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

/// (a) Totals in rank order, one bar per unit coloured and labelled by grade,
/// with the grade thresholds as dashed reference lines.
pub fn ranking(year: &YearView, palette: &Palette) -> Chart {
    const ROW: f64 = 22.0;
    const BAR: f64 = 14.0;
    let units = &year.units;
    let names = NameColumn::new(units.iter(), FONT);
    let scale_max = 100.0 + num(&year.rules.bonus_cap);
    let thresholds = [
        ("合格", num(&year.rules.pass), &year.rules.pass),
        ("良好", num(&year.rules.good), &year.rules.good),
        ("优秀", num(&year.rules.excellent), &year.rules.excellent),
    ];

    // Outside each bar: the total and any grade change; the grade's name goes
    // inside the bar, or outside too when the bar is too short to hold it.
    let outside = |u: &UnitRow, with_grade: bool| {
        let mut text = u.total.clone();
        if with_grade {
            text = format!("{text} {}", u.grade_name);
        }
        if let Some(flag) = change_flag(u) {
            text = format!("{text} {flag}");
        }
        text
    };
    let bar_right = |label_w: f64| WIDTH - PAD - label_w - 4.0;
    let first_label_w = units
        .iter()
        .map(|u| text_width(&outside(u, false), SMALL))
        .fold(0.0, f64::max);
    let first = Scale::new((0.0, scale_max), (names.end, bar_right(first_label_w)));
    let fits_inside = |u: &UnitRow, scale: &Scale| {
        // Conservative: the final scale may be a little shorter than this one.
        (scale.at(num(&u.total)) - names.end) * 0.85 >= text_width(u.grade_name, SMALL) + 8.0
    };
    let inside: Vec<bool> = units.iter().map(|u| fits_inside(u, &first)).collect();
    let label_w = units
        .iter()
        .zip(&inside)
        .map(|(u, &ins)| text_width(&outside(u, !ins), SMALL))
        .fold(0.0, f64::max);
    let scale = Scale::new((0.0, scale_max), (names.end, bar_right(label_w)));

    let threshold_labels: Vec<(f64, f64, String)> = thresholds
        .iter()
        .map(|(name, value, text)| {
            let label = format!("{name}{text}");
            (scale.at(*value), text_width(&label, SMALL), label)
        })
        .collect();
    let rows = stagger(
        &threshold_labels
            .iter()
            .map(|(x, w, _)| (*x, *w))
            .collect::<Vec<_>>(),
    );
    let header_rows = rows.iter().max().map_or(0, |r| r + 1) as f64;
    let top = PAD + header_rows * 14.0 + 4.0;
    let bottom = top + units.len() as f64 * ROW;
    let axis_h = 22.0;
    let legend = Legend::new(vec![(Mark::Dash(palette.ink), "等次分数线".into())]);
    let height = bottom + axis_h + legend.height(WIDTH - 2.0 * PAD) + PAD;
    let mut canvas = Canvas::new(WIDTH as u32, height as u32, palette.ink);

    canvas.layer("bars", "", |pen| {
        for (i, u) in units.iter().enumerate() {
            let y = top + i as f64 * ROW + (ROW - BAR) / 2.0;
            pen.rect(
                px(names.end),
                px(y),
                scale.px(num(&u.total)),
                px(y + BAR),
                palette.grade(u.grade),
            );
        }
    });
    canvas.layer("thresholds", " stroke-dasharray=\"3 3\"", |pen| {
        for (_, value, _) in &thresholds {
            let x = scale.px(*value);
            pen.line((x, px(top - 2.0)), (x, px(bottom)), palette.ink, 1);
        }
    });
    canvas.layer("axis", "", |pen| {
        let y = px(bottom + 2.0);
        pen.line((px(names.end), y), (scale.px(100.0), y), palette.line, 1);
        for tick in (0..=100).step_by(20) {
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
        }
        for ((x, _, label), row) in threshold_labels.iter().zip(&rows) {
            pen.text(
                px(*x),
                px(PAD + *row as f64 * 14.0 + 6.0),
                label,
                SMALL,
                palette.ink,
                Anchor::Middle,
                Weight::Normal,
            );
        }
    });
    canvas.layer("labels", "", |pen| {
        for (i, u) in units.iter().enumerate() {
            let cy = top + i as f64 * ROW + ROW / 2.0;
            names.draw(pen, palette, u, cy, FONT);
            let end = scale.at(num(&u.total));
            if inside[i] {
                pen.text(
                    px(end - 4.0),
                    px(cy),
                    u.grade_name,
                    SMALL,
                    WHITE,
                    Anchor::End,
                    Weight::Bold,
                );
            }
            pen.text(
                px(end + 4.0),
                px(cy),
                &outside(u, !inside[i]),
                SMALL,
                palette.ink,
                Anchor::Start,
                Weight::Normal,
            );
        }
    });
    canvas.layer("legend", "", |pen| {
        legend.draw(pen, palette, PAD, bottom + axis_h, WIDTH - 2.0 * PAD);
    });

    let mut table = Table::new(
        format!("{}年度各地区总分与等次（按名次）", year.year),
        &["名次", "单位", "总分", "等次", "说明"],
    );
    for u in units {
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
        "{}个地区按名次排列的总分条形图，条形颜色和条内文字标明等次：{}。{}虚线为等次分数线：优秀{}分、良好{}分、合格{}分。",
        units.len(),
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
    let names = NameColumn::new(units.iter(), FONT);
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
    let label_w = units
        .iter()
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
    let headers: Vec<(f64, f64, String)> = parts
        .iter()
        .zip(&starts)
        .map(|((name, max, _), start)| {
            let label = format!("{name}{max}");
            (
                scale.at(start + num(max) / 2.0),
                text_width(&label, SMALL),
                label,
            )
        })
        .collect();
    let header_rows = stagger(&headers.iter().map(|h| (h.0, h.1)).collect::<Vec<_>>());
    let header_h = (header_rows.iter().max().map_or(0, |r| r + 1) as f64) * 16.0;
    let top = PAD + header_h + 6.0;
    let bottom = top + units.len() as f64 * ROW;
    let legend = Legend::new(vec![
        (Mark::Swatch(palette.brand), "得分".into()),
        (Mark::Swatch(palette.lost), "扣分".into()),
    ]);
    let height = bottom + 6.0 + legend.height(WIDTH - 2.0 * PAD) + PAD;
    let mut canvas = Canvas::new(WIDTH as u32, height as u32, palette.ink);

    let shades = section_shades(palette);
    canvas.layer("bars", "", |pen| {
        for (i, u) in units.iter().enumerate() {
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
        for ((x, _, label), row) in headers.iter().zip(&header_rows) {
            pen.text(
                px(*x),
                px(PAD + *row as f64 * 16.0 + 8.0),
                label,
                SMALL,
                palette.ink,
                Anchor::Middle,
                Weight::Normal,
            );
        }
        for (i, u) in units.iter().enumerate() {
            let cy = top + i as f64 * ROW + ROW / 2.0;
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
    for u in units {
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
        "{}个地区（按名次）各一条横条，依次为主要指标（满分{}）、重点任务（{}）、资金投入（{}）、公众满意度（{}），每段长度为该部分满分，深色为得分，浅红为扣分；条右为四部分扣分合计（不含加分）。{}",
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
