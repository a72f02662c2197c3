//! Values of cells as a clerk types them: numbers with their typed digits,
//! 不适用, dates in the usual spellings.

use rust_decimal::Decimal;

use super::book::Value;
use super::forms;
use super::record::Num;
use crate::model::Date;

/// A number as typed: digits of a text cell kept ("86.30"), a number cell
/// printed in the shortest form that reads back as the same float (86.3,
/// never 86.29999…). Full-width digits from a Chinese input method count.
pub fn number(value: &Value) -> Option<Num> {
    let text = match value {
        Value::Number(f) if f.is_finite() && f.abs() < 1e12 => format!("{f}"),
        Value::Int(i) if i.unsigned_abs() < 1_000_000_000_000 => i.to_string(),
        Value::Text(text) => text
            .chars()
            .map(|c| match c {
                '０'..='９' => char::from_u32(c as u32 - '０' as u32 + '0' as u32).unwrap_or(c),
                '．' => '.',
                '－' => '-',
                '＋' => '+',
                c => c,
            })
            .collect(),
        _ => return None,
    };
    let body = text.strip_prefix(['+', '-']).unwrap_or(&text);
    let (whole, fraction) = body.split_once('.').unwrap_or((body, ""));
    let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if whole.is_empty()
        || !digits(whole)
        || !digits(fraction)
        || (body.contains('.') && fraction.is_empty())
        || whole.len() > 12
        // A float's shortest form has at most 17 significant digits.
        || fraction.len() > 17
    {
        return None;
    }
    let value: Decimal = text.parse().ok()?;
    Some(Num::new(value, text.strip_prefix('+').unwrap_or(&text)))
}

pub fn is_not_applicable(value: &Value) -> bool {
    matches!(value, Value::Text(t) if t == forms::NOT_APPLICABLE || t.eq_ignore_ascii_case("n/a"))
}

/// A date typed as a date cell or as text: 2023-07-12, 2023/7/12, 2023年7月12日.
pub fn date(value: &Value) -> Option<Date> {
    match value {
        Value::Date(date) => Some(*date),
        Value::Text(text) => {
            let parts: Vec<&str> = text
                .trim_end_matches('日')
                .split(['-', '/', '.', '年', '月'])
                .collect();
            let [y, m, d] = parts.as_slice() else {
                return None;
            };
            let (y, m, d): (u16, u8, u8) = (y.parse().ok()?, m.parse().ok()?, d.parse().ok()?);
            Date::parse(&format!("{y:04}-{m:02}-{d:02}"))
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn n(value: Value) -> Option<String> {
        number(&value).map(|n| n.text)
    }

    #[test]
    fn numbers_keep_their_typed_digits() {
        assert_eq!(n(Value::Text("86.30".into())), Some("86.30".into()));
        assert_eq!(n(Value::Number(86.3)), Some("86.3".into()));
        assert_eq!(
            n(Value::Number(0.1 + 0.2)),
            Some("0.30000000000000004".into())
        );
        assert_eq!(n(Value::Int(7)), Some("7".into()));
        assert_eq!(n(Value::Text("９０．５".into())), Some("90.5".into()));
        assert_eq!(n(Value::Text("+3".into())), Some("3".into()));
        assert_eq!(n(Value::Text("-0.5".into())), Some("-0.5".into()));
        for bad in [
            "九十", "95%", "1,234", "1e3", ".5", "5.", "", "1.2.3", "--1",
        ] {
            assert_eq!(n(Value::Text(bad.into())), None, "{bad}");
        }
        assert_eq!(n(Value::Number(f64::NAN)), None);
        assert_eq!(n(Value::Number(1e300)), None);
    }

    #[test]
    fn dates_in_the_usual_spellings() {
        let expected = Date::parse("2023-07-12");
        for text in ["2023-07-12", "2023/7/12", "2023年7月12日", "2023.7.12"] {
            assert_eq!(date(&Value::Text(text.into())), expected, "{text}");
        }
        assert_eq!(date(&Value::Text("2023-02-30".into())), None);
        assert_eq!(date(&Value::Text("七月".into())), None);
    }
}
