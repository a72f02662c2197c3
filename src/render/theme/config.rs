//! `themes/<name>/theme.yaml`: a theme's settings, optional. Today one:
//! `palette:`, the colours the charts are drawn with, so a province's own
//! colours reach its charts as they reach its stylesheet. Every colour left
//! out keeps the default theme's, so a theme without the file draws exactly
//! the default charts.

use std::fs;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use super::super::charts::{contrast, hex, luminance, Palette, Rgb, MIN_TEXT_CONTRAST};
use crate::diagnostic::{suggest, Diagnostic, Diagnostics, Pos};
use crate::load::yaml::{self, pos, IdMap};
use crate::load::{decode, MAX_FILE_BYTES, THEME_CONFIG as CONFIG_FILE};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConfig {
    /// `palette:` with nothing after it is no palette.
    #[serde(default)]
    palette: Option<IdMap<Option<String>>>,
}

/// `#rrggbb` or `#rgb`, either case.
fn parse_colour(text: &str) -> Option<Rgb> {
    let digits = text.strip_prefix('#')?;
    if !digits.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    let channel = |s: &str| u8::from_str_radix(s, 16).ok();
    match digits.len() {
        6 => Some(Rgb(
            channel(&digits[0..2])?,
            channel(&digits[2..4])?,
            channel(&digits[4..6])?,
        )),
        3 => {
            let double = |i: usize| channel(&digits[i..=i]).map(|c| c * 17);
            Some(Rgb(double(0)?, double(1)?, double(2)?))
        }
        _ => None,
    }
}

/// The palette of the theme `name` under `root`: the default one, with the
/// colours its `theme.yaml` sets. Every problem of the file is reported,
/// each at its line and column.
pub fn palette(root: &Path, name: &str) -> Result<Palette, Diagnostics> {
    let file = PathBuf::from(format!("themes/{name}/{CONFIG_FILE}"));
    let one = |d: Diagnostic| Diagnostics::from_iter([d]);
    let path = root.join(&file);
    let metadata = match fs::metadata(&path) {
        Ok(metadata) => metadata,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Palette::DEFAULT),
        Err(e) => {
            return Err(one(Diagnostic::error(
                &file,
                Pos::FILE,
                format!("cannot read this file: {e}"),
            )))
        }
    };
    if !metadata.is_file() || metadata.len() > MAX_FILE_BYTES {
        return Err(one(Diagnostic::error(
            &file,
            Pos::FILE,
            format!("the theme's settings must be a file of at most {MAX_FILE_BYTES} bytes"),
        )));
    }
    let bytes = fs::read(&path).map_err(|e| {
        one(Diagnostic::error(
            &file,
            Pos::FILE,
            format!("cannot read this file: {e}"),
        ))
    })?;
    let text = decode(&file, bytes).map_err(one)?;
    let raw: RawConfig = yaml::parse(&file, &text)
        .map_err(|broken| broken.problems.into_iter().collect::<Diagnostics>())?;

    let mut palette = Palette::DEFAULT;
    let mut diags = Diagnostics::new();
    let mut set: Vec<(&'static str, Pos)> = Vec::new();
    let error = |at: Pos, message: String, help: String| {
        Diagnostic::error(&file, at, message)
            .with_help(help)
            .with_source(text.clone())
    };
    for (key, value) in raw.palette.iter().flat_map(|p| &p.0) {
        let Some(known) = Palette::KEYS.into_iter().find(|k| *k == key.value) else {
            let help = match suggest(&key.value, Palette::KEYS) {
                Some(close) => format!("did you mean `{close}`?"),
                None => format!("the palette has {}", Palette::KEYS.join(", ")),
            };
            diags.push(error(
                pos(key),
                format!("`{}` is not a colour of the palette", key.value),
                help,
            ));
            continue;
        };
        let example = hex(default_colour(known));
        let Some(written) = value.value.as_deref() else {
            // `good: #0b5cad` is `good:` and a comment: show it quoted.
            let key_at = pos(key);
            let commented = text
                .lines()
                .nth(key_at.line.saturating_sub(1))
                .and_then(|line| line.split_once(':'))
                .and_then(|(_, rest)| rest.split_whitespace().next())
                .filter(|word| parse_colour(word).is_some())
                .unwrap_or(&example);
            diags.push(error(
                key_at,
                format!("`{known}` has no colour"),
                format!("quote the colour, `{known}: \"{commented}\"`: in YAML a # after a space starts a comment"),
            ));
            continue;
        };
        match (parse_colour(written.trim()), palette.slot(known)) {
            (Some(colour), Some(slot)) => {
                *slot = colour;
                set.push((known, pos(value)));
            }
            _ => diags.push(error(
                pos(value),
                format!("`{written}` is not a colour"),
                format!("write a colour as \"#rrggbb\" or \"#rgb\", e.g. `{known}: \"{example}\"`"),
            )),
        }
    }
    // Only what the theme changed can fail: the default palette passes
    // (`charts::palette` tests), and a problem is shown where it was set.
    for ((fg, a), (bg, b)) in palette.text_pairs() {
        let ratio = contrast(a, b);
        let Some(at) = set
            .iter()
            .find(|(key, _)| *key == fg || *key == bg)
            .map(|(_, at)| *at)
        else {
            continue;
        };
        if ratio < MIN_TEXT_CONTRAST {
            diags.push(error(
                at,
                format!(
                    "`{fg}` {} on `{bg}` {} has a contrast of {:.2}:1; text needs at least {MIN_TEXT_CONTRAST}:1 (WCAG 2.1 AA)",
                    hex(a),
                    hex(b),
                    (ratio * 100.0).floor() / 100.0
                ),
                {
                    let (changed, colour, other) = if set.iter().any(|(key, _)| *key == fg) {
                        (fg, a, b)
                    } else {
                        (bg, b, a)
                    };
                    let way = if luminance(other) > luminance(colour) {
                        "darker"
                    } else {
                        "lighter"
                    };
                    format!(
                        "the charts set {fg} text on {bg}; make {changed} {way} (the default theme's are {} on {})",
                        hex(default_colour(fg)),
                        hex(default_colour(bg)),
                    )
                },
            ));
        }
    }
    if diags.has_errors() {
        return Err(diags.sorted());
    }
    Ok(palette)
}

/// The default theme's colour by palette key, `white` included.
fn default_colour(key: &str) -> Rgb {
    let mut default = Palette::DEFAULT;
    default
        .slot(key)
        .map_or(super::super::charts::WHITE, |c| *c)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn theme(yaml: &str) -> (tempfile::TempDir, Result<Palette, Diagnostics>) {
        let dir = tempfile::tempdir().unwrap();
        let folder = dir.path().join("themes/t");
        fs::create_dir_all(&folder).unwrap();
        fs::write(folder.join(CONFIG_FILE), yaml).unwrap();
        let palette = palette(dir.path(), "t");
        (dir, palette)
    }

    #[test]
    fn colours_are_read_in_either_form() {
        assert_eq!(parse_colour("#1a7F37"), Some(Rgb(0x1a, 0x7f, 0x37)));
        assert_eq!(parse_colour("#fa0"), Some(Rgb(0xff, 0xaa, 0x00)));
        for bad in ["1a7f37", "#1a7f3", "#1a7f3g", "#+1a7f3", "green", "#"] {
            assert_eq!(parse_colour(bad), None, "{bad}");
        }
    }

    #[test]
    fn no_file_or_no_palette_is_the_default() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(palette(dir.path(), "t").unwrap(), Palette::DEFAULT);
        assert_eq!(theme("palette:\n").1.unwrap(), Palette::DEFAULT);
        assert_eq!(theme("# nothing yet\n").1.unwrap(), Palette::DEFAULT);
    }

    #[test]
    fn colours_set_replace_only_their_own() {
        let (_dir, palette) = theme("palette:\n  excellent: \"#006400\"\n  bonus: '#808'\n");
        let palette = palette.unwrap();
        assert_eq!(palette.excellent, Rgb(0x00, 0x64, 0x00));
        assert_eq!(palette.bonus, Rgb(0x88, 0x00, 0x88));
        assert_eq!(palette.good, Palette::DEFAULT.good);
    }

    #[test]
    fn every_problem_is_reported_at_its_place() {
        let (_dir, result) = theme(
            "palette:\n  exellent: \"#006400\"\n  good: #0b5cad\n  pass: yellowish\n  fail: \"#f88\"\n",
        );
        let diags = result.unwrap_err();
        let found: Vec<(usize, usize, String)> = diags
            .iter()
            .map(|d| (d.pos.line, d.pos.column, d.message.clone()))
            .collect();
        assert_eq!(found.len(), 4, "{found:?}");
        assert_eq!(found[0].0, 2);
        assert!(
            found[0].2.contains("`exellent` is not a colour"),
            "{found:?}"
        );
        assert_eq!(
            diags.iter().next().and_then(|d| d.help.clone()).as_deref(),
            Some("did you mean `excellent`?")
        );
        assert_eq!(found[1].0, 3);
        assert!(found[1].2.contains("`good` has no colour"));
        let help = diags.iter().nth(1).and_then(|d| d.help.clone()).unwrap();
        assert!(
            help.starts_with("quote the colour, `good: \"#0b5cad\"`"),
            "{help}"
        );
        assert_eq!((found[2].0, found[2].1), (4, 9));
        assert!(found[2].2.contains("`yellowish` is not a colour"));
        assert_eq!((found[3].0, found[3].1), (5, 9));
        assert!(
            found[3]
                .2
                .contains("`white` #ffffff on `fail` #ff8888 has a contrast of 2."),
            "{found:?}"
        );
        for d in diags.iter() {
            assert_eq!(d.file, Path::new("themes/t/theme.yaml"));
        }
    }

    #[test]
    fn unknown_settings_and_broken_yaml_are_located() {
        let diags = theme("pallete:\n  fail: \"#c62828\"\n").1.unwrap_err();
        let first = diags.iter().next().unwrap();
        assert_eq!(first.pos.line, 1, "{first:?}");
        assert!(theme("palette: [\n").1.is_err());
    }
}
