//! Cost of each pipeline stage on a synthetic project of 300 units × 5 years:
//! load (read and parse every file), validate, score, render one scorecard
//! (page and charts), and render the whole site to memory. The cost of each
//! chart is in `benches/charts.rs`. Then one year's `results.xlsx` at
//! national scale (3,000 units, the fixture `scripts/bench.sh` measures).
//!
//! Run: `cargo bench --bench pipeline` (criterion prints each median; reports
//! go to target/criterion/); `cargo bench --bench pipeline -- results.xlsx`
//! for the workbook alone.

use criterion::{criterion_group, criterion_main, BatchSize, Criterion};
use ecoscore::fixture::{write_fixture, FixtureOptions};
use ecoscore::render::{RenderInput, Renderer, Theme, YearInput};
use ecoscore::{load, score, validate, Options, Project, Site};

fn bench_pipeline(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let theme_dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("themes/default");
    let options = FixtureOptions {
        units: 300,
        years: 5,
        seed: 1,
        first_year: 2021,
    };
    write_fixture(dir.path(), &theme_dir, options).expect("the fixture is written");
    let root = dir.path();
    let (project, _) = match Project::load(root) {
        Ok(loaded) => loaded,
        Err(diagnostics) => panic!("the fixture must load: {diagnostics}"),
    };
    let scores = score::score_all(&project);
    let theme = match Theme::load(root, &project.site.theme) {
        Ok(theme) => theme,
        Err(diagnostics) => panic!("the theme must load: {diagnostics}"),
    };
    let input = RenderInput {
        project: &project,
        theme: &theme,
        years: project
            .public_years(false)
            .map(|year| YearInput {
                project: &project,
                year,
                scores: &scores[&year.year],
                archived: None,
            })
            .collect(),
        bulletin_pdf: false,
    };
    let renderer = Renderer::new(&input);
    let latest = project
        .public_years(false)
        .last()
        .expect("a published year")
        .year;

    let mut group = c.benchmark_group("pipeline-300x5");
    group.sample_size(10);
    group.bench_function("load", |b| b.iter(|| load::load(root)));
    group.bench_function("validate", |b| {
        b.iter_batched(
            || load::load(root).0,
            validate::validate,
            BatchSize::LargeInput,
        )
    });
    group.bench_function("score", |b| b.iter(|| score::score_all(&project)));
    group.bench_function("render one scorecard", |b| {
        b.iter(|| renderer.scorecard(latest, 0))
    });
    group.bench_function("render the site (to memory)", |b| {
        b.iter(|| Site::new(root, &Options::default()).render())
    });
    group.finish();
}

fn bench_results_xlsx(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let theme_dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("themes/default");
    let options = FixtureOptions {
        units: 3000,
        years: 5,
        seed: 1,
        first_year: 2021,
    };
    write_fixture(dir.path(), &theme_dir, options).expect("the fixture is written");
    let (project, _) = match Project::load(dir.path()) {
        Ok(loaded) => loaded,
        Err(diagnostics) => panic!("the fixture must load: {diagnostics}"),
    };
    let year = project
        .public_years(false)
        .last()
        .expect("a published year");
    let scores = score::score_year(year);
    let mut group = c.benchmark_group("xlsx-3000");
    group.sample_size(10);
    group.bench_function("results.xlsx, 3,000 units", |b| {
        b.iter(|| ecoscore::sheets::open_data::results_xlsx(&project, year, &scores))
    });
    group.finish();
}

criterion_group!(benches, bench_pipeline, bench_results_xlsx);
criterion_main!(benches);
