//! Where a 公文 title may break (GB/T 9704-2012 7.3.3: 回行时要做到词意完整，
//! 排列对称): the `title_lines` filter splits a title into lines of phrases
//! so that no line breaks inside a word and the lines are as even as the
//! phrases allow. Chinese has no spaces, so the words are a small lexicon of
//! what the assessment's titles are made of; text the lexicon does not know
//! stays whole.

use minijinja::Value;

/// Words a title may break around, longest first where one holds another.
const WORDS: &[&str] = &[
    "生态环境保护",
    "目标责任制",
    "目标责任书",
    "人民政府",
    "各市（州）",
    "专项资金",
    "考核结果",
    "工作方案",
    "实施方案",
    "生态环境",
    "各地区",
    "汇总表",
    "的通报",
    "的报告",
    "的通知",
    "的函",
    "关于",
    "年度",
    "政府",
    "考核",
    "结果",
    "明细",
    "分配",
    "情况",
    "工作",
    "目标",
    "责任",
    "通报",
    "报告",
];

/// 2号 characters on one line of the 版心: 156 mm at 22 pt.
const LINE_WIDTH: u32 = 40; // in half-widths

/// A phrase's width in half-widths: digits and Latin letters take half a
/// CJK character.
fn width(text: &str) -> u32 {
    text.chars()
        .map(|c| if c.is_ascii() { 1 } else { 2 })
        .fold(0u32, u32::saturating_add)
}

/// The title cut into phrases no line may break inside: lexicon words and
/// each run of other text, a number kept with the word after it (2024年度),
/// brackets and punctuation with their neighbours.
pub fn phrases(title: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut rest = title;
    let mut last_was_word = false;
    while let Some(first) = rest.chars().next() {
        let word = WORDS.iter().find(|w| rest.starts_with(**w));
        let piece = word.map_or(&rest[..first.len_utf8()], |w| &rest[..w.len()]);
        rest = &rest[piece.len()..];
        let is_word = word.is_some();
        let closing = piece.starts_with(['）', '」', '》', '、', '，', '。', '：']);
        let breakable = out.last().is_some_and(|last: &String| {
            (last_was_word || is_word)
                && !closing
                && !last.ends_with(|c: char| c.is_ascii_digit() || "（「《".contains(c))
        });
        match out.last_mut() {
            Some(last) if !breakable => last.push_str(piece),
            _ => out.push(piece.to_string()),
        }
        last_was_word = is_word;
    }
    out
}

/// Phrases grouped into lines: as few lines as fit `LINE_WIDTH`, the break
/// chosen so that the longest line is as short as possible (the earlier
/// break on a tie). A phrase wider than a line is a line of its own.
pub fn lines(phrases: &[String]) -> Vec<Vec<String>> {
    let widths: Vec<u32> = phrases.iter().map(|p| width(p)).collect();
    let total = widths.iter().fold(0u32, |a, b| a.saturating_add(*b));
    if total <= LINE_WIDTH || phrases.len() < 2 {
        return vec![phrases.to_vec()];
    }
    let count = total.div_ceil(LINE_WIDTH).max(2) as usize;
    let mut best: Option<(u32, Vec<usize>)> = None;
    // Breaks before phrase i; a title has a handful of phrases, so trying
    // every split into `count` lines (up to three) is cheap.
    let n = phrases.len();
    let mut consider = |cuts: Vec<usize>| {
        let mut bounds = vec![0];
        bounds.extend(&cuts);
        bounds.push(n);
        let longest = bounds
            .windows(2)
            .map(|w| {
                widths[w[0]..w[1]]
                    .iter()
                    .fold(0u32, |a, b| a.saturating_add(*b))
            })
            .max()
            .unwrap_or(0);
        if best.as_ref().is_none_or(|(b, _)| longest < *b) {
            best = Some((longest, cuts));
        }
    };
    if count == 2 || n < 3 {
        (1..n).for_each(|i| consider(vec![i]));
    } else {
        for i in 1..n - 1 {
            for j in i + 1..n {
                consider(vec![i, j]);
            }
        }
    }
    let cuts = best.map(|(_, c)| c).unwrap_or_default();
    let mut out = Vec::new();
    let mut start = 0;
    for end in cuts.into_iter().chain([n]) {
        out.push(phrases[start..end].to_vec());
        start = end;
    }
    out
}

/// `{{ title | title_lines }}`: the lines of a title, each a list of phrases.
pub fn title_lines(title: &str) -> Value {
    Value::from(
        lines(&phrases(title))
            .into_iter()
            .map(|line| Value::from(line.into_iter().map(Value::from).collect::<Vec<_>>()))
            .collect::<Vec<_>>(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn joined(title: &str) -> Vec<String> {
        lines(&phrases(title))
            .into_iter()
            .map(|l| l.concat())
            .collect()
    }

    #[test]
    fn titles_break_between_words_and_evenly() {
        assert_eq!(
            joined("关于2024年度各市（州）政府生态环境保护目标责任制考核结果的通报"),
            [
                "关于2024年度各市（州）政府",
                "生态环境保护目标责任制考核结果的通报"
            ]
        );
        assert_eq!(
            joined("2024年度各地区政府生态环境保护目标责任制考核结果明细"),
            ["2024年度各地区政府生态环境保护", "目标责任制考核结果明细"]
        );
        assert_eq!(
            joined("吉林省2024年度政府生态环境保护目标责任书"),
            ["吉林省2024年度政府生态环境保护目标责任书"]
        );
    }

    #[test]
    fn numbers_and_brackets_stay_with_their_words() {
        let p = phrases("关于2024年度各市（州）政府（试行）的通报");
        assert!(p.contains(&"2024年度".to_string()), "{p:?}");
        assert!(p.iter().all(|x| !x.starts_with('）')), "{p:?}");
        assert_eq!(p.concat(), "关于2024年度各市（州）政府（试行）的通报");
    }
}
