//! Drawing: chart marks written straight into SVG text.
//!
//! Each mark is one element on its own line (a text element with its content),
//! with only the attributes that differ from the defaults the `<svg>` element
//! sets (text size [`SMALL`], ink colour, vertically centred text), so a chart
//! costs few bytes per mark; [`Canvas::finish`] joins the layers into one
//! `<svg>` sized by `viewBox` alone, with `role="img"`, `<title>` and `<desc>`.

use std::fmt::Write as _;

use super::palette::Rgb;
use super::SMALL;
use crate::open_data::is_wide;

/// The site's sans-serif stack (style.css `--sans`): browsers draw the Chinese
/// labels with their own fonts, nothing is embedded or fetched.
const FONT_STACK: &str = "'PingFang SC', 'Hiragino Sans GB', 'Microsoft YaHei', 'Noto Sans CJK SC', 'Source Han Sans SC', 'WenQuanYi Micro Hei', system-ui, sans-serif";

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

impl Anchor {
    /// The attribute that sets it on an element or a layer.
    fn attribute(self) -> &'static str {
        match self {
            Anchor::Start => " text-anchor=\"start\"",
            Anchor::Middle => " text-anchor=\"middle\"",
            Anchor::End => " text-anchor=\"end\"",
        }
    }
}

impl Weight {
    fn attribute(self) -> &'static str {
        match self {
            Weight::Normal => " font-weight=\"normal\"",
            Weight::Bold => " font-weight=\"bold\"",
        }
    }
}

/// The marker shapes that tell grades apart without colour.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    Circle,
    Square,
    Triangle,
    Cross,
}

/// Draws the marks of one layer.
pub struct Pen<'a> {
    out: &'a mut String,
    /// The fill the marks inherit (the layer's, else the `<svg>` element's),
    /// which they need not repeat.
    ink: Rgb,
    /// The stroke colour and width a line layer gives its lines.
    lines: Option<(Rgb, u32)>,
    /// The anchor and weight a text layer gives its text.
    text: (Anchor, Weight),
}

/// `#RRGGBB`, upper case as the charts were first written. By hand rather
/// than with `{:02X}`: every mark has a colour, and this is a tenth the cost.
impl std::fmt::Display for Rgb {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        const DIGITS: &[u8; 16] = b"0123456789ABCDEF";
        let mut hex = [b'#'; 7];
        for (i, byte) in [self.0, self.1, self.2].into_iter().enumerate() {
            hex[1 + 2 * i] = DIGITS[usize::from(byte >> 4)];
            hex[2 + 2 * i] = DIGITS[usize::from(byte & 0xf)];
        }
        f.write_str(std::str::from_utf8(&hex).map_err(|_| std::fmt::Error)?)
    }
}

// Writing into a `String` cannot fail, so the `fmt::Result`s below are dropped.
impl Pen<'_> {
    pub fn rect(&mut self, x0: i32, y0: i32, x1: i32, y1: i32, fill: Rgb) {
        let (x, y, w, h) = corners(x0, y0, x1, y1);
        let _ = write!(
            self.out,
            "<rect x=\"{x}\" y=\"{y}\" width=\"{w}\" height=\"{h}\""
        );
        self.fill(fill);
        self.out.push_str("/>\n");
    }

    /// Rectangles of one colour as one `<path>`, given by two corners each:
    /// a chart with a bar or band per row writes one element per colour
    /// instead of one per bar (the chart is read as one image with its
    /// title and description, never mark by mark). Empty ones are left out.
    pub fn rects(&mut self, rects: &[(i32, i32, i32, i32)], fill: Rgb) {
        let start = self.out.len();
        self.out.push_str("<path d=\"");
        let marks = self.out.len();
        for &(x0, y0, x1, y1) in rects {
            let (x, y, w, h) = corners(x0, y0, x1, y1);
            if w > 0 && h > 0 {
                let _ = write!(self.out, "M{x} {y}h{w}v{h}h-{w}z");
            }
        }
        if self.out.len() == marks {
            self.out.truncate(start);
            return;
        }
        self.out.push('"');
        self.fill(fill);
        self.out.push_str("/>\n");
    }

    /// Horizontal lines (left, right, y) in the stroke of a line layer
    /// ([`Canvas::layer_lines`]) as one `<path>`.
    pub fn horizontals(&mut self, lines: &[(i32, i32, i32)]) {
        if lines.is_empty() {
            return;
        }
        self.out.push_str("<path d=\"");
        for &(left, right, y) in lines {
            let _ = write!(self.out, "M{left} {y}H{right}");
        }
        self.out.push_str("\"/>\n");
    }

    /// Vertical lines (x, top, bottom) in the stroke of a line layer
    /// ([`Canvas::layer_lines`]) as one `<path>`.
    pub fn verticals(&mut self, lines: &[(i32, i32, i32)]) {
        if lines.is_empty() {
            return;
        }
        self.out.push_str("<path d=\"");
        for &(x, top, bottom) in lines {
            let _ = write!(self.out, "M{x} {top}V{bottom}");
        }
        self.out.push_str("\"/>\n");
    }

    /// A fill attribute, left out when it is the `<svg>` element's own.
    fn fill(&mut self, colour: Rgb) {
        if colour != self.ink {
            let _ = write!(self.out, " fill=\"{colour}\"");
        }
    }

    pub fn frame(&mut self, x0: i32, y0: i32, x1: i32, y1: i32, stroke: Rgb) {
        let (x, y, w, h) = corners(x0, y0, x1, y1);
        let _ = writeln!(
            self.out,
            "<rect x=\"{x}\" y=\"{y}\" width=\"{w}\" height=\"{h}\" fill=\"none\" stroke=\"{stroke}\"/>"
        );
    }

    pub fn line(&mut self, from: (i32, i32), to: (i32, i32), stroke: Rgb, width: u32) {
        self.path(&[from, to], stroke, width);
    }

    pub fn path(&mut self, points: &[(i32, i32)], stroke: Rgb, width: u32) {
        if self.lines == Some((stroke, width)) {
            self.out.push_str("<polyline points=\"");
        } else {
            let _ = write!(
                self.out,
                "<polyline fill=\"none\" stroke=\"{stroke}\" stroke-width=\"{width}\" points=\""
            );
        }
        self.points(points);
        self.out.push_str("\"/>\n");
    }

    fn polygon(&mut self, points: &[(i32, i32)], fill: Rgb) {
        self.out.push_str("<polygon");
        self.fill(fill);
        self.out.push_str(" points=\"");
        self.points(points);
        self.out.push_str("\"/>\n");
    }

    fn points(&mut self, points: &[(i32, i32)]) {
        for (x, y) in points {
            let _ = write!(self.out, "{x},{y} ");
        }
    }

    #[allow(clippy::too_many_arguments)]
    pub fn text(
        &mut self,
        x: i32,
        y: i32,
        text: &str,
        size: f64,
        colour: Rgb,
        anchor: Anchor,
        weight: Weight,
    ) {
        let _ = write!(self.out, "<text x=\"{x}\" y=\"{y}\"");
        if anchor != self.text.0 {
            self.out.push_str(anchor.attribute());
        }
        let size = (size * 10.0).round() / 10.0;
        if size != SMALL {
            let _ = write!(self.out, " font-size=\"{size}\"");
        }
        self.fill(colour);
        if weight != self.text.1 {
            self.out.push_str(weight.attribute());
        }
        self.out.push('>');
        escape_into(self.out, text);
        self.out.push_str("</text>\n");
    }

    /// A grade marker of about `size` units centred on (x, y).
    pub fn marker(&mut self, x: i32, y: i32, size: i32, shape: Shape, colour: Rgb) {
        let half = size / 2;
        match shape {
            Shape::Circle => {
                let _ = write!(self.out, "<circle cx=\"{x}\" cy=\"{y}\" r=\"{half}\"");
                self.fill(colour);
                self.out.push_str("/>\n");
            }
            Shape::Square => self.rect(
                x - half + 1,
                y - half + 1,
                x + half - 1,
                y + half - 1,
                colour,
            ),
            Shape::Triangle => self.polygon(
                &[
                    (x, y - half),
                    (x + half, y + half - 1),
                    (x - half, y + half - 1),
                ],
                colour,
            ),
            Shape::Cross => {
                let d = half - 1;
                self.path(&[(x - d, y - d), (x + d, y + d)], colour, 2);
                self.path(&[(x - d, y + d), (x + d, y - d)], colour, 2);
            }
        }
    }
}

/// A rectangle given by two corners, as x, y, width, height.
fn corners(x0: i32, y0: i32, x1: i32, y1: i32) -> (i32, i32, i32, i32) {
    let (x, y) = (x0.min(x1), y0.min(y1));
    (x, y, x0.max(x1) - x, y0.max(y1) - y)
}

/// A chart being drawn: a fixed coordinate space (the `viewBox`) and its layers.
pub struct Canvas {
    width: u32,
    height: u32,
    ink: Rgb,
    body: String,
}

impl Canvas {
    /// `ink` is the colour most text is drawn in: the `<svg>` element's fill.
    pub fn new(width: u32, height: u32, ink: Rgb) -> Canvas {
        Canvas {
            width,
            height,
            ink,
            body: String::new(),
        }
    }

    /// The `viewBox` width and height.
    pub fn size(&self) -> (u32, u32) {
        (self.width, self.height)
    }

    /// Draw one layer, written as `<g class="{class}"{attrs}>`: the class
    /// names what the layer holds (tests and stylesheets find marks by it),
    /// `attrs` carries a layer-wide attribute such as a dash pattern. A layer
    /// with no marks is left out.
    pub fn layer(&mut self, class: &str, attrs: &str, draw: impl FnOnce(&mut Pen<'_>)) {
        self.styled(class, attrs, self.ink, None, draw);
    }

    /// A layer whose marks are mostly filled with `fill`: written once, on
    /// the layer.
    pub fn layer_filled(&mut self, class: &str, fill: Rgb, draw: impl FnOnce(&mut Pen<'_>)) {
        self.styled(class, &format!(" fill=\"{fill}\""), fill, None, draw);
    }

    /// A layer of lines, most of them `stroke` at `width`: written once, on
    /// the layer (which therefore fills nothing: no text in it).
    pub fn layer_lines(
        &mut self,
        class: &str,
        attrs: &str,
        (stroke, width): (Rgb, u32),
        draw: impl FnOnce(&mut Pen<'_>),
    ) {
        let attrs = format!("{attrs} fill=\"none\" stroke=\"{stroke}\" stroke-width=\"{width}\"");
        self.styled(class, &attrs, self.ink, Some((stroke, width)), draw);
    }

    /// A layer of text, most of it in `fill`, anchored and weighted
    /// alike: written once, on the layer (a column of status words repeats
    /// all three on every row otherwise).
    pub fn layer_text(
        &mut self,
        class: &str,
        fill: Rgb,
        text: (Anchor, Weight),
        draw: impl FnOnce(&mut Pen<'_>),
    ) {
        let attrs = format!(
            " fill=\"{fill}\"{}{}",
            text.0.attribute(),
            text.1.attribute()
        );
        self.draw(class, &attrs, fill, None, text, draw);
    }

    fn styled(
        &mut self,
        class: &str,
        attrs: &str,
        ink: Rgb,
        lines: Option<(Rgb, u32)>,
        draw: impl FnOnce(&mut Pen<'_>),
    ) {
        self.draw(
            class,
            attrs,
            ink,
            lines,
            (Anchor::Start, Weight::Normal),
            draw,
        );
    }

    fn draw(
        &mut self,
        class: &str,
        attrs: &str,
        ink: Rgb,
        lines: Option<(Rgb, u32)>,
        text: (Anchor, Weight),
        draw: impl FnOnce(&mut Pen<'_>),
    ) {
        let start = self.body.len();
        let _ = writeln!(self.body, "<g class=\"{class}\"{attrs}>");
        let marks = self.body.len();
        draw(&mut Pen {
            out: &mut self.body,
            ink,
            lines,
            text,
        });
        if self.body.len() == marks {
            self.body.truncate(start);
        } else {
            self.body.push_str("</g>\n");
        }
    }

    /// The finished document. `id` must be unique on the page that inlines
    /// the chart: it prefixes the ids `aria-labelledby` points at.
    pub fn finish(self, id: &str, title: &str, desc: &str) -> String {
        let mut svg = String::with_capacity(self.body.len() + 512);
        let _ = write!(
            svg,
            "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {w} {h}\" role=\"img\" \
             aria-labelledby=\"{id}-title {id}-desc\" class=\"chart-svg\" font-family=\"{FONT_STACK}\" \
             font-size=\"{SMALL}\" fill=\"{ink}\" dominant-baseline=\"central\">\n\
             <title id=\"{id}-title\">",
            w = self.width,
            h = self.height,
            ink = self.ink,
        );
        escape_into(&mut svg, title);
        let _ = write!(svg, "</title>\n<desc id=\"{id}-desc\">");
        escape_into(&mut svg, desc);
        svg.push_str("</desc>\n<rect width=\"100%\" height=\"100%\" fill=\"#FFFFFF\"/>\n");
        svg.push_str(&self.body);
        svg.push_str("</svg>\n");
        svg
    }
}

/// Escape text for XML content and attribute values.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    escape_into(&mut out, text);
    out
}

pub(super) fn escape_into(out: &mut String, text: &str) {
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
    fn colours_are_written_as_upper_case_hex() {
        assert_eq!(Rgb(0x1a, 0x7f, 0x37).to_string(), "#1A7F37");
        assert_eq!(Rgb(0, 0x0f, 0xff).to_string(), "#000FFF");
    }

    #[test]
    fn finished_svg_scales_by_viewbox_and_carries_its_description() {
        let mut canvas = Canvas::new(200, 50, Rgb(0x1f, 0x23, 0x28));
        canvas.layer("labels", "", |pen| {
            pen.text(
                10,
                20,
                "甲市 <1>",
                15.0,
                Rgb(0x1f, 0x23, 0x28),
                Anchor::Start,
                Weight::Normal,
            );
        });
        canvas.layer("bars", " stroke-dasharray=\"3 3\"", |pen| {
            pen.rect(0, 0, 10, 10, Rgb(0x1a, 0x7f, 0x37));
        });
        let svg = canvas.finish("c", "标题 & 说明", "描述");
        assert!(svg.starts_with(
            "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 200 50\" role=\"img\""
        ));
        assert!(
            !svg.contains(" width=\"200\""),
            "no fixed pixel size: {svg}"
        );
        assert!(svg.contains("<title id=\"c-title\">标题 &amp; 说明</title>"));
        assert!(svg.contains("<desc id=\"c-desc\">描述</desc>"));
        assert!(svg.contains("font-size=\"15\""), "{svg}");
        assert!(!svg.contains("y=\"20\" fill"), "ink is the default: {svg}");
        assert!(svg.contains(">甲市 &lt;1&gt;</text>"), "{svg}");
        assert!(svg.contains("<g class=\"bars\" stroke-dasharray=\"3 3\">\n<rect x=\"0\" y=\"0\" width=\"10\" height=\"10\" fill=\"#1A7F37\"/>\n</g>"), "{svg}");
        assert!(!svg.contains("opacity=\"1\""));
        assert!(!svg.contains("font-family=\"sans-serif\""));
        assert_eq!(svg.matches("<svg").count(), 1);
    }

    #[test]
    fn empty_layers_are_left_out() {
        let mut canvas = Canvas::new(10, 10, Rgb(0, 0, 0));
        canvas.layer("nothing", "", |_| {});
        let svg = canvas.finish("e", "t", "d");
        assert!(!svg.contains("nothing"));
    }
}
