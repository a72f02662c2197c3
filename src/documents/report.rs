//! `ecoscore report`: the 考核结果报告 from the department and 人社厅 to the
//! provincial government (上行文: 签发人, 主送). Its figures are the
//! scorecards validation computed, through the briefing copy's view; it
//! carries the `internal:` notes, so it is a private output kind like the
//! briefing copy and never part of the site.

use serde::Serialize;

use super::{folder, require_template, write, DocOptions, Print, Written};
use crate::brief::{BriefingView, FailedUnit};
use crate::destination::OutputKind;
use crate::diagnostic::{Diagnostic, Diagnostics, Pos};
use crate::model::{Grade, Project, Year};
use crate::output::OutputFile;
use crate::render::view::UnitRow;
use crate::render::{method, v, Theme};
use crate::score;

pub const TEMPLATE: &str = "report.html";
pub const HTML: &str = "index.html";
pub const PDF: &str = "report.pdf";

#[derive(Debug, Serialize)]
pub struct ReportDoc {
    pub title: String,
    /// 联合行文机关, the lead first.
    pub issuers: Vec<String>,
    pub doc_number: String,
    /// 签发人, in the issuers' order.
    pub signers: Vec<String>,
    /// 主送机关.
    pub recipient: String,
    pub date: String,
    pub date_cn: String,
}

/// Everything `report.html` sees: the briefing copy's view of the year
/// (results, grounds, changes, funding, measures, internal notes) and the
/// report's own header and proposals.
#[derive(Debug, Serialize)]
pub struct ReportView<'a> {
    pub doc: ReportDoc,
    pub b: BriefingView<'a>,
    /// The published 考核细则 (absolute URL).
    pub method_url: String,
    /// Proposed for 激励: the units graded 优秀.
    pub incentive: Vec<UnitRow>,
    /// Proposed for 通报批评 and 约谈: the units graded 不合格 (vetoed ones among them).
    pub criticism: Vec<FailedUnit>,
    /// Downgraded units that did not fail, proposed for 督促整改.
    pub downgraded: Vec<UnitRow>,
    /// Σ units over the grades (equal to the units assessed).
    pub total_units: usize,
}

impl<'a> ReportView<'a> {
    pub fn new(project: &'a Project, year: &Year) -> Result<ReportView<'a>, Diagnostics> {
        let site = &project.site;
        let Some(meta) = &year.bulletin.report else {
            return Err(Diagnostic::error(
                &year.bulletin.file,
                Pos::FILE,
                format!("the {} bulletin has no `report:` front matter, which gives the report its 发文字号 and date", year.year),
            )
            .with_help(format!(
                "add to the front matter: report: {{ doc_number: 吉环报〔{}〕6号, date: {}-04-11 }} (on or before the bulletin's date)",
                year.year + 1,
                year.year + 1
            ))
            .into());
        };
        let recipient = match (&site.report_recipient, &site.province) {
            (Some(r), _) => r.clone(),
            (None, Some(p)) => format!("{p}人民政府"),
            (None, None) => {
                return Err(Diagnostic::error(
                    "site.yaml",
                    Pos::FILE,
                    "site.yaml names no 主送机关 for the report: neither `report.recipient` nor `province`",
                )
                .with_help("add e.g. report: { recipient: 吉林省人民政府 }, or province: 吉林省")
                .into())
            }
        };
        let scores = score::score_year(year);
        let b = BriefingView::new(project, year, &scores, String::new());
        let failed: Vec<String> = b.failed.iter().map(|f| f.row.id.clone()).collect();
        let incentive = b
            .units
            .iter()
            .filter(|u| u.grade == Grade::Excellent.key())
            .cloned()
            .collect();
        let downgraded = b
            .units
            .iter()
            .filter(|u| u.downgraded && !failed.contains(&u.id))
            .cloned()
            .collect();
        let criticism = b
            .failed
            .iter()
            .map(|f| FailedUnit {
                row: f.row.clone(),
                grounds: f.grounds.clone(),
            })
            .collect();
        let total_units = b.grades.iter().map(|g| g.count).sum();
        Ok(ReportView {
            doc: ReportDoc {
                title: format!(
                    "关于{}年度政府生态环境保护目标责任制考核结果的报告",
                    year.year
                ),
                issuers: site.report_issuers.clone(),
                doc_number: meta.doc_number.clone(),
                signers: site.report_signers.clone(),
                recipient,
                date: meta.date.to_string(),
                date_cn: meta.date.chinese(),
            },
            method_url: format!(
                "{}{}",
                site.base_url,
                method::href(year.year).trim_end_matches("index.html")
            ),
            incentive,
            criticism,
            downgraded,
            total_units,
            b,
        })
    }
}

/// Write the year's report to `<out>/<year>/index.html` (+ `report.pdf`).
pub fn write_report(project: &Project, options: &DocOptions) -> Result<Written, Diagnostics> {
    let kind = OutputKind::REPORT;
    let folder = folder(project, kind, options)?;
    let year = project.year(options.year)?;
    let theme = Theme::load(&project.root, &project.site.theme)?;
    require_template(project, &theme, TEMPLATE, "report")?;
    let view = ReportView::new(project, year)?;
    let ctx = minijinja::context! { site => v(&view.b.site), report => v(&view) };
    let html = theme.render_document(&project.root, TEMPLATE, ctx)?;
    let date = year
        .bulletin
        .report
        .as_ref()
        .map_or(year.bulletin.date, |r| r.date);
    let prints = [Print {
        html: HTML.into(),
        pdf: PDF.into(),
        date,
    }];
    write(
        project,
        kind,
        &folder,
        options,
        vec![OutputFile::new(HTML, html)],
        &prints,
    )
}
