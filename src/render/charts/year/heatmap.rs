//! (b) The indicator heat map: units in rank order × indicators.

use super::super::canvas::{px, text_width, Anchor, Canvas, Weight};
use super::super::palette::{Palette, Rgb, WHITE};
use super::super::table::{Cell, Table};
use super::super::{finish, Chart, Legend, Mark, PAD, SMALL, WIDTH};
use super::{gap_label, gap_row, shown, NameColumn, EACH_END};
use crate::render::view::{IndicatorView, ScorecardView, YearView};

/// How one unit did on one indicator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CellState {
    Met,
    Missed,
    BindingMissed,
    NotApplicable,
}

impl CellState {
    pub fn of(indicator: &IndicatorView) -> CellState {
        match (indicator.applicable, indicator.met, indicator.binding) {
            (false, _, _) => CellState::NotApplicable,
            (true, true, _) => CellState::Met,
            (true, false, true) => CellState::BindingMissed,
            (true, false, false) => CellState::Missed,
        }
    }

    fn name(self) -> &'static str {
        match self {
            CellState::Met => "完成",
            CellState::Missed => "未完成",
            CellState::BindingMissed => "约束性指标未完成",
            CellState::NotApplicable => "不适用",
        }
    }

    /// Fill, glyph and glyph colour: the glyph keeps states apart without colour.
    fn look(self, palette: &Palette) -> (Rgb, &'static str, Rgb) {
        match self {
            CellState::Met => (palette.met_cell, "", palette.ink),
            CellState::Missed => (palette.missed_cell, "×", palette.missed_mark),
            CellState::BindingMissed => (palette.fail, "!", WHITE),
            CellState::NotApplicable => (WHITE, "–", palette.muted),
        }
    }
}

/// (b) Units (in rank order) × indicators: met, missed, binding missed, not
/// applicable. Cells keep a size a glyph reads at on a phone; the indicators
/// that do not fit beside the names go to a second block (and a third…),
/// each with the names again. Above `FULL_UP_TO` units (year/mod.rs) only the first and
/// last `EACH_END` are drawn (the open data has every unit).
pub fn heatmap(year: &YearView, cards: &[ScorecardView], palette: &Palette) -> Chart {
    const HEAD: f64 = 16.0;
    const GROUP_GAP: f64 = 4.0;
    const CELL: f64 = 18.0;
    const BLOCK_GAP: f64 = 10.0;
    let columns: &[IndicatorView] = cards.first().map_or(&[], |c| &c.indicators);
    let rows = shown(cards.len());
    let names = NameColumn::new(rows.iter().filter_map(|r| r.map(|i| &cards[i].row)), SMALL);
    // Consecutive indicators of one category form a group, set apart by a
    // gap; a block ends where the next cell would pass the chart's edge.
    let mut column_at = Vec::with_capacity(columns.len());
    let (mut block, mut x) = (0usize, names.end);
    for (i, column) in columns.iter().enumerate() {
        if i > 0 && columns[i - 1].category != column.category && x > names.end {
            x += GROUP_GAP;
        }
        if x + CELL > WIDTH - PAD && x > names.end {
            block += 1;
            x = names.end;
        }
        column_at.push((block, x));
        x += CELL;
    }
    let blocks = if columns.is_empty() { 0 } else { block + 1 };
    let block_h = HEAD + rows.len() as f64 * CELL + BLOCK_GAP;
    let block_top = |b: usize| PAD + b as f64 * block_h;
    let row_top = |b: usize, r: usize| block_top(b) + HEAD + r as f64 * CELL;
    let bottom = PAD + blocks as f64 * block_h - BLOCK_GAP;
    let legend = Legend::new(
        [
            CellState::Met,
            CellState::Missed,
            CellState::BindingMissed,
            CellState::NotApplicable,
        ]
        .iter()
        .map(|s| {
            let (fill, glyph, colour) = s.look(palette);
            (Mark::Cell(fill, glyph, colour), s.name().to_string())
        })
        .collect(),
    );
    let legend_top = bottom + 8.0;
    let key_top = legend_top + legend.height(WIDTH - 2.0 * PAD) + 6.0;
    let key: Vec<String> = columns
        .iter()
        .enumerate()
        .map(|(i, c)| format!("{} {}", i + 1, c.name))
        .collect();
    let key_w = key.iter().map(|k| text_width(k, SMALL)).fold(0.0, f64::max);
    let key_columns = if 2.0 * key_w + 16.0 <= WIDTH - 2.0 * PAD {
        2
    } else {
        1
    };
    let key_rows = key.len().div_ceil(key_columns);
    const KEY_ROW: f64 = 17.0;
    let height = key_top + key_rows as f64 * KEY_ROW + PAD;
    let mut canvas = Canvas::new(WIDTH as u32, height as u32, palette.ink);

    canvas.layer_filled("cells", palette.met_cell, |pen| {
        for (r, row) in rows.iter().enumerate() {
            let Some(card) = row.map(|i| &cards[i]) else {
                continue;
            };
            for (c, indicator) in card.indicators.iter().enumerate() {
                let Some(&(b, x)) = column_at.get(c) else {
                    continue;
                };
                let y = row_top(b, r);
                let (fill, _, _) = CellState::of(indicator).look(palette);
                pen.rect(px(x), px(y), px(x + CELL - 1.0), px(y + CELL - 1.0), fill);
                if fill == WHITE {
                    pen.frame(
                        px(x),
                        px(y),
                        px(x + CELL - 1.0),
                        px(y + CELL - 1.0),
                        palette.line,
                    );
                }
            }
        }
    });
    canvas.layer("marks", "", |pen| {
        for (r, row) in rows.iter().enumerate() {
            let Some(card) = row.map(|i| &cards[i]) else {
                continue;
            };
            for (c, indicator) in card.indicators.iter().enumerate() {
                let Some(&(b, x)) = column_at.get(c) else {
                    continue;
                };
                let cy = row_top(b, r) + (CELL - 1.0) / 2.0;
                let (_, glyph, colour) = CellState::of(indicator).look(palette);
                if !glyph.is_empty() {
                    pen.text(
                        px(x + (CELL - 1.0) / 2.0),
                        px(cy),
                        glyph,
                        SMALL,
                        colour,
                        Anchor::Middle,
                        Weight::Bold,
                    );
                }
            }
        }
    });
    canvas.layer("labels", "", |pen| {
        for (c, (b, x)) in column_at.iter().enumerate() {
            pen.text(
                px(x + (CELL - 1.0) / 2.0),
                px(block_top(*b) + HEAD / 2.0),
                &(c + 1).to_string(),
                SMALL,
                palette.muted,
                Anchor::Middle,
                Weight::Normal,
            );
        }
        for b in 0..blocks {
            for (r, row) in rows.iter().enumerate() {
                let cy = row_top(b, r) + CELL / 2.0;
                match row {
                    Some(i) => names.draw(pen, palette, &cards[*i].row, cy, SMALL),
                    None => gap_label(pen, palette, cards.len(), cy),
                }
            }
        }
    });
    canvas.layer("legend", "", |pen| {
        legend.draw(pen, palette, PAD, legend_top, WIDTH - 2.0 * PAD);
    });
    canvas.layer("key", "", |pen| {
        let column_w = (WIDTH - 2.0 * PAD) / key_columns as f64;
        for (i, line) in key.iter().enumerate() {
            let (col, row) = (i / key_rows, i % key_rows);
            pen.text(
                px(PAD + col as f64 * column_w),
                px(key_top + row as f64 * KEY_ROW + KEY_ROW / 2.0),
                line,
                SMALL,
                palette.muted,
                Anchor::Start,
                Weight::Normal,
            );
        }
    });

    let mut head = vec!["单位".to_string()];
    head.extend(
        columns
            .iter()
            .enumerate()
            .map(|(i, c)| format!("{} {}", i + 1, c.name)),
    );
    let mut table = Table::with_columns(
        format!("{}年度各地区主要指标完成情况（按名次）", year.year),
        head,
    );
    let mut counts = [0usize; 4];
    let mut misses_by_column = vec![0usize; columns.len()];
    for (index, card) in cards.iter().enumerate() {
        let mut row = vec![Cell::Head(card.row.name.clone())];
        for (c, indicator) in card.indicators.iter().enumerate() {
            let state = CellState::of(indicator);
            counts[state as usize] += 1;
            if matches!(state, CellState::Missed | CellState::BindingMissed) {
                if let Some(m) = misses_by_column.get_mut(c) {
                    *m += 1;
                }
            }
            row.push(Cell::Text(
                match state {
                    CellState::Met => "✓",
                    CellState::Missed => "✗",
                    CellState::BindingMissed => "✗ 约束性",
                    CellState::NotApplicable => "—",
                }
                .to_string(),
            ));
        }
        if rows.contains(&Some(index)) {
            table.row(row);
        }
        if rows.contains(&None) && index + 1 == EACH_END {
            table.row(gap_row(cards.len(), columns.len() + 1));
        }
    }
    let most_missed = misses_by_column
        .iter()
        .enumerate()
        .max_by(|a, b| a.1.cmp(b.1).then(b.0.cmp(&a.0)))
        .filter(|(_, &n)| n > 0)
        .map(|(c, n)| format!("未完成最多的是“{}”（{}个地区）。", columns[c].name, n))
        .unwrap_or_default();
    let desc = format!(
        "{}个地区（按名次，自上而下）×{}项主要指标（自左而右编号，名称见图下）的完成情况：完成{}项次，未完成{}项次，其中约束性指标未完成{}项次，不适用{}项次。{}",
        cards.len(),
        columns.len(),
        counts[CellState::Met as usize],
        counts[CellState::Missed as usize] + counts[CellState::BindingMissed as usize],
        counts[CellState::BindingMissed as usize],
        counts[CellState::NotApplicable as usize],
        most_missed
    );
    finish(
        "heatmap.svg",
        canvas,
        format!("{}年度各地区主要指标完成情况", year.year),
        desc,
        table,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_cell_state_looks_different_without_colour() {
        let looks: Vec<_> = [
            CellState::Met,
            CellState::Missed,
            CellState::BindingMissed,
            CellState::NotApplicable,
        ]
        .map(|s| s.look(&Palette::DEFAULT).1)
        .to_vec();
        assert_eq!(looks, ["", "×", "!", "–"]);
    }
}
