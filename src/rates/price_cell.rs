//! Reading one price out of a table: the weight step, then the zone or price-group column
//! of that step, or a sentence saying why there is no price.

use crate::money::Money;
use crate::rates::table::{PriceTable, Prices};
use crate::rates::zone::Zone;
use crate::weight::Weight;

/// Which column of a table prices the piece.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Column {
    Zone(Zone),
    /// An international price group, 1 to 20.
    Group(u8),
}

impl Column {
    pub(crate) fn zone(self) -> Option<Zone> {
        match self {
            Column::Zone(zone) => Some(zone),
            Column::Group(_) => None,
        }
    }

    pub(crate) fn group(self) -> Option<u8> {
        match self {
            Column::Group(group) => Some(group),
            Column::Zone(_) => None,
        }
    }
}

/// The price of `weight` (in the zone or price group of `column`, for a table priced by
/// one) in `table`, or why there is none.
pub fn price_in(
    table: &PriceTable,
    weight: Weight,
    column: Option<Column>,
) -> Result<Money, String> {
    let effective = table.info.effective;
    let name = table.product.name();
    let over = |heaviest: Weight| {
        format!(
            "{name} has no confirmed price above {heaviest} in the {effective} table ({weight} to price)"
        )
    };
    let step_of = |maxes: &mut dyn Iterator<Item = Weight>| {
        let mut heaviest = Weight::ZERO;
        for (index, max) in maxes.enumerate() {
            if weight <= max {
                return Ok(index);
            }
            heaviest = max;
        }
        Err(over(heaviest))
    };
    match (&table.prices, column) {
        (Prices::Single(price), _) => Ok(*price),
        (Prices::ByWeight(steps), _) => {
            let index = step_of(&mut steps.iter().map(|s| s.max))?;
            Ok(steps[index].price)
        }
        (Prices::ByWeightAndZone(steps), Some(Column::Zone(zone))) => {
            let step = &steps[step_of(&mut steps.iter().map(|s| s.max))?];
            step.price(zone).ok_or_else(|| {
                format!(
                    "{name} has no confirmed {zone} price for {} in the {effective} table",
                    step.max
                )
            })
        }
        (Prices::ByWeightAndGroup(steps), Some(Column::Group(group))) => {
            let step = &steps[step_of(&mut steps.iter().map(|s| s.max))?];
            step.price(group).ok_or_else(|| {
                match steps.iter().rev().find(|s| s.price(group).is_some()) {
                    Some(last) => format!(
                        "{name} to price group {group} goes up to {} in the {effective} table ({weight} to price)",
                        last.max
                    ),
                    None => format!("{name} has no price for price group {group} in the {effective} table"),
                }
            })
        }
        (Prices::ByWeightAndZone(_), _) => {
            Err(format!("{name} is priced by zone and no zone is known"))
        }
        (Prices::ByWeightAndGroup(_), _) => Err(format!(
            "{name} is priced by price group and no destination country is known"
        )),
    }
}
