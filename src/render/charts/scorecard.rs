//! A unit's scorecard: each indicator against its target, and the four
//! sections against their maxima with the bonus apart.

use rust_decimal::Decimal;
use serde::Serialize;

use super::canvas::{px, text_width, Anchor, Canvas, Weight};
use super::palette::{Palette, Rgb};
use super::table::{Cell, Table};
use super::{finish, num, Chart, Legend, Mark, Scale, FONT, PAD, SMALL, WIDTH};
use crate::render::view::{IndicatorView, RulesView, ScorecardView};

fn lower_is_better(indicator: &IndicatorView) -> bool {
    indicator.better == "越低越好"
}

/// "目标≤30μg/m³": the target with the side that meets it.
fn target_text(indicator: &IndicatorView) -> String {
    match &indicator.target {
        Some(target) => format!(
            "目标{}{target}{}",
            if lower_is_better(indicator) {
                "≤"
            } else {
                "≥"
            },
            // A dimensionless index needs no unit after its figure.
            if indicator.unit == "无量纲" {
                ""
            } else {
                &indicator.unit
            }
        ),
        None => "无目标".to_string(),
    }
}

fn status(indicator: &IndicatorView, palette: &Palette) -> (&'static str, Rgb) {
    if !indicator.applicable {
        ("不适用", palette.muted)
    } else if indicator.met {
        ("✓ 完成", palette.excellent)
    } else {
        ("✗ 未完成", palette.fail)
    }
}

/// The domain of an indicator's row: zero, the value and the target, with room.
fn domain(values: &[f64]) -> (f64, f64) {
    let lo = values.iter().copied().fold(0.0, f64::min);
    let hi = values.iter().copied().fold(0.0, f64::max);
    let span = (hi - lo).max(f64::EPSILON);
    (
        if lo < 0.0 { lo - span * 0.08 } else { 0.0 },
        if hi > 0.0 { hi + span * 0.08 } else { 0.0 },
    )
}

/// An indicator's row scale over `range` with its value and target, when it
/// has both and applies: the one place the chart and the gauge get their
/// positions from.
fn indicator_scale(i: &IndicatorView, range: (f64, f64)) -> Option<(Scale, f64, f64)> {
    match (&i.value, &i.target, i.applicable) {
        (Some(value), Some(target), true) => {
            let (value, target) = (num(value), num(target));
            Some((Scale::new(domain(&[value, target]), range), value, target))
        }
        _ => None,
    }
}

/// A whole percent of a gauge's width (the stylesheet has a class for each).
fn percent(scale: &Scale, value: f64) -> u8 {
    // `at` clamps to the range 0..=100, so the cast never saturates.
    scale.at(value).round() as u8
}

/// Where an indicator gauge's marks sit, in percent of its width: the
/// target line, and the actual bar from `from` to `to` (zero to the value).
/// The met band runs from the target to the right end, or to the left end
/// when `lower` is better; the row says whether it was met.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Gauge {
    pub target: u8,
    pub from: u8,
    pub to: u8,
    pub lower: bool,
}

/// One gauge per indicator, in the card's order; none where it has no
/// value or target or does not apply.
pub fn indicator_gauges(card: &ScorecardView) -> Vec<Option<Gauge>> {
    card.indicators.iter().map(gauge).collect()
}

/// One indicator's gauge, on the row scale its chart draws it on.
fn gauge(i: &IndicatorView) -> Option<Gauge> {
    gauge_among(i, &[])
}

/// One indicator's gauge on a scale that also holds `others` (the same
/// indicator's figures in other years, so a unit page's row of years
/// shares one scale).
pub(super) fn gauge_among(i: &IndicatorView, others: &[f64]) -> Option<Gauge> {
    let (scale, value, target) = indicator_scale(i, (0.0, 100.0))?;
    let mut figures = vec![value, target];
    figures.extend_from_slice(others);
    let scale = Scale::new(domain(&figures), (scale.r0, scale.r1));
    let (a, b) = (percent(&scale, 0.0), percent(&scale, value));
    Some(Gauge {
        target: percent(&scale, target),
        from: a.min(b),
        to: a.max(b),
        lower: lower_is_better(i),
    })
}

/// A section's bar, in percent of its width on the points scale every
/// row shares: `score` filled, up to `max` (the maximum, or the bonus cap)
/// the track.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct SectionBar {
    pub score: u8,
    pub max: u8,
}

/// The four sections' bars in the order of [`section_rows`], then the
/// bonus against its cap.
pub fn section_bars(card: &ScorecardView, rules: &RulesView) -> Vec<SectionBar> {
    let scale = sections_scale(card, rules, (0.0, 100.0));
    let bar = |max: &str, score: &str| points_bar(&scale, num(max), num(score));
    section_rows(card, rules)
        .iter()
        .map(|(_, max, score)| bar(max, score))
        .chain([bar(&card.bonus_cap, &card.row.bonus)])
        .collect()
}

/// A bar of `score` points over the track up to `max` on `scale` (whose
/// range is 0–100).
pub(super) fn points_bar(scale: &Scale, max: f64, score: f64) -> SectionBar {
    SectionBar {
        score: percent(scale, score),
        max: percent(scale, max),
    }
}

/// The four sections: name, maximum, score.
fn section_rows<'a>(
    card: &'a ScorecardView,
    rules: &'a RulesView,
) -> [(&'static str, &'a str, &'a str); 4] {
    let (max, score) = (&rules.sections, &card.row.sections);
    [
        ("主要指标", &max.indicators, &score.indicators),
        ("重点任务", &max.tasks, &score.tasks),
        ("资金投入", &max.funds, &score.funds),
        ("公众满意度", &max.satisfaction, &score.satisfaction),
    ]
}

/// One points scale over `range` for every section and the bonus: up to
/// the largest maximum or the bonus cap.
fn sections_scale(card: &ScorecardView, rules: &RulesView, range: (f64, f64)) -> Scale {
    let longest = section_rows(card, rules)
        .iter()
        .map(|s| num(s.1))
        .fold(num(&card.bonus_cap), f64::max);
    Scale::new((0.0, longest), range)
}

/// (a) Each indicator's value against its target. The pale band is the range
/// that meets the target (right of it when higher is better, left of it when
/// lower is better), so a bar reads the same way for both directions.
pub fn indicators(card: &ScorecardView, year: u16, palette: &Palette) -> Chart {
    const NAME_H: f64 = 16.0;
    const BAR_H: f64 = 20.0;
    const GAP: f64 = 8.0;
    const BAR: f64 = 10.0;
    let items = &card.indicators;
    let value_label = |i: &IndicatorView| match &i.value {
        Some(value) => format!("{value} / {}", target_text(i)),
        None => String::new(),
    };
    let label_w = items
        .iter()
        .map(|i| text_width(&value_label(i), SMALL))
        .fold(0.0, f64::max);
    let x0 = PAD;
    let x1 = WIDTH - PAD - label_w - 8.0;
    let row_h = |i: &IndicatorView| {
        if i.applicable && i.value.is_some() {
            NAME_H + BAR_H + GAP
        } else {
            NAME_H + GAP
        }
    };
    let mut tops = Vec::with_capacity(items.len());
    let mut y = PAD;
    for i in items {
        tops.push(y);
        y += row_h(i);
    }
    let legend = Legend::new(vec![
        (Mark::Tick(palette.ink), "目标值".into()),
        (Mark::Swatch(palette.target_zone), "达标区间".into()),
        (Mark::Swatch(palette.brand), "实际值（完成）".into()),
        (Mark::Swatch(palette.fail), "实际值（未完成）".into()),
    ]);
    let legend_top = y;
    let height = legend_top + legend.height(WIDTH - 2.0 * PAD) + PAD;
    let rows: Vec<Option<(Scale, f64, f64)>> =
        items.iter().map(|i| indicator_scale(i, (x0, x1))).collect();
    let mut canvas = Canvas::new(WIDTH as u32, height as u32, palette.ink);

    // Tracks, target zones and bars: one path per colour, not a rect per row.
    let mut tracks = Vec::new();
    let mut zones = Vec::new();
    let (mut met, mut missed) = (Vec::new(), Vec::new());
    let mut targets = Vec::new();
    for ((i, row), top) in items.iter().zip(&rows).zip(&tops) {
        let Some((scale, value, target)) = row else {
            continue;
        };
        let y = top + NAME_H + (BAR_H - BAR) / 2.0;
        tracks.push((px(x0), px(y), px(x1), px(y + BAR)));
        let (from, to) = if lower_is_better(i) {
            (scale.at(scale.d0), scale.at(*target))
        } else {
            (scale.at(*target), scale.at(scale.d1))
        };
        zones.push((px(from), px(y), px(to), px(y + BAR)));
        let (a, b) = (scale.px(0.0), scale.px(*value));
        let bar = (
            a.min(b),
            px(y + 2.0),
            a.max(b).max(a.min(b) + 1),
            px(y + BAR - 2.0),
        );
        if i.met {
            met.push(bar);
        } else {
            missed.push(bar);
        }
        targets.push((
            scale.px(*target),
            px(top + NAME_H + 1.0),
            px(top + NAME_H + BAR_H - 1.0),
        ));
    }
    canvas.layer("tracks", "", |pen| {
        pen.rects(&tracks, palette.track);
        pen.rects(&zones, palette.target_zone);
    });
    canvas.layer("bars", "", |pen| {
        pen.rects(&met, palette.brand);
        pen.rects(&missed, palette.fail);
    });
    canvas.layer_lines("targets", "", (palette.ink, 2), |pen| {
        pen.verticals(&targets);
    });
    canvas.layer("labels", "", |pen| {
        for (i, top) in items.iter().zip(&tops) {
            let cy = px(top + NAME_H / 2.0);
            pen.text(
                px(PAD),
                cy,
                &i.name,
                FONT - 1.0,
                palette.ink,
                Anchor::Start,
                Weight::Normal,
            );
            if i.binding {
                pen.text(
                    px(PAD + text_width(&i.name, FONT - 1.0) + 4.0),
                    cy,
                    "约束性",
                    SMALL,
                    palette.muted,
                    Anchor::Start,
                    Weight::Normal,
                );
            }
            if i.applicable && i.value.is_some() {
                pen.text(
                    px(x1 + 8.0),
                    px(top + NAME_H + BAR_H / 2.0),
                    &value_label(i),
                    SMALL,
                    palette.ink,
                    Anchor::Start,
                    Weight::Normal,
                );
            }
        }
    });
    // The status words in a layer of their own: right-aligned, bold and
    // mostly green, said once instead of on every row.
    canvas.layer_text(
        "status",
        palette.excellent,
        (Anchor::End, Weight::Bold),
        |pen| {
            for (i, top) in items.iter().zip(&tops) {
                let (status_text, status_colour) = status(i, palette);
                pen.text(
                    px(WIDTH - PAD),
                    px(top + NAME_H / 2.0),
                    status_text,
                    SMALL,
                    status_colour,
                    Anchor::End,
                    Weight::Bold,
                );
            }
        },
    );
    canvas.layer("legend", "", |pen| {
        legend.draw(pen, palette, PAD, legend_top, WIDTH - 2.0 * PAD);
    });

    let mut table = Table::new(
        format!("{}{}年度主要指标：实际值与目标", card.row.name, year),
        &["指标", "方向", "目标", "实际", "完成"],
    );
    for i in items {
        table.row(vec![
            Cell::Head(format!("{}（{}）", i.name, i.unit)),
            Cell::Text(i.better.to_string()),
            Cell::Num(i.target.clone().unwrap_or_else(|| "不适用".into())),
            Cell::Num(i.value.clone().unwrap_or_else(|| "不适用".into())),
            Cell::Text(
                status(i, palette)
                    .0
                    .trim_start_matches(['✓', '✗', ' '])
                    .to_string(),
            ),
        ]);
    }
    let missed: Vec<&str> = items
        .iter()
        .filter(|i| i.applicable && !i.met)
        .map(|i| i.name.as_str())
        .collect();
    let met = items.iter().filter(|i| i.applicable && i.met).count();
    let not_applicable = items.iter().filter(|i| !i.applicable).count();
    let desc = format!(
        "{}项主要指标，每项一行：竖线为目标值，浅绿区间为达标范围（越高越好的指标在目标右侧，越低越好的在目标左侧），条形为实际值。完成{}项，未完成{}项{}，不适用{}项。",
        items.len(),
        met,
        missed.len(),
        if missed.is_empty() {
            String::new()
        } else {
            format!("（{}）", missed.join("、"))
        },
        not_applicable
    );
    finish(
        "indicators.svg",
        canvas,
        format!("{}{}年度主要指标完成情况", card.row.name, year),
        desc,
        table,
    )
}

/// (b) The four section scores against their maxima on one points scale, and
/// the bonus on its own row against its cap.
pub fn unit_sections(card: &ScorecardView, rules: &RulesView, palette: &Palette) -> Chart {
    const ROW: f64 = 26.0;
    const BAR: f64 = 14.0;
    let u = &card.row;
    let sections = section_rows(card, rules);
    let lost = |max: &str, score: &str| match (max.parse::<Decimal>(), score.parse::<Decimal>()) {
        (Ok(max), Ok(score)) => format!("{:.2}", max - score),
        _ => String::new(),
    };
    let section_label = |max: &str, score: &str| {
        let lost = lost(max, score);
        if lost == "0.00" {
            format!("{score} / {max}")
        } else {
            format!("{score} / {max}（扣{lost}）")
        }
    };
    let bonus_label = if card.bonus_capped {
        format!(
            "+{}（申报{}，按上限{}计）",
            u.bonus, card.bonus_claimed, card.bonus_cap
        )
    } else {
        format!("+{}（上限{}）", u.bonus, card.bonus_cap)
    };
    let name_w = sections
        .iter()
        .map(|s| text_width(s.0, FONT))
        .fold(text_width("加分", FONT), f64::max);
    let label_w = sections
        .iter()
        .map(|s| text_width(&section_label(s.1, s.2), SMALL))
        .fold(text_width(&bonus_label, SMALL), f64::max);
    let x0 = PAD + name_w + 8.0;
    let x1 = WIDTH - PAD - label_w - 8.0;
    let scale = sections_scale(card, rules, (x0, x1));
    let top = PAD;
    let bonus_top = top + 4.0 * ROW + 10.0;
    let total_y = bonus_top + ROW + 10.0;
    let legend = Legend::new(vec![
        (Mark::Swatch(palette.brand), "得分".into()),
        (Mark::Swatch(palette.lost), "扣分".into()),
        (Mark::Swatch(palette.bonus), "加分".into()),
        (Mark::Swatch(palette.track), "加分上限".into()),
    ]);
    let legend_top = total_y + 14.0;
    let height = legend_top + legend.height(WIDTH - 2.0 * PAD) + PAD;
    let mut canvas = Canvas::new(WIDTH as u32, height as u32, palette.ink);

    // One path per colour: the maxima (what was lost shows past the
    // score), the scores, the bonus cap and the bonus.
    let row = |i: usize| px(top + i as f64 * ROW + (ROW - BAR) / 2.0);
    let bar = |y: i32, value: &str| (scale.px(0.0), y, scale.px(num(value)), y + px(BAR));
    let maxima: Vec<_> = (0..4).map(|i| bar(row(i), sections[i].1)).collect();
    let scores: Vec<_> = (0..4).map(|i| bar(row(i), sections[i].2)).collect();
    let bonus_y = px(bonus_top + (ROW - BAR) / 2.0);
    canvas.layer("bars", "", |pen| {
        pen.rects(&maxima, palette.lost);
        pen.rects(&scores, palette.brand);
        pen.rects(&[bar(bonus_y, &card.bonus_cap)], palette.track);
        pen.rects(&[bar(bonus_y, &u.bonus)], palette.bonus);
    });
    canvas.layer("rules", "", |pen| {
        let y = px(bonus_top - 5.0);
        pen.line((px(PAD), y), (px(WIDTH - PAD), y), palette.line, 1);
    });
    canvas.layer("labels", "", |pen| {
        for (i, (name, max, score)) in sections.iter().enumerate() {
            let cy = px(top + i as f64 * ROW + ROW / 2.0);
            pen.text(
                px(PAD),
                cy,
                name,
                FONT,
                palette.ink,
                Anchor::Start,
                Weight::Normal,
            );
            pen.text(
                scale.px(num(max)) + 6,
                cy,
                &section_label(max, score),
                SMALL,
                palette.ink,
                Anchor::Start,
                Weight::Normal,
            );
        }
        let cy = px(bonus_top + ROW / 2.0);
        pen.text(
            px(PAD),
            cy,
            "加分",
            FONT,
            palette.ink,
            Anchor::Start,
            Weight::Normal,
        );
        pen.text(
            scale.px(num(&card.bonus_cap).max(num(&u.bonus))) + 6,
            cy,
            &bonus_label,
            SMALL,
            palette.ink,
            Anchor::Start,
            Weight::Normal,
        );
        pen.text(
            px(PAD),
            px(total_y),
            &format!("总分 {}", u.total),
            FONT,
            palette.ink,
            Anchor::Start,
            Weight::Bold,
        );
    });
    canvas.layer("legend", "", |pen| {
        legend.draw(pen, palette, PAD, legend_top, WIDTH - 2.0 * PAD);
    });

    let mut table = Table::new(
        format!("{}各部分得分与满分", u.name),
        &["部分", "满分", "得分", "扣分"],
    );
    for (name, max, score) in &sections {
        table.row(vec![
            Cell::Head(name.to_string()),
            Cell::Num(max.to_string()),
            Cell::Num(score.to_string()),
            Cell::Num(lost(max, score)),
        ]);
    }
    table.row(vec![
        Cell::Head("加分".into()),
        Cell::Num(format!("上限{}", card.bonus_cap)),
        Cell::Num(u.bonus.clone()),
        Cell::Text(String::new()),
    ]);
    table.row(vec![
        Cell::Head("总分".into()),
        Cell::Text(String::new()),
        Cell::Num(u.total.clone()),
        Cell::Text(String::new()),
    ]);
    let parts: Vec<String> = sections
        .iter()
        .map(|(name, max, score)| format!("{name}{score}分（满分{max}）"))
        .collect();
    let desc = format!(
        "四部分得分与满分画在同一分值尺度上，浅红为扣分：{}；加分另列一行：{}分（上限{}）；总分{}。",
        parts.join("，"),
        u.bonus,
        card.bonus_cap,
        u.total
    );
    finish(
        "sections.svg",
        canvas,
        format!("{}得分构成", u.name),
        desc,
        table,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn indicator(better: &'static str, target: &str, value: &str, met: bool) -> IndicatorView {
        IndicatorView {
            id: "pm".into(),
            name: "细颗粒物浓度".into(),
            category: "城市空气质量",
            unit: "μg/m³".into(),
            better,
            target: Some(target.into()),
            value: Some(value.into()),
            national: false,
            applicable: true,
            met,
            binding: false,
            method: String::new(),
            points: "4".into(),
            earned: "4.00".into(),
            lost: "0.00".into(),
            reason: None,
        }
    }

    #[test]
    fn target_text_names_the_side_that_meets_it() {
        assert_eq!(
            target_text(&indicator("越低越好", "30", "28", true)),
            "目标≤30μg/m³"
        );
        let mut higher = indicator("越高越好", "90", "95", true);
        higher.unit = "无量纲".into();
        assert_eq!(target_text(&higher), "目标≥90");
    }

    #[test]
    fn domain_holds_zero_value_and_target() {
        let (lo, hi) = domain(&[28.0, 30.0]);
        assert_eq!(lo, 0.0);
        assert!(hi > 30.0);
        let (lo, hi) = domain(&[-2.5, 3.0]);
        assert!(lo < -2.5 && hi > 3.0);
        let (lo, hi) = domain(&[0.0, 0.0]);
        assert_eq!((lo, hi), (0.0, 0.0), "Scale widens an empty domain");
    }

    #[test]
    fn status_marks_misses_in_words_and_colour() {
        let palette = &Palette::DEFAULT;
        assert_eq!(
            status(&indicator("越低越好", "30", "36", false), palette).0,
            "✗ 未完成"
        );
        assert_eq!(
            status(&indicator("越低越好", "30", "28", true), palette).0,
            "✓ 完成"
        );
        let mut na = indicator("越高越好", "40", "41", true);
        na.applicable = false;
        assert_eq!(status(&na, palette), ("不适用", palette.muted));
    }
}
