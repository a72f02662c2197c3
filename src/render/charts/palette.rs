//! The charts' colours. [`Palette::DEFAULT`] is the default theme's, which
//! themes/default/static/style.css repeats as `--excellent` … `--fail` (a
//! test below keeps the two in step); a theme may set its own in
//! `theme.yaml` (`render::theme::config`), so a province's colours reach
//! the charts as they reach its stylesheet.
//!
//! The four grade colours are all of middling lightness, so no chart relies
//! on colour alone: every grade is also named in the chart or drawn with its
//! own marker shape ([`grade_shape`]).

use super::canvas::Shape;

/// A colour as red, green, blue; written `#RRGGBB` into the SVG.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rgb(pub u8, pub u8, pub u8);

/// The charts' background and the text on coloured bars: not a theme's to
/// change, as every contrast below is measured against it.
pub const WHITE: Rgb = Rgb(0xff, 0xff, 0xff);

/// Every colour a chart draws with, besides [`WHITE`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Palette {
    pub excellent: Rgb,
    pub good: Rgb,
    pub pass: Rgb,
    pub fail: Rgb,
    /// Text (`--ink`), secondary text (`--muted`), rules (`--line`), the brand blue.
    pub ink: Rgb,
    pub muted: Rgb,
    pub line: Rgb,
    pub brand: Rgb,
    /// The empty part of a bar: the points a unit could have had.
    pub track: Rgb,
    /// Points lost, where a chart shows them apart from the track.
    pub lost: Rgb,
    /// The range of values that meets a target.
    pub target_zone: Rgb,
    /// A met indicator in the heat map: light, so the misses stand out.
    pub met_cell: Rgb,
    /// A missed indicator: mid amber, and marked "×" so greyscale keeps it.
    pub missed_cell: Rgb,
    /// The mark on a missed cell and the colour of reasons in the tables.
    pub missed_mark: Rgb,
    /// Every other section in a stacked bar, between the brand blue's neighbours.
    pub section_light: Rgb,
    /// A bonus: set apart from the sections it is added to.
    pub bonus: Rgb,
}

/// A palette colour with its key (`white` for [`WHITE`]).
pub type Named = (&'static str, Rgb);

/// WCAG 2.1 AA: the least contrast of text against its background.
pub const MIN_TEXT_CONTRAST: f64 = 4.5;

impl Palette {
    pub const DEFAULT: Palette = Palette {
        excellent: Rgb(0x1a, 0x7f, 0x37),
        good: Rgb(0x0b, 0x5c, 0xad),
        pass: Rgb(0x9a, 0x67, 0x00),
        fail: Rgb(0xc6, 0x28, 0x28),
        ink: Rgb(0x1f, 0x23, 0x28),
        muted: Rgb(0x57, 0x60, 0x6a),
        line: Rgb(0xd0, 0xd7, 0xde),
        brand: Rgb(0x0b, 0x4f, 0x8a),
        track: Rgb(0xe6, 0xe9, 0xed),
        lost: Rgb(0xf2, 0xc4, 0xc4),
        target_zone: Rgb(0xd8, 0xee, 0xdd),
        met_cell: Rgb(0xcf, 0xe8, 0xd5),
        missed_cell: Rgb(0xf0, 0xb4, 0x6e),
        missed_mark: Rgb(0x6e, 0x2b, 0x00),
        section_light: Rgb(0x6f, 0x9f, 0xcf),
        bonus: Rgb(0x6f, 0x42, 0xc1),
    };

    /// The names a theme's `palette:` uses, in the order the docs list them.
    pub const KEYS: [&'static str; 16] = [
        "excellent",
        "good",
        "pass",
        "fail",
        "ink",
        "muted",
        "line",
        "brand",
        "track",
        "lost",
        "target_zone",
        "met_cell",
        "missed_cell",
        "missed_mark",
        "section_light",
        "bonus",
    ];

    /// The colour named `key` (one of [`Palette::KEYS`]), to set it.
    pub fn slot(&mut self, key: &str) -> Option<&mut Rgb> {
        Some(match key {
            "excellent" => &mut self.excellent,
            "good" => &mut self.good,
            "pass" => &mut self.pass,
            "fail" => &mut self.fail,
            "ink" => &mut self.ink,
            "muted" => &mut self.muted,
            "line" => &mut self.line,
            "brand" => &mut self.brand,
            "track" => &mut self.track,
            "lost" => &mut self.lost,
            "target_zone" => &mut self.target_zone,
            "met_cell" => &mut self.met_cell,
            "missed_cell" => &mut self.missed_cell,
            "missed_mark" => &mut self.missed_mark,
            "section_light" => &mut self.section_light,
            "bonus" => &mut self.bonus,
            _ => return None,
        })
    }

    /// A grade's colour by its key (`excellent`, `good`, `pass`, `fail`).
    pub fn grade(&self, key: &str) -> Rgb {
        match key {
            "excellent" => self.excellent,
            "good" => self.good,
            "pass" => self.pass,
            _ => self.fail,
        }
    }

    /// Every pair of colours the charts set text in, as (text, background)
    /// by palette key (`white` for [`WHITE`]): each must reach
    /// [`MIN_TEXT_CONTRAST`]. White grade names sit on the grade colours'
    /// bars (and the default stylesheet sets grade colours as text on white,
    /// the same contrast); the heat map marks its cells with glyphs.
    pub fn text_pairs(&self) -> [(Named, Named); 8] {
        let white = ("white", WHITE);
        [
            (white, ("excellent", self.excellent)),
            (white, ("good", self.good)),
            (white, ("pass", self.pass)),
            (white, ("fail", self.fail)),
            (("ink", self.ink), white),
            (("muted", self.muted), white),
            (("ink", self.ink), ("met_cell", self.met_cell)),
            (
                ("missed_mark", self.missed_mark),
                ("missed_cell", self.missed_cell),
            ),
        ]
    }
}

impl Default for Palette {
    fn default() -> Palette {
        Palette::DEFAULT
    }
}

/// WCAG 2.1 relative luminance of an sRGB colour, from 0 (black) to 1.
pub fn luminance(colour: Rgb) -> f64 {
    let channel = |c: u8| {
        let c = f64::from(c) / 255.0;
        if c <= 0.039_28 {
            c / 12.92
        } else {
            ((c + 0.055) / 1.055).powf(2.4)
        }
    };
    0.2126 * channel(colour.0) + 0.7152 * channel(colour.1) + 0.0722 * channel(colour.2)
}

/// WCAG 2.1 contrast ratio of two colours, from 1 to 21.
pub fn contrast(a: Rgb, b: Rgb) -> f64 {
    let (la, lb) = (luminance(a), luminance(b));
    (la.max(lb) + 0.05) / (la.min(lb) + 0.05)
}

/// A grade's marker: the shape carries the grade where colour cannot.
pub fn grade_shape(key: &str) -> Shape {
    match key {
        "excellent" => Shape::Circle,
        "good" => Shape::Square,
        "pass" => Shape::Triangle,
        _ => Shape::Cross,
    }
}

/// `#rrggbb`, as the stylesheet writes it.
pub fn hex(colour: Rgb) -> String {
    format!("#{:02x}{:02x}{:02x}", colour.0, colour.1, colour.2)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn grade_colour(key: &str) -> Rgb {
        Palette::DEFAULT.grade(key)
    }

    #[test]
    fn stylesheet_uses_the_same_grade_colours() {
        let css = std::fs::read_to_string(
            std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("themes/default/static/style.css"),
        )
        .unwrap();
        for key in ["excellent", "good", "pass", "fail"] {
            let declaration = format!("--{key}: {};", hex(grade_colour(key)));
            assert!(
                css.contains(&declaration),
                "style.css should declare `{declaration}` (charts and tables share the grade colours)"
            );
        }
        let p = Palette::DEFAULT;
        for (name, colour) in [
            ("ink", p.ink),
            ("muted", p.muted),
            ("line", p.line),
            ("brand", p.brand),
        ] {
            let declaration = format!("--{name}: {};", hex(colour));
            assert!(
                css.contains(&declaration),
                "style.css should declare `{declaration}`"
            );
        }
    }

    #[test]
    fn every_grade_has_its_own_colour_and_shape() {
        let keys = ["excellent", "good", "pass", "fail"];
        for (i, a) in keys.iter().enumerate() {
            for b in &keys[i + 1..] {
                assert_ne!(hex(grade_colour(a)), hex(grade_colour(b)));
                assert_ne!(grade_shape(a), grade_shape(b));
            }
        }
    }

    #[test]
    fn the_default_palette_meets_wcag_aa_for_every_text_pair() {
        for ((fg, a), (bg, b)) in Palette::DEFAULT.text_pairs() {
            let ratio = contrast(a, b);
            assert!(ratio >= MIN_TEXT_CONTRAST, "{fg} on {bg}: {ratio:.2}:1");
        }
        // The formula, against the WCAG reference values.
        assert!((contrast(WHITE, Rgb(0, 0, 0)) - 21.0).abs() < 1e-9);
        assert!((contrast(WHITE, Rgb(0x77, 0x77, 0x77)) - 4.48).abs() < 0.01);
    }

    #[test]
    fn every_key_names_its_own_colour() {
        let mut palette = Palette::DEFAULT;
        for (i, key) in Palette::KEYS.iter().enumerate() {
            *palette.slot(key).unwrap() = Rgb(i as u8, 0, 0);
        }
        // Two keys sharing a field would read back the same value.
        let seen: std::collections::BTreeSet<u8> = Palette::KEYS
            .iter()
            .map(|k| palette.slot(k).unwrap().0)
            .collect();
        assert_eq!(seen.len(), Palette::KEYS.len());
        assert_eq!(palette.grade("pass"), Rgb(2, 0, 0));
        assert!(palette.slot("white").is_none());
    }
}
