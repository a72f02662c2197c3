//! `ecoscore import`: filled forms in, `data/<year>/results/<id>.yaml` out.
//!
//! Every form is read and checked before anything is written; one problem
//! anywhere means no file changes. A results file already there is replaced
//! only with `--force`; without it the command lists, field by field, what
//! would change.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rayon::prelude::*;

use super::book::{self, Book, Value};
use super::forms::{self, template_digest};
use super::reader::{self, error, place, FormReader, Meta};
use super::record::{Kept, Record};
use crate::diagnostic::{Diagnostic, Diagnostics, Pos};
use crate::load::raw::RawResults;
use crate::load::{self, Doc, RawProject};
use crate::validate::{self, YearTemplate};

#[derive(Debug, Clone)]
pub struct ImportOptions {
    /// Workbooks, or folders whose workbooks are all read.
    pub files: Vec<PathBuf>,
    /// Replace results files that are already there.
    pub force: bool,
    /// Accept only forms of this year.
    pub year: Option<u16>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change {
    New,
    Unchanged,
    /// `field: old → new`, one per changed field.
    Changed(Vec<String>),
    /// The file there cannot be read, so what changes is unknown.
    Unreadable,
}

#[derive(Debug)]
pub struct Planned {
    /// The workbook as given on the command line.
    pub workbook: String,
    pub unit_name: String,
    /// `data/<year>/results/<id>.yaml`, relative to the project.
    pub file: PathBuf,
    pub change: Change,
    /// The file there already holds exactly this text.
    pub same_text: bool,
    text: String,
}

impl Planned {
    /// Whether the file is written: new or changed, or (with `--force`)
    /// holding the same fields in other words (comments, layout).
    pub fn writes(&self, force: bool) -> bool {
        match self.change {
            Change::Unchanged => force && !self.same_text,
            _ => true,
        }
    }
}

#[derive(Debug)]
pub struct ImportOutcome {
    pub planned: Vec<Planned>,
    /// False when files would have been replaced without `--force`: nothing was written.
    pub written: bool,
}

impl ImportOutcome {
    /// Files that exist and would change (or cannot be read).
    pub fn replaced(&self) -> usize {
        self.planned
            .iter()
            .filter(|p| matches!(p.change, Change::Changed(_) | Change::Unreadable))
            .count()
    }
}

fn is_workbook(path: &Path) -> bool {
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
    let extension = path
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or("")
        .to_ascii_lowercase();
    // `~$…` is the lock file Excel and WPS keep beside an open workbook.
    !name.starts_with("~$")
        && !name.starts_with('.')
        && matches!(extension.as_str(), "xlsx" | "xlsm" | "xls" | "ods")
}

/// The files to read: each file as given, each folder's workbooks by name.
fn expand(files: &[PathBuf]) -> Result<Vec<PathBuf>, Diagnostics> {
    let mut out = Vec::new();
    let mut diags = Diagnostics::new();
    for file in files {
        if !file.is_dir() {
            out.push(file.clone());
            continue;
        }
        match fs::read_dir(file) {
            Ok(entries) => {
                let mut found: Vec<PathBuf> = entries
                    .filter_map(|e| e.ok().map(|e| e.path()))
                    .filter(|p| p.is_file() && is_workbook(p))
                    .collect();
                found.sort();
                if found.is_empty() {
                    diags.push(error(
                        file.clone(),
                        "这个文件夹中没有 .xlsx、.xls 或 .ods 文件",
                        "给出填报表文件或存放它们的文件夹",
                    ));
                }
                out.extend(found);
            }
            Err(e) => diags.push(error(
                file.clone(),
                format!("无法读取这个文件夹（{e}）"),
                "检查路径和权限",
            )),
        }
    }
    if diags.is_empty() {
        Ok(out)
    } else {
        Err(diags)
    }
}

fn meta_year(value: &Value) -> Option<u16> {
    match value {
        Value::Int(i) => u16::try_from(*i).ok(),
        Value::Number(f) if f.fract() == 0.0 && (1.0..=9999.0).contains(f) => Some(*f as u16),
        Value::Text(text) => text.trim().parse().ok(),
        _ => None,
    }
}

/// A form's year (when it names one) and the form, or its problems.
type Checked = (Option<u16>, Result<Form, Vec<Diagnostic>>);

struct Context<'a> {
    raw: &'a RawProject,
    templates: &'a BTreeMap<u16, Result<YearTemplate, Diagnostics>>,
    only_year: Option<u16>,
}

/// A valid form: which unit and year, and what it holds.
struct Form {
    workbook: String,
    year: u16,
    unit: usize,
    record: Record,
}

impl Context<'_> {
    fn check(&self, workbook: &str, book: &Book, meta: &Meta) -> Result<Form, Vec<Diagnostic>> {
        let meta_cell = |row: u32| place(workbook, forms::META, row, 1);
        if meta.version != forms::FORMAT_VERSION {
            return Err(vec![error(
                meta_cell(forms::META_VERSION),
                format!(
                    "这份表格的格式版本为「{}」，本程序读取版本 {}",
                    meta.version,
                    forms::FORMAT_VERSION
                ),
                "请用本版本的 ecoscore forms 重新生成表格",
            )]);
        }
        let years: Vec<String> = self.raw.years.keys().map(u16::to_string).collect();
        let Some(year) = meta_year(&meta.year) else {
            return Err(vec![error(
                meta_cell(forms::META_YEAR),
                format!("表格的年度「{}」不是年份", meta.year.shown()),
                "请用 ecoscore forms 制发的原表填报",
            )]);
        };
        let Some(template) = self.templates.get(&year) else {
            return Err(vec![error(
                meta_cell(forms::META_YEAR),
                format!("这份表格是{year}年度的，本项目没有{year}年度的考核细则和目标（data/{year}/）"),
                format!("本项目的年度：{}；确认表格的年度，或先添加 data/{year}/rules.yaml 和 targets.yaml", years.join("、")),
            )]);
        };
        if let Some(only) = self.only_year.filter(|only| *only != year) {
            return Err(vec![error(
                meta_cell(forms::META_YEAR),
                format!("这份表格是{year}年度的，本次导入{only}年度（--year {only}）"),
                format!("请用{only}年度的表格填报（ecoscore forms --year {only}）"),
            )]);
        }
        // Its errors are reported once for the year, not for every form.
        let Ok(t) = template else {
            return Err(Vec::new());
        };
        let Some(unit) = t.units.iter().position(|r| r.id == meta.unit) else {
            let ids: Vec<&str> = t.units.iter().map(|r| r.id.as_str()).collect();
            return Err(vec![error(
                meta_cell(forms::META_UNIT),
                format!("单位代码「{}」不是本项目的考核对象", meta.unit),
                format!(
                    "data/regions.yaml 中的单位：{}；这份表格可能来自另一个项目",
                    ids.join("、")
                ),
            )]);
        };
        let current = template_digest(t, unit) == meta.template;
        if !current {
            let other = self.templates.iter().find_map(|(y, other)| {
                let other = other.as_ref().ok().filter(|_| *y != year)?;
                let index = other.units.iter().position(|r| r.id == meta.unit)?;
                (template_digest(other, index) == meta.template).then_some(*y)
            });
            if let Some(other) = other {
                return Err(vec![error(
                    PathBuf::from(workbook),
                    format!("这份表格标为{year}年度，但它的指标、目标和细则是{other}年度的：表格来自{other}年度的模板"),
                    format!("请用 ecoscore forms --year {year} 生成的表格重新填写"),
                )]);
            }
        }
        let mut reader = FormReader {
            t,
            unit,
            workbook,
            diags: Vec::new(),
            template_current: current,
        };
        if !current {
            reader.diags.push(error(
                PathBuf::from(workbook),
                format!("这份表格制发后，{year}年度的考核细则或{}的目标已修改，表格与现行模板不符", t.units[unit].name),
                format!("请用 ecoscore forms --year {year} 重新生成表格，把填写的内容抄过去后再导入；不同之处列在下面"),
            ));
        }
        let record = reader.read(book);
        if reader.diags.is_empty() {
            Ok(Form {
                workbook: workbook.to_string(),
                year,
                unit,
                record,
            })
        } else {
            Err(reader.diags)
        }
    }
}

/// The load diagnostics of the files a year's template is made of.
fn template_files(year: u16) -> [PathBuf; 5] {
    [
        PathBuf::from("site.yaml"),
        PathBuf::from("data/regions.yaml"),
        PathBuf::from("data/indicators.yaml"),
        PathBuf::from(format!("data/{year}/rules.yaml")),
        PathBuf::from(format!("data/{year}/targets.yaml")),
    ]
}

/// Read, check and (if all are valid) import `options.files` into the project at `root`.
pub fn import(root: &Path, options: &ImportOptions) -> Result<ImportOutcome, Diagnostics> {
    let files = expand(&options.files)?;
    let read: Vec<Result<(Book, Meta), Diagnostic>> = files
        .par_iter()
        .map(|file| {
            let book = book::read(file).map_err(|message| {
                let help = "导入 ecoscore forms 制发、填写后另存为 .xlsx 的表格";
                error(file.clone(), message, help)
            })?;
            let meta = reader::meta(&book, &file.display().to_string())?;
            Ok((book, meta))
        })
        .collect();
    // Only the results of the years being imported are read (to compare).
    let mut years: Vec<u16> = read
        .iter()
        .filter_map(|r| r.as_ref().ok().and_then(|(_, meta)| meta_year(&meta.year)))
        .collect();
    years.sort_unstable();
    years.dedup();
    let (raw, load_diags) = load::load_for_sheets(root, &years);
    if !root.is_dir() {
        return Err(load_diags);
    }
    let templates: BTreeMap<u16, Result<YearTemplate, Diagnostics>> = raw
        .years
        .keys()
        .map(|year| (*year, validate::year_template(&raw, *year)))
        .collect();
    let context = Context {
        raw: &raw,
        templates: &templates,
        only_year: options.year,
    };
    let checked: Vec<Checked> = read
        .into_par_iter()
        .zip(files.par_iter())
        .map(|(read, file)| match read {
            Ok((book, meta)) => (
                meta_year(&meta.year),
                context.check(&file.display().to_string(), &book, &meta),
            ),
            Err(d) => (None, Err(vec![d])),
        })
        .collect();
    let mut diags = Diagnostics::new();
    let mut reported_years = Vec::new();
    for (year, _) in &checked {
        if let Some(Err(template_errors)) = year.and_then(|y| templates.get(&y)) {
            let year = year.unwrap_or_default();
            if !reported_years.contains(&year) {
                reported_years.push(year);
                let needed = template_files(year);
                for d in load_diags.iter().filter(|d| needed.contains(&d.file)) {
                    diags.push(d.clone());
                }
                diags.extend(template_errors.clone());
            }
        }
    }
    let mut forms = Vec::new();
    let mut seen: BTreeMap<(u16, usize), String> = BTreeMap::new();
    for (_, result) in checked {
        match result {
            Err(errors) => errors.into_iter().for_each(|d| diags.push(d)),
            Ok(form) => {
                if let Some(first) = seen.get(&(form.year, form.unit)) {
                    let name = templates
                        .get(&form.year)
                        .and_then(|t| t.as_ref().ok())
                        .map_or(String::new(), |t| t.units[form.unit].name.clone());
                    diags.push(error(
                        PathBuf::from(&form.workbook),
                        format!("{name}{}年度的表格有两份：另一份是 {first}", form.year),
                        "每个单位每年只导入一份表格；去掉其中一份后再导入",
                    ));
                } else {
                    seen.insert((form.year, form.unit), form.workbook.clone());
                    forms.push(form);
                }
            }
        }
    }
    if !diags.is_empty() {
        return Err(diags);
    }
    let planned = forms
        .into_iter()
        .map(|form| plan(&raw, &templates, form))
        .collect::<Result<Vec<Planned>, Diagnostic>>()
        .map_err(|d| Diagnostics::from_iter([d]))?;
    let outcome = ImportOutcome {
        planned,
        written: false,
    };
    if !options.force && outcome.replaced() > 0 {
        return Ok(outcome);
    }
    write(root, &outcome.planned, options.force)?;
    Ok(ImportOutcome {
        written: true,
        ..outcome
    })
}

fn plan(
    raw: &RawProject,
    templates: &BTreeMap<u16, Result<YearTemplate, Diagnostics>>,
    form: Form,
) -> Result<Planned, Diagnostic> {
    let Some(Ok(t)) = templates.get(&form.year) else {
        return Err(Diagnostic::error(
            &form.workbook,
            Pos::FILE,
            "internal error: the form's template is gone",
        ));
    };
    let region = &t.units[form.unit];
    let file = PathBuf::from(format!("data/{}/results/{}.yaml", form.year, region.id));
    let existing = raw
        .years
        .get(&form.year)
        .and_then(|y| y.results.get(&region.id));
    let (change, kept, old_text) = match existing {
        Some(Doc::Ok(loaded)) => {
            let lines = form.record.changes_from(&Record::from_raw(&loaded.doc));
            let change = if lines.is_empty() {
                Change::Unchanged
            } else {
                Change::Changed(lines)
            };
            (
                change,
                Kept::from_raw(&loaded.doc),
                Some(loaded.text.clone()),
            )
        }
        Some(Doc::Broken) => (Change::Unreadable, Kept::default(), None),
        Some(Doc::Missing) | None => (Change::New, Kept::default(), None),
    };
    let source = Path::new(&form.workbook)
        .file_name()
        .map_or(form.workbook.clone(), |n| n.to_string_lossy().into_owned());
    let text = form
        .record
        .to_yaml(&region.name, &source, t.site.sample_data, &kept);
    // The file must read back as results; anything else is a bug here.
    if let Err(d) = load::yaml::parse::<RawResults>(&file, &Arc::from(text.as_str())) {
        return Err(Diagnostic::error(
            &file,
            Pos::FILE,
            format!(
                "internal error: the results written for {} do not read back: {}",
                form.workbook,
                d.problems
                    .iter()
                    .map(|p| p.message.as_str())
                    .collect::<Vec<_>>()
                    .join("; ")
            ),
        ));
    }
    Ok(Planned {
        workbook: form.workbook,
        unit_name: region.name.clone(),
        file,
        change,
        same_text: old_text.is_some_and(|old| *old == *text),
        text,
    })
}

/// Write every new or changed file: all to temporary files first, then each
/// renamed into place.
fn write(root: &Path, planned: &[Planned], force: bool) -> Result<(), Diagnostics> {
    let fail = |file: &Path, e: std::io::Error| {
        Diagnostics::from_iter([Diagnostic::error(
            file,
            Pos::FILE,
            format!("cannot write the results file: {e}"),
        )
        .with_help("no results file was replaced; check permissions and free space")])
    };
    let mut staged = Vec::new();
    for p in planned.iter().filter(|p| p.writes(force)) {
        let path = root.join(&p.file);
        let dir = path.parent().unwrap_or(root);
        fs::create_dir_all(dir).map_err(|e| fail(&p.file, e))?;
        let temp = super::staged(dir, p.text.as_bytes()).map_err(|e| fail(&p.file, e))?;
        staged.push((temp, path, &p.file));
    }
    for (temp, path, file) in staged {
        temp.persist(&path).map_err(|e| fail(file, e.error))?;
    }
    Ok(())
}
