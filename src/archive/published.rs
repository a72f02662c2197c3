//! An archived year's figures as they were published, for site-wide pages.
//!
//! They are read from the year's own open data, `site/<year>/data/results.json`,
//! which the manifest covers and the frozen year pages were rendered with,
//! never from scoring the input archived beside them: input rewritten with a
//! recomputed manifest (which `verify` catches by rebuilding) cannot change
//! what the unit histories, charts and the archive page say about the year.

use std::str::FromStr;

use rust_decimal::Decimal;
use serde::Deserialize;

use super::Tree;
use crate::model::{Project, Sections, Year};
use crate::open_data;
use crate::render::charts;
use crate::render::theme;
use crate::render::view::{ScorecardView, YearView};
use crate::score::{self, Grade, YearScores};

/// `open_data::ScoresDoc` as read back: the fields site-wide pages show.
#[derive(Deserialize)]
struct OpenData {
    year: u16,
    regions: Vec<OpenRow>,
}

#[derive(Deserialize)]
struct OpenRow {
    id: String,
    name: String,
    rank: usize,
    grade: String,
    base_grade: String,
    total: String,
    bonus: String,
    bonus_claimed: String,
    sections: OpenSections,
    downgraded: bool,
    vetoed: bool,
    binding_missed: Vec<String>,
}

#[derive(Deserialize)]
struct OpenSections {
    indicators: String,
    tasks: String,
    funds: String,
    satisfaction: String,
}

/// Where a year's open data is, relative to the site.
pub fn open_data_path(year: u16) -> String {
    format!("{year}/data/results.json")
}

/// One archived year as site-wide pages list it.
#[derive(Debug)]
pub struct Published {
    /// The published figures, one card per published unit in rank order,
    /// on the units of the project the year is read in.
    pub scores: YearScores,
    /// Whether scoring that project gives exactly the published open data,
    /// and each unit's indicator chart exactly as published (the chart
    /// labels every value and target). Only then do the cards keep the
    /// per-indicator detail that the open data does not hold (the unit
    /// pages' key-indicator chart).
    pub reproduced: bool,
    /// Units whose name in that project differs from the published one: (index, name).
    pub renamed: Vec<(usize, String)>,
}

fn figure(text: &str, what: &str, id: &str) -> Result<Decimal, String> {
    Decimal::from_str(text).map_err(|_| format!("`{text}` is not a figure ({what} of `{id}`)"))
}

fn grade(key: &str, id: &str) -> Result<Grade, String> {
    Grade::ALL
        .into_iter()
        .find(|g| g.key() == key)
        .ok_or_else(|| format!("`{key}` is not a grade (unit `{id}`)"))
}

/// Whether the charts drawn from `project` are the ones in the archived
/// pages `site`: the year's ranking and sections (which draw the rules'
/// thresholds, bonus cap and section points) and every unit's indicators
/// (which label each value and target).
fn charts_reproduced(project: &Project, year: &Year, scored: &YearScores, site: &Tree) -> bool {
    let same = |path: String, svg: &str| {
        site.get(&path)
            .is_some_and(|frozen| *frozen == svg.as_bytes())
    };
    // Drawn in the colours of the theme the year was archived with.
    let Ok(palette) = theme::config::palette(&project.root, &project.site.theme) else {
        return false;
    };
    let view = YearView::new(project, year, scored);
    let year_charts = [
        charts::ranking(&view, &palette),
        charts::sections(&view, &palette),
    ];
    if !year_charts
        .iter()
        .all(|chart| same(format!("{}/charts/{}", year.year, chart.file), &chart.svg))
    {
        return false;
    }
    scored.cards.iter().all(|card| {
        let Some(unit) = year.units.iter().find(|u| u.region == card.region) else {
            return false;
        };
        let view = ScorecardView::new(project, year, unit, card, None);
        // A year archived since the default scorecard draws its gauges in
        // the page has no chart file to compare: its figures are the open
        // data's and the year charts'.
        let path = format!("{}/regions/{}/indicators.svg", year.year, view.row.id);
        if !site.contains_key(&path) {
            return true;
        }
        same(path, &charts::indicators(&view, year.year, &palette).svg)
    })
}

/// The figures of the year's open data in `site` (the archived pages, by
/// site path) on the units of `project`, whose `year` supplies what the open
/// data does not hold: the rules, the bulletin and each unit's input.
pub fn published(project: &Project, year: &Year, site: &Tree) -> Result<Published, String> {
    let open_data = site.get(&open_data_path(year.year)).ok_or(
        "missing: site-wide pages list an archived year with the figures of its open data",
    )?;
    let open: OpenData = serde_json::from_slice(open_data)
        .map_err(|e| format!("not the open data ecoscore writes: {e}"))?;
    if open.year != year.year {
        return Err(format!(
            "it is the open data of {}, not {}",
            open.year, year.year
        ));
    }
    let scored = score::score_year(year);
    let reproduced = open_data::to_json(project, &scored).as_bytes() == open_data.as_slice()
        && charts_reproduced(project, year, &scored, site);
    let mut cards = Vec::with_capacity(open.regions.len());
    let mut renamed = Vec::new();
    for row in &open.regions {
        let id = row.id.as_str();
        let mut card = project
            .units
            .iter()
            .position(|r| r.id == row.id)
            .and_then(|index| scored.card(index))
            .cloned()
            .ok_or_else(|| {
                format!(
                    "the unit `{id}` it lists has no {} results in the input the year is read with",
                    year.year
                )
            })?;
        card.rank = row.rank;
        card.grade = grade(&row.grade, id)?;
        card.base_grade = grade(&row.base_grade, id)?;
        card.total = figure(&row.total, "total", id)?;
        card.bonus = figure(&row.bonus, "bonus", id)?;
        card.bonus_claimed = figure(&row.bonus_claimed, "bonus_claimed", id)?;
        card.sections = Sections {
            indicators: figure(&row.sections.indicators, "indicators", id)?,
            tasks: figure(&row.sections.tasks, "tasks", id)?,
            funds: figure(&row.sections.funds, "funds", id)?,
            satisfaction: figure(&row.sections.satisfaction, "satisfaction", id)?,
        };
        card.downgraded = row.downgraded;
        card.vetoed = row.vetoed;
        card.binding_missed = row.binding_missed.clone();
        if !reproduced {
            // Detail of another scoring than the published one: not shown.
            card.indicators.clear();
            card.tasks.clear();
            card.downgrade_reasons.clear();
        }
        if project.units[card.region].name != row.name {
            renamed.push((card.region, row.name.clone()));
        }
        cards.push(card);
    }
    Ok(Published {
        scores: YearScores {
            year: year.year,
            cards: cards.into(),
        },
        reproduced,
        renamed,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_figures_come_from_the_open_data() {
        let sample = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let (project, _) = crate::Project::load(sample).unwrap();
        let year = &project.years[&2023];
        let scored = score::score_year(year);
        let open = open_data::to_json(&project, &scored);
        let site = |open: &str| {
            let mut site = Tree::new();
            site.insert(open_data_path(2023), open.as_bytes().to_vec());
            let view = YearView::new(&project, year, &scored);
            let palette = &charts::Palette::DEFAULT;
            for chart in [
                charts::ranking(&view, palette),
                charts::sections(&view, palette),
            ] {
                site.insert(
                    format!("2023/charts/{}", chart.file),
                    chart.svg.into_bytes(),
                );
            }
            for card in &scored.cards {
                let unit = year.units.iter().find(|u| u.region == card.region).unwrap();
                let view = ScorecardView::new(&project, year, unit, card, None);
                let chart = charts::indicators(&view, 2023, palette);
                let path = format!("2023/regions/{}/{}", view.row.id, chart.file);
                site.insert(path, chart.svg.into_bytes());
            }
            site
        };
        let same = published(&project, year, &site(&open)).unwrap();
        assert!(same.reproduced && same.renamed.is_empty());
        assert_eq!(open_data::to_json(&project, &same.scores), open);

        // An indicator value that changes no figure still changes its chart.
        let mut charted = site(&open);
        let unit_chart = charted
            .keys()
            .find(|p| p.contains("/regions/"))
            .unwrap()
            .clone();
        charted.insert(unit_chart, b"<svg/>".to_vec());
        assert!(!published(&project, year, &charted).unwrap().reproduced);
        // Thresholds that change no grade still move the ranking chart's lines.
        let mut charted = site(&open);
        charted.insert("2023/charts/ranking.svg".into(), b"<svg/>".to_vec());
        assert!(!published(&project, year, &charted).unwrap().reproduced);

        let first = &scored.cards[0];
        let total = format!("{:.2}", first.total);
        let forged = open.replacen(
            &format!("\"total\": \"{total}\""),
            "\"total\": \"12.34\"",
            1,
        );
        let shown = published(&project, year, &site(&forged)).unwrap();
        assert!(!shown.reproduced);
        assert_eq!(shown.scores.cards[0].total.to_string(), "12.34");
        assert!(
            shown.scores.cards[0].indicators.is_empty(),
            "no detail of another scoring"
        );

        let other_year = open.replacen("\"year\": 2023", "\"year\": 2022", 1);
        assert!(published(&project, year, &site(&other_year)).is_err());
        assert!(published(&project, year, &site("{}")).is_err());
        assert!(published(&project, year, &Tree::new()).is_err());
    }
}
