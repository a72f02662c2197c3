//! One unit's results as a form gives them: the YAML file `import` writes,
//! and the field-by-field changes against the file already there.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use rust_decimal::Decimal;

use crate::load::raw::RawResults;
use crate::load::yaml::{Figure, Source};
use crate::model::{Date, DowngradeKind};

/// A number with the digits it was typed with ("86.30"); equal by value.
#[derive(Debug, Clone)]
pub struct Num {
    pub value: Decimal,
    pub text: String,
}

impl Num {
    pub fn new(value: Decimal, text: impl Into<String>) -> Num {
        Num {
            value,
            text: text.into(),
        }
    }

    fn of(value: Decimal) -> Num {
        Num::new(value, value.normalize().to_string())
    }
}

impl PartialEq for Num {
    fn eq(&self, other: &Num) -> bool {
        self.value == other.value
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Number(Num),
    NotApplicable,
}

#[derive(Debug, Clone)]
pub struct IndicatorEntry {
    pub id: String,
    pub value: Value,
    pub national: bool,
    /// 备注: written as a comment, so it changes nothing that is scored.
    pub note: Option<String>,
}

/// The unit's own scores, in the order of the results file's keys.
pub const SELF_KEYS: [&str; 6] = [
    "indicators",
    "tasks",
    "funds",
    "satisfaction",
    "bonus",
    "total",
];

#[derive(Debug, Clone, Default)]
pub struct Record {
    pub region: String,
    pub year: u16,
    pub indicators: Vec<IndicatorEntry>,
    /// (category id, deduct, reason)
    pub tasks: Vec<(String, Num, String)>,
    pub funds: Vec<(Num, String)>,
    pub satisfaction: Option<Num>,
    pub bonus: Vec<(Num, String)>,
    pub veto: Vec<(Date, String)>,
    pub downgrade: Vec<(DowngradeKind, String)>,
    /// In [`SELF_KEYS`] order.
    pub self_assessment: Option<[Num; 6]>,
}

fn downgrade_id(kind: DowngradeKind) -> &'static str {
    match kind {
        DowngradeKind::RectificationOverdue => "rectification_overdue",
        DowngradeKind::BindingTargetMissed => "binding_target_missed",
    }
}

impl Record {
    /// The record of a results file already in the project.
    pub fn from_raw(raw: &RawResults) -> Record {
        Record {
            region: raw.region.value.clone(),
            year: raw.year.value,
            indicators: raw
                .indicators
                .value
                .0
                .iter()
                .map(|(id, m)| IndicatorEntry {
                    id: id.value.clone(),
                    value: match m.value.value {
                        Figure::Value(v) => Value::Number(Num::of(v)),
                        Figure::NotApplicable => Value::NotApplicable,
                    },
                    national: m.value.source == Source::National,
                    note: None,
                })
                .collect(),
            tasks: raw
                .tasks
                .iter()
                .map(|t| {
                    let t = &t.value;
                    (
                        t.category.value.clone(),
                        Num::of(t.deduct.value.0),
                        t.reason.value.clone(),
                    )
                })
                .collect(),
            funds: raw
                .funds
                .iter()
                .map(|f| {
                    (
                        Num::of(f.value.deduct.value.0),
                        f.value.reason.value.clone(),
                    )
                })
                .collect(),
            satisfaction: Some(Num::of(raw.satisfaction.value.0)),
            bonus: raw
                .bonus
                .iter()
                .map(|b| {
                    (
                        Num::of(b.value.points.value.0),
                        b.value.reason.value.clone(),
                    )
                })
                .collect(),
            veto: raw
                .veto
                .iter()
                .map(|v| (v.value.date.value, v.value.event.value.clone()))
                .collect(),
            downgrade: raw
                .downgrade
                .iter()
                .map(|d| (d.value.kind, d.value.reason.value.clone()))
                .collect(),
            self_assessment: raw.self_assessment.as_ref().map(|s| {
                let s = &s.value;
                let bonus = s.bonus.as_ref().map_or(Decimal::ZERO, |b| b.value.0);
                [
                    Num::of(s.indicators.value.0),
                    Num::of(s.tasks.value.0),
                    Num::of(s.funds.value.0),
                    Num::of(s.satisfaction.value.0),
                    Num::of(bonus),
                    Num::of(s.total.value.0),
                ]
            }),
        }
    }

    /// Every field as (key, shown value), for the list of changes.
    fn fields(&self) -> Vec<(String, String)> {
        let mut out = Vec::new();
        for entry in &self.indicators {
            let value = match &entry.value {
                Value::Number(n) => n.value.normalize().to_string(),
                Value::NotApplicable => "n/a".to_string(),
            };
            let source = if entry.national {
                "（国家考核）"
            } else {
                ""
            };
            out.push((
                format!("indicators.{}", entry.id),
                format!("{value}{source}"),
            ));
        }
        for (i, (category, deduct, reason)) in self.tasks.iter().enumerate() {
            out.push((
                format!("tasks[{}]", i + 1),
                format!("{category} 扣{}：{reason}", deduct.value.normalize()),
            ));
        }
        for (i, (deduct, reason)) in self.funds.iter().enumerate() {
            out.push((
                format!("funds[{}]", i + 1),
                format!("扣{}：{reason}", deduct.value.normalize()),
            ));
        }
        if let Some(s) = &self.satisfaction {
            out.push(("satisfaction".into(), s.value.normalize().to_string()));
        }
        for (i, (points, reason)) in self.bonus.iter().enumerate() {
            out.push((
                format!("bonus[{}]", i + 1),
                format!("加{}：{reason}", points.value.normalize()),
            ));
        }
        for (i, (date, event)) in self.veto.iter().enumerate() {
            out.push((format!("veto[{}]", i + 1), format!("{date} {event}")));
        }
        for (i, (kind, reason)) in self.downgrade.iter().enumerate() {
            out.push((
                format!("downgrade[{}]", i + 1),
                format!("{}：{reason}", downgrade_id(*kind)),
            ));
        }
        if let Some(values) = &self.self_assessment {
            for (key, value) in SELF_KEYS.iter().zip(values) {
                out.push((
                    format!("self_assessment.{key}"),
                    value.value.normalize().to_string(),
                ));
            }
        }
        out
    }

    /// What changes from `old` to `self`, one line per field: `key: old → new`.
    pub fn changes_from(&self, old: &Record) -> Vec<String> {
        let new_fields = self.fields();
        let old_fields: BTreeMap<String, String> = old.fields().into_iter().collect();
        let mut seen = std::collections::BTreeSet::new();
        let mut lines = Vec::new();
        for (key, value) in &new_fields {
            seen.insert(key.clone());
            match old_fields.get(key) {
                Some(before) if before == value => {}
                Some(before) => lines.push(format!("{key}: {before} → {value}")),
                None => lines.push(format!("{key}: （无） → {value}")),
            }
        }
        for (key, before) in old.fields() {
            if !seen.contains(&key) {
                lines.push(format!("{key}: {before} → （无）"));
            }
        }
        lines
    }

    /// The results file: the sample's layout, with a comment for every
    /// national figure and 备注, and what the province itself wrote in the
    /// file it replaces (not the unit's form): the measures and the `internal`
    /// notes.
    pub fn to_yaml(
        &self,
        unit_name: &str,
        source_file: &str,
        sample_data: bool,
        kept: &Kept,
    ) -> String {
        let mut out = String::new();
        if sample_data {
            let _ = writeln!(
                out,
                "# 示例数据（sample data）：{}{}年度考核结果，非官方数据。",
                one_line(unit_name),
                self.year
            );
        }
        let _ = writeln!(
            out,
            "# {}{}年度考核结果，由 ecoscore import 从填报表 {} 导入。",
            one_line(unit_name),
            self.year,
            one_line(source_file)
        );
        let _ = writeln!(out, "region: {}", scalar(&self.region));
        let _ = writeln!(out, "year: {}", self.year);
        out.push_str("indicators:\n");
        for entry in &self.indicators {
            let value = match &entry.value {
                Value::Number(n) => n.text.clone(),
                Value::NotApplicable => "n/a".to_string(),
            };
            let mut comment = Vec::new();
            let _ = write!(out, "  {}: ", scalar(&entry.id));
            if entry.national {
                let _ = write!(out, "{{ value: {value}, source: national }}");
                comment.push("直接运用国家考核结果".to_string());
            } else {
                out.push_str(&value);
            }
            comment.extend(entry.note.as_deref().map(one_line));
            if !comment.is_empty() {
                let _ = write!(out, "   # {}", comment.join("；"));
            }
            out.push('\n');
        }
        let list = |out: &mut String, key: &str, items: Vec<String>, always: bool| {
            if items.is_empty() {
                if always {
                    let _ = writeln!(out, "{key}: []");
                }
                return;
            }
            let _ = writeln!(out, "{key}:");
            for item in items {
                let _ = writeln!(out, "  - {{ {item} }}");
            }
        };
        list(
            &mut out,
            "tasks",
            self.tasks
                .iter()
                .map(|(c, d, r)| {
                    format!(
                        "category: {}, deduct: {}, reason: {}",
                        scalar(c),
                        d.text,
                        scalar(r)
                    )
                })
                .collect(),
            true,
        );
        list(
            &mut out,
            "funds",
            self.funds
                .iter()
                .map(|(d, r)| format!("deduct: {}, reason: {}", d.text, scalar(r)))
                .collect(),
            true,
        );
        if let Some(s) = &self.satisfaction {
            let _ = writeln!(out, "satisfaction: {}", s.text);
        }
        list(
            &mut out,
            "bonus",
            self.bonus
                .iter()
                .map(|(p, r)| format!("points: {}, reason: {}", p.text, scalar(r)))
                .collect(),
            true,
        );
        list(
            &mut out,
            "veto",
            self.veto
                .iter()
                .map(|(d, e)| format!("date: {d}, event: {}", scalar(e)))
                .collect(),
            false,
        );
        list(
            &mut out,
            "downgrade",
            self.downgrade
                .iter()
                .map(|(k, r)| format!("kind: {}, reason: {}", downgrade_id(*k), scalar(r)))
                .collect(),
            false,
        );
        if let Some(values) = &self.self_assessment {
            let parts: Vec<String> = SELF_KEYS
                .iter()
                .zip(values)
                .map(|(key, value)| format!("{key}: {}", value.text))
                .collect();
            let _ = writeln!(
                out,
                "self_assessment: {{ {} }}   # 自评分",
                parts.join(", ")
            );
        }
        if !kept.measures.is_empty() {
            out.push_str("measures:   # 省级采取的问责措施（不由表格填报）\n");
            for (kind, date, reason) in &kept.measures {
                let _ = writeln!(
                    out,
                    "  - {{ kind: {kind}, date: {date}, reason: {} }}",
                    scalar(reason)
                );
            }
        }
        if !kept.internal.is_empty() {
            out.push_str("internal:   # 仅用于抄送件，不对外公开\n");
            for (key, text) in &kept.internal {
                let _ = writeln!(out, "  {}: {}", scalar(key), scalar(text));
            }
        }
        out
    }
}

/// What an import keeps from the results file it replaces: what the province
/// wrote there itself, which no unit's form carries.
#[derive(Debug, Default)]
pub struct Kept {
    /// Measures taken (kind as written in YAML, date, reason).
    pub measures: Vec<(String, String, String)>,
    pub internal: BTreeMap<String, String>,
}

impl Kept {
    pub fn from_raw(raw: &crate::load::raw::RawResults) -> Kept {
        let measures = raw
            .measures
            .iter()
            .map(|m| {
                let kind = serde_json::to_value(m.value.kind)
                    .ok()
                    .and_then(|v| v.as_str().map(str::to_string))
                    .unwrap_or_default();
                (
                    kind,
                    m.value.date.value.to_string(),
                    m.value.reason.value.clone(),
                )
            })
            .collect();
        Kept {
            measures,
            internal: raw.internal.clone(),
        }
    }
}

/// Text for a comment: one line, no control characters.
fn one_line(text: &str) -> String {
    text.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect::<String>()
        .trim()
        .to_string()
}

/// A YAML scalar for `text` that reads back as exactly that string, in a
/// flow mapping too: plain when nothing in it means something to YAML,
/// else double-quoted with escapes.
pub fn scalar(text: &str) -> String {
    let reserved = |c: char| {
        matches!(
            c,
            ':' | '#'
                | ','
                | '['
                | ']'
                | '{'
                | '}'
                | '"'
                | '\''
                | '\\'
                | '&'
                | '*'
                | '!'
                | '|'
                | '>'
                | '%'
                | '@'
                | '`'
        ) || c.is_control()
            || matches!(c, '\u{85}' | '\u{2028}' | '\u{2029}' | '\u{feff}')
    };
    let first = text.chars().next();
    let plain = first.is_some_and(|c| {
        !matches!(c, '-' | '?' | '.' | '+' | '~') && !c.is_ascii_digit() && !c.is_whitespace()
    }) && !text.ends_with(char::is_whitespace)
        && !text.chars().any(reserved)
        && !matches!(
            text.to_ascii_lowercase().as_str(),
            "null"
                | "true"
                | "false"
                | "yes"
                | "no"
                | "on"
                | "off"
                | "y"
                | "n"
                | "n/a"
                | "nan"
                | "inf"
        );
    if plain {
        return text.to_string();
    }
    let mut out = String::from("\"");
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if c.is_control() || matches!(c, '\u{85}' | '\u{2028}' | '\u{2029}' | '\u{feff}') => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::path::Path;
    use std::sync::Arc;

    #[derive(serde::Deserialize)]
    struct Doc {
        a: String,
        b: Vec<Item>,
    }

    #[derive(serde::Deserialize)]
    struct Item {
        reason: String,
    }

    fn round_trip(text: &str) -> (String, String) {
        let yaml = format!(
            "a: {}\nb:\n  - {{ reason: {} }}\n",
            scalar(text),
            scalar(text)
        );
        let doc: Doc = crate::load::yaml::parse(Path::new("t.yaml"), &Arc::from(yaml.as_str()))
            .unwrap_or_else(|e| panic!("{yaml}: {:?}", e.problems));
        (
            doc.a,
            doc.b
                .into_iter()
                .next()
                .map(|i| i.reason)
                .unwrap_or_default(),
        )
    }

    #[test]
    fn scalars_stay_plain_when_they_can() {
        assert_eq!(
            scalar("秋季秸秆露天焚烧火点超过控制目标"),
            "秋季秸秆露天焚烧火点超过控制目标"
        );
        assert_eq!(
            scalar("入选全国“无废城市”建设名单"),
            "入选全国“无废城市”建设名单"
        );
        assert_eq!(scalar("a: b"), "\"a: b\"");
        assert_eq!(scalar("- 2项"), "\"- 2项\"");
        assert_eq!(scalar("2023"), "\"2023\"");
        assert_eq!(scalar("yes"), "\"yes\"");
    }

    #[test]
    fn tricky_scalars_read_back_exactly() {
        for text in [
            "a, b",
            "{x}",
            "#1",
            "say \"hi\"",
            "back\\slash",
            "line\nbreak",
            "  padded  ",
            "",
            "null",
            "=SUM(A1)",
            "- dash",
            "1.5",
            "n/a",
            "x # y",
            "tab\tin",
        ] {
            let (a, reason) = round_trip(text);
            assert_eq!(a, text);
            assert_eq!(reason, text);
        }
    }

    proptest! {
        #[test]
        fn any_text_reads_back_exactly(text in "\\PC{0,40}") {
            let (a, reason) = round_trip(&text);
            prop_assert_eq!(&a, &text);
            prop_assert_eq!(&reason, &text);
        }
    }

    #[test]
    fn changes_list_each_field() {
        let mut old = Record {
            region: "a".into(),
            year: 2023,
            satisfaction: Some(Num::of(Decimal::new(883, 1))),
            ..Record::default()
        };
        old.funds.push((Num::of(Decimal::ONE), "x".into()));
        let mut new = old.clone();
        new.satisfaction = Some(Num::new(Decimal::new(8830, 2), "88.30"));
        assert!(new.changes_from(&old).is_empty(), "88.30 is 88.3");
        new.satisfaction = Some(Num::of(Decimal::new(885, 1)));
        new.funds.clear();
        new.bonus.push((Num::of(Decimal::TWO), "y".into()));
        assert_eq!(
            new.changes_from(&old),
            [
                "satisfaction: 88.3 → 88.5",
                "bonus[1]: （无） → 加2：y",
                "funds[1]: 扣1：x → （无）"
            ]
        );
    }
}
