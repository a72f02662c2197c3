//! Figures: numbers read from the digits the file writes.
//!
//! serde hands a number over as an `f64`, which holds 15 to 17 significant
//! digits; a figure may have 28. So a figure's value is read from the file's
//! text at the number's position (`Spanned` gives it) while `parse` runs,
//! and what a 28-digit decimal cannot hold is refused, never rounded.

use std::cell::RefCell;
use std::fmt;
use std::marker::PhantomData;
use std::sync::Arc;

use rust_decimal::Decimal;
use serde::de::{self, Deserializer, MapAccess, Visitor};
use serde::Deserialize;
use serde_saphyr::{Location, Spanned};

/// Numbers beyond this magnitude cannot be a real figure in an assessment and
/// would risk overflow in decimal arithmetic.
pub(super) const MAX_MAGNITUDE: i64 = 1_000_000_000_000;

/// A decimal figure as written in the file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Dec(pub Decimal);

thread_local! {
    /// The text `parse` is reading on this thread. A figure is read from its
    /// digits in this text, never from the float the parser makes of it: a
    /// float has 15 to 17 significant digits, a figure up to 28.
    static SOURCE: RefCell<Option<Arc<str>>> = const { RefCell::new(None) };
}

/// Sets `SOURCE` for one parse, and clears it however the parse ends.
pub(super) struct Reading;

impl Reading {
    pub(super) fn start(text: &Arc<str>) -> Reading {
        SOURCE.with(|s| *s.borrow_mut() = Some(Arc::clone(text)));
        Reading
    }
}

impl Drop for Reading {
    fn drop(&mut self) {
        SOURCE.with(|s| *s.borrow_mut() = None);
    }
}

/// The text of the scalar at `location`, as written in the file being parsed.
fn written_at(location: Location) -> Option<String> {
    let span = location.span();
    let start = usize::try_from(span.byte_offset()?).ok()?;
    let end = start.checked_add(usize::try_from(span.byte_len()?).ok()?)?;
    SOURCE.with(|s| s.borrow().as_ref()?.get(start..end).map(str::to_string))
}

/// The most significant digits, and the most decimal places, a figure can
/// hold: what a 96-bit decimal holds whatever its digits are.
const MAX_DIGITS: usize = 28;

/// The exact value of a number as the file writes it: an optional sign,
/// digits with an optional decimal point, an optional exponent (`1.5e-3`).
fn exact_decimal(literal: &str) -> Result<Decimal, String> {
    let text = literal.trim();
    let not_plain =
        || format!("`{text}` is not a figure: write it in decimal digits, e.g. 86.3 or 1200");
    let (negative, unsigned) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text.strip_prefix('+').unwrap_or(text)),
    };
    let (mantissa, exponent) = match unsigned.split_once(['e', 'E']) {
        Some((mantissa, exponent)) => (mantissa, Some(exponent)),
        None => (unsigned, None),
    };
    let (whole, fraction) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    let all_digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if whole.len() + fraction.len() == 0 || !all_digits(whole) || !all_digits(fraction) {
        return Err(not_plain());
    }
    let exponent: i64 = match exponent {
        None => 0,
        Some(e) => {
            let digits = e.strip_prefix(['+', '-']).unwrap_or(e);
            // Beyond four digits the figure is far outside any range anyway.
            if digits.is_empty() || !all_digits(digits) || digits.len() > 4 {
                return Err(not_plain());
            }
            e.parse().map_err(|_| not_plain())?
        }
    };
    // The value is `digits` × 10^-scale.
    let mut digits = format!("{whole}{fraction}")
        .trim_start_matches('0')
        .to_string();
    let mut scale = fraction.len() as i64 - exponent;
    while scale > 0 && digits.ends_with('0') {
        digits.pop();
        scale -= 1;
    }
    if digits.is_empty() {
        return Ok(Decimal::ZERO);
    }
    let too_large = || format!("{text} is too large to be a figure in this assessment");
    // More than 13 digits before the point is beyond MAX_MAGNITUDE.
    if digits.len() as i64 - scale > 13 {
        return Err(too_large());
    }
    if scale < 0 {
        digits.push_str(&"0".repeat(scale.unsigned_abs() as usize));
        scale = 0;
    }
    if digits.len() > MAX_DIGITS || scale > MAX_DIGITS as i64 {
        return Err(format!(
            "{text} has more digits than a figure can hold: at most {MAX_DIGITS} significant \
             digits and {MAX_DIGITS} decimal places; round it to the precision its source gives"
        ));
    }
    let mantissa: i128 = digits.parse().map_err(|_| not_plain())?;
    let mantissa = if negative { -mantissa } else { mantissa };
    let value =
        Decimal::try_from_i128_with_scale(mantissa, scale as u32).map_err(|_| too_large())?;
    if value.abs() > Decimal::from(MAX_MAGNITUDE) {
        return Err(too_large());
    }
    Ok(value.normalize())
}

/// The message for text where a figure belongs, saying how to write it.
fn not_a_figure(text: &str, expected: &str) -> String {
    let trimmed = text.trim();
    let digits_end = trimmed
        .find(|c: char| !(c.is_ascii_digit() || c == '.' || c == '-'))
        .unwrap_or(trimmed.len());
    let (number, rest) = trimmed.split_at(digits_end);
    if !number.is_empty() && number.parse::<f64>().is_ok() {
        if rest.is_empty() {
            format!("expected {expected}, found the text \"{text}\": write the figure without quotes, as {number}")
        } else {
            format!("expected {expected}, found the text `{text}`: write the figure without its unit `{}`, as {number}", rest.trim())
        }
    } else {
        format!("expected {expected}, found the text `{text}`")
    }
}

/// What may stand where a figure belongs, beside a number or text: nothing
/// (`Dec`, `Figure`) or a mapping (`Measurement`'s long form).
trait Shape: Sized {
    /// What the file should have here, for type errors.
    const EXPECTING: &'static str;

    fn from_map<'de, A: MapAccess<'de>>(map: A) -> Result<Self, A::Error>;
}

/// A figure that is a plain number.
enum OnlyNumber {}

/// A figure that is a number or `n/a`.
enum NumberOrNa {}

impl Shape for OnlyNumber {
    const EXPECTING: &'static str = "a number";

    fn from_map<'de, A: MapAccess<'de>>(_: A) -> Result<Self, A::Error> {
        Err(de::Error::invalid_type(
            de::Unexpected::Map,
            &Self::EXPECTING,
        ))
    }
}

impl Shape for NumberOrNa {
    const EXPECTING: &'static str = "a number or n/a";

    fn from_map<'de, A: MapAccess<'de>>(_: A) -> Result<Self, A::Error> {
        Err(de::Error::invalid_type(
            de::Unexpected::Map,
            &Self::EXPECTING,
        ))
    }
}

/// What the parser found where a figure belongs. A number is only noted:
/// its value is read from the file's text at its position (`Written`).
enum Found<M> {
    Number,
    Text(String),
    Map(M),
}

/// What is written where a figure belongs: a number's exact value, text, or
/// a mapping.
enum Written<M> {
    Value(Decimal),
    Text(String),
    Map(M),
}

struct FoundVisitor<M>(PhantomData<M>);

impl<'de, M: Shape> Visitor<'de> for FoundVisitor<M> {
    type Value = Found<M>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(M::EXPECTING)
    }

    fn visit_i64<E: de::Error>(self, _: i64) -> Result<Found<M>, E> {
        Ok(Found::Number)
    }

    fn visit_u64<E: de::Error>(self, _: u64) -> Result<Found<M>, E> {
        Ok(Found::Number)
    }

    fn visit_f64<E: de::Error>(self, _: f64) -> Result<Found<M>, E> {
        Ok(Found::Number)
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Found<M>, E> {
        Ok(Found::Text(v.to_string()))
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Found<M>, A::Error> {
        M::from_map(map).map(Found::Map)
    }
}

impl<'de, M: Shape> Deserialize<'de> for Found<M> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Found<M>, D::Error> {
        deserializer.deserialize_any(FoundVisitor(PhantomData))
    }
}

/// Read what stands where a figure belongs: a number by its written digits
/// (where it is defined, for an alias), or the text or mapping found.
fn written<'de, M: Shape, D: Deserializer<'de>>(deserializer: D) -> Result<Written<M>, D::Error> {
    let spanned = Spanned::<Found<M>>::deserialize(deserializer)?;
    match spanned.value {
        Found::Number => {
            let literal = written_at(spanned.defined).ok_or_else(|| {
                de::Error::custom("this number cannot be read from the file's text")
            })?;
            exact_decimal(&literal)
                .map(Written::Value)
                .map_err(de::Error::custom)
        }
        Found::Text(text) => Ok(Written::Text(text)),
        Found::Map(map) => Ok(Written::Map(map)),
    }
}

impl<'de> Deserialize<'de> for Dec {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Dec, D::Error> {
        match written::<OnlyNumber, D>(deserializer)? {
            Written::Value(value) => Ok(Dec(value)),
            Written::Text(text) => Err(de::Error::custom(not_a_figure(&text, "a number"))),
        }
    }
}

/// A figure that may be declared not applicable with `n/a`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Figure {
    Value(Decimal),
    NotApplicable,
}

impl Figure {
    fn from_text<E: de::Error>(text: &str) -> Result<Figure, E> {
        if text.trim().eq_ignore_ascii_case("n/a") {
            Ok(Figure::NotApplicable)
        } else {
            Err(E::custom(not_a_figure(text, "a number or `n/a`")))
        }
    }
}

impl<'de> Deserialize<'de> for Figure {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Figure, D::Error> {
        match written::<NumberOrNa, D>(deserializer)? {
            Written::Value(value) => Ok(Figure::Value(value)),
            Written::Text(text) => Figure::from_text(&text),
        }
    }
}

/// Where a result value comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Source {
    /// Assessed by the province itself.
    #[default]
    Provincial,
    /// Taken from the national assessment (直接运用国家考核结果).
    National,
}

/// A unit's result for one indicator: `90.1`, `n/a`, or `{ value: 90.1, source: national }`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Measurement {
    pub value: Figure,
    pub source: Source,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct MeasurementMap {
    value: Figure,
    #[serde(default)]
    source: Source,
}

impl Shape for MeasurementMap {
    const EXPECTING: &'static str = "a number, n/a, or { value: NUMBER, source: national }";

    fn from_map<'de, A: MapAccess<'de>>(map: A) -> Result<Self, A::Error> {
        MeasurementMap::deserialize(de::value::MapAccessDeserializer::new(map))
    }
}

impl<'de> Deserialize<'de> for Measurement {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Measurement, D::Error> {
        let value = match written::<MeasurementMap, D>(deserializer)? {
            Written::Value(value) => Figure::Value(value),
            Written::Text(text) => Figure::from_text(&text)?,
            Written::Map(MeasurementMap { value, source }) => {
                return Ok(Measurement { value, source })
            }
        };
        Ok(Measurement {
            value,
            source: Source::Provincial,
        })
    }
}
