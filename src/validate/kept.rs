//! Years kept from one validation to the next (`serve` keeps them between
//! rebuilds, by year key: `site/incremental.rs`).
//!
//! What validating a year reads, and so what its result is a function of:
//!
//! - its own documents (`data/<year>/` and `content/<year>/`), checked by
//!   [`Validator::year`](super::Validator) against the catalogue: the units
//!   (`data/regions.yaml`) and the indicators (`data/indicators.yaml`, with
//!   the indicators whose target is `fixed_target`). It reads no other year
//!   and not site.yaml: years are validated in parallel, each on its own.
//! - the years before it, through the joined history (`history.rs`): a
//!   year's results are compared with the year before's, and a target's run
//!   of unchanged years is counted back through the years before. The
//!   comparison looks only at the year just before (a gap ends a run), so
//!   what a year leaves for the years after it is [`YearHistory`]: its own
//!   targets with their runs and its units' results.
//!
//! Its model (`model::Year`, with the scorecards) and its warnings (its own
//! documents', the "same as last year" ones, and the "unchanged for five
//! years" ones placed in its targets) are therefore a function of the
//! site-level input and the input of that year and the years before, which
//! is what its year key digests. The site-level checks that look across
//! years (`progress.publish` in site.yaml) run on every validation.

use std::sync::Arc;

use super::history::YearHistory;
use crate::diagnostic::Diagnostic;
use crate::model::Year;

/// A year as a validation without an error in it left it: what validating
/// the same input again gives.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct KeptYear {
    pub year: Arc<Year>,
    /// Every warning validating it gave, its history's included (a report
    /// is sorted by file and place, so their order is the report's).
    pub(super) warnings: Vec<Diagnostic>,
    /// What the years after it compare with.
    pub(super) history: YearHistory,
}
