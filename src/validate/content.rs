//! The Markdown documents: a year's bulletin (content/<year>/bulletin.md,
//! 通报) with its briefing front matter, the units' narratives
//! (content/<year>/regions/) and the site's pages (content/pages/).

use std::collections::BTreeMap;

use super::{did_you_mean, is_slug, Catalogue, Validator};
use crate::diagnostic::Pos;
use crate::load::raw::RawBulletinMeta;
use crate::load::yaml::pos;
use crate::load::{Doc, Loaded, Markdown, RawProject, RawYear};
use crate::model::{BriefingMeta, Bulletin, Date, DocFormat, Narrative, Page, ReportMeta};

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
                    markdown: loaded.doc.clone(),
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
