//! Helpers for the spreadsheet tests: forms filled by the library's own
//! writer, and Python's openpyxl as an independent writer and reader.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use ecoscore::sheets::forms::{self, Cell, Fill};
use ecoscore::sheets::{cell_ref, issue};
use serde_json::{json, Value};

/// The sample years.
pub const YEARS: [u16; 5] = [2021, 2022, 2023, 2024, 2025];

/// Every unit's form for `year`, filled in from the project's own results
/// by the same writer `forms` uses, then `extra` written over it (an
/// override of any cell: that is how the tests make a bad form). Returns
/// the files in unit order.
pub fn filled_forms(
    root: &Path,
    year: u16,
    dir: &Path,
    extra: &[(&str, &'static str, u32, u16, Cell)],
) -> Vec<PathBuf> {
    let (project, _) = ecoscore::Project::load(root).expect("the project is valid");
    let t = issue::template(root, year).expect("the year's template is valid");
    fs::create_dir_all(dir).unwrap();
    let mut files = Vec::new();
    for unit in &project.years[&year].units {
        let region = &project.units[unit.region];
        let mut fill = Fill::from_results(&t, unit);
        for (id, sheet, row, col, cell) in extra {
            if *id == region.id {
                fill.set(sheet, *row, *col, cell.clone());
            }
        }
        let bytes = forms::write(&t, unit.region, &fill).expect("the form is written");
        let path = dir.join(forms::file_name(&region.name));
        fs::write(&path, bytes).unwrap();
        files.push(path);
    }
    files
}

/// What a unit types into its form, as JSON for the Python filler:
/// `{"<file name>": [[sheet, "G4", value], ...]}`; numbers are JSON numbers.
pub fn fill_plan(root: &Path, year: u16) -> Value {
    let (project, _) = ecoscore::Project::load(root).expect("the project is valid");
    let t = issue::template(root, year).expect("the year's template is valid");
    let mut plan = serde_json::Map::new();
    for unit in &project.years[&year].units {
        let region = &project.units[unit.region];
        let cells: Vec<Value> = Fill::from_results(&t, unit)
            .0
            .iter()
            .map(|((sheet, row, col), cell)| {
                let value = match cell {
                    Cell::Text(text) => json!(text),
                    Cell::Number(n) => json!(n.to_string().parse::<f64>().unwrap()),
                };
                json!([sheet, cell_ref(*row, *col), value])
            })
            .collect();
        plan.insert(forms::file_name(&region.name), Value::Array(cells));
    }
    Value::Object(plan)
}

/// A Python with openpyxl, or `None` (with a SKIP line). Under CI a missing
/// one fails the test: .ci/run installs it.
/// Build the project at `root` into `root/site`, which it returns.
pub fn build_site(root: &Path) -> PathBuf {
    let site = root.join("site");
    super::Test::new()
        .root(root)
        .args(["build", "--out"])
        .arg(&site)
        .run()
        .success();
    site
}

pub fn python() -> Option<PathBuf> {
    let python = PathBuf::from(std::env::var_os("PYTHON").unwrap_or_else(|| "python3".into()));
    let ok = Command::new(&python)
        .args(["-c", "import openpyxl"])
        .output()
        .is_ok_and(|o| o.status.success());
    if ok {
        return Some(python);
    }
    let why = "Python 3 with openpyxl is missing (pip install openpyxl, or apt-get install -y python3-openpyxl)";
    if std::env::var("CI").is_ok_and(|v| v == "true") {
        panic!("{why}; CI must run the independent-reader tests");
    }
    eprintln!("SKIP: {why}");
    None
}

/// Run a Python script with arguments; panics with its output on failure.
pub fn run_python(python: &Path, script: &str, args: &[&Path]) -> String {
    let output = Command::new(python)
        .arg("-c")
        .arg(script)
        .args(args)
        .output()
        .expect("run python");
    assert!(
        output.status.success(),
        "python failed:\n{}\n{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).unwrap()
}
