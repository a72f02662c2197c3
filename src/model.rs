//! The validated project: every reference resolved, every figure in range.
//!
//! Nothing here can be inconsistent: `validate` only builds a `Project` when
//! the whole input passed, so scoring and rendering need no error paths for
//! bad input.

use std::collections::BTreeMap;
use std::fmt;
use std::path::PathBuf;
use std::sync::Arc;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

pub use crate::load::raw::{
    ActionKind, Better, Category, DocFormat, DowngradeKind, Status, UnitKind,
};
pub use crate::load::yaml::{Date, Source};

#[derive(Debug)]
pub struct Project {
    pub root: PathBuf,
    pub site: Site,
    /// In official display order (regions.yaml order).
    pub units: Vec<Unit>,
    pub indicators: Vec<Indicator>,
    /// Shared, so that a rebuild keeps the years whose input is unchanged
    /// (`validate::KeptYear`).
    pub years: BTreeMap<u16, Arc<Year>>,
    pub pages: Vec<Page>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Site {
    pub title: String,
    pub publisher: String,
    /// Always ends with `/`.
    pub base_url: String,
    pub language: String,
    pub theme: String,
    pub site_id_code: Option<String>,
    pub icp: Option<String>,
    pub contact: Option<String>,
    pub description: Option<String>,
    pub sample_data: bool,
    pub briefing_recipients: Vec<String>,
    /// 印发机关 of the briefing copy (`briefing.office`, else the publisher).
    pub briefing_office: String,
    /// Whether the public scorecards show the units' self-assessed scores.
    pub self_assessment_public: bool,
    /// The briefing copy lists units whose self-assessed total exceeds the
    /// verified one by more than this many points.
    pub self_assessment_threshold: Decimal,
    /// The province (`province:`), for the target letters' 甲方.
    pub province: Option<String>,
    /// `report.issuers` (else the publisher), `report.recipient`, `report.signers`.
    pub report_issuers: Vec<String>,
    pub report_recipient: Option<String>,
    pub report_signers: Vec<String>,
    /// `measures_public`: scorecards show the measures taken.
    pub measures_public: bool,
    /// `progress.publish`: years whose progress page is published even in a
    /// public build (checked against the years' progress files).
    pub progress_published: Vec<u16>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Unit {
    pub id: String,
    pub name: String,
    pub kind: UnitKind,
    pub code: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Indicator {
    pub id: String,
    pub name: String,
    pub category: Category,
    pub unit: String,
    pub better: Better,
    #[serde(skip)]
    pub range: (Decimal, Decimal),
}

#[derive(Debug, Serialize, Deserialize)]
pub struct Year {
    pub year: u16,
    pub rules: Rules,
    /// The issuing date of the year's 目标责任书 (`targets.yaml` `issued:`).
    pub targets_issued: Option<Date>,
    /// One per region, in regions.yaml order.
    pub units: Vec<UnitResult>,
    /// The scorecard of each unit, in rank order (`score::rank`): computed by
    /// validation, which reports a figure that cannot be computed where it is
    /// written. Shared with [`YearScores`], so a national project holds its
    /// scorecards once.
    pub cards: Cards,
    pub bulletin: Bulletin,
    /// Optional narratives by unit id.
    pub narratives: BTreeMap<String, Narrative>,
    /// Key projects (重点工程) of each unit, by region index; empty for a
    /// unit without a projects file.
    pub projects: Vec<Vec<KeyProject>>,
    /// Year-to-date progress reports (定期调度), oldest first.
    pub progress: Vec<ProgressReport>,
}

impl Year {
    pub fn is_published(&self) -> bool {
        self.bulletin.status == Status::Published
    }
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
pub struct Sections<T> {
    pub indicators: T,
    pub tasks: T,
    pub funds: T,
    pub satisfaction: T,
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
pub struct Thresholds {
    pub excellent: Decimal,
    pub good: Decimal,
    pub pass: Decimal,
}

#[derive(Debug, Serialize, Deserialize)]
pub struct Rules {
    pub sections: Sections<Decimal>,
    pub indicators: Vec<IndicatorRule>,
    pub tasks: Vec<TaskRule>,
    pub bonus_cap: Decimal,
    pub grades: Thresholds,
    pub funding: Option<Funding>,
}

/// 专项资金 tied to the results (`funding:` in rules.yaml).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Funding {
    /// The weight of each grade, in `Grade::ALL` order.
    pub weights: [Decimal; 4],
    /// The total to share out, in whole 万元.
    pub total: Option<Decimal>,
}

impl Funding {
    pub fn weight(&self, grade: Grade) -> Decimal {
        self.weights[Grade::ALL.iter().position(|g| *g == grade).unwrap_or(0)]
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct IndicatorRule {
    /// Index into `Project::indicators`.
    pub indicator: usize,
    pub points: Decimal,
    pub method: Method,
    pub binding: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Method {
    PassFail,
    /// Lose `deduct` points for every `per` of shortfall, down to zero (扣完为止).
    PerUnit {
        deduct: Decimal,
        per: Decimal,
    },
    Proportional,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TaskCategory {
    InspectionRectification,
    Air,
    Water,
    Soil,
    Ecology,
    Risk,
    Reform,
}

impl TaskCategory {
    pub const ALL: [TaskCategory; 7] = [
        TaskCategory::InspectionRectification,
        TaskCategory::Air,
        TaskCategory::Water,
        TaskCategory::Soil,
        TaskCategory::Ecology,
        TaskCategory::Risk,
        TaskCategory::Reform,
    ];

    pub fn id(self) -> &'static str {
        match self {
            TaskCategory::InspectionRectification => "inspection_rectification",
            TaskCategory::Air => "air",
            TaskCategory::Water => "water",
            TaskCategory::Soil => "soil",
            TaskCategory::Ecology => "ecology",
            TaskCategory::Risk => "risk",
            TaskCategory::Reform => "reform",
        }
    }

    /// The plan's name for the category (实施方案 三（二）).
    pub fn name(self) -> &'static str {
        match self {
            TaskCategory::InspectionRectification => "生态环境保护督察问题整改",
            TaskCategory::Air => "精准施策改善大气环境",
            TaskCategory::Water => "系统治理提升水生态环境",
            TaskCategory::Soil => "源头防控保障土壤环境安全",
            TaskCategory::Ecology => "统一监管加强生态保护修复",
            TaskCategory::Risk => "强化管控筑牢环境安全底线",
            TaskCategory::Reform => "改革创新构建现代环境治理体系",
        }
    }

    pub fn from_id(id: &str) -> Option<TaskCategory> {
        TaskCategory::ALL.into_iter().find(|c| c.id() == id)
    }
}

impl Category {
    pub fn name(self) -> &'static str {
        match self {
            Category::Air => "城市空气质量",
            Category::Water => "水环境质量",
            Category::Climate => "应对气候变化",
            Category::Reduction => "污染物减排及环境治理",
            Category::Risk => "环境风险防控",
            Category::Ecology => "生态保护",
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct TaskRule {
    pub category: TaskCategory,
    pub points: Decimal,
}

/// One unit's results for one year.
#[derive(Debug, Serialize, Deserialize)]
pub struct UnitResult {
    /// Index into `Project::regions`.
    pub region: usize,
    /// One per rule in `Rules::indicators`, in the same order.
    pub measures: Vec<Measure>,
    pub tasks: Vec<TaskDeduction>,
    pub funds: Vec<Deduction>,
    pub satisfaction: Decimal,
    pub bonus: Vec<Bonus>,
    pub veto: Vec<Veto>,
    pub downgrade: Vec<Downgrade>,
    /// The unit's own scores (自评分), if it reported them.
    pub self_assessment: Option<SelfAssessment>,
    /// Measures taken on the results; public only when site.yaml says so.
    pub actions: Vec<Action>,
    /// For the briefing copy only: never in any public render context.
    pub internal: BTreeMap<String, String>,
}

/// A unit's self-assessed scores (自评分): what it claims before verification.
/// `total` is the sum of the sections and the bonus (`check` ensures it).
#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
pub struct SelfAssessment {
    pub sections: Sections<Decimal>,
    pub bonus: Decimal,
    pub total: Decimal,
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
pub struct Measure {
    /// `None`: not applicable to this unit (`n/a` target).
    pub target: Option<Decimal>,
    /// `None`: not applicable (`n/a` value).
    pub value: Option<Decimal>,
    pub source: Source,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct TaskDeduction {
    pub category: TaskCategory,
    pub deduct: Decimal,
    pub reason: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Deduction {
    pub deduct: Decimal,
    pub reason: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Bonus {
    pub points: Decimal,
    pub reason: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Veto {
    pub date: Date,
    pub event: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Action {
    pub kind: ActionKind,
    pub date: Date,
    pub reason: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Downgrade {
    pub kind: DowngradeKind,
    pub reason: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Bulletin {
    pub file: PathBuf,
    pub title: String,
    pub doc_number: String,
    pub issuer: String,
    pub date: Date,
    pub status: Status,
    pub format: DocFormat,
    /// 索引号 (信息公开), checked against `<code>/<year>-<serial>`; `None` only
    /// when the front matter has none (a warning for a published bulletin).
    pub index_number: Option<String>,
    /// 主题分类 (信息公开).
    pub topic: String,
    pub briefing: BriefingMeta,
    /// The results report's 发文字号 and date (`report:` front matter).
    pub report: Option<ReportMeta>,
    /// Markdown with template expressions, rendered over the year's results.
    pub body: String,
    pub body_line: usize,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ReportMeta {
    pub doc_number: String,
    pub date: Date,
}

/// What only the briefing copy prints (from the bulletin's `briefing:` front matter).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct BriefingMeta {
    /// 印发日期.
    pub printed: Date,
    /// 份号, six digits.
    pub copy_number: Option<String>,
    /// 密级和保密期限.
    pub classification: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Narrative {
    pub file: PathBuf,
    pub markdown: String,
}

#[derive(Debug, Clone)]
pub struct Page {
    pub slug: String,
    pub file: PathBuf,
    pub title: String,
    pub markdown: String,
    /// The line of `file` on which `markdown` starts, after the front matter.
    pub body_line: usize,
}

// What scoring gives (computed by `score`): kept here because a
// valid year carries its scorecards (`Year::cards`).

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Grade {
    Excellent,
    Good,
    Pass,
    Fail,
}

impl Grade {
    pub const ALL: [Grade; 4] = [Grade::Excellent, Grade::Good, Grade::Pass, Grade::Fail];

    pub fn key(self) -> &'static str {
        match self {
            Grade::Excellent => "excellent",
            Grade::Good => "good",
            Grade::Pass => "pass",
            Grade::Fail => "fail",
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Grade::Excellent => "优秀",
            Grade::Good => "良好",
            Grade::Pass => "合格",
            Grade::Fail => "不合格",
        }
    }

    /// One level down (降档); 不合格 stays.
    pub fn lower(self) -> Grade {
        match self {
            Grade::Excellent => Grade::Good,
            Grade::Good => Grade::Pass,
            Grade::Pass | Grade::Fail => Grade::Fail,
        }
    }

    pub fn from_total(total: Decimal, thresholds: &Thresholds) -> Grade {
        if total >= thresholds.excellent {
            Grade::Excellent
        } else if total >= thresholds.good {
            Grade::Good
        } else if total >= thresholds.pass {
            Grade::Pass
        } else {
            Grade::Fail
        }
    }
}

impl fmt::Display for Grade {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct IndicatorScore {
    /// Index into the year's `Rules::indicators`.
    pub rule: usize,
    pub target: Option<Decimal>,
    pub value: Option<Decimal>,
    pub source: Source,
    pub applicable: bool,
    pub met: bool,
    /// How far the value falls short of the target, in the indicator's unit.
    pub shortfall: Decimal,
    /// Points earned out of the rule's points (exact, before the section's re-weighting).
    pub earned: Decimal,
    pub lost: Decimal,
    pub reason: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct TaskScore {
    pub category: TaskCategory,
    pub points: Decimal,
    pub deductions: Vec<(Decimal, String)>,
    /// What the deductions remove, never more than the category's points.
    pub lost: Decimal,
    pub earned: Decimal,
}

#[derive(Debug, Clone, Serialize)]
pub struct GradeChange {
    pub kind: &'static str,
    pub reason: String,
}

/// The kinds of grade change scoring names (`score::score_unit`).
pub const GRADE_CHANGE_KINDS: [&str; 3] = [
    "未按期完成生态环境保护督察问题整改任务",
    "未完成国家下达的约束性指标任务",
    "未完成约束性指标",
];

/// A grade change as the validated years kept on disk hold it
/// (`site/stored.rs`): its kind is one of [`GRADE_CHANGE_KINDS`].
#[derive(Deserialize)]
struct GradeChangeRead {
    kind: String,
    reason: String,
}

impl<'de> Deserialize<'de> for GradeChange {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<GradeChange, D::Error> {
        let read = GradeChangeRead::deserialize(deserializer)?;
        let kind = GRADE_CHANGE_KINDS
            .into_iter()
            .find(|kind| *kind == read.kind)
            .ok_or_else(|| {
                serde::de::Error::custom(format!("unknown grade change `{}`", read.kind))
            })?;
        Ok(GradeChange {
            kind,
            reason: read.reason,
        })
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Scorecard {
    /// Index into `Project::regions`.
    pub region: usize,
    pub rank: usize,
    pub grade: Grade,
    pub base_grade: Grade,
    pub total: Decimal,
    /// The bonus counted, after the cap.
    pub bonus: Decimal,
    /// The bonus entries' sum before the cap.
    pub bonus_claimed: Decimal,
    /// Each section rounded to two decimals.
    pub sections: Sections<Decimal>,
    pub indicators: Vec<IndicatorScore>,
    /// Σ points of the applicable indicators (the re-weighting denominator).
    pub applicable_points: Decimal,
    pub tasks: Vec<TaskScore>,
    pub funds_lost: Decimal,
    pub downgrade_reasons: Vec<GradeChange>,
    pub binding_missed: Vec<String>,
    pub downgraded: bool,
    pub vetoed: bool,
}

#[derive(Debug, Clone)]
pub struct YearScores {
    pub year: u16,
    /// In rank order: for a scored year, the year's own cards (no copy).
    pub cards: Cards,
}

/// A year's scorecards, shared by reference count: the model and every
/// [`YearScores`] of the year hold one copy between them. In rank order,
/// with the position of each region's card: site-wide pages look up every
/// unit in every year, which a search through the ranking makes quadratic.
#[derive(Debug, Clone, Default)]
pub struct Cards {
    cards: Arc<[Scorecard]>,
    /// `by_region[r]`: where region `r`'s card is in `cards`, if it has one.
    by_region: Arc<[Option<usize>]>,
}

impl From<Vec<Scorecard>> for Cards {
    fn from(cards: Vec<Scorecard>) -> Cards {
        let regions = cards.iter().map(|c| c.region + 1).max().unwrap_or(0);
        let mut by_region = vec![None; regions];
        for (at, card) in cards.iter().enumerate() {
            by_region[card.region].get_or_insert(at);
        }
        Cards {
            cards: cards.into(),
            by_region: by_region.into(),
        }
    }
}

/// Written as the cards in rank order; read back through [`From`], which
/// indexes them by region again.
impl Serialize for Cards {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.cards.serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for Cards {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Cards, D::Error> {
        Vec::<Scorecard>::deserialize(deserializer).map(Cards::from)
    }
}

impl std::ops::Deref for Cards {
    type Target = [Scorecard];
    fn deref(&self) -> &[Scorecard] {
        &self.cards
    }
}

impl<'a> IntoIterator for &'a Cards {
    type Item = &'a Scorecard;
    type IntoIter = std::slice::Iter<'a, Scorecard>;
    fn into_iter(self) -> Self::IntoIter {
        self.cards.iter()
    }
}

impl YearScores {
    /// The card of region `region` (its index in the project's units).
    pub fn card(&self, region: usize) -> Option<&Scorecard> {
        let at = self.cards.by_region.get(region).copied().flatten()?;
        self.cards.cards.get(at)
    }
}

impl Year {
    /// The results of region `region`: `units` holds one per region in
    /// regions.yaml order, so it is at that index unless the list is short.
    pub fn result_of(&self, region: usize) -> Option<&UnitResult> {
        match self.units.get(region) {
            Some(unit) if unit.region == region => Some(unit),
            _ => self.units.iter().find(|u| u.region == region),
        }
    }
}

/// Where the unit `id` is in `units`: at `hint` (its index in the project
/// at hand) when the two lists agree, as they do for every year scored in
/// the current project; otherwise (an archived year's own input, which may
/// list its units in another order) found by id.
pub fn unit_position(units: &[Unit], id: &str, hint: usize) -> Option<usize> {
    match units.get(hint) {
        Some(unit) if unit.id == id => Some(hint),
        _ => units.iter().position(|unit| unit.id == id),
    }
}

/// The eight programmes of the plan (八大工程), in the plan's order.
pub const PROGRAMMES: [&str; 8] = [
    "蓝天工程",
    "碧水工程",
    "美丽乡村工程",
    "净土工程",
    "温室气体减排工程",
    "“无废”工程",
    "生态保护与修复工程",
    "生态环境监测与环境基础设施能力提升工程",
];

/// The stages a key project can be in.
pub const PROJECT_STATUSES: [&str; 4] = ["未开工", "在建", "完工", "延期"];

/// One key project of the project library (重点工程项目库).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct KeyProject {
    pub id: String,
    pub name: String,
    /// Index into [`PROGRAMMES`].
    pub programme: usize,
    /// 万元, exact.
    pub planned: Decimal,
    pub completed: Decimal,
    pub start: Option<Date>,
    pub planned_completion: Date,
    pub actual_completion: Option<Date>,
    /// Index into [`PROJECT_STATUSES`].
    pub status: usize,
    pub delay_reason: Option<String>,
}

impl KeyProject {
    pub fn is_delayed(&self) -> bool {
        PROJECT_STATUSES[self.status] == "延期"
    }
}

/// One month's year-to-date values (定期调度).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ProgressReport {
    /// 1–12: the month the values run to.
    pub month: u8,
    /// By region index, then by rule index (`Rules::indicators`): the value,
    /// or none where the unit reported none.
    pub values: Vec<Vec<Option<Decimal>>>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn unit(id: &str) -> Unit {
        Unit {
            id: id.into(),
            name: id.into(),
            kind: UnitKind::City,
            code: None,
        }
    }

    #[test]
    fn a_unit_is_found_at_its_hint_or_by_its_id() {
        let units = [unit("a"), unit("b"), unit("c")];
        assert_eq!(unit_position(&units, "b", 1), Some(1));
        // Another order (an archived year's own input): found by id.
        assert_eq!(unit_position(&units, "c", 0), Some(2));
        assert_eq!(unit_position(&units, "a", 7), Some(0));
        assert_eq!(unit_position(&units, "z", 1), None);
    }
}
