//! The charts' colours: the one Rust source of the grade colours, which
//! themes/default/static/style.css repeats as `--excellent` … `--fail` (a test
//! below keeps the two in step).
//!
//! The four grade colours are all of middling lightness, so no chart relies
//! on colour alone: every grade is also named in the chart or drawn with its
//! own marker shape ([`grade_shape`]).

use super::canvas::Shape;

/// A colour as red, green, blue; written `#RRGGBB` into the SVG.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rgb(pub u8, pub u8, pub u8);

pub const EXCELLENT: Rgb = Rgb(0x1a, 0x7f, 0x37);
pub const GOOD: Rgb = Rgb(0x0b, 0x5c, 0xad);
pub const PASS: Rgb = Rgb(0x9a, 0x67, 0x00);
pub const FAIL: Rgb = Rgb(0xc6, 0x28, 0x28);

/// Text (`--ink`), secondary text (`--muted`), rules (`--line`), the brand blue.
pub const INK: Rgb = Rgb(0x1f, 0x23, 0x28);
pub const MUTED: Rgb = Rgb(0x57, 0x60, 0x6a);
pub const LINE: Rgb = Rgb(0xd0, 0xd7, 0xde);
pub const BRAND: Rgb = Rgb(0x0b, 0x4f, 0x8a);
pub const WHITE: Rgb = Rgb(0xff, 0xff, 0xff);

/// The empty part of a bar: the points a unit could have had.
pub const TRACK: Rgb = Rgb(0xe6, 0xe9, 0xed);
/// Points lost, where a chart shows them apart from the track.
pub const LOST: Rgb = Rgb(0xf2, 0xc4, 0xc4);
/// The range of values that meets a target.
pub const TARGET_ZONE: Rgb = Rgb(0xd8, 0xee, 0xdd);
/// A met indicator in the heat map: light, so the misses stand out.
pub const MET_CELL: Rgb = Rgb(0xcf, 0xe8, 0xd5);
/// A missed indicator: mid amber, and marked "×" so greyscale keeps it.
pub const MISSED_CELL: Rgb = Rgb(0xf0, 0xb4, 0x6e);
/// The mark on a missed cell and the colour of reasons in the tables.
pub const MISSED_MARK: Rgb = Rgb(0x6e, 0x2b, 0x00);
/// Every other section in a stacked bar, between the brand blue's neighbours.
pub const SECTION_LIGHT: Rgb = Rgb(0x6f, 0x9f, 0xcf);
/// A bonus: set apart from the sections it is added to.
pub const BONUS: Rgb = Rgb(0x6f, 0x42, 0xc1);

/// A grade's colour by its key (`excellent`, `good`, `pass`, `fail`).
pub fn grade_colour(key: &str) -> Rgb {
    match key {
        "excellent" => EXCELLENT,
        "good" => GOOD,
        "pass" => PASS,
        _ => FAIL,
    }
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
        for (name, colour) in [
            ("ink", INK),
            ("muted", MUTED),
            ("line", LINE),
            ("brand", BRAND),
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
}
