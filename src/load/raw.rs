//! The documents as written, with positions: what `load` parses and `validate` checks.

use std::collections::BTreeMap;

use super::yaml::Spanned;
use serde::Deserialize;

use super::yaml::{Date, Dec, Figure, IdMap, Measurement};

type S<T> = Spanned<T>;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawSite {
    pub title: S<String>,
    pub publisher: S<String>,
    pub base_url: S<String>,
    #[serde(default = "default_language")]
    pub language: String,
    #[serde(default = "default_theme")]
    pub theme: S<String>,
    #[serde(default)]
    pub site_id_code: Option<S<String>>,
    #[serde(default)]
    pub icp: Option<String>,
    #[serde(default)]
    pub contact: Option<String>,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub sample_data: bool,
    #[serde(default)]
    pub briefing: RawBriefing,
    #[serde(default)]
    pub self_assessment: RawSelfAssessmentSettings,
    /// The province (吉林省): 甲方 of the target letters is its 人民政府.
    #[serde(default)]
    pub province: Option<S<String>>,
    /// The results report's joint issuers, 主送 and 签发人.
    #[serde(default)]
    pub report: RawReportSite,
    /// Whether the measures taken on results (通报批评, 约谈, …) are published.
    #[serde(default)]
    pub measures_public: bool,
    /// `progress.publish`: years whose progress page (定期调度) a public build publishes.
    #[serde(default)]
    pub progress: RawProgressSite,
}

/// `progress:` in site.yaml.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawProgressSite {
    #[serde(default)]
    pub publish: Vec<S<u16>>,
}

/// `self_assessment:` in site.yaml: who sees the units' own scores (自评分).
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawSelfAssessmentSettings {
    /// Show 自评分 beside the verified scores on the public scorecards.
    #[serde(default)]
    pub public: bool,
    /// The briefing copy lists units whose self-assessed total exceeds the
    /// verified total by more than this; default 5 points.
    #[serde(default)]
    pub threshold: Option<S<Dec>>,
}

/// `report:` in site.yaml (`ecoscore report`).
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawReportSite {
    /// 联合行文机关, the lead first; defaults to `publisher`.
    #[serde(default)]
    pub issuers: Vec<String>,
    /// 主送机关; defaults to the province's 人民政府.
    #[serde(default)]
    pub recipient: Option<String>,
    /// 签发人, one per issuer.
    #[serde(default)]
    pub signers: Vec<String>,
}

/// A list key written with nothing after it (`funds:`) means an empty list,
/// as staff naturally write it.
fn empty_when_blank<'de, D, T>(deserializer: D) -> Result<Vec<T>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: Deserialize<'de>,
{
    Ok(Option::<Vec<T>>::deserialize(deserializer)?.unwrap_or_default())
}

fn default_language() -> String {
    "zh-CN".to_string()
}

fn default_theme() -> S<String> {
    Spanned::from(serde_saphyr::Spanned::new(
        "default".to_string(),
        serde_saphyr::Location::UNKNOWN,
        serde_saphyr::Location::UNKNOWN,
    ))
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawBriefing {
    #[serde(default)]
    pub recipients: Vec<String>,
    /// 印发机关 of the briefing copy; defaults to `publisher`.
    #[serde(default)]
    pub office: Option<S<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawRegions {
    pub regions: Vec<S<RawRegion>>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum UnitKind {
    City,
    Committee,
    PilotCity,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawRegion {
    pub id: S<String>,
    pub name: S<String>,
    pub kind: UnitKind,
    #[serde(default)]
    pub code: Option<S<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawIndicators {
    pub indicators: Vec<S<RawIndicator>>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Deserialize, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Category {
    Air,
    Water,
    Climate,
    Reduction,
    Risk,
    Ecology,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Better {
    Higher,
    Lower,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawIndicator {
    pub id: S<String>,
    pub name: S<String>,
    pub category: Category,
    pub unit: String,
    pub better: Better,
    pub range: S<[Dec; 2]>,
    /// The target is set for the whole plan period and is expected not to
    /// change; `check` does not warn when it stays the same.
    #[serde(default)]
    pub fixed_target: bool,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawRules {
    pub year: S<u16>,
    pub sections: S<RawSections>,
    pub indicators: S<IdMap<RawIndicatorRule>>,
    pub tasks: S<IdMap<Dec>>,
    pub bonus_cap: S<Dec>,
    pub grades: S<RawGrades>,
    /// 专项资金 weights per grade and an optional total (万元).
    #[serde(default)]
    pub funding: Option<S<RawFunding>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawFunding {
    pub excellent: S<Dec>,
    pub good: S<Dec>,
    pub pass: S<Dec>,
    pub fail: S<Dec>,
    /// The year's 专项资金 in 万元, a whole number.
    #[serde(default)]
    pub total: Option<S<Dec>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawSections {
    pub indicators: S<Dec>,
    pub tasks: S<Dec>,
    pub funds: S<Dec>,
    pub satisfaction: S<Dec>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RawMethod {
    PassFail,
    PerUnit,
    Proportional,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawIndicatorRule {
    pub points: S<Dec>,
    pub method: S<RawMethod>,
    #[serde(default)]
    pub deduct: Option<S<Dec>>,
    #[serde(default)]
    pub per: Option<S<Dec>>,
    #[serde(default)]
    pub binding: bool,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawGrades {
    pub excellent: S<Dec>,
    pub good: S<Dec>,
    pub pass: S<Dec>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawTargets {
    pub year: S<u16>,
    /// The day the 目标责任书 are issued (the letters' date).
    #[serde(default)]
    pub issued: Option<S<Date>>,
    #[serde(default)]
    pub default: IdMap<Figure>,
    #[serde(default)]
    pub regions: IdMap<IdMap<Figure>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawResults {
    pub region: S<String>,
    pub year: S<u16>,
    pub indicators: S<IdMap<Measurement>>,
    #[serde(default, deserialize_with = "empty_when_blank")]
    pub tasks: Vec<S<RawTaskDeduction>>,
    #[serde(default, deserialize_with = "empty_when_blank")]
    pub funds: Vec<S<RawDeduction>>,
    pub satisfaction: S<Dec>,
    #[serde(default, deserialize_with = "empty_when_blank")]
    pub bonus: Vec<S<RawBonus>>,
    #[serde(default, deserialize_with = "empty_when_blank")]
    pub veto: Vec<S<RawVeto>>,
    #[serde(default, deserialize_with = "empty_when_blank")]
    pub downgrade: Vec<S<RawDowngrade>>,
    /// Measures taken on the results (通报批评, 约谈, 区域限批, 挂牌督办).
    #[serde(default, deserialize_with = "empty_when_blank")]
    pub measures: Vec<S<RawAction>>,
    #[serde(default)]
    pub self_assessment: Option<S<RawSelfAssessment>>,
    #[serde(default)]
    pub internal: BTreeMap<String, String>,
}

/// The unit's own scores (自评分) before the province verifies them.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawSelfAssessment {
    pub indicators: S<Dec>,
    pub tasks: S<Dec>,
    pub funds: S<Dec>,
    pub satisfaction: S<Dec>,
    #[serde(default)]
    pub bonus: Option<S<Dec>>,
    pub total: S<Dec>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawAction {
    pub kind: ActionKind,
    pub date: S<Date>,
    pub reason: S<String>,
}

/// The measures the plan names for poor results (实施方案 五).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ActionKind {
    /// 通报批评
    Criticism,
    /// 约谈
    Interview,
    /// 区域限批
    ApprovalFreeze,
    /// 挂牌督办
    Supervision,
}

impl ActionKind {
    pub fn name(self) -> &'static str {
        match self {
            ActionKind::Criticism => "通报批评",
            ActionKind::Interview => "约谈",
            ActionKind::ApprovalFreeze => "区域限批",
            ActionKind::Supervision => "挂牌督办",
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawTaskDeduction {
    pub category: S<String>,
    pub deduct: S<Dec>,
    pub reason: S<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawDeduction {
    pub deduct: S<Dec>,
    pub reason: S<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawBonus {
    pub points: S<Dec>,
    pub reason: S<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawVeto {
    pub date: S<Date>,
    pub event: S<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DowngradeKind {
    /// 未按期完成生态环境保护督察问题整改任务
    RectificationOverdue,
    /// 未完成国家下达的约束性指标任务 (entered by hand, e.g. from the national assessment)
    BindingTargetMissed,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawDowngrade {
    pub kind: DowngradeKind,
    pub reason: S<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Published,
    Draft,
}

/// Front matter of `content/<year>/bulletin.md`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawBulletinMeta {
    pub title: S<String>,
    pub doc_number: S<String>,
    pub issuer: S<String>,
    pub date: S<Date>,
    pub status: Status,
    /// 信函格式 or 文件格式 (GB/T 9704-2012 10.1); unset: a 函 (吉政函〔…〕)
    /// is a letter, any other document number a 文件.
    #[serde(default)]
    pub format: Option<S<DocFormat>>,
    /// 索引号 of the 信息公开 block: `<统一社会信用代码>/<year>-<serial>`.
    #[serde(default)]
    pub index_number: Option<S<String>>,
    /// 主题分类 of the 信息公开 block; a default for environmental protection.
    #[serde(default)]
    pub topic: Option<S<String>>,
    /// Closing-block (版记) details of the briefing copy; never on the public site.
    #[serde(default)]
    pub briefing: Option<RawBulletinBriefing>,
    /// 发文字号 and date of the results report to the provincial government.
    #[serde(default)]
    pub report: Option<RawBulletinReport>,
}

/// How a 公文 is laid out (GB/T 9704-2012): 文件格式 (`file`: the issuer's
/// name over a red rule, the number centred above it) or 信函格式
/// (`letter`: the red double rules of a 函, the number right under them).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DocFormat {
    File,
    Letter,
}

/// `report:` in the bulletin front matter (`ecoscore report`).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawBulletinReport {
    pub doc_number: S<String>,
    /// 成文日期: on or before the bulletin's (the report comes first).
    pub date: S<Date>,
}

/// `briefing:` in the bulletin front matter.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawBulletinBriefing {
    /// 印发日期; defaults to the bulletin's date.
    #[serde(default)]
    pub printed: Option<S<Date>>,
    /// 份号: up to six digits, printed as six.
    #[serde(default)]
    pub copy_number: Option<S<String>>,
    /// 密级和保密期限, e.g. 秘密★1年.
    #[serde(default)]
    pub classification: Option<S<String>>,
}

/// Front matter of `content/pages/<slug>.md`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawPageMeta {
    pub title: String,
}
