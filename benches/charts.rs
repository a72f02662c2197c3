//! Cost of drawing each chart, on the sample project's latest published year.
//!
//! Run: `cargo bench --bench charts` (criterion prints each chart's median
//! time per render; reports go to target/criterion/).

use std::path::Path;

use criterion::{criterion_group, criterion_main, Criterion};
use ecoscore::render::charts;
use ecoscore::render::charts::Palette;
use ecoscore::render::view::{ScorecardView, UnitHistoryView, YearView};
use ecoscore::render::YearInput;
use ecoscore::score::score_year;
use ecoscore::Project;

fn bench_charts(c: &mut Criterion) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let (project, _) = match Project::load(root) {
        Ok(loaded) => loaded,
        Err(diagnostics) => panic!("the sample project must load: {diagnostics:?}"),
    };
    let years: Vec<_> = project.public_years(false).collect();
    let scores: Vec<_> = years.iter().map(|y| score_year(y)).collect();
    let views: Vec<YearView> = years
        .iter()
        .zip(&scores)
        .map(|(y, s)| YearView::new(&project, y, s))
        .collect();
    let (year, year_scores, view) = (
        *years.last().expect("a published year"),
        scores.last().expect("scores"),
        views.last().expect("a view"),
    );
    let cards: Vec<ScorecardView> = year_scores
        .cards
        .iter()
        .filter_map(|card| {
            let unit = year.units.iter().find(|u| u.region == card.region)?;
            Some(ScorecardView::new(&project, year, unit, card, None))
        })
        .collect();
    let card = &cards[0];
    let region = card_region(&project, card);
    let published: Vec<YearInput> = years
        .iter()
        .zip(&scores)
        .map(|(year, scores)| YearInput {
            project: &project,
            year,
            scores,
            archived: None,
        })
        .collect();
    let region_view = UnitHistoryView::new(&project, region, &published);
    let region_cards: Vec<(u16, bool, ScorecardView)> = years
        .iter()
        .zip(&scores)
        .filter_map(|(y, s)| {
            let card = s.card(region)?;
            let unit = y.units.iter().find(|u| u.region == region)?;
            Some((
                y.year,
                false,
                ScorecardView::new(&project, y, unit, card, None),
            ))
        })
        .collect();
    let all: Vec<&YearView> = views.iter().collect();
    let palette = &Palette::DEFAULT;

    let mut group = c.benchmark_group("charts");
    group.bench_function("year/ranking", |b| {
        b.iter(|| charts::ranking(view, palette))
    });
    group.bench_function("year/heatmap", |b| {
        b.iter(|| charts::heatmap(view, &cards, palette))
    });
    group.bench_function("year/sections", |b| {
        b.iter(|| charts::sections(view, palette))
    });
    group.bench_function("year/grades", |b| {
        b.iter(|| charts::grade_distribution(&all, palette))
    });
    group.bench_function("scorecard/indicators", |b| {
        b.iter(|| charts::indicators(card, year.year, palette))
    });
    group.bench_function("scorecard/sections", |b| {
        b.iter(|| charts::unit_sections(card, &view.rules, palette))
    });
    let rules: Vec<_> = all.iter().map(|y| (y.year, y.rules.clone())).collect();
    group.bench_function("region/trend", |b| {
        b.iter(|| charts::trend(&region_view, &rules, palette))
    });
    group.bench_function("region/key_indicators", |b| {
        b.iter(|| charts::key_indicators(&region_view, &region_cards, palette))
    });
    group.finish();
}

/// The index of the region a scorecard belongs to.
fn card_region(project: &Project, card: &ScorecardView) -> usize {
    project
        .units
        .iter()
        .position(|r| r.id == card.row.id)
        .expect("the card's region exists")
}

criterion_group!(benches, bench_charts);
criterion_main!(benches);
