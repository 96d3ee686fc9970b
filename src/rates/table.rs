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
use crate::rates::country::{CountryTable, PRICE_GROUPS, country_table};
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

/// A weight step priced per international price group; `None` where the source prints no
/// price (the group's maximum weight is lower, or the group is not in the table).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct GroupStep {
    pub max: Weight,
    pub prices: [Option<Money>; PRICE_GROUPS as usize],
}

impl GroupStep {
    /// The price for `group` (1 to 20); `None` for a group outside that range too.
    pub fn price(&self, group: u8) -> Option<Money> {
        let index = usize::from(group).checked_sub(1)?;
        self.prices.get(index).copied().flatten()
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Prices {
    /// One price whatever the weight (postcards, flat rate).
    Single(Money),
    ByWeight(Vec<WeightStep>),
    ByWeightAndZone(Vec<ZoneStep>),
    /// International: by weight and the destination's price group.
    ByWeightAndGroup(Vec<GroupStep>),
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
    pub countries: Vec<CountryTable>,
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
    for (name, table) in raw.countries {
        parsed
            .countries
            .push(country_table(file, &name, table).map_err(|r| invalid(&name, r))?);
    }
    let empty = parsed.prices.is_empty()
        && parsed.services.is_empty()
        && parsed.rules.is_empty()
        && parsed.countries.is_empty();
    if empty {
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
            let grouped = product.family() == Family::International
                && rows.iter().any(|row| !row.prices.contains_key("price"));
            if product.family() == Family::Zoned {
                let steps = column_rows::<9>(product, rows, "z", "zone")?;
                Prices::ByWeightAndZone(
                    steps
                        .into_iter()
                        .map(|(max, prices)| ZoneStep { max, prices })
                        .collect(),
                )
            } else if grouped {
                let steps =
                    column_rows::<{ PRICE_GROUPS as usize }>(product, rows, "g", "price group")?;
                Prices::ByWeightAndGroup(
                    steps
                        .into_iter()
                        .map(|(max, prices)| GroupStep { max, prices })
                        .collect(),
                )
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

/// A row's `max` and its price per column, before it becomes a zone or group step.
type ColumnRow<const N: usize> = (Weight, [Option<Money>; N]);

/// Rows priced per column (`z1`..`z9` or `g1`..`g20`): each column's price never falls as
/// the weight rises, and an absent cell stays absent.
fn column_rows<const N: usize>(
    product: Product,
    rows: Vec<RawRow>,
    prefix: &str,
    column: &str,
) -> Result<Vec<ColumnRow<N>>, String> {
    let mut steps: Vec<ColumnRow<N>> = Vec::with_capacity(rows.len());
    let mut highest: [Option<Money>; N] = [None; N];
    for (index, row) in rows.into_iter().enumerate() {
        let number = index + 1;
        check_max(number, row.max, steps.last().map(|s| s.0))?;
        let prices = column_prices::<N>(product, number, &row.prices, prefix, column)?;
        for (column_index, (price, high)) in prices.iter().zip(highest.iter_mut()).enumerate() {
            if let (Some(price), Some(previous)) = (price, *high)
                && *price < previous
            {
                let key = column_index + 1;
                return Err(format!(
                    "row {number} {prefix}{key} price {price} is below a lighter row's {previous}"
                ));
            }
            *high = price.or(*high);
        }
        steps.push((row.max, prices));
    }
    Ok(steps)
}

fn column_prices<const N: usize>(
    product: Product,
    number: usize,
    keys: &BTreeMap<String, i64>,
    prefix: &str,
    column: &str,
) -> Result<[Option<Money>; N], String> {
    let mut prices = [None; N];
    for (key, mills) in keys {
        let index = key
            .strip_prefix(prefix)
            .filter(|n| !n.starts_with('0') && n.bytes().all(|b| b.is_ascii_digit()))
            .and_then(|n| n.parse::<usize>().ok())
            .filter(|n| (1..=N).contains(n));
        let Some(index) = index else {
            return Err(format!(
                "row {number}: unknown key {key:?} ({} is priced by {column}: keys are {prefix}1 to {prefix}{N})",
                product.slug()
            ));
        };
        prices[index - 1] = Some(positive(&format!("row {number} {key} price"), *mills)?);
    }
    if prices.iter().all(Option::is_none) {
        return Err(format!("row {number} has no price"));
    }
    Ok(prices)
}
