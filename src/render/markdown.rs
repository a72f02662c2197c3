//! Markdown to sanitized HTML: user text never carries script into the site.
//!
//! Two guards sit in front of the parsers. [`check_depth`] refuses text that
//! nests blockquotes, lists or HTML elements more than [`MAX_DEPTH`] deep,
//! in one linear pass: the HTML parser behind ammonia checks the stack of
//! open elements for every block it opens, so cost grows with the square of
//! the depth (a 200 KB narrative of nested `>` took 83 s). And [`escape`]
//! turns a value printed by a bulletin's template into Markdown that shows
//! exactly its text, so data can never become markup.

use pulldown_cmark::{html, Options, Parser};

/// How deeply blockquotes and lists, and separately HTML elements, may nest.
/// Real bulletins and narratives nest three or four levels.
pub const MAX_DEPTH: usize = 32;

/// Markdown refused before parsing: where it nests too deep.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TooDeep {
    /// 1-based line and column (in characters) of the marker or tag that
    /// went past the limit, in the text given to [`check_depth`].
    pub line: usize,
    pub column: usize,
    pub html: bool,
}

impl TooDeep {
    pub fn message(&self) -> String {
        if self.html {
            format!("HTML elements are nested more than {MAX_DEPTH} levels deep here")
        } else {
            format!("blockquotes and lists are nested more than {MAX_DEPTH} levels deep here")
        }
    }

    pub fn help(&self) -> String {
        format!(
            "Markdown may nest blockquotes (`>`) and lists, and HTML elements, at most {MAX_DEPTH} levels deep (docs/templates.md); close the open levels or flatten the text"
        )
    }
}

/// Markdown to sanitized HTML, refused when it nests deeper than
/// [`MAX_DEPTH`].
pub fn to_html(markdown: &str) -> Result<String, TooDeep> {
    check_depth(markdown)?;
    let options =
        Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH | Options::ENABLE_FOOTNOTES;
    let mut raw = String::new();
    html::push_html(&mut raw, Parser::new_ext(markdown, options));
    let clean = ammonia::Builder::default()
        .link_rel(Some("noopener noreferrer"))
        .clean(&raw)
        .to_string();
    // A table wider than a phone scrolls in a region a keyboard can focus and
    // a screen reader names, instead of breaking its words. The sanitized
    // output has no attribute on <table>, and text never holds a raw `<`.
    Ok(clean
        .replace("<table>", TABLE_SCROLL_OPEN)
        .replace("</table>", "</table></div>"))
}

const TABLE_SCROLL_OPEN: &str =
    "<div class=\"table-scroll\" role=\"region\" aria-label=\"表格（可左右滑动）\" tabindex=\"0\"><table>";

/// Elements that never hold content, and those whose end tag may be left
/// out (the parser closes them at the next sibling, so they do not nest by
/// being repeated).
const NOT_NESTING: [&str; 28] = [
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source",
    "track", "wbr", "p", "li", "dt", "dd", "tr", "td", "th", "thead", "tbody", "tfoot", "option",
    "optgroup", "rt", "rp",
];

/// A fenced code block being skipped: its fence, and the containers a line
/// must keep (quote markers, indentation) to stay inside it.
struct Fence {
    char: u8,
    len: usize,
    quotes: usize,
    indent: usize,
}

/// Refuse Markdown that nests blockquotes and lists, or raw HTML elements,
/// more than [`MAX_DEPTH`] deep. One pass over the text; where it cannot
/// tell, it over-counts rather than under-counts (a `<div>` inside a code
/// span counts), which only matters far beyond anything real text does.
pub fn check_depth(markdown: &str) -> Result<(), TooDeep> {
    // Content columns of the open list items, innermost last.
    let mut items: Vec<usize> = Vec::new();
    let mut html_depth = 0usize;
    let mut fence: Option<Fence> = None;
    let mut after_blank = false;
    for (index, line) in markdown.lines().enumerate() {
        let bytes = line.as_bytes();
        let too_deep = |at: usize, html: bool| TooDeep {
            line: index + 1,
            column: line[..at].chars().count() + 1,
            html,
        };
        let breaks_at = thematic_break(bytes);
        // Container markers at the start of the line: `>` and list markers.
        let mut at = 0;
        let mut column = 0;
        let mut quotes = 0usize;
        let mut first = true;
        loop {
            while let Some(&b) = bytes.get(at).filter(|b| **b == b' ' || **b == b'\t') {
                column += if b == b'\t' { 4 - column % 4 } else { 1 };
                at += 1;
            }
            if at == bytes.len() {
                break;
            }
            if let Some(f) = &fence {
                // Inside a fence, only the markers of its own containers count;
                // a line without them ends the fence.
                if bytes[at] == b'>' && quotes < f.quotes {
                    quotes += 1;
                    at += 1;
                    column += 1;
                    continue;
                }
                if quotes < f.quotes || column < f.indent {
                    fence = None;
                } else {
                    break;
                }
            }
            if bytes[at] == b'>' {
                quotes += 1;
                at += 1;
                column += 1;
                if quotes > MAX_DEPTH {
                    return Err(too_deep(at - 1, false));
                }
                continue;
            }
            if first {
                // A marker ends the items it is not indented into; so does
                // text after a blank line (without one it may be a lazy
                // continuation of the innermost paragraph).
                if after_blank || list_marker(bytes, at, breaks_at).is_some() {
                    while items.last().is_some_and(|&c| c > column) {
                        items.pop();
                    }
                }
                first = false;
            }
            let Some(width) = list_marker(bytes, at, breaks_at) else {
                break;
            };
            let spaces = bytes[at + width..]
                .iter()
                .take_while(|b| **b == b' ')
                .count();
            items.push(column + width + if (1..=4).contains(&spaces) { spaces } else { 1 });
            if quotes + items.len() > MAX_DEPTH {
                return Err(too_deep(at, false));
            }
            at += width;
            column += width;
        }
        if at == bytes.len() && fence.as_ref().is_some_and(|f| quotes < f.quotes) {
            fence = None;
        }
        after_blank = at == bytes.len();
        let rest = &bytes[at..];
        if let Some(f) = &fence {
            let n = rest.iter().take_while(|b| **b == f.char).count();
            if n >= f.len && rest[n..].iter().all(u8::is_ascii_whitespace) {
                fence = None;
            }
            continue;
        }
        if let Some(&c) = rest.first().filter(|c| **c == b'`' || **c == b'~') {
            let n = rest.iter().take_while(|b| **b == c).count();
            // A backtick fence's info string has no backtick (else it is
            // inline code).
            if n >= 3 && (c == b'~' || !rest[n..].contains(&b'`')) {
                fence = Some(Fence {
                    char: c,
                    len: n,
                    quotes,
                    indent: items.last().copied().unwrap_or(0),
                });
                continue;
            }
        }
        // Raw HTML: start tags open a level, end tags close one. A tag runs
        // to the next `>` (or the end of the line); the scan resumes after
        // it, so every byte is looked at once.
        let mut i = at;
        while let Some(offset) = bytes[i..].iter().position(|b| *b == b'<') {
            let start = i + offset;
            let closing = bytes.get(start + 1) == Some(&b'/');
            let name_start = start + 1 + usize::from(closing);
            let name_len = bytes[name_start..]
                .iter()
                .take_while(|b| b.is_ascii_alphanumeric() || **b == b'-')
                .count();
            if name_len == 0 || !bytes[name_start].is_ascii_alphabetic() {
                i = start + 1;
                continue;
            }
            let name = &line[name_start..name_start + name_len];
            let end = bytes[name_start..]
                .iter()
                .position(|b| *b == b'>')
                .map(|e| name_start + e);
            i = end.map_or(bytes.len(), |e| e + 1);
            if NOT_NESTING.iter().any(|n| n.eq_ignore_ascii_case(name)) {
                continue;
            }
            if closing {
                html_depth = html_depth.saturating_sub(1);
            } else if end.is_none_or(|e| bytes[e - 1] != b'/') {
                html_depth += 1;
                if html_depth > MAX_DEPTH {
                    return Err(too_deep(start, true));
                }
            }
        }
    }
    Ok(())
}

/// Where the thematic break that ends `line` starts (`* * *`, `---`, `___`:
/// three or more of one of them, and blanks), or the line's length.
fn thematic_break(line: &[u8]) -> usize {
    let mut mark = None;
    let mut count = 0;
    let mut start = line.len();
    for (i, &b) in line.iter().enumerate().rev() {
        match b {
            b' ' | b'\t' => {}
            b'-' | b'*' | b'_' if mark.is_none_or(|m| m == b) => {
                mark = Some(b);
                count += 1;
            }
            _ => break,
        }
        if count >= 3 {
            start = i;
        }
    }
    start
}

/// The width of the list marker at `at` in `line` (`-`, `+`, `*`, or up to
/// nine digits and `.` or `)`, followed by a space, a tab or the end of the
/// line), or None. The thematic break from `breaks_at` on is not a marker.
fn list_marker(line: &[u8], at: usize, breaks_at: usize) -> Option<usize> {
    let rest = &line[at..];
    let followed =
        |width: usize| matches!(rest.get(width), None | Some(b' ' | b'\t')).then_some(width);
    match rest.first()? {
        b'-' | b'+' | b'*' if at < breaks_at => followed(1),
        b'0'..=b'9' => {
            let digits = rest
                .iter()
                .take(10)
                .take_while(|b| b.is_ascii_digit())
                .count();
            if digits <= 9 && matches!(rest.get(digits), Some(b'.' | b')')) {
                followed(digits + 1)
            } else {
                None
            }
        }
        _ => None,
    }
}

/// Write `text` as Markdown that renders as exactly `text`: every character
/// Markdown or HTML could read as syntax becomes a character reference.
/// References work in paragraphs, headings, tables, link text, titles and
/// raw HTML alike (only code spans and blocks show them as written).
pub fn escape(text: &str, out: &mut impl std::fmt::Write) -> std::fmt::Result {
    let mut last = 0;
    for (i, c) in text.char_indices() {
        let entity = match c {
            '&' => "&amp;",
            '<' => "&lt;",
            '>' => "&gt;",
            '"' => "&quot;",
            '\'' => "&#39;",
            '\\' => "&#92;",
            '`' => "&#96;",
            '*' => "&#42;",
            '_' => "&#95;",
            '~' => "&#126;",
            '[' => "&#91;",
            ']' => "&#93;",
            '(' => "&#40;",
            ')' => "&#41;",
            '!' => "&#33;",
            '#' => "&#35;",
            '+' => "&#43;",
            '-' => "&#45;",
            '=' => "&#61;",
            '|' => "&#124;",
            '.' => "&#46;",
            '\n' => "&#10;",
            '\r' => "&#13;",
            // Leading blanks would indent the line into a code block.
            ' ' | '\t' if i == 0 => {
                if c == ' ' {
                    "&#32;"
                } else {
                    "&#9;"
                }
            }
            _ => continue,
        };
        out.write_str(&text[last..i])?;
        out.write_str(entity)?;
        last = i + c.len_utf8();
    }
    out.write_str(&text[last..])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn html(markdown: &str) -> String {
        to_html(markdown).unwrap()
    }

    fn escaped(text: &str) -> String {
        let mut out = String::new();
        escape(text, &mut out).unwrap();
        out
    }

    #[test]
    fn renders_markdown_and_strips_script() {
        let html = html("## 一、总体情况\n\n正文<script>alert(1)</script><img src=x onerror=alert(1)>\n\n| a | b |\n|---|---|\n| 1 | 2 |\n");
        assert!(html.contains("<h2>一、总体情况</h2>"), "{html}");
        assert!(html.contains("<table>"), "{html}");
        assert!(!html.contains("<script"), "{html}");
        assert!(!html.contains("onerror"), "{html}");
    }

    #[test]
    fn javascript_links_are_removed() {
        let html = html("[x](javascript:alert(1))");
        assert!(!html.contains("javascript:"), "{html}");
    }

    #[test]
    fn escaped_values_render_as_their_text() {
        let hostile = "长春<img src=\"https://evil.example/t.png\"> **粗** _斜_ `码` [链](https://evil.example) ![图](x.png) ~~删~~ a|b &amp; \\*";
        for context in [
            "{}",
            "前文{}后文",
            "## {}",
            "- {}",
            "| 单位 |\n|---|\n| {} |\n",
            "[{}](https://example.test/)",
            "<div>{}</div>",
        ] {
            let plain = html(&context.replace("{}", "VALUE"));
            let got = html(&context.replace("{}", &escaped(hostile)));
            let text = plain.replace("VALUE", &html_text(hostile));
            assert_eq!(got, text, "in {context:?}");
        }
        // Block syntax at the start of a line stays text too.
        for start in [
            "# 题", "> 引", "- 项", "+ 项", "1. 项", "3) 项", "    码", "\t码", "---", "===",
        ] {
            let got = html(&format!("前\n{}", escaped(start)));
            assert_eq!(
                got,
                format!("<p>前\n{}</p>\n", html_text(start)),
                "{start:?}"
            );
        }
        // A newline inside a value cannot start a block.
        let got = html(&escaped("甲\n\n# 乙"));
        assert!(!got.contains("<h1>"), "{got}");
        assert!(got.contains("甲"), "{got}");
    }

    /// `text` as ammonia writes it in a text node.
    fn html_text(text: &str) -> String {
        text.replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;")
    }

    #[test]
    fn plain_values_are_unchanged_in_the_output() {
        for value in ["长春市", "93.45", "2024-04-28", "第1名", "-2.5", "(否决)"] {
            assert_eq!(html(&escaped(value)), html(value), "{value}");
        }
    }

    #[test]
    fn nesting_within_the_limit_renders() {
        let quotes = format!("{} 深\n", ">".repeat(MAX_DEPTH));
        assert!(to_html(&quotes).is_ok());
        let lists: String = (0..MAX_DEPTH)
            .map(|i| format!("{}- 项\n", "  ".repeat(i)))
            .collect();
        assert!(to_html(&lists).is_ok());
        let divs = format!(
            "{}x{}",
            "<div>".repeat(MAX_DEPTH),
            "</div>".repeat(MAX_DEPTH)
        );
        assert!(to_html(&divs).is_ok());
        // Siblings, void elements, thematic breaks and code do not nest.
        let flat = format!(
            "{}\n\n{}\n\n* * * * * * * * * * * * * * * * * * * * * * * * * * * * * * * * * *\n\n```\n{}\n```\n",
            "<div>x</div>".repeat(1000),
            "<br><p>段<li>项".repeat(1000),
            ">".repeat(1000)
        );
        assert!(to_html(&flat).is_ok());
    }

    #[test]
    fn the_check_is_linear_in_the_text() {
        // Inputs that would be quadratic if a scan restarted at every `<`
        // or marker: each is decided in one pass over 8 MiB (the time is
        // printed, not asserted).
        let size = 8 * 1024 * 1024;
        for (text, deep) in [
            (format!("{}/>", "<x ".repeat(size / 3)), false),
            ("<br".repeat(size / 3), false),
            (format!("{}x", "- ".repeat(size / 2)), true),
            ("- ".repeat(size / 2), false),
            ("a\n".repeat(size / 2), false),
        ] {
            let start = std::time::Instant::now();
            assert_eq!(check_depth(&text).is_err(), deep, "{}", &text[..20]);
            println!("{}…: {:.3} s", &text[..6], start.elapsed().as_secs_f64());
        }
    }

    #[test]
    fn nesting_past_the_limit_is_located() {
        let deep = MAX_DEPTH + 1;
        let quotes = format!("正文\n\n{} 深\n", ">".repeat(deep));
        assert_eq!(
            check_depth(&quotes),
            Err(TooDeep {
                line: 3,
                column: deep,
                html: false
            })
        );
        let spaced = format!("{} 深\n", "> ".repeat(deep));
        assert_eq!(check_depth(&spaced).map_err(|e| e.line), Err(1));
        let lists: String = (0..deep)
            .map(|i| format!("{}- 项\n", "  ".repeat(i)))
            .collect();
        assert_eq!(
            check_depth(&lists),
            Err(TooDeep {
                line: deep,
                column: 2 * MAX_DEPTH + 1,
                html: false
            })
        );
        let one_line = format!("{}项\n", "1. ".repeat(deep));
        assert_eq!(check_depth(&one_line).map_err(|e| e.line), Err(1));
        let mixed = format!("{}项\n", "> - ".repeat(deep / 2 + 1));
        assert!(check_depth(&mixed).is_err());
        let divs = format!("a\n{}", "<div>\n".repeat(deep));
        assert_eq!(
            check_depth(&divs),
            Err(TooDeep {
                line: deep + 1,
                column: 1,
                html: true
            })
        );
        // Lazy continuation lines keep the items open.
        let lazy: String = (0..deep)
            .map(|i| format!("{}- 项\n续\n", "  ".repeat(i)))
            .collect();
        assert_eq!(check_depth(&lazy).map_err(|e| e.line), Err(2 * deep - 1));
        // Fences that are not (inline code), or that their container ends,
        // do not hide what follows.
        let deep_quote = format!("{} 深\n", ">".repeat(deep));
        for before in ["```x```\n", "> ```\n\n", "- ```\n代码\n"] {
            let text = format!("{before}{deep_quote}");
            assert!(check_depth(&text).is_err(), "{text:?}");
        }
        let spans = format!("{}x", "<span class=\"a\">".repeat(deep));
        assert!(check_depth(&spans).is_err());
        assert!(to_html(&spans).is_err());
    }
}
