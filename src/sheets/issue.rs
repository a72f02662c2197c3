//! `ecoscore forms`: every unit's form for a year, written to
//! `<out>/<year>/<unit name>.xlsx`.
//!
//! The folder is private (refused inside the public output and the input
//! folders). Forms are written only when all were made; a file there that
//! differs from the one written now (a filled form saved under the same
//! name, say) is kept unless `--force`.

use std::fs;
use std::path::{Path, PathBuf};

use rayon::prelude::*;

use super::forms::{self, Fill};
use super::{private_output_dir, staged};
use crate::diagnostic::{Diagnostic, Diagnostics, Pos};
use crate::load;
use crate::validate;

#[derive(Debug, Clone)]
pub struct FormsOptions {
    pub year: u16,
    /// The forms folder; the year's forms go to `<out>/<year>/`.
    pub out: PathBuf,
    /// Replace files there that differ from the new forms.
    pub force: bool,
}

#[derive(Debug)]
pub struct FormsSummary {
    /// `<out>/<year>/`, resolved.
    pub folder: PathBuf,
    pub written: usize,
    pub unchanged: usize,
}

/// The year's template, or every problem with the files it is made of.
pub fn template(root: &Path, year: u16) -> Result<validate::YearTemplate, Diagnostics> {
    let (raw, load_diags) = load::load_for_sheets(root, &[]);
    if !root.is_dir() {
        return Err(load_diags);
    }
    let mut needed = vec![
        PathBuf::from("site.yaml"),
        PathBuf::from("data/regions.yaml"),
        PathBuf::from("data/indicators.yaml"),
    ];
    if !raw.years.contains_key(&year) {
        let known: Vec<String> = raw.years.keys().map(u16::to_string).collect();
        let mut diags: Diagnostics = load_diags
            .iter()
            .filter(|d| needed.contains(&d.file))
            .cloned()
            .collect();
        diags.push(
            Diagnostic::error(
                format!("data/{year}"),
                Pos::FILE,
                format!("there is no data for {year}"),
            )
            .with_help(format!(
                "add data/{year}/rules.yaml and targets.yaml first; years in this project: {}",
                if known.is_empty() {
                    "none".to_string()
                } else {
                    known.join(", ")
                }
            )),
        );
        return Err(diags);
    }
    needed.push(PathBuf::from(format!("data/{year}/rules.yaml")));
    needed.push(PathBuf::from(format!("data/{year}/targets.yaml")));
    validate::year_template(&raw, year).map_err(|errors| {
        let mut diags: Diagnostics = load_diags
            .iter()
            .filter(|d| needed.contains(&d.file))
            .cloned()
            .collect();
        diags.extend(errors);
        diags
    })
}

/// Write the forms of `options.year`.
pub fn write_all(root: &Path, options: &FormsOptions) -> Result<FormsSummary, Diagnostics> {
    let out = private_output_dir(root, &options.out, "the forms")
        .map_err(|d| Diagnostics::from_iter([d]))?;
    let t = template(root, options.year)?;
    let folder = out.join(options.year.to_string());
    let mut names: Vec<String> = t.units.iter().map(|r| forms::file_name(&r.name)).collect();
    // Two units whose names give the same file name keep apart by id.
    for i in 0..names.len() {
        if names.iter().filter(|n| **n == names[i]).count() > 1 {
            names[i] = forms::file_name(&format!("{}（{}）", t.units[i].name, t.units[i].id));
        }
    }
    let made: Vec<Result<Vec<u8>, String>> = (0..t.units.len())
        .into_par_iter()
        .map(|unit| forms::write(&t, unit, &Fill::default()).map_err(|e| e.to_string()))
        .collect();
    let mut files = Vec::new();
    let mut diags = Diagnostics::new();
    for ((name, bytes), region) in names.into_iter().zip(made).zip(&t.units) {
        match bytes {
            Ok(bytes) => files.push((folder.join(name), bytes)),
            Err(e) => diags.push(Diagnostic::error(
                "data/regions.yaml",
                Pos::FILE,
                format!("cannot make the form of {}: {e}", region.name),
            )),
        }
    }
    let mut unchanged = 0;
    let mut to_write = Vec::new();
    for (path, bytes) in files {
        match fs::read(&path) {
            Ok(existing) if existing == bytes => unchanged += 1,
            Ok(_) if !options.force => diags.push(
                Diagnostic::error(&path, Pos::FILE, "a different file is already there (a filled-in form saved under the same name?)")
                    .with_help("move it elsewhere, or pass --force to replace it with a blank form"),
            ),
            _ => to_write.push((path, bytes)),
        }
    }
    if !diags.is_empty() {
        return Err(diags);
    }
    let fail = |path: &Path, e: std::io::Error| {
        Diagnostics::from_iter([Diagnostic::error(
            path,
            Pos::FILE,
            format!("cannot write the form: {e}"),
        )
        .with_help("check permissions and free space")])
    };
    fs::create_dir_all(&folder).map_err(|e| fail(&folder, e))?;
    let written = to_write.len();
    for (path, bytes) in to_write {
        let temp = staged(&folder, &bytes).map_err(|e| fail(&path, e))?;
        temp.persist(&path).map_err(|e| fail(&path, e.error))?;
    }
    Ok(FormsSummary {
        folder,
        written,
        unchanged,
    })
}
