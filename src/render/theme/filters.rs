//! How templates write values: the auto-escape by output kind, the formatter
//! that escapes (and keeps each value inside the page budget), and the filters
//! ecoscore adds to minijinja's.

use minijinja::{AutoEscape, Environment, UndefinedBehavior, Value};

use super::super::{budget, markdown};

/// An environment set up as every theme's is: strict undefined, escaping by
/// output kind, the budget, and ecoscore's filters.
pub(super) fn environment() -> Environment<'static> {
    let mut env = Environment::new();
    env.set_undefined_behavior(UndefinedBehavior::Strict);
    env.set_auto_escape_callback(auto_escape);
    // Debug mode makes minijinja name the undefined expression and its span.
    env.set_debug(true);
    env.set_formatter(format_value);
    env.set_fuel(Some(budget::FUEL));
    env.add_filter("cn_number", cn_number);
    env.add_filter("title_lines", super::title::title_lines);
    env
}

/// The escaping of a content file whose body is a template (the bulletin):
/// every printed value is escaped for Markdown (`markdown::escape`), so data
/// shows as its text and never becomes markup.
const MARKDOWN: AutoEscape = AutoEscape::Custom(std::borrow::Cow::Borrowed("markdown"));

fn auto_escape(name: &str) -> AutoEscape {
    if name.ends_with(".html") || name.ends_with(".xml") || name.ends_with(".svg") {
        AutoEscape::Html
    } else if name.ends_with(".md") {
        MARKDOWN
    } else {
        AutoEscape::None
    }
}

/// Escape text for HTML and XML: `&<>"'` only. minijinja's default also
/// escapes `/`, which turns every URL in the source into `&#x2f;` soup.
fn escape_markup(text: &str, out: &mut minijinja::Output) -> std::fmt::Result {
    let mut last = 0;
    for (i, byte) in text.bytes().enumerate() {
        let entity = match byte {
            b'&' => "&amp;",
            b'<' => "&lt;",
            b'>' => "&gt;",
            b'"' => "&quot;",
            b'\'' => "&#39;",
            _ => continue,
        };
        out.write_str(&text[last..i])?;
        out.write_str(entity)?;
        last = i + 1;
    }
    out.write_str(&text[last..])
}

fn format_value(
    out: &mut minijinja::Output,
    state: &mut minijinja::State,
    value: &Value,
) -> Result<(), minijinja::Error> {
    let write_failed =
        |_| minijinja::Error::new(minijinja::ErrorKind::WriteFailure, "cannot write output");
    // A value that cannot fit fails before it is escaped.
    budget::check(value.as_str().map_or(0, str::len))?;
    let escape = state.auto_escape().clone();
    if escape == MARKDOWN {
        if value.is_safe() {
            out.write_str(value.as_str().unwrap_or_default())
        } else if let Some(text) = value.as_str() {
            markdown::escape(text, out)
        } else {
            markdown::escape(&value.to_string(), out)
        }
        .map_err(write_failed)?;
    } else if escape == AutoEscape::Html && value.as_str().is_some() && !value.is_safe() {
        escape_markup(value.as_str().unwrap_or_default(), out).map_err(write_failed)?;
    } else {
        minijinja::escape_formatter(out, state, value)?;
    }
    budget::check(0)
}

/// `3 | cn_number` → 三: Chinese numerals for the heading numbers of
/// official documents (一、 （一）), 1 to 99; other numbers stay digits.
fn cn_number(n: u32) -> String {
    const DIGITS: [&str; 10] = ["〇", "一", "二", "三", "四", "五", "六", "七", "八", "九"];
    match n {
        1..=9 => DIGITS[n as usize].to_string(),
        10..=19 => format!(
            "十{}",
            if n == 10 {
                ""
            } else {
                DIGITS[(n - 10) as usize]
            }
        ),
        20..=99 => format!(
            "{}十{}",
            DIGITS[(n / 10) as usize],
            if n.is_multiple_of(10) {
                ""
            } else {
                DIGITS[(n % 10) as usize]
            }
        ),
        _ => n.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chinese_heading_numbers() {
        let numbers: Vec<String> = [1, 9, 10, 11, 12, 20, 21, 99, 100, 0]
            .into_iter()
            .map(cn_number)
            .collect();
        assert_eq!(
            numbers,
            [
                "一",
                "九",
                "十",
                "十一",
                "十二",
                "二十",
                "二十一",
                "九十九",
                "100",
                "0"
            ]
        );
    }

    #[test]
    fn bulletin_values_are_escaped_for_markdown() {
        let mut env = Environment::new();
        env.set_auto_escape_callback(auto_escape);
        env.set_formatter(format_value);
        let render = |source: &str| {
            env.render_named_str(
                "content/2024/bulletin.md",
                source,
                minijinja::context! { x => "**粗**<b>", n => -1, names => ["甲", "*乙*"] },
            )
            .unwrap()
        };
        assert_eq!(render("{{ x }}"), "&#42;&#42;粗&#42;&#42;&lt;b&gt;");
        assert_eq!(render("{{ n }}"), "&#45;1");
        assert_eq!(render("{{ x | safe }}"), "**粗**<b>");
        // Markdown the template writes itself is kept, with the values in it escaped.
        assert_eq!(
            render("{% set s %}**{{ x }}**{% endset %}{{ s }}"),
            "**&#42;&#42;粗&#42;&#42;&lt;b&gt;**"
        );
        assert_eq!(render("{{ names | join('、') }}"), "甲、&#42;乙&#42;");
        assert_eq!(
            render("{{ names | join('\n- ' | safe) }}"),
            "甲\n- &#42;乙&#42;"
        );
    }

    #[test]
    fn markup_escaping_leaves_slashes() {
        let mut env = Environment::new();
        env.set_auto_escape_callback(auto_escape);
        env.set_formatter(format_value);
        let out = env
            .render_named_str(
                "t.html",
                "{{ x }}|{{ y|safe }}",
                minijinja::context! { x => "<a href=\"/p?a=1&b='2'\">", y => "<b>" },
            )
            .unwrap();
        assert_eq!(
            out,
            "&lt;a href=&quot;/p?a=1&amp;b=&#39;2&#39;&quot;&gt;|<b>"
        );
    }
}
