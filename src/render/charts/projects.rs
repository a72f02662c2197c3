//! Investment in the key projects: one bar per programme or unit, the
//! completed investment drawn over a track as long as the planned one, so
//! completion reads as how full each track is.

use super::canvas::{px, text_width, Anchor, Canvas, Weight};
use super::palette::Palette;
use super::table::{Cell, Table};
use super::{finish, num, Chart, Legend, Mark, Scale, FONT, PAD, SMALL, WIDTH};
use crate::render::projects::SumRow;

fn value_label(row: &SumRow) -> String {
    match &row.rate {
        Some(rate) => format!("{} / {}（{rate}%）", row.completed, row.planned),
        None => format!("{} / {}", row.completed, row.planned),
    }
}

/// Planned against completed investment of `rows`, on one scale.
pub fn investment(file: &'static str, title: String, rows: &[SumRow], palette: &Palette) -> Chart {
    const NAME_H: f64 = 18.0;
    const BAR_H: f64 = 16.0;
    const GAP: f64 = 8.0;
    const BAR: f64 = 10.0;
    // Names get a line of their own (a programme's name can be nineteen
    // characters); the figures sit right of the bars, which share one scale.
    let label_w = rows
        .iter()
        .map(|r| text_width(&value_label(r), SMALL))
        .fold(0.0, f64::max);
    let x0 = PAD;
    let x1 = WIDTH - PAD - label_w - 6.0;
    let max = rows.iter().map(|r| num(&r.planned)).fold(0.0, f64::max);
    let scale = Scale::new((0.0, max), (x0, x1));
    let legend = Legend::new(vec![
        (Mark::Swatch(palette.track), "计划投资".into()),
        (Mark::Swatch(palette.brand), "完成投资".into()),
    ]);
    let row_h = NAME_H + BAR_H + GAP;
    let legend_top = PAD + row_h * rows.len() as f64;
    let height = legend_top + legend.height(WIDTH - 2.0 * PAD) + PAD;
    let mut canvas = Canvas::new(WIDTH as u32, height as u32, palette.ink);
    canvas.layer("bars", "", |pen| {
        for (i, row) in rows.iter().enumerate() {
            let top = PAD + row_h * i as f64;
            pen.text(
                px(x0),
                px(top + NAME_H / 2.0),
                &row.name,
                FONT,
                palette.ink,
                Anchor::Start,
                Weight::Normal,
            );
            let y = top + NAME_H + (BAR_H - BAR) / 2.0;
            pen.rect(
                px(x0),
                px(y),
                scale.px(num(&row.planned)).max(px(x0) + 1),
                px(y + BAR),
                palette.track,
            );
            pen.rect(
                px(x0),
                px(y),
                scale.px(num(&row.completed)),
                px(y + BAR),
                palette.brand,
            );
            pen.text(
                px(WIDTH - PAD),
                px(y + BAR / 2.0),
                &value_label(row),
                SMALL,
                palette.muted,
                Anchor::End,
                Weight::Normal,
            );
        }
    });
    canvas.layer("legend", "", |pen| {
        legend.draw(pen, palette, PAD, legend_top, WIDTH - 2.0 * PAD);
    });
    let mut table = Table::new(
        title.clone(),
        &[
            "名称",
            "项目数",
            "计划投资（万元）",
            "完成投资（万元）",
            "完成率（%）",
        ],
    );
    for row in rows {
        table.row(vec![
            Cell::Head(row.name.clone()),
            Cell::Num(row.count.to_string()),
            Cell::Num(row.planned.clone()),
            Cell::Num(row.completed.clone()),
            Cell::Num(row.rate.clone().unwrap_or_else(|| "—".into())),
        ]);
    }
    let desc = format!(
        "{}：每行灰色条为计划投资，蓝色条为已完成投资，右侧为完成投资 / 计划投资（万元）和完成率。",
        title
    );
    finish(file, canvas, title, desc, table)
}
