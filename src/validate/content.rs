//! The Markdown documents: a year's bulletin (content/<year>/bulletin.md,
//! 通报) with its briefing front matter, the units' narratives
//! (content/<year>/regions/) and the site's pages (content/pages/).

use std::collections::BTreeMap;

use super::{did_you_mean, is_slug, Catalogue, Validator};
use crate::diagnostic::Pos;
use crate::load::raw::RawBulletinMeta;
use crate::load::yaml::pos;
use crate::load::{Doc, Loaded, Markdown, RawProject, RawYear};
use crate::model::{BriefingMeta, Bulletin, Date, DocFormat, Narrative, Page, ReportMeta, Status};

/// 主题分类 when the front matter gives none: the State Council's category
/// for environmental protection, as provincial portals print it.
const DEFAULT_TOPIC: &str = "城乡建设、环境保护\\环境监测、保护与治理";

/// What is wrong with an index number `<code>/<year>-<serial>` of a
/// bulletin published in `year`, if anything.
fn check_index_number(value: &str, year: u16) -> Result<(), String> {
    let Some((code, rest)) = value.split_once('/') else {
        return Err("no `/` between the 统一社会信用代码 and the year".into());
    };
    if code.chars().count() != 18
        || !code
            .chars()
            .all(|c| c.is_ascii_digit() || c.is_ascii_uppercase())
    {
        return Err(format!(
            "`{code}` is not an 18-character 统一社会信用代码 (digits and capital letters)"
        ));
    }
    let Some((y, serial)) = rest.split_once('-') else {
        return Err("no `-` between the year and the serial number".into());
    };
    if y != year.to_string() {
        return Err(format!(
            "the year `{y}` is not {year}, the year the bulletin is dated"
        ));
    }
    if serial.is_empty() || serial.len() > 6 || !serial.bytes().all(|b| b.is_ascii_digit()) {
        return Err(format!("the serial `{serial}` is not 1 to 6 digits"));
    }
    Ok(())
}

impl Validator {
    pub(super) fn bulletin(&mut self, year: u16, raw: &RawYear) -> Option<Bulletin> {
        let loaded = match &raw.bulletin {
            Some(Doc::Ok(loaded)) => loaded,
            Some(Doc::Broken) => return None,
            None | Some(Doc::Missing) => {
                self.missing(
                    format!("content/{year}/bulletin.md"),
                    format!("the {year} bulletin (通报) is missing"),
                    "add content/<year>/bulletin.md with front matter title, doc_number, issuer, date and status",
                );
                return None;
            }
        };
        let meta = &loaded.doc.meta;
        let title = self.non_empty(loaded, &meta.title, "title");
        let doc_number = self.non_empty(loaded, &meta.doc_number, "doc_number");
        let issuer = self.non_empty(loaded, &meta.issuer, "issuer");
        let date = meta.date.value;
        if date.year <= year {
            self.warning(
                loaded,
                pos(&meta.date),
                format!("the bulletin is dated {date}, before the assessed year {year} ended"),
            );
        }
        let format = self.doc_format(loaded, &doc_number);
        let index_number = self.index_number(loaded, date);
        let topic = meta.topic.as_ref().map_or_else(
            || DEFAULT_TOPIC.to_string(),
            |t| self.non_empty(loaded, t, "topic"),
        );
        let briefing = self.briefing_meta(loaded, date);
        let report = meta.report.as_ref().map(|r| {
            if r.date.value > date {
                self.error(
                    loaded,
                    pos(&r.date),
                    format!("report.date {} is after the bulletin's date {date}", r.date.value),
                    Some("the results are reported to the provincial government before it issues the bulletin".into()),
                );
            }
            ReportMeta {
                doc_number: self.non_empty(loaded, &r.doc_number, "report.doc_number"),
                date: r.date.value,
            }
        });
        Some(Bulletin {
            file: loaded.file.clone(),
            title,
            doc_number,
            issuer,
            date,
            status: meta.status,
            format,
            index_number,
            topic,
            briefing,
            report,
            body: loaded.doc.body.clone(),
            body_line: loaded.doc.body_line,
        })
    }

    /// `format:` as written, or the one the document number calls for: a 函
    /// (机关代字 ending in 函, 吉政函〔2025〕15号) is a letter. A 函 laid out
    /// as a 文件 is refused.
    fn doc_format(
        &mut self,
        loaded: &Loaded<Markdown<RawBulletinMeta>>,
        doc_number: &str,
    ) -> DocFormat {
        let is_letter = doc_number
            .split(['〔', '['])
            .next()
            .is_some_and(|code| code.trim_end().ends_with('函'));
        let inferred = if is_letter {
            DocFormat::Letter
        } else {
            DocFormat::File
        };
        let Some(given) = &loaded.doc.meta.format else {
            return inferred;
        };
        if given.value == DocFormat::File && is_letter {
            self.error(
                loaded,
                pos(given),
                format!("format: file, but `{doc_number}` is a 函, which GB/T 9704 lays out in 信函格式"),
                Some("write format: letter (or give the 文件's own document number)".into()),
            );
        }
        given.value
    }

    /// The 索引号 portals print above a 公文: the issuer's 18-character
    /// 统一社会信用代码, `/`, the year of publication and a serial number.
    fn index_number(
        &mut self,
        loaded: &Loaded<Markdown<RawBulletinMeta>>,
        date: Date,
    ) -> Option<String> {
        let meta = &loaded.doc.meta;
        let example = format!("e.g. index_number: 11220000000000000X/{}-00015", date.year);
        let Some(raw) = &meta.index_number else {
            if meta.status == Status::Published {
                self.warning(
                    loaded,
                    Pos::new(1, 1),
                    format!("the bulletin has no index_number (索引号), so its 信息公开 block shows none; add one to the front matter, {example}"),
                );
            }
            return None;
        };
        let value = raw.value.trim();
        if let Err(wrong) = check_index_number(value, date.year) {
            self.error(
                loaded,
                pos(raw),
                format!("index_number `{value}` is not an index number (索引号): {wrong}"),
                Some(format!("write the issuer's 18-character 统一社会信用代码, `/`, the year the bulletin is published ({}) and a serial of 1 to 6 digits, {example}", date.year)),
            );
        }
        Some(value.to_string())
    }

    /// The bulletin's `briefing:` front matter: 印发日期 (default: the
    /// bulletin's date), 份号 and 密级.
    fn briefing_meta(
        &mut self,
        loaded: &Loaded<Markdown<RawBulletinMeta>>,
        date: Date,
    ) -> BriefingMeta {
        let Some(raw) = &loaded.doc.meta.briefing else {
            return BriefingMeta {
                printed: date,
                copy_number: None,
                classification: None,
            };
        };
        let printed = raw.printed.as_ref().map_or(date, |p| p.value);
        if let Some(at) = &raw.printed {
            if printed < date {
                self.error(
                    loaded,
                    pos(at),
                    format!("briefing.printed {printed} is before the bulletin's date {date}"),
                    Some("印发日期 is the day the document was printed, on or after its date (成文日期)".into()),
                );
            }
        }
        let copy_number = raw.copy_number.as_ref().map(|n| {
            let digits = n.value.trim();
            if digits.is_empty() || digits.len() > 6 || !digits.bytes().all(|b| b.is_ascii_digit())
            {
                self.error(
                    loaded,
                    pos(n),
                    format!("briefing.copy_number `{digits}` is not a copy number (份号)"),
                    Some("write one to six digits, quoted, e.g. copy_number: \"000001\"".into()),
                );
            }
            format!("{digits:0>6}")
        });
        let classification = raw
            .classification
            .as_ref()
            .map(|c| self.non_empty(loaded, c, "briefing.classification"));
        BriefingMeta {
            printed,
            copy_number,
            classification,
        }
    }

    /// The year's narratives by unit id; one for an unknown unit is reported.
    pub(super) fn narratives(
        &mut self,
        raw: &RawYear,
        catalogue: &Catalogue<'_>,
    ) -> BTreeMap<String, Narrative> {
        let mut narratives = BTreeMap::new();
        for (id, loaded) in &raw.narratives {
            if catalogue.region(id).is_none() {
                let ids: Vec<&str> = catalogue.units.iter().map(|r| r.id.as_str()).collect();
                self.error(
                    loaded,
                    Pos::FILE,
                    format!("narrative for unknown unit `{id}`"),
                    Some(format!(
                        "name the file after a unit id in data/regions.yaml; {}",
                        did_you_mean(id, ids.iter().copied(), &ids.join(", "))
                    )),
                );
            }
            narratives.insert(
                id.clone(),
                Narrative {
                    file: loaded.file.clone(),
                    markdown: loaded.doc.to_string(),
                },
            );
        }
        narratives
    }

    pub(super) fn pages(&mut self, raw: &RawProject) -> Vec<Page> {
        let mut pages = Vec::new();
        for (slug, loaded) in &raw.pages {
            if !is_slug(slug) {
                self.error(
                    loaded,
                    Pos::FILE,
                    format!("page file name `{slug}.md` is not a slug"),
                    Some("name pages with lowercase letters, digits and `-`, e.g. about.md".into()),
                );
            }
            pages.push(Page {
                slug: slug.clone(),
                file: loaded.file.clone(),
                title: loaded.doc.meta.title.clone(),
                markdown: loaded.doc.body.clone(),
                body_line: loaded.doc.body_line,
            });
        }
        pages
    }
}
