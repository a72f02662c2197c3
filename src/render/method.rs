//! The year's 考核细则 in public (`<year>/method/index.html`): generated from
//! the year's rules, so the method the public reads is the one the scorer
//! applies. The worked `n/a` example is a scorecard of ecoscore's own scorer.

use rust_decimal::Decimal;
use serde::Serialize;

use super::view::{fixed2, plain};
use super::{v, PublicYear, Renderer};
use crate::diagnostic::Diagnostic;
use crate::model::{
    Better, Indicator, IndicatorRule, Method, Project, Rules, Scorecard, UnitResult, Year,
};
use crate::output::OutputFile;
use crate::score;

/// The page's path under the site root.
pub fn href(year: u16) -> String {
    format!("{year}/method/index.html")
}

#[derive(Debug, Serialize)]
pub struct SectionRule {
    pub name: &'static str,
    pub points: String,
    pub how: String,
}

#[derive(Debug, Serialize)]
pub struct IndicatorMethod {
    pub id: String,
    pub name: String,
    pub category: &'static str,
    pub unit: String,
    pub points: String,
    pub binding: bool,
    /// The method in a sentence a citizen understands.
    pub method: String,
}

#[derive(Debug, Serialize)]
pub struct TaskMethod {
    pub name: &'static str,
    pub points: String,
}

/// What `n/a` does, shown on one unit's real figures.
#[derive(Debug, Serialize)]
pub struct NaExample {
    pub unit: String,
    /// Whether the `n/a` was supposed (no unit of the year has one).
    pub supposed: bool,
    pub not_applicable: Vec<String>,
    pub all_points: String,
    pub applicable_points: String,
    pub earned: String,
    pub section_points: String,
    /// The unit's indicator section as the scorer computed it (two decimals).
    pub result: String,
}

#[derive(Debug, Serialize)]
pub struct MethodView {
    pub year: u16,
    pub href: String,
    pub total: String,
    pub sections: Vec<SectionRule>,
    pub indicators: Vec<IndicatorMethod>,
    pub tasks: Vec<TaskMethod>,
    pub bonus_cap: String,
    pub binding: Vec<String>,
    pub excellent: String,
    pub good: String,
    pub pass: String,
    pub example: Option<NaExample>,
    pub previous: Option<u16>,
    /// 「与上年相比」: each change from the previous year's rules.
    pub changes: Vec<String>,
}

fn amount(value: Decimal, unit: &str) -> String {
    match unit {
        "%" => format!("{}个百分点", plain(value)),
        "" | "无量纲" => plain(value),
        _ => format!("{}{unit}", plain(value)),
    }
}

/// The scoring method of one indicator in words.
pub fn method_sentence(rule: &IndicatorRule, indicator: &Indicator) -> String {
    let p = plain(rule.points);
    let (reach, miss, ratio) = match indicator.better {
        Better::Higher => ("达到或高于目标值", "低于", "完成值÷目标值"),
        Better::Lower => ("不超过目标值", "超过", "目标值÷完成值"),
    };
    match rule.method {
        Method::PassFail => format!("{reach}得满分{p}分，未达到不得分"),
        Method::PerUnit { deduct, per } => format!(
            "{reach}得满分{p}分；每{miss}目标{}扣{}分，扣完为止",
            amount(per, &indicator.unit),
            plain(deduct)
        ),
        Method::Proportional => {
            format!("{reach}得满分{p}分；未达到的按完成比例得分（{p}分×{ratio}）")
        }
    }
}

fn method_name(method: Method, indicator: &Indicator) -> String {
    match method {
        Method::PassFail => "达标计分".into(),
        Method::PerUnit { deduct, per } => format!(
            "按差距扣分（每差{}扣{}分）",
            amount(per, &indicator.unit),
            plain(deduct)
        ),
        Method::Proportional => "按比例计分".into(),
    }
}

/// The four sections and how each is scored, in words (also the letters').
pub fn sections(rules: &Rules) -> Vec<SectionRule> {
    let s = &rules.sections;
    vec![
        SectionRule {
            name: "主要指标",
            points: plain(s.indicators),
            how: format!(
                "各项指标按下表方法计分，不适用指标不计分，按适用指标折算为{}分制",
                plain(s.indicators)
            ),
        },
        SectionRule {
            name: "重点任务",
            points: plain(s.tasks),
            how: "各类任务按考核发现的问题扣分，每类扣完为止".into(),
        },
        SectionRule {
            name: "资金投入",
            points: plain(s.funds),
            how: format!(
                "按专项资金支出进度、项目储备和开工情况等扣分，最多扣完{}分",
                plain(s.funds)
            ),
        },
        SectionRule {
            name: "公众满意度",
            points: plain(s.satisfaction),
            how: format!("公众满意度调查得分（百分制）×{}%", plain(s.satisfaction)),
        },
    ]
}

/// The binding (约束性) indicators of the rules, by name.
pub fn binding(project: &Project, rules: &Rules) -> Vec<String> {
    rules
        .indicators
        .iter()
        .filter(|r| r.binding)
        .map(|r| project.indicators[r.indicator].name.clone())
        .collect()
}

fn example(project: &Project, year: &Year) -> Option<NaExample> {
    let rules = &year.rules;
    let all: Decimal = rules.indicators.iter().map(|r| r.points).sum();
    // The most telling unit: points lost besides the n/a ones, then the most n/a.
    let real = year
        .cards
        .iter()
        .filter(|c| c.applicable_points < all && !c.applicable_points.is_zero())
        .max_by_key(|c| {
            let lost = c
                .indicators
                .iter()
                .any(|i| i.applicable && !i.lost.is_zero());
            let na = c.indicators.iter().filter(|i| !i.applicable).count();
            (lost, na, std::cmp::Reverse(c.region))
        });
    let (card, supposed) = match real {
        Some(card) => (card.clone(), false),
        None => (suppose_na(project, year)?, true),
    };
    let earned: Decimal = card.indicators.iter().map(|i| i.earned).sum();
    let not_applicable = card
        .indicators
        .iter()
        .filter(|i| !i.applicable)
        .map(|i| {
            project.indicators[rules.indicators[i.rule].indicator]
                .name
                .clone()
        })
        .collect();
    Some(NaExample {
        unit: project.units[card.region].name.clone(),
        supposed,
        not_applicable,
        all_points: plain(all),
        applicable_points: plain(card.applicable_points),
        // Up to four decimals: the exact sum, unless it does not terminate.
        earned: plain(earned.round_dp(4)),
        section_points: plain(rules.sections.indicators),
        result: fixed2(card.sections.indicators),
    })
}

/// No unit of the year has an `n/a`: score the first unit again, supposing
/// its first indicator did not apply.
fn suppose_na(project: &Project, year: &Year) -> Option<Scorecard> {
    let unit = year.units.first()?;
    let mut measures = unit.measures.clone();
    let first = measures.first_mut()?;
    first.target = None;
    first.value = None;
    let supposed = UnitResult {
        region: unit.region,
        measures,
        tasks: unit.tasks.clone(),
        funds: unit.funds.clone(),
        satisfaction: unit.satisfaction,
        bonus: unit.bonus.clone(),
        veto: unit.veto.clone(),
        downgrade: unit.downgrade.clone(),
        actions: Vec::new(),
        self_assessment: None,
        internal: Default::default(),
    };
    score::score_unit(&project.indicators, &year.rules, &supposed).ok()
}

fn changes(project: &Project, rules: &Rules, before: &Rules) -> Vec<String> {
    let mut out = Vec::new();
    let section = |name: &str, now: Decimal, then: Decimal, out: &mut Vec<String>| {
        if now != then {
            out.push(format!(
                "{name}分值由{}分调整为{}分",
                plain(then),
                plain(now)
            ));
        }
    };
    let (s, b) = (&rules.sections, &before.sections);
    section("主要指标", s.indicators, b.indicators, &mut out);
    section("重点任务", s.tasks, b.tasks, &mut out);
    section("资金投入", s.funds, b.funds, &mut out);
    section("公众满意度", s.satisfaction, b.satisfaction, &mut out);
    let id = |r: &IndicatorRule| project.indicators[r.indicator].id.as_str();
    for rule in &rules.indicators {
        let name = &project.indicators[rule.indicator].name;
        match before.indicators.iter().find(|b| id(b) == id(rule)) {
            None => out.push(format!("新增指标「{name}」（{}分）", plain(rule.points))),
            Some(old) => {
                if old.points != rule.points {
                    out.push(format!(
                        "「{name}」分值由{}分调整为{}分",
                        plain(old.points),
                        plain(rule.points)
                    ));
                }
                if old.method != rule.method {
                    out.push(format!(
                        "「{name}」计分方法由{}调整为{}",
                        method_name(old.method, &project.indicators[old.indicator]),
                        method_name(rule.method, &project.indicators[rule.indicator])
                    ));
                }
                if old.binding != rule.binding {
                    out.push(format!(
                        "「{name}」{}",
                        if rule.binding {
                            "列为约束性指标"
                        } else {
                            "不再列为约束性指标"
                        }
                    ));
                }
            }
        }
    }
    for old in &before.indicators {
        if !rules.indicators.iter().any(|r| id(r) == id(old)) {
            let name = &project.indicators[old.indicator].name;
            out.push(format!("取消指标「{name}」"));
        }
    }
    for task in &rules.tasks {
        match before.tasks.iter().find(|t| t.category == task.category) {
            None => out.push(format!(
                "新增重点任务「{}」（{}分）",
                task.category.name(),
                plain(task.points)
            )),
            Some(old) if old.points != task.points => out.push(format!(
                "重点任务「{}」分值由{}分调整为{}分",
                task.category.name(),
                plain(old.points),
                plain(task.points)
            )),
            Some(_) => {}
        }
    }
    for old in &before.tasks {
        if !rules.tasks.iter().any(|t| t.category == old.category) {
            out.push(format!("取消重点任务「{}」", old.category.name()));
        }
    }
    section("加分上限", rules.bonus_cap, before.bonus_cap, &mut out);
    section(
        "优秀等次分数线",
        rules.grades.excellent,
        before.grades.excellent,
        &mut out,
    );
    section(
        "良好等次分数线",
        rules.grades.good,
        before.grades.good,
        &mut out,
    );
    section(
        "合格等次分数线",
        rules.grades.pass,
        before.grades.pass,
        &mut out,
    );
    out
}

impl MethodView {
    /// The method of `year`; changes against the project's previous year, if it has one.
    pub fn new(project: &Project, year: &Year) -> MethodView {
        let rules = &year.rules;
        let previous = year.year.checked_sub(1).and_then(|p| project.years.get(&p));
        let s = &rules.sections;
        let total = [s.indicators, s.tasks, s.funds, s.satisfaction]
            .into_iter()
            .fold(Decimal::ZERO, |a, b| a.saturating_add(b));
        MethodView {
            year: year.year,
            href: href(year.year),
            total: plain(total),
            sections: sections(rules),
            indicators: rules
                .indicators
                .iter()
                .map(|rule| {
                    let indicator = &project.indicators[rule.indicator];
                    IndicatorMethod {
                        id: indicator.id.clone(),
                        name: indicator.name.clone(),
                        category: indicator.category.name(),
                        unit: indicator.unit.clone(),
                        points: plain(rule.points),
                        binding: rule.binding,
                        method: method_sentence(rule, indicator),
                    }
                })
                .collect(),
            tasks: rules
                .tasks
                .iter()
                .map(|t| TaskMethod {
                    name: t.category.name(),
                    points: plain(t.points),
                })
                .collect(),
            bonus_cap: plain(rules.bonus_cap),
            binding: binding(project, rules),
            excellent: plain(rules.grades.excellent),
            good: plain(rules.grades.good),
            pass: plain(rules.grades.pass),
            example: example(project, year),
            previous: previous.map(|p| p.year),
            changes: previous
                .map(|p| changes(project, rules, &p.rules))
                .unwrap_or_default(),
        }
    }
}

impl Renderer<'_> {
    /// `<year>/method/index.html` (a theme without `method.html` inherits the
    /// built-in one, like every other page template).
    pub(super) fn method_page(&self, y: &PublicYear<'_>) -> Result<Vec<OutputFile>, Diagnostic> {
        let view = MethodView::new(y.input.project, y.year);
        let path = view.href.clone();
        let meta = self.meta(
            &path,
            format!("{}年度考核细则", y.year.year),
            "years",
            y.view.draft,
        );
        let extra = minijinja::context! { year => y.value(), method => v(&view) };
        Ok(vec![self.render(
            "method.html",
            &path,
            self.year_context(y.year.year, meta, extra),
        )?])
    }
}
