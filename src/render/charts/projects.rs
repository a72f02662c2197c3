//! Investment in the key projects: one bar per programme or unit, the
//! completed investment drawn over a track as long as the planned one, so
//! completion reads as how full each track is.

use super::canvas::{px, text_width, Anchor, Canvas, Weight};
use super::palette;
use super::table::{Cell, Table};
use super::{finish, num, Chart, Legend, Mark, Scale, FONT, PAD, SMALL, WIDTH};
use crate::render::projects::SumRow;

fn value_label(row: &SumRow) -> String {
    match &row.rate {
        Some(rate) => format!("{} / {} 万元 {rate}%", row.completed, row.planned),
        None => format!("{} / {} 万元", row.completed, row.planned),
    }
}

/// Planned against completed investment of `rows`, on one scale.
pub fn investment(file: &'static str, title: String, rows: &[SumRow]) -> Chart {
    const NAME_H: f64 = 18.0;
    const BAR_H: f64 = 16.0;
    const GAP: f64 = 8.0;
    const BAR: f64 = 10.0;
    let x0 = PAD;
    let x1 = WIDTH - PAD;
    let max = rows.iter().map(|r| num(&r.planned)).fold(0.0, f64::max);
    let scale = Scale::new((0.0, max), (x0, x1));
    let legend = Legend::new(vec![
        (Mark::Swatch(palette::TRACK), "计划投资".into()),
        (Mark::Swatch(palette::BRAND), "完成投资".into()),
    ]);
    let row_h = NAME_H + BAR_H + GAP;
    let legend_top = PAD + row_h * rows.len() as f64;
    let height = legend_top + legend.height(WIDTH - 2.0 * PAD) + PAD;
    let mut canvas = Canvas::new(WIDTH as u32, height as u32);
    canvas.layer("bars", "", |pen| {
        for (i, row) in rows.iter().enumerate() {
            let top = PAD + row_h * i as f64;
            let label = value_label(row);
            // The name on the left, the figures on the right of the same
            // line; a name too long for both gets the line to itself.
            let label_w = text_width(&label, SMALL);
            let name_room = x1 - x0 - label_w - 8.0;
            let name_size = if text_width(&row.name, FONT) <= name_room {
                FONT
            } else {
                SMALL
            };
            pen.text(
                px(x0),
                px(top + NAME_H / 2.0),
                &row.name,
                name_size,
                palette::INK,
                Anchor::Start,
                Weight::Normal,
            );
            pen.text(
                px(x1),
                px(top + NAME_H / 2.0),
                &label,
                SMALL,
                palette::MUTED,
                Anchor::End,
                Weight::Normal,
            );
            let y = top + NAME_H + (BAR_H - BAR) / 2.0;
            pen.rect(
                px(x0),
                px(y),
                scale.px(num(&row.planned)).max(px(x0) + 1),
                px(y + BAR),
                palette::TRACK,
            );
            pen.rect(
                px(x0),
                px(y),
                scale.px(num(&row.completed)),
                px(y + BAR),
                palette::BRAND,
            );
        }
    });
    canvas.layer("legend", "", |pen| {
        legend.draw(pen, PAD, legend_top, WIDTH - 2.0 * PAD);
    });
    let mut table = Table::new(
        title.clone(),
        &["名称", "项目数", "计划投资（万元）", "完成投资（万元）", "完成率（%）"],
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
        "{}：每行灰色条为计划投资，蓝色条为已完成投资，右侧为完成投资、计划投资和完成率。",
        title
    );
    finish(file, canvas, title, desc, table)
}
