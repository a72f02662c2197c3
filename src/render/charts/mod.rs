//! Charts: pure functions from the public view to SVG (written directly, no
//! fonts needed), each with its figures as an HTML table.
//!
//! - year overview (`year`): ranking, indicator heat map, section scores,
//!   grade distribution across years;
//! - scorecard (`scorecard`): indicators against targets, sections against maxima;
//! - unit across years (`region`): total and rank, key air and water indicators.
//!
//! Layout is done here in chart units (the `viewBox`), with text measured by
//! [`canvas::text_width`] (a Chinese character is a whole em), so labels never
//! overlap; the SVG scales to any width. Output depends only on the input.

mod canvas;
mod palette;
mod projects;
mod region;
mod scorecard;
mod table;
mod year;

pub use canvas::escape;
pub use palette::{contrast, hex, luminance, Palette, Rgb, MIN_TEXT_CONTRAST, WHITE};
pub use projects::investment;
pub use region::{key_indicator_table, key_indicators, total_bars, trend, KeyIndicators};
pub use scorecard::{indicator_gauges, indicators, section_bars, unit_sections, Gauge, SectionBar};
pub use year::{grade_distribution, heatmap, ranking, sections};

use canvas::{px, text_width, Anchor, Pen, Shape, Weight};

/// One chart: the SVG (written as a file of its own, which the page shows),
/// what it shows in words, and the same figures as a table.
#[derive(Debug, Clone)]
pub struct Chart {
    /// File name of the standalone copy, beside the page: `ranking.svg`.
    pub file: &'static str,
    pub title: String,
    pub desc: String,
    pub svg: String,
    /// The `viewBox` size, for the page's `<img>` to keep the aspect ratio
    /// before the file arrives.
    pub width: u32,
    pub height: u32,
    /// An HTML table of the charted figures (escaped).
    pub table: String,
}

/// Every chart is laid out this wide, in chart units: a 375 px phone's
/// column (343 CSS px) shows it at a scale of at least 1, so no label reads
/// under 12 px there; style.css caps it at 26rem on wider screens (scale
/// about 1.2). Charts are drawn phone-shaped for this width: labels above or
/// beside short bars, few ticks.
const WIDTH: f64 = 340.0;
/// Chart units: labels, small labels (the smallest text any chart draws),
/// outer padding.
const FONT: f64 = 14.0;
const SMALL: f64 = 13.0;
const PAD: f64 = 8.0;

/// Lay out, draw and describe a chart in one go.
fn finish(
    file: &'static str,
    canvas: canvas::Canvas,
    title: String,
    desc: String,
    table: table::Table,
) -> Chart {
    let id = format!("chart-{}", file.trim_end_matches(".svg"));
    let (width, height) = canvas.size();
    let svg = canvas.finish(&id, &title, &desc);
    Chart {
        file,
        title,
        desc,
        svg,
        width,
        height,
        table: table.to_html(),
    }
}

/// A figure from the view ("97.05", "-3.5"). The view formats every figure
/// from a `Decimal`, so it always parses; positions only need an `f64`.
fn num(text: &str) -> f64 {
    text.parse().unwrap_or(0.0)
}

/// Linear map from a domain to chart units.
#[derive(Debug, Clone, Copy)]
struct Scale {
    d0: f64,
    d1: f64,
    r0: f64,
    r1: f64,
}

impl Scale {
    fn new(domain: (f64, f64), range: (f64, f64)) -> Scale {
        let (d0, d1) = if domain.1 > domain.0 {
            domain
        } else {
            (domain.0, domain.0 + 1.0)
        };
        Scale {
            d0,
            d1,
            r0: range.0,
            r1: range.1,
        }
    }

    fn at(&self, value: f64) -> f64 {
        let clamped = value.clamp(self.d0, self.d1);
        self.r0 + (clamped - self.d0) / (self.d1 - self.d0) * (self.r1 - self.r0)
    }

    fn px(&self, value: f64) -> i32 {
        px(self.at(value))
    }
}

/// Rows for labels centred at given positions so that none overlaps the
/// previous label in its row: 0 for the first row, 1 for the next…
fn stagger(labels: &[(f64, f64)]) -> Vec<usize> {
    let mut row_ends: Vec<f64> = Vec::new();
    labels
        .iter()
        .map(|&(centre, width)| {
            let start = centre - width / 2.0;
            match row_ends.iter().position(|&end| end + 4.0 <= start) {
                Some(row) => {
                    row_ends[row] = centre + width / 2.0;
                    row
                }
                None => {
                    row_ends.push(centre + width / 2.0);
                    row_ends.len() - 1
                }
            }
        })
        .collect()
}

/// How a legend entry is drawn.
#[derive(Debug, Clone, Copy)]
enum Mark {
    Swatch(Rgb),
    /// A swatch with a glyph on it (the heat map's cells).
    Cell(Rgb, &'static str, Rgb),
    Marker(Shape, Rgb),
    Dash(Rgb),
    /// A short vertical rule (a target).
    Tick(Rgb),
}

/// A legend laid out in rows that wrap at the chart's width.
struct Legend {
    items: Vec<(Mark, String)>,
}

const LEGEND_ROW: f64 = 20.0;
const LEGEND_MARK: f64 = 12.0;

impl Legend {
    fn new(items: Vec<(Mark, String)>) -> Legend {
        Legend { items }
    }

    fn positions(&self, width: f64) -> Vec<(f64, f64)> {
        let mut x = 0.0;
        let mut y = 0.0;
        self.items
            .iter()
            .map(|(_, label)| {
                let w = LEGEND_MARK + 4.0 + text_width(label, SMALL);
                if x > 0.0 && x + w > width {
                    x = 0.0;
                    y += LEGEND_ROW;
                }
                let at = (x, y);
                x += w + 14.0;
                at
            })
            .collect()
    }

    fn height(&self, width: f64) -> f64 {
        match self.positions(width).last() {
            Some((_, y)) => y + LEGEND_ROW,
            None => 0.0,
        }
    }

    fn draw(&self, pen: &mut Pen<'_>, palette: &Palette, left: f64, top: f64, width: f64) {
        for ((mark, label), (x, y)) in self.items.iter().zip(self.positions(width)) {
            let (x, cy) = (left + x, top + y + LEGEND_ROW / 2.0);
            let half = LEGEND_MARK / 2.0;
            let (mx, my) = (px(x + half), px(cy));
            match *mark {
                Mark::Swatch(colour) => pen.rect(
                    px(x),
                    px(cy - half),
                    px(x + LEGEND_MARK),
                    px(cy + half),
                    colour,
                ),
                Mark::Cell(colour, glyph, glyph_colour) => {
                    pen.rect(
                        px(x),
                        px(cy - half),
                        px(x + LEGEND_MARK),
                        px(cy + half),
                        colour,
                    );
                    if colour == WHITE {
                        pen.frame(
                            px(x),
                            px(cy - half),
                            px(x + LEGEND_MARK),
                            px(cy + half),
                            palette.line,
                        );
                    }
                    pen.text(
                        mx,
                        my,
                        glyph,
                        SMALL,
                        glyph_colour,
                        Anchor::Middle,
                        Weight::Bold,
                    );
                }
                Mark::Marker(shape, colour) => pen.marker(mx, my, 10, shape, colour),
                Mark::Dash(colour) => pen.line((px(x), my), (px(x + LEGEND_MARK), my), colour, 1),
                Mark::Tick(colour) => pen.line((mx, px(cy - half)), (mx, px(cy + half)), colour, 2),
            }
            pen.text(
                px(x + LEGEND_MARK + 4.0),
                my,
                label,
                SMALL,
                palette.muted,
                Anchor::Start,
                Weight::Normal,
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scale_maps_and_clamps() {
        let s = Scale::new((0.0, 100.0), (10.0, 210.0));
        assert_eq!(s.px(0.0), 10);
        assert_eq!(s.px(50.0), 110);
        assert_eq!(s.px(150.0), 210);
        // An empty domain still maps somewhere sensible.
        assert_eq!(Scale::new((5.0, 5.0), (0.0, 10.0)).px(5.0), 0);
    }

    #[test]
    fn stagger_moves_only_colliding_labels() {
        // 60 is far from 80; 90 collides with 80 and goes to the next row.
        assert_eq!(
            stagger(&[(100.0, 30.0), (180.0, 30.0), (200.0, 30.0)]),
            vec![0, 0, 1]
        );
        assert_eq!(stagger(&[]), Vec::<usize>::new());
    }

    #[test]
    fn legend_wraps_at_the_chart_width() {
        let legend = Legend::new(vec![
            (Mark::Swatch(Palette::DEFAULT.excellent), "优秀".into()),
            (Mark::Swatch(Palette::DEFAULT.good), "良好".into()),
            (Mark::Swatch(Palette::DEFAULT.pass), "合格".into()),
        ]);
        assert_eq!(legend.height(1000.0), LEGEND_ROW);
        assert_eq!(legend.height(60.0), 3.0 * LEGEND_ROW);
    }
}
