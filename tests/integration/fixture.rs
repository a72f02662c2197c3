//! The synthetic-project generator used by the benchmarks writes valid projects.

use crate::common::*;
use ecoscore::fixture::{write_fixture, FixtureOptions};

#[test]
fn generated_project_passes_check_and_builds() {
    let dir = tempfile::tempdir().unwrap();
    let options = FixtureOptions {
        units: 60,
        years: 2,
        seed: 11,
        first_year: 2021,
    };
    write_fixture(dir.path(), &repo().join("themes/default"), options).unwrap();

    let check = Test::new().root(dir.path()).arg("check").run().success();
    assert!(
        check.stdout.contains("60 units, 2 years"),
        "{}",
        check.stdout
    );

    let json = Test::new()
        .root(dir.path())
        .args(["scores", "--year", "2022", "--format", "json"])
        .run()
        .success();
    let doc: serde_json::Value = serde_json::from_str(&json.stdout).unwrap();
    let regions = doc["regions"].as_array().unwrap();
    assert_eq!(regions.len(), 60);
    // The variety the generator promises shows in the scores.
    let grades: std::collections::BTreeSet<&str> = regions
        .iter()
        .map(|r| r["grade"].as_str().unwrap())
        .collect();
    assert!(grades.len() >= 2, "{grades:?}");
    assert!(regions.iter().any(|r| r["binding_missed"]
        .as_array()
        .is_some_and(|m| !m.is_empty())));

    let out = dir.path().join("public");
    Test::new()
        .root(dir.path())
        .arg("build")
        .arg("--out")
        .arg(&out)
        .run()
        .success();
    assert!(out.join("2022/regions/u00060/index.html").is_file());
    assert!(out.join("regions/u00001/index.html").is_file());
}
