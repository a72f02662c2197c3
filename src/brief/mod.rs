//! The briefing copy (抄送件): one year's bulletin with everything behind it,
//! for the bodies the results are copied to (省纪委监委, 省委组织部).
//!
//! It holds what the public site must not: every unit's `internal:` notes.
//! So it has its own view type ([`BriefingView`]), rendered with the theme's
//! `briefing.html` into a folder outside the public output, and nothing in
//! `render` can reach it.

mod workbook;

use std::path::{Path, PathBuf};

use rust_decimal::Decimal;
use serde::Serialize;

use crate::destination::{self, OutputKind};
use crate::diagnostic::{Diagnostic, Diagnostics, Pos};
use crate::funding::FundingView;
use crate::model::{DocFormat, Project, UnitResult, Year};
use crate::output::{self, OutputFile, Replaces};
use crate::pdf::{self, Pdf};
use crate::render::view::{
    action_views, ActionView, GradeCount, ScorecardView, SiteView, UnitRow, YearView,
};
use crate::render::{self, v, Theme};
use crate::score::{self, Grade, Scorecard, YearScores};

/// The theme template of the briefing copy. Optional: only `brief` needs it.
pub const TEMPLATE: &str = crate::render::theme::BRIEFING_TEMPLATE;
/// File names inside `briefing/<year>/`.
pub const HTML: &str = "index.html";
pub const PDF: &str = "briefing.pdf";
pub const XLSX: &str = "briefing.xlsx";

const BRIEFING: OutputKind = OutputKind::BRIEFING;

#[derive(Debug, Clone)]
pub struct BriefOptions {
    pub year: u16,
    /// The briefing folder; the copy goes to `<out>/<year>/`.
    pub out: PathBuf,
    pub pdf: bool,
}

#[derive(Debug)]
pub struct BriefSummary {
    /// The folder written: `<out>/<year>/`.
    pub folder: PathBuf,
    pub draft: bool,
    pub pdf: Pdf,
    pub warnings: Diagnostics,
}

/// The document header (版头) and closing block (版记) details.
#[derive(Debug, Serialize)]
pub struct DocView {
    pub title: String,
    pub doc_number: String,
    pub issuer: String,
    pub date: String,
    pub date_cn: String,
    /// 份号, six digits.
    pub copy_number: Option<String>,
    /// 密级和保密期限.
    pub classification: Option<String>,
    /// `letter` (信函格式) or `file` (文件格式).
    pub format: DocFormat,
}

#[derive(Debug, Serialize)]
pub struct ImprintView {
    /// 抄送 recipients, in site.yaml order.
    pub recipients: Vec<String>,
    /// 印发机关.
    pub office: String,
    /// 印发日期, e.g. 2024年4月29日.
    pub printed_cn: String,
}

/// A unit graded 不合格 and why.
#[derive(Debug, Serialize)]
pub struct FailedUnit {
    pub row: UnitRow,
    /// Every ground for the grade: veto events, grade changes, or a total
    /// under the pass mark.
    pub grounds: Vec<String>,
}

/// One unit against the previous year.
#[derive(Debug, Serialize)]
pub struct YearChange {
    pub id: String,
    pub name: String,
    pub rank: usize,
    pub grade_name: &'static str,
    pub total: String,
    /// `None`: not assessed in the previous year.
    pub previous: Option<PreviousRow>,
    /// 上升2位, 下降1位, 持平, or — when not assessed before.
    pub rank_change: String,
    /// 提升, 下降, 持平, or —.
    pub grade_change: &'static str,
}

#[derive(Debug, Serialize)]
pub struct PreviousRow {
    pub rank: usize,
    pub grade_name: &'static str,
    pub total: String,
}

#[derive(Debug, Serialize)]
pub struct PreviousYear {
    pub year: u16,
    pub draft: bool,
    pub changes: Vec<YearChange>,
}

#[derive(Debug, Serialize)]
pub struct InternalNote {
    /// The key as written under `internal:`, and how the copy labels it.
    pub key: String,
    pub label: String,
    pub text: String,
}

#[derive(Debug, Serialize)]
pub struct UnitNotes {
    pub id: String,
    pub name: String,
    pub notes: Vec<InternalNote>,
}

/// One part of a unit's score, self-assessed (自评) against verified (核定).
#[derive(Debug, Serialize)]
pub struct SelfPart {
    pub name: &'static str,
    pub claimed: String,
    pub verified: String,
    /// 自评 − 核定, signed: "+1.50", "-0.20", "0.00".
    pub difference: String,
}

/// A unit that reported its self-assessed scores.
#[derive(Debug, Serialize)]
pub struct SelfAssessmentRow {
    pub id: String,
    pub name: String,
    pub rank: usize,
    /// The four sections and the bonus.
    pub parts: Vec<SelfPart>,
    pub total: SelfPart,
    /// The self-assessed total exceeds the verified one by more than the threshold.
    pub over_threshold: bool,
    /// How far the self-assessed total exceeds the verified one ("7.46"; "0.00" if not).
    pub excess: String,
}

fn signed(value: Decimal) -> String {
    if value > Decimal::ZERO {
        format!("+{value:.2}")
    } else {
        format!("{value:.2}")
    }
}

fn self_part(name: &'static str, claimed: Decimal, verified: Decimal) -> SelfPart {
    SelfPart {
        name,
        claimed: format!("{claimed:.2}"),
        verified: format!("{verified:.2}"),
        difference: signed(claimed - verified),
    }
}

fn self_assessment_row(
    project: &Project,
    card: &Scorecard,
    unit: &UnitResult,
) -> Option<SelfAssessmentRow> {
    let s = unit.self_assessment?;
    let region = &project.units[card.region];
    let v = &card.sections;
    Some(SelfAssessmentRow {
        id: region.id.clone(),
        name: region.name.clone(),
        rank: card.rank,
        parts: vec![
            self_part("主要指标", s.sections.indicators, v.indicators),
            self_part("重点任务", s.sections.tasks, v.tasks),
            self_part("资金投入", s.sections.funds, v.funds),
            self_part("公众满意度", s.sections.satisfaction, v.satisfaction),
            self_part("加分", s.bonus, card.bonus),
        ],
        total: self_part("总分", s.total, card.total),
        over_threshold: s.total - card.total > project.site.self_assessment_threshold,
        excess: format!("{:.2}", (s.total - card.total).max(Decimal::ZERO)),
    })
}

/// Everything `briefing.html` sees. Unlike the public view, it carries the
/// `internal:` notes.
#[derive(Debug, Serialize)]
pub struct BriefingView<'a> {
    pub site: SiteView<'a>,
    pub year: u16,
    pub draft: bool,
    pub doc: DocView,
    /// The bulletin's body, rendered exactly as on the public page.
    pub body_html: String,
    /// Every unit in rank order.
    pub units: Vec<UnitRow>,
    pub grades: Vec<GradeCount>,
    pub rules: crate::render::view::RulesView,
    /// Every unit's scorecard, in rank order: each deduction and its reason.
    pub cards: Vec<ScorecardView>,
    /// Units whose grade was changed, by veto or downgrade, in rank order.
    pub changed: Vec<ScorecardView>,
    pub failed: Vec<FailedUnit>,
    pub previous: Option<PreviousYear>,
    pub internal: Vec<UnitNotes>,
    /// Units that reported a self-assessment, in rank order.
    pub self_assessment: Vec<SelfAssessmentRow>,
    /// How far a self-assessed total may exceed the verified one unremarked.
    pub self_assessment_threshold: String,
    /// Units with measures taken on their results, in rank order.
    pub measures: Vec<UnitActions>,
    /// The 专项资金 rule and shares (None without `funding:` in rules.yaml).
    pub funding: Option<FundingView>,
    pub imprint: ImprintView,
}

#[derive(Debug, Serialize)]
pub struct UnitActions {
    pub id: String,
    pub name: String,
    pub items: Vec<ActionView>,
}

/// How the copy labels the usual `internal:` keys; any other key prints as written.
fn internal_label(key: &str) -> String {
    match key {
        "notes" => "意见建议".to_string(),
        "accountability" => "责任追究".to_string(),
        other => other.to_string(),
    }
}

fn failed_grounds(year: &Year, unit: &UnitResult, card: &Scorecard) -> Vec<String> {
    let mut grounds: Vec<String> = unit
        .veto
        .iter()
        .map(|veto| format!("否决项：{}{}", veto.date.chinese(), veto.event))
        .collect();
    if !card.vetoed {
        grounds.extend(card.downgrade_reasons.iter().map(|c| {
            format!(
                "降档项：{}（{}），由{}降为{}",
                c.kind,
                c.reason,
                card.base_grade.name(),
                card.grade.name()
            )
        }));
    }
    if card.base_grade == Grade::Fail {
        grounds.push(format!(
            "总分{:.2}分，低于合格线{}分",
            card.total,
            year.rules.grades.pass.normalize()
        ));
    }
    grounds
}

fn rank_change(now: usize, before: usize) -> String {
    match now.cmp(&before) {
        std::cmp::Ordering::Less => format!("上升{}位", before - now),
        std::cmp::Ordering::Greater => format!("下降{}位", now - before),
        std::cmp::Ordering::Equal => "持平".to_string(),
    }
}

fn grade_change(now: Grade, before: Grade) -> &'static str {
    // Grades order best first, so a smaller grade is a better one.
    match now.cmp(&before) {
        std::cmp::Ordering::Less => "提升",
        std::cmp::Ordering::Greater => "下降",
        std::cmp::Ordering::Equal => "持平",
    }
}

fn previous_year(project: &Project, scores: &YearScores, year: u16) -> Option<PreviousYear> {
    let previous = project.years.get(&year.checked_sub(1)?)?;
    let before = score::score_year(previous);
    let changes = scores
        .cards
        .iter()
        .map(|card| {
            let region = &project.units[card.region];
            let old = before.card(card.region);
            YearChange {
                id: region.id.clone(),
                name: region.name.clone(),
                rank: card.rank,
                grade_name: card.grade.name(),
                total: format!("{:.2}", card.total),
                previous: old.map(|o| PreviousRow {
                    rank: o.rank,
                    grade_name: o.grade.name(),
                    total: format!("{:.2}", o.total),
                }),
                rank_change: old.map_or("—".to_string(), |o| rank_change(card.rank, o.rank)),
                grade_change: old.map_or("—", |o| grade_change(card.grade, o.grade)),
            }
        })
        .collect();
    Some(PreviousYear {
        year: previous.year,
        draft: !previous.is_published(),
        changes,
    })
}

impl<'a> BriefingView<'a> {
    pub fn new(
        project: &'a Project,
        year: &Year,
        scores: &YearScores,
        body_html: String,
    ) -> BriefingView<'a> {
        let public = YearView::new(project, year, scores);
        let unit_of = |card: &Scorecard| year.result_of(card.region);
        let cards: Vec<(&Scorecard, &UnitResult)> = scores
            .cards
            .iter()
            .filter_map(|card| unit_of(card).map(|unit| (card, unit)))
            .collect();
        let scorecard = |card: &Scorecard, unit: &UnitResult| {
            ScorecardView::new(project, year, unit, card, None)
        };
        let b = &year.bulletin;
        BriefingView {
            site: SiteView::new(&project.site),
            year: year.year,
            draft: !year.is_published(),
            doc: DocView {
                title: b.title.clone(),
                doc_number: b.doc_number.clone(),
                issuer: b.issuer.clone(),
                date: b.date.to_string(),
                date_cn: b.date.chinese(),
                copy_number: b.briefing.copy_number.clone(),
                classification: b.briefing.classification.clone(),
                format: b.format,
            },
            body_html,
            units: public.units,
            grades: public.grades,
            rules: public.rules,
            cards: cards.iter().map(|(c, u)| scorecard(c, u)).collect(),
            changed: cards
                .iter()
                .filter(|(c, _)| c.vetoed || c.downgraded)
                .map(|(c, u)| scorecard(c, u))
                .collect(),
            failed: cards
                .iter()
                .filter(|(c, _)| c.grade == Grade::Fail)
                .map(|(c, u)| FailedUnit {
                    row: UnitRow::new(project, year, c),
                    grounds: failed_grounds(year, u, c),
                })
                .collect(),
            previous: previous_year(project, scores, year.year),
            internal: cards
                .iter()
                .filter(|(_, u)| !u.internal.is_empty())
                .map(|(c, u)| {
                    let region = &project.units[c.region];
                    UnitNotes {
                        id: region.id.clone(),
                        name: region.name.clone(),
                        notes: u
                            .internal
                            .iter()
                            .map(|(key, text)| InternalNote {
                                key: key.clone(),
                                label: internal_label(key),
                                text: text.clone(),
                            })
                            .collect(),
                    }
                })
                .collect(),
            self_assessment: cards
                .iter()
                .filter_map(|(c, u)| self_assessment_row(project, c, u))
                .collect(),
            self_assessment_threshold: project
                .site
                .self_assessment_threshold
                .normalize()
                .to_string(),
            measures: cards
                .iter()
                .filter(|(_, u)| !u.actions.is_empty())
                .map(|(c, u)| UnitActions {
                    id: project.units[c.region].id.clone(),
                    name: project.units[c.region].name.clone(),
                    items: action_views(&u.actions),
                })
                .collect(),
            funding: FundingView::new(project, year),
            imprint: ImprintView {
                recipients: project.site.briefing_recipients.clone(),
                office: project.site.briefing_office.clone(),
                printed_cn: b.briefing.printed.chinese(),
            },
        }
    }
}

/// Render the briefing copy of `year` to one self-contained HTML document.
pub fn render(project: &Project, theme: &Theme, year: &Year) -> Result<String, Diagnostics> {
    let root = &project.root;
    if !theme.has_template(TEMPLATE) {
        let file = theme
            .templates_dir()
            .strip_prefix(root)
            .unwrap_or(theme.templates_dir())
            .join(TEMPLATE);
        return Err(Diagnostic::error(
            file,
            Pos::FILE,
            format!("the theme `{}` has no template {TEMPLATE}, which `ecoscore brief` needs", project.site.theme),
        )
        .with_help("copy themes/default/templates/briefing.html (and official.html, static/official.css) into your theme; the public site does not need it")
        .into());
    }
    let scores = score::score_year(year);
    let public = YearView::new(project, year, &scores);
    let body = render::render_bulletin(theme, project, year, &public)?;
    let view = BriefingView::new(project, year, &scores, body);
    let ctx = minijinja::context! { briefing => v(&view), site => v(&view.site) };
    Ok(theme.render_document(root, TEMPLATE, ctx)?)
}

/// Where the 版记 starts in the briefing template (official.css).
const IMPRINT: &str = "<footer class=\"doc-imprint\"";

/// GB/T 9704-2012 7.5: the 版记 is on an even page (the back of the last
/// sheet), with a blank page before it if need be; neither is numbered.
/// Chromium prints `break-before: left` as a plain page break, so a copy
/// whose 版记 came out on an odd page is printed again with a blank page
/// (`doc-imprint-blank`, official.css) before it.
fn print(
    chromium: &pdf::Chromium,
    project: &Project,
    year: &Year,
    folder: &Path,
    html: &str,
) -> Result<Vec<u8>, Diagnostics> {
    let printed = print_once(chromium, project, year, folder, html)?;
    if pdf::page_count(&printed).is_multiple_of(2) || !html.contains(IMPRINT) {
        return Ok(printed);
    }
    let padded = html.replacen(
        IMPRINT,
        &format!("<div class=\"doc-imprint-blank\" aria-hidden=\"true\"></div>\n  {IMPRINT}"),
        1,
    );
    print_once(chromium, project, year, folder, &padded)
}

/// Print the briefing copy from where the bulletin page lives, so relative
/// links in the bulletin's body resolve (and are rewritten) as the
/// published bulletin's do.
fn print_once(
    chromium: &pdf::Chromium,
    project: &Project,
    year: &Year,
    folder: &Path,
    html: &str,
) -> Result<Vec<u8>, Diagnostics> {
    let page = format!("{}/bulletin/{HTML}", year.year);
    let printed = pdf::print_files(
        chromium,
        folder,
        &[OutputFile::new(page.clone(), html)],
        &[(&page, year.bulletin.briefing.printed)],
        &project.site.base_url,
    );
    printed
        .map_err(|e| {
            Diagnostic::error(
                folder,
                Pos::FILE,
                format!("cannot print the briefing copy to PDF: {e}"),
            )
            .with_help(
                "nothing was written; the HTML prints from any browser too (A4, no headers and footers)",
            )
        })?
        .pop()
        .ok_or_else(|| Diagnostic::error(folder, Pos::FILE, "the browser printed nothing").into())
}

/// Render the briefing copy of `options.year` and write it (and its PDF when
/// asked and Chromium is installed) to `<out>/<year>/`, replacing that folder.
pub fn write(project: &Project, options: &BriefOptions) -> Result<BriefSummary, Diagnostics> {
    let root = &project.root;
    // Resolved once, checked, and used for every write (see `destination`);
    // messages show the folder as given.
    let year_folder = options.year.to_string();
    let folder = destination::output_folder(root, BRIEFING, &options.out)?.join(&year_folder);
    destination::replaceable(BRIEFING, &folder)?;
    let year = project.year(options.year)?;
    let theme = Theme::load(root, &project.site.theme)?;
    let html = render(project, &theme, year)?;
    let mut warnings = Diagnostics::new();
    if project.site.briefing_recipients.is_empty() {
        warnings.push(
            Diagnostic::warning(
                "site.yaml",
                Pos::FILE,
                "site.yaml lists no briefing.recipients, so the copy has no 抄送 line",
            )
            .with_help("add e.g. briefing: { recipients: [省纪委监委, 省委组织部] }"),
        );
    }
    let mut files = Vec::new();
    let pdf = match options.pdf.then(pdf::Chromium::find) {
        None => Pdf::NotAsked,
        Some(Err(missing)) => Pdf::Missing(missing),
        Some(Ok(chromium)) => {
            let bytes = print(&chromium, project, year, &folder, &html)?;
            files.push(OutputFile::new(PDF, bytes));
            Pdf::Written
        }
    };
    files.push(OutputFile::new(HTML, html));
    let scores = score::score_year(year);
    let view = BriefingView::new(project, year, &scores, String::new());
    let xlsx = workbook::briefing_xlsx(project, year, &scores, &view)
        .map_err(|e| Diagnostic::error(&folder, Pos::FILE, format!("cannot write {XLSX}: {e}")))?;
    files.push(OutputFile::new(XLSX, xlsx));
    output::write_site(&folder, Replaces::Output(BRIEFING), &files).map_err(|e| {
        output::cannot_write(
            &folder,
            "the briefing copy",
            &e,
            "the previous copy was left as it was",
        )
    })?;
    Ok(BriefSummary {
        folder: options.out.join(year_folder),
        draft: !year.is_published(),
        pdf,
        warnings,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn changes_read_as_official_text() {
        assert_eq!(rank_change(3, 5), "上升2位");
        assert_eq!(rank_change(5, 4), "下降1位");
        assert_eq!(rank_change(2, 2), "持平");
        assert_eq!(grade_change(Grade::Excellent, Grade::Good), "提升");
        assert_eq!(grade_change(Grade::Fail, Grade::Pass), "下降");
        assert_eq!(grade_change(Grade::Good, Grade::Good), "持平");
    }

    #[test]
    fn internal_keys_get_labels() {
        assert_eq!(internal_label("notes"), "意见建议");
        assert_eq!(internal_label("accountability"), "责任追究");
        assert_eq!(internal_label("约谈"), "约谈");
    }
}
