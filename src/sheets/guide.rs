//! The 说明 sheet of a form: how to fill it in, in plain Chinese, and the
//! year's rules for every indicator in words.

use super::forms::{indicator_rows, plain, target_text, title, SheetLayout, Style, GUIDE};
use crate::model::{Better, Method};
use crate::render::view::method_text;
use crate::validate::YearTemplate;

/// The year's rule for one indicator in words, numbered `n`.
fn rule_text(t: &YearTemplate, unit: usize, index: usize, n: usize) -> String {
    let rule = &t.rules.indicators[index];
    let indicator = &t.indicators[rule.indicator];
    let better = match indicator.better {
        Better::Higher => "越高越好",
        Better::Lower => "越低越好",
    };
    let method = match rule.method {
        Method::Proportional => "按完成目标的比例得分".to_string(),
        method => method_text(method, indicator),
    };
    let binding = if rule.binding {
        "；约束性指标，未完成的降档"
    } else {
        ""
    };
    format!(
        "（{n}）{}：目标{}，{better}，{}分，{method}{binding}。",
        indicator.name,
        target_text(t.targets[unit][index], &indicator.unit),
        plain(rule.points),
    )
}

pub(super) fn guide_sheet(t: &YearTemplate, unit: usize) -> SheetLayout {
    let mut sheet = SheetLayout::new(GUIDE, &[92.0]);
    let name = &t.units[unit].name;
    let year = t.year;
    let r = &t.rules;
    let s = &r.sections;
    let mut lines: Vec<(String, Style)> = vec![(title(t, unit, "填表说明"), Style::Title)];
    let mut line = |text: String, style: Style| lines.push((text, style));
    line("一、怎样填写".into(), Style::Header);
    for text in [
        format!("1. 本表由{}制发，供{name}填报{year}年度政府生态环境保护目标责任制考核的完成情况和自评分。", t.site.publisher),
        "2. 只填写浅黄色单元格。灰色单元格已锁定，请勿改动，也不要增删行列或修改工作表名称；导入时每个单元格都会重新核对。".into(),
        "3. 数字直接填写，不带单位和百分号；不适用的指标在完成值中填写“不适用”。".into(),
        "4. 数据来源：直接运用国家考核结果的选“国家考核”，其余选“本地报送”或留空。".into(),
        "5. 重点任务、资金项目、加分、否决与降档：每行填写一项，扣分和加分填正数（最多两位小数），每项都要写明事由；没有的留空。".into(),
        "6. 公众满意度：填写满意度调查得分（百分制）。".into(),
        "7. 自评：填写本单位自评的各部分得分和总分；总分等于各部分得分与加分之和。".into(),
        "8. 填好后保存为 .xlsx 格式（WPS 请选择“Excel 文件”），按原文件名报送。".into(),
    ] {
        line(text, Style::Wrap);
    }
    line(format!("二、{year}年度考核细则"), Style::Header);
    line(
        format!(
            "考核采用百分制：主要指标{}分、重点任务{}分、资金投入{}分、公众满意度{}分；另设加分项，加分合计不超过{}分。总分{}分及以上为优秀，{}分及以上为良好，{}分及以上为合格，{}分以下为不合格。",
            plain(s.indicators), plain(s.tasks), plain(s.funds), plain(s.satisfaction), plain(r.bonus_cap),
            plain(r.grades.excellent), plain(r.grades.good), plain(r.grades.pass), plain(r.grades.pass)
        ),
        Style::Wrap,
    );
    line("有否决项的，考核结果直接评定为不合格；有降档项或未完成约束性指标的，在得分基础上降一档（只降一档）。".into(), Style::Wrap);
    line(
        format!(
            "主要指标按适用指标的分值折算为{}分；公众满意度得分 = 调查得分 × {} ÷ 100。各部分四舍五入保留两位小数。",
            plain(s.indicators),
            plain(s.satisfaction)
        ),
        Style::Wrap,
    );
    line("三、主要指标计分方法".into(), Style::Header);
    for (n, index) in (1..).zip(indicator_rows(t)) {
        line(rule_text(t, unit, index, n), Style::Wrap);
    }
    line("四、重点任务分值".into(), Style::Header);
    let tasks: Vec<String> = r
        .tasks
        .iter()
        .map(|task| format!("{}{}分", task.category.name(), plain(task.points)))
        .collect();
    line(format!("{}。每类扣完为止。", tasks.join("；")), Style::Wrap);
    for (row, (text, style)) in (0u32..).zip(lines) {
        sheet.text(row, 0, text, style);
    }
    sheet
}
