//! Drawing through plotters' SVG backend, and the post-processing that makes
//! its output small, scalable and accessible.
//!
//! plotters writes one element per line with fixed pixel `width`/`height`,
//! `opacity="1"` and a font family on every element, font sizes divided by
//! 1.24, and estimates text width from UTF-8 bytes. Here the charts measure
//! their own text ([`text_width`]), draw each layer into its own plotters
//! document, and [`Canvas::finish`] joins the layers into one `<svg>` sized by
//! `viewBox` alone, with `role="img"`, `<title>` and `<desc>`.

use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use crate::export::is_wide;

/// The site's sans-serif stack (style.css `--sans`): browsers draw the Chinese
/// labels with their own fonts, nothing is embedded or fetched.
const FONT_STACK: &str = "'PingFang SC', 'Hiragino Sans GB', 'Microsoft YaHei', 'Noto Sans CJK SC', 'Source Han Sans SC', 'WenQuanYi Micro Hei', system-ui, sans-serif";

/// The family plotters writes on every `<text>`; removed again in [`tidy`] so
/// text inherits [`FONT_STACK`] from the root element.
const PLOTTERS_FAMILY: &str = "sans-serif";

/// plotters' SVG backend writes `font-size` as the style's size / 1.24.
const PLOTTERS_FONT_SCALE: f64 = 1.24;

/// Width of `text` at `size` in the chart's units. Full-width characters take
/// a whole em, and so do the ones Chinese fonts draw full width although a
/// terminal gives them one column (Ⅲ, Ⅴ, —, …, ✓, ✗); everything else
/// (digits, Latin, punctuation) is given 0.6 em, a little more than
/// sans-serif digits need, so labels never collide.
pub fn text_width(text: &str, size: f64) -> f64 {
    text.chars()
        .map(|c| {
            let cjk_wide = matches!(
                c as u32,
                0x2014 | 0x2026 | 0x2160..=0x217F | 0x2713 | 0x2717
            );
            if is_wide(c) || cjk_wide {
                1.0
            } else {
                0.6
            }
        })
        .sum::<f64>()
        * size
}

/// Round a layout position to the whole chart unit plotters draws in.
pub fn px(value: f64) -> i32 {
    value.round() as i32
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Anchor {
    Start,
    Middle,
    End,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Weight {
    Normal,
    Bold,
}

/// The marker shapes that tell grades apart without colour.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    Circle,
    Square,
    Triangle,
    Cross,
}

/// Draws into one layer. The first plotters error is kept and reported by
/// [`Canvas::finish`]; drawing into a `String` does not fail in practice.
pub struct Pen<'p, 'b> {
    area: &'p DrawingArea<SVGBackend<'b>, plotters::coord::Shift>,
    error: Option<String>,
}

impl Pen<'_, '_> {
    fn keep<E: std::fmt::Display>(&mut self, result: Result<(), E>) {
        if let Err(e) = result {
            self.error.get_or_insert_with(|| e.to_string());
        }
    }

    pub fn rect(&mut self, x0: i32, y0: i32, x1: i32, y1: i32, fill: RGBColor) {
        let result = self
            .area
            .draw(&Rectangle::new([(x0, y0), (x1, y1)], fill.filled()));
        self.keep(result);
    }

    pub fn frame(&mut self, x0: i32, y0: i32, x1: i32, y1: i32, stroke: RGBColor) {
        let result = self.area.draw(&Rectangle::new(
            [(x0, y0), (x1, y1)],
            stroke.stroke_width(1),
        ));
        self.keep(result);
    }

    pub fn line(&mut self, from: (i32, i32), to: (i32, i32), stroke: RGBColor, width: u32) {
        self.path(vec![from, to], stroke, width);
    }

    pub fn path(&mut self, points: Vec<(i32, i32)>, stroke: RGBColor, width: u32) {
        let result = self
            .area
            .draw(&PathElement::new(points, stroke.stroke_width(width)));
        self.keep(result);
    }

    #[allow(clippy::too_many_arguments)]
    pub fn text(
        &mut self,
        x: i32,
        y: i32,
        text: &str,
        size: f64,
        colour: RGBColor,
        anchor: Anchor,
        weight: Weight,
    ) {
        let h_pos = match anchor {
            Anchor::Start => HPos::Left,
            Anchor::Middle => HPos::Center,
            Anchor::End => HPos::Right,
        };
        let style = match weight {
            Weight::Normal => FontStyle::Normal,
            Weight::Bold => FontStyle::Bold,
        };
        let font = (PLOTTERS_FAMILY, size * PLOTTERS_FONT_SCALE, style)
            .into_font()
            .color(&colour)
            .pos(Pos::new(h_pos, VPos::Center));
        let result = self.area.draw(&Text::new(text, (x, y), font));
        self.keep(result);
    }

    /// A grade marker of about `size` units centred on (x, y).
    pub fn marker(&mut self, x: i32, y: i32, size: i32, shape: Shape, colour: RGBColor) {
        let half = size / 2;
        let result = match shape {
            Shape::Circle => self.area.draw(&Circle::new((x, y), half, colour.filled())),
            Shape::Square => self.area.draw(&Rectangle::new(
                [(x - half + 1, y - half + 1), (x + half - 1, y + half - 1)],
                colour.filled(),
            )),
            Shape::Triangle => self.area.draw(&Polygon::new(
                vec![
                    (x, y - half),
                    (x + half, y + half - 1),
                    (x - half, y + half - 1),
                ],
                colour.filled(),
            )),
            Shape::Cross => {
                let d = half - 1;
                let first = self.area.draw(&PathElement::new(
                    vec![(x - d, y - d), (x + d, y + d)],
                    colour.stroke_width(2),
                ));
                self.keep(first);
                self.area.draw(&PathElement::new(
                    vec![(x - d, y + d), (x + d, y - d)],
                    colour.stroke_width(2),
                ))
            }
        };
        self.keep(result);
    }
}

/// A chart being drawn: a fixed coordinate space (the `viewBox`) and its layers.
pub struct Canvas {
    width: u32,
    height: u32,
    layers: Vec<String>,
    error: Option<String>,
}

impl Canvas {
    pub fn new(width: u32, height: u32) -> Canvas {
        Canvas {
            width,
            height,
            layers: Vec::new(),
            error: None,
        }
    }

    /// Draw one layer, written as `<g class="{class}"{attrs}>`: the class
    /// names what the layer holds (tests and stylesheets find marks by it),
    /// `attrs` carries what plotters cannot write, such as a dash pattern.
    pub fn layer(&mut self, class: &str, attrs: &str, draw: impl FnOnce(&mut Pen<'_, '_>)) {
        let mut buf = String::new();
        {
            let area =
                SVGBackend::with_string(&mut buf, (self.width, self.height)).into_drawing_area();
            let mut pen = Pen {
                area: &area,
                error: None,
            };
            draw(&mut pen);
            let presented = area.present().map_err(|e| e.to_string());
            if let Some(error) = pen.error.or(presented.err()) {
                self.error.get_or_insert(error);
            }
        }
        let body = tidy(&buf);
        if !body.is_empty() {
            self.layers
                .push(format!("<g class=\"{class}\"{attrs}>\n{body}</g>\n"));
        }
    }

    /// The finished document. `id` must be unique on the page that inlines
    /// the chart: it prefixes the ids `aria-labelledby` points at.
    pub fn finish(self, id: &str, title: &str, desc: &str) -> Result<String, String> {
        if let Some(error) = self.error {
            return Err(error);
        }
        let mut svg = format!(
            "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {w} {h}\" role=\"img\" \
             aria-labelledby=\"{id}-title {id}-desc\" class=\"chart-svg\" font-family=\"{FONT_STACK}\">\n\
             <title id=\"{id}-title\">{title}</title>\n<desc id=\"{id}-desc\">{desc}</desc>\n\
             <rect width=\"100%\" height=\"100%\" fill=\"#FFFFFF\"/>\n",
            w = self.width,
            h = self.height,
            title = escape(title),
            desc = escape(desc),
        );
        for layer in &self.layers {
            svg.push_str(layer);
        }
        svg.push_str("</svg>\n");
        Ok(svg)
    }
}

/// Escape text for XML content and attribute values.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

/// One plotters document reduced to its elements: the `<svg>` wrapper goes,
/// as do attributes that only restate defaults; font sizes are restored to
/// what was asked for; text sits on one line with its element.
fn tidy(document: &str) -> String {
    let mut out = String::with_capacity(document.len());
    for line in document.lines() {
        if line.starts_with("<svg") || line == "</svg>" {
            continue;
        }
        let mut line = line
            .replace(" opacity=\"1\"", "")
            .replace(" stroke=\"none\"", "")
            .replace(" text-anchor=\"start\"", "")
            .replace(&format!(" font-family=\"{PLOTTERS_FAMILY}\""), "");
        if let Some(start) = line.find(" font-size=\"") {
            let value_start = start + " font-size=\"".len();
            if let Some(len) = line[value_start..].find('"') {
                if let Ok(size) = line[value_start..value_start + len].parse::<f64>() {
                    let size = (size * 10.0).round() / 10.0;
                    line.replace_range(value_start..value_start + len, &format!("{size}"));
                }
            }
        }
        out.push_str(&line);
        // A text element's opening tag, content and closing tag share a line.
        let opens_text = line.starts_with("<text") && line.ends_with('>');
        let inside_text = !line.starts_with('<');
        if !opens_text && !inside_text {
            out.push('\n');
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn full_width_characters_measure_a_whole_em() {
        assert_eq!(text_width("长春市", 10.0), 30.0);
        assert_eq!(text_width("97.05", 10.0), 30.0);
        assert_eq!(text_width("（PM2.5）", 10.0), 20.0 + 5.0 * 6.0);
        assert_eq!(text_width("Ⅲ类", 10.0), 20.0);
        // plotters' own estimate counts bytes: three per Chinese character.
        assert!(text_width("长春市", 10.0) < "长春市".len() as f64 * 10.0 * 0.6);
    }

    #[test]
    fn finished_svg_scales_by_viewbox_and_carries_its_description() {
        let mut canvas = Canvas::new(200, 50);
        canvas.layer("labels", "", |pen| {
            pen.text(
                10,
                20,
                "甲市 <1>",
                13.0,
                RGBColor(0x1f, 0x23, 0x28),
                Anchor::Start,
                Weight::Normal,
            );
        });
        canvas.layer("bars", " stroke-dasharray=\"3 3\"", |pen| {
            pen.rect(0, 0, 10, 10, RGBColor(0x1a, 0x7f, 0x37));
        });
        let svg = canvas.finish("c", "标题 & 说明", "描述").unwrap();
        assert!(svg.starts_with(
            "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 200 50\" role=\"img\""
        ));
        assert!(
            !svg.contains(" width=\"200\""),
            "no fixed pixel size: {svg}"
        );
        assert!(svg.contains("<title id=\"c-title\">标题 &amp; 说明</title>"));
        assert!(svg.contains("<desc id=\"c-desc\">描述</desc>"));
        assert!(svg.contains("font-size=\"13\""), "{svg}");
        assert!(svg.contains(">甲市 &lt;1&gt;</text>"), "{svg}");
        assert!(svg.contains("<g class=\"bars\" stroke-dasharray=\"3 3\">\n<rect x=\"0\" y=\"0\" width=\"10\" height=\"10\" fill=\"#1A7F37\"/>\n</g>"), "{svg}");
        assert!(!svg.contains("opacity=\"1\""));
        assert!(!svg.contains("font-family=\"sans-serif\""));
        assert_eq!(svg.matches("<svg").count(), 1);
    }

    #[test]
    fn empty_layers_are_left_out() {
        let mut canvas = Canvas::new(10, 10);
        canvas.layer("nothing", "", |_| {});
        let svg = canvas.finish("e", "t", "d").unwrap();
        assert!(!svg.contains("nothing"));
    }
}
