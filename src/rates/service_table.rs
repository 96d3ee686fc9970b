//! Extra-service price tables and dimensional-weight rules, checked when a file is loaded.
//!
//! They are dated and sourced like price tables (see `table.rs`, which holds the shared
//! header checks) but priced differently: a service has one price, except insurance, which is
//! priced by tiers of declared value; a dimensional-weight rule holds a divisor rather than
//! prices.

use crate::money::Money;
use crate::rates::file::{RawDimensionalRule, RawServiceTable, RawTier};
use crate::rates::service::ExtraService;
use crate::rates::table::{TableInfo, info, positive};

/// An insurance tier: a declared value not over `max_value` costs `price`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ValueTier {
    pub max_value: Money,
    pub price: Money,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ServicePricing {
    Fixed(Money),
    ByDeclaredValue(Vec<ValueTier>),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ServiceTable {
    pub info: TableInfo,
    pub service: ExtraService,
    pub pricing: ServicePricing,
}

/// How dimensional weight is computed while the rule is in force.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DimensionalRule {
    pub info: TableInfo,
    /// Parcels larger than this many cubic inches are priced by dimensional weight.
    pub threshold_cubic_in: u64,
    /// Cubic inches per pound.
    pub divisor: u64,
    /// Whether each side is rounded up to a whole inch before the volume is taken.
    pub round_up_fractional_inches: bool,
}

pub(crate) fn service_table(
    file: &str,
    name: &str,
    raw: RawServiceTable,
) -> Result<ServiceTable, String> {
    let info = info(
        file,
        name,
        raw.effective,
        raw.superseded_on,
        raw.status,
        raw.source,
        raw.note,
    )?;
    let by_value = raw.service == ExtraService::Insurance;
    let pricing = match (raw.price, raw.tiers) {
        (Some(price), None) if !by_value => ServicePricing::Fixed(positive("price", price)?),
        (None, Some(tiers)) if by_value && !tiers.is_empty() => {
            ServicePricing::ByDeclaredValue(value_tiers(tiers)?)
        }
        _ if by_value => {
            return Err(
                "insurance is priced by declared value: give `tiers` and no `price`".into(),
            );
        }
        _ => {
            return Err(format!(
                "{} has one price: give `price` and no `tiers`",
                raw.service.slug()
            ));
        }
    };
    Ok(ServiceTable {
        info,
        service: raw.service,
        pricing,
    })
}

fn value_tiers(raw: Vec<RawTier>) -> Result<Vec<ValueTier>, String> {
    let mut tiers: Vec<ValueTier> = Vec::with_capacity(raw.len());
    for (index, tier) in raw.into_iter().enumerate() {
        let number = index + 1;
        let max_value = positive(&format!("tier {number} max_value"), tier.max_value)?;
        let price = positive(&format!("tier {number} price"), tier.price)?;
        if let Some(previous) = tiers.last() {
            if max_value <= previous.max_value {
                return Err(format!(
                    "tier {number} max_value {max_value} is not above the previous tier's {}",
                    previous.max_value
                ));
            }
            if price < previous.price {
                return Err(format!(
                    "tier {number} price {price} is below the previous tier's {}",
                    previous.price
                ));
            }
        }
        tiers.push(ValueTier { max_value, price });
    }
    Ok(tiers)
}

pub(crate) fn dimensional_rule(
    file: &str,
    name: &str,
    raw: RawDimensionalRule,
) -> Result<DimensionalRule, String> {
    let info = info(
        file,
        name,
        raw.effective,
        raw.superseded_on,
        raw.status,
        raw.source,
        raw.note,
    )?;
    if raw.divisor == 0 || raw.threshold_cubic_in == 0 {
        return Err("divisor and threshold_cubic_in must be positive".into());
    }
    Ok(DimensionalRule {
        info,
        threshold_cubic_in: raw.threshold_cubic_in,
        divisor: raw.divisor,
        round_up_fractional_inches: raw.fractional_inches_rounded_up,
    })
}
