//! One unit across the years: total and rank, and the key air and water
//! indicators against their targets.

use super::canvas::{px, text_width, Anchor, Canvas, Shape, Weight};
use serde::Serialize;

use super::palette::{grade_shape, Palette};
use super::scorecard::{gauge_among, points_bar, Gauge, SectionBar};
use super::table::{Cell, Table};
use super::{finish, num, Chart, Legend, Mark, Scale, FONT, PAD, SMALL, WIDTH};
use crate::model::Category;
use crate::render::view::{IndicatorView, RulesView, ScorecardView, UnitHistoryView};
use crate::score::Grade;

/// Room on the left for the value axis labels.
const AXIS_W: f64 = 34.0;

/// Evenly spaced year columns: the centre of column `k` of `n`.
fn column(k: usize, n: usize) -> (f64, f64) {
    let left = PAD + AXIS_W;
    let step = (WIDTH - PAD - left) / n.max(1) as f64;
    (left + (k as f64 + 0.5) * step, step)
}

fn year_label(year: u16, draft: bool) -> String {
    if draft {
        format!("{year}（草稿）")
    } else {
        year.to_string()
    }
}

/// (a) Total and rank per year: grade-coloured and grade-shaped points, the
/// grade thresholds of each year as dashed lines, rank 1 at the top.
/// `years` holds each year's rules (the thresholds drawn).
pub fn trend(region: &UnitHistoryView, years: &[(u16, RulesView)], palette: &Palette) -> Chart {
    let rows = &region.years;
    let n = rows.len();
    let rules = |year: u16| years.iter().find(|y| y.0 == year).map(|y| &y.1);
    let thresholds = |year: u16| -> Vec<f64> {
        rules(year).map_or(Vec::new(), |r| {
            vec![num(&r.excellent), num(&r.good), num(&r.pass)]
        })
    };
    let totals: Vec<f64> = rows.iter().map(|r| num(&r.row.total)).collect();
    let lowest = totals.iter().copied().fold(100.0, f64::min);
    let lo = (((lowest - 5.0) / 10.0).floor() * 10.0).max(0.0);
    // The axis ends at the 100-point scale's top; only a total that bonus
    // points carried past 100 lifts it, to that total.
    let highest = totals.iter().copied().fold(100.0, f64::max);
    let hi = highest.ceil();
    let total_top = PAD + 22.0;
    let total_bottom = total_top + 130.0;
    let totals_scale = Scale::new((lo, hi), (total_bottom, total_top));
    let rank_top = total_bottom + 44.0;
    let rank_bottom = rank_top + 80.0;
    let max_rank = rows
        .iter()
        .map(|r| r.units_assessed)
        .max()
        .unwrap_or(1)
        .max(2);
    let rank_scale = Scale::new((1.0, max_rank as f64), (rank_top, rank_bottom));
    let axis_y = rank_bottom + 22.0;
    let grades_present: Vec<Grade> = Grade::ALL
        .into_iter()
        .filter(|g| rows.iter().any(|r| r.row.grade == g.key()))
        .collect();
    let mut legend_items: Vec<(Mark, String)> = grades_present
        .iter()
        .map(|g| {
            (
                Mark::Marker(grade_shape(g.key()), palette.grade(g.key())),
                g.name().to_string(),
            )
        })
        .collect();
    legend_items.push((Mark::Dash(palette.muted), "等次分数线".into()));
    let legend = Legend::new(legend_items);
    let legend_top = axis_y + 14.0;
    let height = legend_top + legend.height(WIDTH - 2.0 * PAD) + PAD;
    let mut canvas = Canvas::new(WIDTH as u32, height as u32, palette.ink);

    canvas.layer_lines(
        "thresholds",
        " stroke-dasharray=\"3 3\"",
        (palette.muted, 1),
        |pen| {
            let mut lines = Vec::new();
            for (k, r) in rows.iter().enumerate() {
                let (cx, step) = column(k, n);
                for value in thresholds(r.year) {
                    if value >= lo && value <= hi {
                        let y = totals_scale.px(value);
                        lines.push((px(cx - step / 2.0 + 3.0), px(cx + step / 2.0 - 3.0), y));
                    }
                }
            }
            pen.horizontals(&lines);
        },
    );
    canvas.layer("lines", "", |pen| {
        let total_points: Vec<(i32, i32)> = rows
            .iter()
            .enumerate()
            .map(|(k, r)| (px(column(k, n).0), totals_scale.px(num(&r.row.total))))
            .collect();
        let rank_points: Vec<(i32, i32)> = rows
            .iter()
            .enumerate()
            .map(|(k, r)| (px(column(k, n).0), rank_scale.px(r.row.rank as f64)))
            .collect();
        if n > 1 {
            pen.path(&total_points, palette.line, 2);
            pen.path(&rank_points, palette.line, 2);
        }
    });
    canvas.layer("points", "", |pen| {
        for (k, r) in rows.iter().enumerate() {
            let cx = px(column(k, n).0);
            let colour = palette.grade(r.row.grade);
            let shape = grade_shape(r.row.grade);
            pen.marker(cx, totals_scale.px(num(&r.row.total)), 11, shape, colour);
            pen.marker(cx, rank_scale.px(r.row.rank as f64), 11, shape, colour);
        }
    });
    canvas.layer("labels", "", |pen| {
        pen.text(
            px(PAD),
            px(PAD + 8.0),
            "总分",
            FONT,
            palette.ink,
            Anchor::Start,
            Weight::Bold,
        );
        pen.text(
            px(PAD),
            px(total_bottom + 26.0),
            "名次",
            FONT,
            palette.ink,
            Anchor::Start,
            Weight::Bold,
        );
        // Value axis: the latest year's thresholds and the scale's ends.
        let mut ticks: Vec<f64> = rows.last().map_or(Vec::new(), |r| thresholds(r.year));
        ticks.push(hi);
        for value in ticks.into_iter().filter(|v| *v >= lo && *v <= hi) {
            pen.text(
                px(PAD + AXIS_W - 6.0),
                totals_scale.px(value),
                &format!("{value}"),
                SMALL,
                palette.muted,
                Anchor::End,
                Weight::Normal,
            );
        }
        for rank in [1, max_rank] {
            pen.text(
                px(PAD + AXIS_W - 6.0),
                rank_scale.px(rank as f64),
                &format!("第{rank}"),
                SMALL,
                palette.muted,
                Anchor::End,
                Weight::Normal,
            );
        }
        for (k, r) in rows.iter().enumerate() {
            let cx = px(column(k, n).0);
            let y = totals_scale.px(num(&r.row.total));
            // Above the point, unless a threshold line runs through that spot.
            let above = y - 14;
            let clear = thresholds(r.year)
                .iter()
                .all(|t| (totals_scale.px(*t) - above).abs() > 7);
            pen.text(
                cx,
                if clear { above } else { y + 15 },
                // The grade is the marker's colour and shape (legend); five
                // years' labels fit side by side only without it.
                &r.row.total,
                SMALL,
                palette.ink,
                Anchor::Middle,
                Weight::Normal,
            );
            pen.text(
                cx,
                rank_scale.px(r.row.rank as f64) - 13,
                &format!("第{}名", r.row.rank),
                SMALL,
                palette.ink,
                Anchor::Middle,
                Weight::Normal,
            );
            pen.text(
                cx,
                px(axis_y),
                &year_label(r.year, r.draft),
                SMALL,
                palette.muted,
                Anchor::Middle,
                Weight::Normal,
            );
        }
    });
    canvas.layer("legend", "", |pen| {
        legend.draw(pen, palette, PAD, legend_top, WIDTH - 2.0 * PAD);
    });

    let mut table = Table::new(
        format!("{}各年度总分、等次与名次", region.name),
        &["年度", "总分", "等次", "名次"],
    );
    let mut lines = Vec::new();
    for r in rows {
        table.row(vec![
            Cell::Head(year_label(r.year, r.draft)),
            Cell::Num(r.row.total.clone()),
            Cell::Text(r.row.grade_name.to_string()),
            Cell::Num(format!("{} / {}", r.row.rank, r.units_assessed)),
        ]);
        lines.push(format!(
            "{}年度{}分、{}、第{}名",
            r.year, r.row.total, r.row.grade_name, r.row.rank
        ));
    }
    let desc = format!(
        "上图为各年度总分（点的颜色和形状表示等次，虚线为当年等次分数线），下图为名次（第1名在上）。{}。",
        lines.join("；")
    );
    finish(
        "trend.svg",
        canvas,
        format!("{}历年总分与名次", region.name),
        desc,
        table,
    )
}

/// The key indicators: air and water quality, in catalogue order.
fn is_key(indicator: &IndicatorView) -> bool {
    indicator.category == Category::Air.name() || indicator.category == Category::Water.name()
}

/// Each year's total as a bar in the unit page's table of years (the
/// default theme's, instead of the `trend` chart): the points up to 100
/// lost, a total carried past 100 by bonus points on the same scale.
pub fn total_bars(region: &UnitHistoryView) -> Vec<SectionBar> {
    let totals: Vec<f64> = region.years.iter().map(|y| num(&y.row.total)).collect();
    let top = totals.iter().copied().fold(100.0, f64::max);
    let scale = Scale::new((0.0, top), (0.0, 100.0));
    totals
        .iter()
        .map(|total| points_bar(&scale, 100.0, *total))
        .collect()
}

/// The key air and water indicators in order of first appearance.
fn key_ids(cards: &[(u16, bool, ScorecardView)]) -> Vec<(&str, &IndicatorView)> {
    let mut ids: Vec<(&str, &IndicatorView)> = Vec::new();
    for (_, _, card) in cards {
        for i in card.indicators.iter().filter(|i| is_key(i)) {
            if !ids.iter().any(|(id, _)| *id == i.id) {
                ids.push((&i.id, i));
            }
        }
    }
    ids
}

/// The key indicators as a table of years, each cell's figures with a
/// gauge (charts/scorecard.rs): what the default unit page shows instead of
/// the `key_indicators` chart.
#[derive(Debug, Serialize)]
pub struct KeyIndicators {
    /// The column of each year ("2025（草稿）" for a draft).
    pub years: Vec<String>,
    pub rows: Vec<KeyRow>,
}

#[derive(Debug, Serialize)]
pub struct KeyRow {
    pub name: String,
    pub unit: String,
    /// 越高越好 or 越低越好.
    pub better: &'static str,
    /// Per year: none where the year has no such indicator.
    pub years: Vec<Option<KeyCell>>,
}

#[derive(Debug, Serialize)]
pub struct KeyCell {
    pub value: Option<String>,
    pub target: Option<String>,
    pub applicable: bool,
    pub met: bool,
    pub gauge: Option<Gauge>,
}

pub fn key_indicator_table(cards: &[(u16, bool, ScorecardView)]) -> KeyIndicators {
    let rows = key_ids(cards)
        .into_iter()
        .map(|(id, first)| {
            let years: Vec<Option<&IndicatorView>> = cards
                .iter()
                .map(|(_, _, card)| card.indicators.iter().find(|i| i.id == id))
                .collect();
            // One scale for the row, as the chart's panel has.
            let figures: Vec<f64> = years
                .iter()
                .flatten()
                .filter(|i| i.applicable)
                .flat_map(|i| [i.value.as_deref(), i.target.as_deref()])
                .flatten()
                .map(num)
                .collect();
            KeyRow {
                name: first.name.clone(),
                unit: first.unit.clone(),
                better: first.better,
                years: years
                    .into_iter()
                    .map(|i| {
                        i.map(|i| KeyCell {
                            value: i.value.clone(),
                            target: i.target.clone(),
                            applicable: i.applicable,
                            met: i.met,
                            gauge: gauge_among(i, &figures),
                        })
                    })
                    .collect(),
            }
        })
        .collect();
    KeyIndicators {
        years: cards.iter().map(|(y, d, _)| year_label(*y, *d)).collect(),
        rows,
    }
}

/// (b) Each key air and water indicator per year: the value as a point
/// (a filled dot when the target is met, a cross when missed), the target as
/// a dashed segment.
pub fn key_indicators(
    region: &UnitHistoryView,
    cards: &[(u16, bool, ScorecardView)],
    palette: &Palette,
) -> Chart {
    const TITLE_H: f64 = 20.0;
    const PLOT_H: f64 = 70.0;
    const YEARS_H: f64 = 16.0;
    const GAP: f64 = 12.0;
    let ids = key_ids(cards);
    let n = cards.len();
    let panel_h = TITLE_H + PLOT_H + YEARS_H + GAP;
    let legend = Legend::new(vec![
        (Mark::Marker(Shape::Circle, palette.brand), "完成".into()),
        (Mark::Marker(Shape::Cross, palette.fail), "未完成".into()),
        (Mark::Dash(palette.ink), "目标".into()),
    ]);
    let legend_top = PAD + ids.len() as f64 * panel_h;
    let height = legend_top + legend.height(WIDTH - 2.0 * PAD) + PAD;
    let lookup = |id: &str, k: usize| cards[k].2.indicators.iter().find(|i| i.id == id);
    // Each panel's scale spans its values and targets, with room for labels.
    let scales: Vec<Scale> = ids
        .iter()
        .enumerate()
        .map(|(p, (id, _))| {
            let figures: Vec<f64> = (0..n)
                .filter_map(|k| lookup(id, k))
                .filter(|i| i.applicable)
                .flat_map(|i| [i.value.as_deref(), i.target.as_deref()])
                .flatten()
                .map(num)
                .collect();
            let lo = figures.iter().copied().fold(f64::INFINITY, f64::min);
            let hi = figures.iter().copied().fold(f64::NEG_INFINITY, f64::max);
            let (lo, hi) = if lo.is_finite() { (lo, hi) } else { (0.0, 1.0) };
            let room = ((hi - lo) * 0.15).max(hi.abs() * 0.02).max(0.5);
            let top = PAD + p as f64 * panel_h + TITLE_H;
            Scale::new((lo - room, hi + room), (top + PLOT_H - 22.0, top + 18.0))
        })
        .collect();
    let mut canvas = Canvas::new(WIDTH as u32, height as u32, palette.ink);

    canvas.layer_lines(
        "targets",
        " stroke-dasharray=\"3 2\"",
        (palette.ink, 1),
        |pen| {
            let mut lines = Vec::new();
            for ((id, _), scale) in ids.iter().zip(&scales) {
                for k in 0..n {
                    let Some(i) = lookup(id, k).filter(|i| i.applicable) else {
                        continue;
                    };
                    let Some(target) = &i.target else { continue };
                    let (cx, step) = column(k, n);
                    let y = scale.px(num(target));
                    let half = (step / 2.0 - 6.0).min(22.0);
                    lines.push((px(cx - half), px(cx + half), y));
                }
            }
            pen.horizontals(&lines);
        },
    );
    // Most points are the brand colour's circles: their fill is the layer's.
    canvas.layer_filled("points", palette.brand, |pen| {
        for ((id, _), scale) in ids.iter().zip(&scales) {
            let mut line = Vec::new();
            for k in 0..n {
                let Some(i) = lookup(id, k).filter(|i| i.applicable) else {
                    continue;
                };
                let Some(value) = &i.value else { continue };
                let point = (px(column(k, n).0), scale.px(num(value)));
                line.push(point);
            }
            if line.len() > 1 {
                pen.path(&line, palette.line, 1);
            }
            for k in 0..n {
                let Some(i) = lookup(id, k).filter(|i| i.applicable) else {
                    continue;
                };
                let Some(value) = &i.value else { continue };
                let (x, y) = (px(column(k, n).0), scale.px(num(value)));
                if i.met {
                    pen.marker(x, y, 9, Shape::Circle, palette.brand);
                } else {
                    pen.marker(x, y, 11, Shape::Cross, palette.fail);
                }
            }
        }
    });
    canvas.layer("labels", "", |pen| {
        for (p, ((id, first), scale)) in ids.iter().zip(&scales).enumerate() {
            let top = PAD + p as f64 * panel_h;
            let title = format!("{}（{}，{}）", first.name, first.unit, first.better);
            let size = if text_width(&title, FONT - 1.0) <= WIDTH - 2.0 * PAD {
                FONT - 1.0
            } else {
                SMALL
            };
            pen.text(
                px(PAD),
                px(top + TITLE_H / 2.0),
                &title,
                size,
                palette.ink,
                Anchor::Start,
                Weight::Bold,
            );
            // The panels share their year columns: the years are written
            // under the first panel and the last, not under all seven.
            let years_shown = p == 0 || p + 1 == ids.len();
            for (k, (year, draft, _)) in cards.iter().enumerate() {
                let cx = px(column(k, n).0);
                if years_shown {
                    pen.text(
                        cx,
                        px(top + TITLE_H + PLOT_H + YEARS_H / 2.0),
                        &year_label(*year, *draft),
                        SMALL,
                        palette.muted,
                        Anchor::Middle,
                        Weight::Normal,
                    );
                }
                match lookup(id, k) {
                    Some(i) if i.applicable => {
                        if let Some(value) = &i.value {
                            // Above the point, unless this year's target line
                            // runs through the label's band (half its height
                            // and a margin): then below it.
                            let y = scale.px(num(value));
                            let above = y - 12;
                            let clear = i
                                .target
                                .as_deref()
                                .is_none_or(|t| (scale.px(num(t)) - above).abs() > 9);
                            let label_y = if clear { above } else { y + 13 };
                            // A miss is the red cross and colour (legend): the
                            // value alone fits five years side by side.
                            pen.text(
                                cx,
                                label_y,
                                value,
                                SMALL,
                                if i.met { palette.ink } else { palette.fail },
                                Anchor::Middle,
                                Weight::Normal,
                            );
                        }
                    }
                    _ => pen.text(
                        cx,
                        px(top + TITLE_H + PLOT_H / 2.0),
                        "不适用",
                        SMALL,
                        palette.muted,
                        Anchor::Middle,
                        Weight::Normal,
                    ),
                }
            }
        }
    });
    canvas.layer("legend", "", |pen| {
        legend.draw(pen, palette, PAD, legend_top, WIDTH - 2.0 * PAD);
    });

    // One row per indicator, a column per year (not a row per indicator
    // and year, which repeats each name five times).
    let mut columns = vec!["指标".to_string()];
    columns.extend(
        cards
            .iter()
            .map(|(year, draft, _)| year_label(*year, *draft)),
    );
    let mut table = Table::with_columns(
        format!("{}历年空气和水环境质量指标：实际值 / 目标", region.name),
        columns,
    );
    let mut missed = Vec::new();
    for (id, first) in &ids {
        let mut row = vec![Cell::Head(format!("{}（{}）", first.name, first.unit))];
        for (k, (year, _, _)) in cards.iter().enumerate() {
            let Some(i) = lookup(id, k) else {
                row.push(Cell::Num("—".into()));
                continue;
            };
            if !i.applicable {
                row.push(Cell::Num("不适用".into()));
                continue;
            }
            let figures = format!(
                "{} / {}",
                i.value.as_deref().unwrap_or("—"),
                i.target.as_deref().unwrap_or("—")
            );
            row.push(Cell::Num(if i.met {
                figures
            } else {
                missed.push(format!("{}年度{}", year, i.name));
                format!("{figures} 未完成")
            }));
        }
        table.row(row);
    }
    let desc = format!(
        "{}项空气和水环境质量指标，每项一幅小图，横向为年度：点为实际值（实心圆为完成，叉为未完成），虚线为当年目标。{}",
        ids.len(),
        if missed.is_empty() {
            "各年度均完成目标。".to_string()
        } else {
            format!("未完成：{}。", missed.join("、"))
        }
    );
    finish(
        "key-indicators.svg",
        canvas,
        format!("{}历年空气和水环境质量指标", region.name),
        desc,
        table,
    )
}
