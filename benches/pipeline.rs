//! Cost of each pipeline stage on a synthetic project of 300 units × 5 years.
//!
//! Run: `cargo bench --bench pipeline` (criterion prints the median time of
//! load + validate, score, and render to memory; reports go to target/criterion/).

use criterion::{criterion_group, criterion_main, Criterion};
use ecoscore::fixture::{write_fixture, FixtureOptions};
use ecoscore::{site, Project};

fn bench_pipeline(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let theme = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("themes/default");
    let options = FixtureOptions {
        units: 300,
        years: 5,
        seed: 1,
        first_year: 2021,
    };
    write_fixture(dir.path(), &theme, options).expect("the fixture is written");
    let (project, _) = match Project::load(dir.path()) {
        Ok(loaded) => loaded,
        Err(diagnostics) => panic!("the fixture must load: {diagnostics}"),
    };

    let mut group = c.benchmark_group("pipeline-300x5");
    group.sample_size(10);
    group.bench_function("load+validate", |b| b.iter(|| Project::load(dir.path())));
    group.bench_function("score", |b| b.iter(|| site::score_all(&project)));
    group.bench_function("render (to memory)", |b| {
        b.iter(|| site::render(dir.path(), false, false))
    });
    group.finish();
}

criterion_group!(benches, bench_pipeline);
criterion_main!(benches);
