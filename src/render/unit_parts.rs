//! A unit's page across years (`regions/<id>/`), known unchanged without
//! building its years' views.
//!
//! Besides its own meta and view, the page is made of one part per
//! published year: the unit's scorecard view of that year (with the year's
//! draft flag), the year's entry of its key projects and its change against
//! the year published before. The page's digest (`keep.rs`) hashes the
//! digest of each year's part, so a part can come from the stamp instead of
//! being built: the build records, beside each year's key, every unit's part
//! of that year (`stamp::YearFiles::units`), and a build that finds the
//! year's key unchanged takes them from there. The views are built only for
//! the years whose key changed, and for the pages rendered.
//!
//! This is sound because a year's part is a function of what its key
//! digests (`site/incremental.rs`: the site-level input, the options, the
//! binary, the year's input and every earlier year's), and of nothing later:
//! the scorecard view is the one the year's own pages show, which see no
//! later year; the projects entry reads the year alone; and the change of
//! year Y against the year before is Y's part (never the earlier year's),
//! the year before being the last published one before Y, which the inputs
//! of the years up to Y, the options and `archive/` decide. The parts are
//! listed in the order of `data/regions.yaml`, which the key covers too.
//! An archived year has no key of its own in the stamp: its parts are built
//! on every build.

use std::collections::BTreeMap;
use std::sync::{Mutex, PoisonError};

use serde::Serialize;

use super::improvement::{self, UnitYearChange};
use super::keep::{self, Parts, PartsDigest};
use super::projects::{self, RegionProjectsYear};
use super::view::{ScorecardView, UnitHistoryView};
use super::{PageMeta, PublicYear, Renderer};

/// A unit's scorecard view of one year, with the year's draft flag.
pub(super) type YearCard = (u16, bool, ScorecardView);

/// One year's part of a unit's page: each field as the page shows that
/// year, none where the year has nothing for the unit.
#[derive(Serialize)]
struct YearPart<'p> {
    card: Option<&'p YearCard>,
    projects: Option<&'p RegionProjectsYear>,
    change: Option<&'p UnitYearChange>,
}

type Digest = [u8; 32];

/// The part digests a build takes from the stamp, and those it records.
#[derive(Default)]
pub(super) struct Store {
    /// For each year whose key is unchanged, every unit's part digest, in
    /// the order of the units.
    offered: BTreeMap<u16, Vec<Digest>>,
    /// What this build used, for the next one.
    noted: Mutex<BTreeMap<u16, BTreeMap<usize, Digest>>>,
    /// How many scorecard views unit pages built, to know what the stamp
    /// spared (tests only).
    #[cfg(test)]
    pub(super) views: std::sync::atomic::AtomicUsize,
}

impl Store {
    /// `offered`: the recorded parts (`Store::recorded`) of the years whose
    /// key is unchanged since they were recorded. A year's text that does
    /// not decode is not offered: its parts are built again.
    pub(super) fn new(offered: &BTreeMap<u16, String>) -> Store {
        Store {
            offered: offered
                .iter()
                .filter_map(|(year, text)| Some((*year, decode(text)?)))
                .collect(),
            ..Store::default()
        }
    }

    fn offered(&self, year: u16, unit: usize) -> Option<Digest> {
        self.offered.get(&year)?.get(unit).copied()
    }

    fn note(&self, year: u16, unit: usize, digest: Digest) {
        let mut noted = self.noted.lock().unwrap_or_else(PoisonError::into_inner);
        noted.entry(year).or_default().insert(unit, digest);
    }

    /// Each year's parts of all the `units`, for the stamp: only the years
    /// with every unit's part (a unit page that failed leaves its years to
    /// be built again).
    pub(super) fn recorded(&self, units: usize) -> BTreeMap<u16, String> {
        let noted = self.noted.lock().unwrap_or_else(PoisonError::into_inner);
        noted
            .iter()
            .filter(|(_, parts)| parts.keys().copied().eq(0..units))
            .map(|(year, parts)| (*year, encode(parts.values())))
            .collect()
    }

    #[cfg(test)]
    fn built_view(&self) {
        self.views
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    }
}

const HEX: &[u8; 16] = b"0123456789abcdef";

/// The digests one after another in hexadecimal: 64 characters a unit.
fn encode<'d>(digests: impl ExactSizeIterator<Item = &'d Digest>) -> String {
    let mut text = Vec::with_capacity(digests.len() * 64);
    for byte in digests.flatten() {
        text.push(HEX[usize::from(byte >> 4)]);
        text.push(HEX[usize::from(byte & 15)]);
    }
    String::from_utf8(text).unwrap_or_default()
}

fn decode(text: &str) -> Option<Vec<Digest>> {
    let nibble = |c: u8| match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        _ => None,
    };
    let bytes = text.as_bytes();
    if !bytes.len().is_multiple_of(64) {
        return None;
    }
    bytes
        .chunks_exact(64)
        .map(|unit| {
            let mut digest = [0; 32];
            for (to, pair) in digest.iter_mut().zip(unit.chunks_exact(2)) {
                *to = nibble(pair[0])? << 4 | nibble(pair[1])?;
            }
            Some(digest)
        })
        .collect()
}

impl Renderer<'_> {
    /// The unit's scorecard view of the year `p`, if it has one: the unit
    /// is `index` in the project's units, `id` in an archived year's.
    pub(super) fn unit_card(&self, p: &PublicYear<'_>, index: usize, id: &str) -> Option<YearCard> {
        // An archived year is scored from its archived input, whose units
        // may be listed in another order: match by id.
        let published = p.input.project;
        let at = crate::model::unit_position(&published.units, id, index)?;
        let card = p.scores.card(at)?;
        let unit = p.year.result_of(at)?;
        #[cfg(test)]
        if let Some(keeping) = self.keeping {
            keeping.units.built_view();
        }
        Some((
            p.year.year,
            p.view.draft,
            ScorecardView::new(published, p.year, unit, card, None),
        ))
    }

    /// The digest of the `at`th published year's part of the unit's page.
    fn year_part(&self, at: usize, index: usize, id: &str) -> Option<Digest> {
        let p = self.years.get(at)?;
        let card = self.unit_card(p, index, id);
        let mut invested = projects::region_years(id, std::iter::once((p.input.project, p.year)));
        // As `improvement::unit_years` pairs each year with the one before.
        let before = at.checked_sub(1).and_then(|b| self.years.get(b));
        let mut change = before.map_or_else(Vec::new, |before| {
            improvement::unit_years(id, index, [before.scored(), p.scored()])
        });
        let (invested, change) = (invested.pop(), change.pop());
        keep::digest_of(&YearPart {
            card: card.as_ref(),
            projects: invested.as_ref(),
            change: change.as_ref(),
        })
    }

    /// What the unit's page is made from (`keep.rs`): its meta and view,
    /// then each published year's part, taken from the stamp where the
    /// year's key is unchanged and built where not. None when a part does
    /// not serialize: the page is rendered, nothing is kept.
    pub(super) fn unit_page_parts(
        &self,
        store: &Store,
        index: usize,
        meta: &PageMeta,
        view: &UnitHistoryView,
    ) -> PartsDigest {
        let years: Option<Vec<(u16, Digest)>> = self
            .years
            .iter()
            .enumerate()
            .map(|(at, p)| {
                let year = p.year.year;
                let digest = store
                    .offered(year, index)
                    .or_else(|| self.year_part(at, index, &view.id))?;
                store.note(year, index, digest);
                Some((year, digest))
            })
            .collect();
        match years {
            Some(years) => Parts::new().with(meta).with(view).with(&years).digest(),
            None => PartsDigest::none(),
        }
    }

    /// The parts of the unit's page as it renders them, every year's view
    /// built: the digests of [`Renderer::unit_page_parts`] are made from
    /// these, one year at a time.
    pub(super) fn unit_years(
        &self,
        index: usize,
        id: &str,
    ) -> (Vec<YearCard>, Vec<RegionProjectsYear>, Vec<UnitYearChange>) {
        let cards = self
            .years
            .iter()
            .filter_map(|p| self.unit_card(p, index, id))
            .collect();
        let invested =
            projects::region_years(id, self.years.iter().map(|p| (p.input.project, p.year)));
        let changes = improvement::unit_years(id, index, self.years.iter().map(PublicYear::scored));
        (cards, invested, changes)
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;
    use std::path::Path;
    use std::sync::atomic::Ordering;

    use super::*;
    use crate::fixture::{write_fixture, FixtureOptions};
    use crate::model::Project;
    use crate::render::{render_site_keeping, Keeping, RenderInput, Theme, YearInput};
    use crate::score::{score_all, YearScores};
    use crate::stamp::PageRecord;

    const UNITS: usize = 5;
    const YEARS: usize = 3;
    const FIRST_YEAR: u16 = 2021;

    struct Loaded {
        project: Project,
        theme: Theme,
        scores: BTreeMap<u16, YearScores>,
    }

    fn fixture() -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        let theme = Path::new(env!("CARGO_MANIFEST_DIR")).join("themes/default");
        let options = FixtureOptions {
            units: UNITS,
            years: YEARS,
            seed: 11,
            first_year: FIRST_YEAR,
        };
        write_fixture(dir.path(), &theme, options).unwrap();
        dir
    }

    fn load(root: &Path) -> Loaded {
        let (project, _) = Project::load(root).unwrap();
        let theme = Theme::load(root, &project.site.theme).unwrap();
        let scores = score_all(&project);
        Loaded {
            project,
            theme,
            scores,
        }
    }

    fn input(loaded: &Loaded) -> RenderInput<'_> {
        RenderInput {
            project: &loaded.project,
            theme: &loaded.theme,
            years: loaded
                .project
                .public_years(true)
                .map(|year| YearInput {
                    project: &loaded.project,
                    year,
                    scores: &loaded.scores[&year.year],
                    archived: None,
                })
                .collect(),
            bulletin_pdf: false,
        }
    }

    /// Every file the render sends, by path.
    fn render(input: &RenderInput<'_>, keeping: Option<&Keeping>) -> BTreeMap<String, Vec<u8>> {
        let files = Mutex::new(BTreeMap::new());
        let sink = |file: crate::output::OutputFile| {
            files.lock().unwrap().insert(file.path, file.bytes);
            Ok(())
        };
        render_site_keeping(input, &sink, &BTreeSet::new(), keeping).unwrap();
        files.into_inner().unwrap()
    }

    fn unit_page(unit: usize) -> String {
        format!("regions/u{:05}/index.html", unit + 1)
    }

    /// The records of the units' pages across years.
    fn unit_records(keeping: Keeping) -> BTreeMap<String, PageRecord> {
        let mut records = keeping.records(|_| false, |_| None);
        records.retain(|path, _| path.starts_with("regions/"));
        records
    }

    fn views(keeping: &Keeping) -> usize {
        keeping.units.views.load(Ordering::Relaxed)
    }

    fn unit_pages_kept(keeping: &Keeping) -> usize {
        let kept = keeping.kept_files();
        kept.iter()
            .filter(|(path, _)| path.starts_with("regions/") && path.ends_with(".html"))
            .count()
    }

    #[test]
    fn parts_are_kept_as_hexadecimal_and_a_text_that_is_not_is_not_offered() {
        let digests = [[0u8; 32], [0xab; 32], std::array::from_fn(|i| i as u8)];
        let text = encode(digests.iter());
        assert_eq!(text.len(), 3 * 64);
        assert!(text.starts_with(&"0".repeat(64)));
        assert_eq!(decode(&text), Some(digests.to_vec()));
        assert_eq!(decode(&text[1..]), None, "a digest cut short");
        assert_eq!(decode(&text.replace('a', "A")), None, "upper case");
        let store = Store::new(&BTreeMap::from([(2024, text), (2025, "zz".repeat(32))]));
        assert_eq!(store.offered(2024, 1), Some([0xab; 32]));
        assert_eq!(store.offered(2024, 3), None, "no such unit");
        assert_eq!(store.offered(2025, 0), None, "not hexadecimal");
    }

    #[test]
    fn a_years_part_taken_from_the_stamp_is_the_one_its_views_give() {
        let project = fixture();
        let loaded = load(project.path());
        let input = input(&loaded);
        let first = Keeping::new("site".into(), BTreeMap::new(), &BTreeMap::new());
        render(&input, Some(&first));
        let parts = first.unit_parts(UNITS);
        assert_eq!(parts.len(), YEARS, "every year's parts are recorded");
        assert!(parts.values().all(|text| text.len() == UNITS * 64));

        // Each year's part, built for that year alone, is the part of the
        // page's views as it renders them.
        let renderer = Renderer::new(&input);
        for unit in 0..UNITS {
            let id = &loaded.project.units[unit].id;
            let (cards, invested, changes) = renderer.unit_years(unit, id);
            for (at, p) in renderer.years.iter().enumerate() {
                let year = p.year.year;
                let of_views = keep::digest_of(&YearPart {
                    card: cards.iter().find(|c| c.0 == year),
                    projects: invested.iter().find(|i| i.year == year),
                    change: changes.iter().find(|c| c.year == year),
                });
                assert!(of_views.is_some());
                assert_eq!(renderer.year_part(at, unit, id), of_views, "{id} {year}");
                assert_eq!(decode(&parts[&year]).unwrap()[unit], of_views.unwrap());
            }
        }
        let records = unit_records(first);
        assert_eq!(records.len(), UNITS);

        // Offered every year's parts, nothing changed: every unit's page is
        // kept and not one view is built; the digests are the same.
        let offered = Keeping::new("site".into(), records.clone(), &parts);
        let files = render(&input, Some(&offered));
        assert!((0..UNITS).all(|u| !files.contains_key(&unit_page(u))));
        assert_eq!(unit_pages_kept(&offered), UNITS);
        assert_eq!(views(&offered), 0, "no year's view is built");
        assert_eq!(offered.unit_parts(UNITS), parts);
        assert_eq!(unit_records(offered), records);

        // Offered none (no stamp, or every key changed): every year's views
        // are built, to the same digests.
        let built = Keeping::new("site".into(), records.clone(), &BTreeMap::new());
        render(&input, Some(&built));
        assert_eq!(unit_pages_kept(&built), UNITS);
        assert_eq!(views(&built), UNITS * YEARS);
        assert_eq!(built.unit_parts(UNITS), parts);
        assert_eq!(unit_records(built), records);
    }

    #[test]
    fn a_year_whose_key_changed_has_its_parts_built_and_its_pages_rendered_again() {
        let project = fixture();
        let root = project.path();
        let loaded = load(root);
        let first = Keeping::new("site".into(), BTreeMap::new(), &BTreeMap::new());
        render(&input(&loaded), Some(&first));
        let parts = first.unit_parts(UNITS);
        let records = unit_records(first);

        // The second year's result of one unit: its key, and the third
        // year's, change, so only the first year's parts are offered.
        let edited_year = FIRST_YEAR + 1;
        let file = root.join(format!("data/{edited_year}/results/u00003.yaml"));
        let text = std::fs::read_to_string(&file).unwrap();
        let line = text
            .lines()
            .find(|l| l.starts_with("satisfaction:"))
            .unwrap();
        std::fs::write(&file, text.replace(line, "satisfaction: 12.3")).unwrap();
        let edited = load(root);
        let input = input(&edited);
        let first_year = BTreeMap::from([(FIRST_YEAR, parts[&FIRST_YEAR].clone())]);
        let again = Keeping::new("site".into(), records, &first_year);
        let files = render(&input, Some(&again));
        let clean = render(&input, None);
        assert!(
            files.contains_key(&unit_page(2)),
            "the edited unit's page is rendered"
        );
        for (path, bytes) in files.iter().filter(|(p, _)| p.starts_with("regions/")) {
            assert_eq!(Some(bytes), clean.get(path), "{path}");
        }
        let kept = unit_pages_kept(&again);
        assert!(kept < UNITS);
        // The parts of the two later years are built, and each page
        // rendered builds every year's views again to render it.
        assert_eq!(views(&again), UNITS * (YEARS - 1) + (UNITS - kept) * YEARS);
        let new_parts = again.unit_parts(UNITS);
        assert_eq!(new_parts[&FIRST_YEAR], parts[&FIRST_YEAR]);
        let unit_part = |parts: &BTreeMap<u16, String>, year: u16, unit: usize| {
            decode(&parts[&year]).unwrap()[unit]
        };
        assert_ne!(
            unit_part(&new_parts, edited_year, 2),
            unit_part(&parts, edited_year, 2),
            "the edited unit's year changed"
        );
    }
}
