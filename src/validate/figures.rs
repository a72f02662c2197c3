//! Figures that scoring relies on: what an entry may be written as, and
//! which indicators a method can score.

use crate::load::yaml::Spanned;
use rust_decimal::Decimal;

use super::Validator;
use crate::load::raw::RawMethod;
use crate::load::yaml::{pos, Dec};
use crate::load::Loaded;
use crate::model::Indicator;

impl Validator {
    /// A bonus or a deduction entry: not negative, and in hundredths, as the
    /// published tables show it (a third decimal would be rounded away).
    pub(super) fn entry<T>(
        &mut self,
        loaded: &Loaded<T>,
        value: &Spanned<Dec>,
        what: &str,
    ) -> Decimal {
        let number = self.non_negative(loaded, value, what);
        if number.scale() > 2 {
            self.error(
                loaded,
                pos(value),
                format!("{number} has more than two decimals"),
                Some(format!(
                    "bonus points and deductions are counted and published in hundredths of a point; write e.g. {}",
                    crate::score::round2(number).normalize().max(Decimal::new(1, 2))
                )),
            );
        }
        number
    }

    /// `proportional` scores value ÷ target, which means nothing for an
    /// indicator that can be negative.
    pub(super) fn proportional_range<T>(
        &mut self,
        loaded: &Loaded<T>,
        method: &Spanned<RawMethod>,
        indicator: &Indicator,
    ) {
        let (low, high) = indicator.range;
        if low < Decimal::ZERO {
            self.error(
                loaded,
                pos(method),
                format!(
                    "`{}` cannot be scored proportional: its range [{low}, {high}] allows negative values",
                    indicator.id
                ),
                Some("a proportional share of a negative figure means nothing; use pass_fail or per_unit, or start the range at 0 in data/indicators.yaml".into()),
            );
        }
    }
}
