//! Rate tables as a quote reads them, checked when a file is loaded.
//!
//! A rate file is data from outside the binary (the vendor publishes updates), so every rule
//! a quote relies on is checked here once, at load, and a file that breaks one is refused
//! whole with the file, the table and the reason: rows strictly increasing by weight, prices
//! positive and never lower for a heavier row of the same zone, zone keys `z1` to `z9` only,
//! an effective date, a status and a source on every table. A zone key that is absent is a
//! price that was not confirmed: it stays absent, and a quote that needs it excludes the
//! product instead of guessing.

use std::collections::BTreeMap;

use crate::date::Date;
use crate::money::Money;
use crate::rates::file::{
    PostageKind, RateFileError, RateFileErrorKind, RawFile, RawRow, RawTable, SCHEMA, SourceStatus,
};
use crate::rates::product::{Family, Product};
use crate::rates::service_table::{DimensionalRule, ServiceTable, dimensional_rule, service_table};
use crate::rates::zone::Zone;
use crate::weight::Weight;

/// Where a table comes from and when it applies.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TableInfo {
    pub file: String,
    pub name: String,
    pub effective: Date,
    /// The first day the table is no longer used, when a successor is known to exist but its
    /// figures are not loaded (so the old figures must not be used either).
    pub superseded_on: Option<Date>,
    pub status: SourceStatus,
    pub source: String,
    /// A caveat from the data (e.g. "verify before use"), for display beside the source.
    pub note: Option<String>,
}

/// A weight step: pieces not over `max` cost `price`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct WeightStep {
    pub max: Weight,
    pub price: Money,
}

/// A weight step priced per zone; `None` where the price was not confirmed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ZoneStep {
    pub max: Weight,
    pub prices: [Option<Money>; 9],
}

impl ZoneStep {
    pub fn price(&self, zone: Zone) -> Option<Money> {
        self.prices[usize::from(zone.number() - 1)]
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Prices {
    /// One price whatever the weight (postcards, flat rate).
    Single(Money),
    ByWeight(Vec<WeightStep>),
    ByWeightAndZone(Vec<ZoneStep>),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PriceTable {
    pub info: TableInfo,
    pub product: Product,
    pub postage: PostageKind,
    pub prices: Prices,
}

/// Everything one file holds, checked.
#[derive(Debug, Default)]
pub(crate) struct ParsedFile {
    pub prices: Vec<PriceTable>,
    pub services: Vec<ServiceTable>,
    pub rules: Vec<DimensionalRule>,
}

/// Parses and checks one rate file.
pub(crate) fn parse_file(file: &str, text: &str) -> Result<ParsedFile, RateFileError> {
    let raw: RawFile = toml::from_str(text).map_err(|e| RateFileError::syntax(file, text, &e))?;
    let invalid = |table: &str, reason: String| {
        RateFileError::new(file, Some(table), RateFileErrorKind::Invalid, reason)
    };
    if raw.schema != SCHEMA {
        let reason = format!(
            "schema {:?} is not supported (expected {SCHEMA:?})",
            raw.schema
        );
        return Err(RateFileError::new(
            file,
            None,
            RateFileErrorKind::Invalid,
            reason,
        ));
    }
    let mut parsed = ParsedFile::default();
    for (name, table) in raw.tables {
        parsed
            .prices
            .push(price_table(file, &name, table).map_err(|r| invalid(&name, r))?);
    }
    for (name, table) in raw.services {
        parsed
            .services
            .push(service_table(file, &name, table).map_err(|r| invalid(&name, r))?);
    }
    for (name, rule) in raw.dimensional_weight {
        parsed
            .rules
            .push(dimensional_rule(file, &name, rule).map_err(|r| invalid(&name, r))?);
    }
    if parsed.prices.is_empty() && parsed.services.is_empty() && parsed.rules.is_empty() {
        return Err(RateFileError::new(
            file,
            None,
            RateFileErrorKind::Invalid,
            "holds no tables".into(),
        ));
    }
    Ok(parsed)
}

pub(crate) fn info(
    file: &str,
    name: &str,
    effective: Option<Date>,
    superseded_on: Option<Date>,
    status: Option<SourceStatus>,
    source: Option<String>,
    note: Option<String>,
) -> Result<TableInfo, String> {
    let effective = effective.ok_or("no effective date")?;
    let status = status
        .ok_or("no status (confirmed-primary, confirmed-multi, derived or secondary-single)")?;
    let source = source.filter(|s| !s.trim().is_empty()).ok_or("no source")?;
    if let Some(end) = superseded_on.filter(|end| *end <= effective) {
        return Err(format!(
            "superseded_on {end} is not after the effective date {effective}"
        ));
    }
    Ok(TableInfo {
        file: file.to_string(),
        name: name.to_string(),
        effective,
        superseded_on,
        status,
        source: source.trim().to_string(),
        note,
    })
}

pub(crate) fn positive(what: &str, mills: i64) -> Result<Money, String> {
    if mills > 0 {
        Ok(Money::from_mills(mills))
    } else {
        Err(format!("{what} {mills} mills is not positive"))
    }
}

fn price_table(file: &str, name: &str, raw: RawTable) -> Result<PriceTable, String> {
    let info = info(
        file,
        name,
        raw.effective,
        raw.superseded_on,
        raw.status,
        raw.source,
        raw.note,
    )?;
    let product = raw.product;
    let single = matches!(product, Product::FcmPostcard | Product::FcmiPostcard)
        || product.family() == Family::FlatRate;
    let prices = match (raw.price, raw.rows) {
        (Some(price), None) if single => Prices::Single(positive("price", price)?),
        (None, Some(rows)) if !single && !rows.is_empty() => {
            if product.family() == Family::Zoned {
                Prices::ByWeightAndZone(zone_rows(product, rows)?)
            } else {
                Prices::ByWeight(weight_rows(product, rows)?)
            }
        }
        _ if single => {
            return Err(format!(
                "{} has one price: give `price` and no `rows`",
                product.slug()
            ));
        }
        _ if product.family() == Family::Zoned => {
            let reason = format!(
                "{} is priced by weight and zone: give `rows` (z1 to z9) and no `price`",
                product.slug()
            );
            return Err(reason);
        }
        _ => {
            return Err(format!(
                "{} is priced by weight: give `rows` and no `price`",
                product.slug()
            ));
        }
    };
    Ok(PriceTable {
        info,
        product,
        postage: raw.postage,
        prices,
    })
}

/// Checks that `max` is above the previous row's.
fn check_max(number: usize, max: Weight, previous: Option<Weight>) -> Result<(), String> {
    match previous {
        Some(previous) if max <= previous => Err(format!(
            "row {number} max {max} is not above the previous row's {previous}"
        )),
        None if max == Weight::ZERO => Err(format!("row {number} max is zero")),
        _ => Ok(()),
    }
}

fn weight_rows(product: Product, rows: Vec<RawRow>) -> Result<Vec<WeightStep>, String> {
    let mut steps: Vec<WeightStep> = Vec::with_capacity(rows.len());
    for (index, row) in rows.into_iter().enumerate() {
        let number = index + 1;
        let previous = steps.last().copied();
        check_max(number, row.max, previous.map(|s| s.max))?;
        if let Some(key) = row.prices.keys().find(|k| *k != "price") {
            return Err(format!(
                "row {number}: unknown key {key:?} ({} is priced by weight only: use price)",
                product.slug()
            ));
        }
        let price = row
            .prices
            .get("price")
            .ok_or(format!("row {number} has no price"))?;
        let price = positive(&format!("row {number} price"), *price)?;
        if let Some(previous) = previous.filter(|p| price < p.price) {
            return Err(format!(
                "row {number} price {price} is below the previous row's {}",
                previous.price
            ));
        }
        steps.push(WeightStep {
            max: row.max,
            price,
        });
    }
    Ok(steps)
}

fn zone_rows(product: Product, rows: Vec<RawRow>) -> Result<Vec<ZoneStep>, String> {
    let mut steps: Vec<ZoneStep> = Vec::with_capacity(rows.len());
    let mut highest: [Option<Money>; 9] = [None; 9];
    for (index, row) in rows.into_iter().enumerate() {
        let number = index + 1;
        check_max(number, row.max, steps.last().map(|s| s.max))?;
        let prices = zone_prices(product, number, &row.prices)?;
        for (zone_index, (price, high)) in prices.iter().zip(highest.iter_mut()).enumerate() {
            if let (Some(price), Some(previous)) = (price, *high)
                && *price < previous
            {
                let zone = zone_index + 1;
                return Err(format!(
                    "row {number} z{zone} price {price} is below a lighter row's {previous}"
                ));
            }
            *high = price.or(*high);
        }
        steps.push(ZoneStep {
            max: row.max,
            prices,
        });
    }
    Ok(steps)
}

fn zone_prices(
    product: Product,
    number: usize,
    keys: &BTreeMap<String, i64>,
) -> Result<[Option<Money>; 9], String> {
    let mut prices = [None; 9];
    for (key, mills) in keys {
        let zone = key
            .strip_prefix('z')
            .and_then(|n| n.parse::<u8>().ok())
            .filter(|n| (1..=9).contains(n) && key.len() == 2);
        let Some(zone) = zone else {
            return Err(format!(
                "row {number}: unknown key {key:?} ({} is priced by zone: keys are z1 to z9)",
                product.slug()
            ));
        };
        prices[usize::from(zone - 1)] =
            Some(positive(&format!("row {number} {key} price"), *mills)?);
    }
    if prices.iter().all(Option::is_none) {
        return Err(format!("row {number} has no price"));
    }
    Ok(prices)
}
