//! The rate file format (TOML) as written on disk, and the error that refuses a bad file.
//!
//! These types mirror the file exactly and refuse unknown keys (`deny_unknown_fields`), so a
//! typo such as `efective` is an error rather than a silently missing date. Checks that serde
//! cannot express (rows in order, positive prices, zone keys 1 to 9, a source for every
//! table) are made in `table.rs`, which turns these raw types into the tables a quote reads.
//! Weights are strings (`max = "15.99oz"`) and money is integer mills: a float in a rate file
//! is refused by the types themselves.
//!
//! A file looks like this (see `rates/*.toml` for the shipped ones):
//! ```toml
//! schema = "postcounter-rates/1"
//! [tables.fcm_letter_metered]
//! product = "fcm-letter"          # a product slug
//! postage = "metered"             # or "stamped"; metered when absent
//! effective = 2026-07-12
//! superseded_on = 2027-01-17      # optional: priced no more from that day
//! status = "confirmed-multi"      # confirmed-primary | confirmed-multi | derived | secondary-single
//! source = "where the figures come from"
//! rows = [ { max = "1oz", price = 780 } ]   # or z1..z9 (zoned) or g1..g20 (international
//!                                           # price groups) instead of price; or `price` alone
//! [services.certified_mail]
//! service = "certified-mail"      # price = mills, or tiers = [ { max_value = 50000, price = 2800 } ]
//! [dimensional_weight.retail_2026]
//! threshold_cubic_in = 1728
//! divisor = 139
//! fractional_inches_rounded_up = true
//! [countries.notice_123_2026]       # effective, status, source as for a table, then:
//! list.DE = { name = "Germany", fcmi = 5, fcpis = 16, pmi = 16, pmi_max_lb = 70 }
//! ```

use std::collections::BTreeMap;
use std::fmt;

use serde::Deserialize;

use crate::date::Date;
use crate::rates::product::Product;
use crate::rates::service::ExtraService;
use crate::weight::Weight;

/// The only schema this code reads.
pub const SCHEMA: &str = "postcounter-rates/1";

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawFile {
    pub schema: String,
    #[serde(default)]
    pub tables: BTreeMap<String, RawTable>,
    #[serde(default)]
    pub services: BTreeMap<String, RawServiceTable>,
    #[serde(default)]
    pub dimensional_weight: BTreeMap<String, RawDimensionalRule>,
    #[serde(default)]
    pub countries: BTreeMap<String, RawCountryTable>,
}

/// How far the figures of a table can be trusted, as the source data grades them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum SourceStatus {
    /// Read on a USPS page or release.
    ConfirmedPrimary,
    /// At least two independent secondary sources agree.
    ConfirmedMulti,
    /// Arithmetic from a confirmed USPS rule.
    Derived,
    /// One secondary source only.
    SecondarySingle,
}

impl fmt::Display for SourceStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(match self {
            SourceStatus::ConfirmedPrimary => "confirmed-primary",
            SourceStatus::ConfirmedMulti => "confirmed-multi",
            SourceStatus::Derived => "derived",
            SourceStatus::SecondarySingle => "secondary-single",
        })
    }
}

/// Which price a table holds: what a meter prints, or what stamps cost.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum PostageKind {
    #[default]
    Metered,
    Stamped,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawTable {
    pub product: Product,
    #[serde(default)]
    pub postage: PostageKind,
    pub effective: Option<Date>,
    pub superseded_on: Option<Date>,
    pub status: Option<SourceStatus>,
    pub source: Option<String>,
    pub note: Option<String>,
    pub price: Option<i64>,
    pub rows: Option<Vec<RawRow>>,
}

/// A row: `max` and either `price` or zone keys `z1`..`z9` (checked in `table.rs`, which is
/// why the keys are collected rather than declared).
#[derive(Debug, Deserialize)]
pub(crate) struct RawRow {
    pub max: Weight,
    #[serde(flatten)]
    pub prices: BTreeMap<String, i64>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawServiceTable {
    pub service: ExtraService,
    pub effective: Option<Date>,
    pub superseded_on: Option<Date>,
    pub status: Option<SourceStatus>,
    pub source: Option<String>,
    pub note: Option<String>,
    pub price: Option<i64>,
    pub tiers: Option<Vec<RawTier>>,
}

/// An insurance tier: declared value not over `max_value` mills costs `price` mills.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawTier {
    pub max_value: i64,
    pub price: i64,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawDimensionalRule {
    pub effective: Option<Date>,
    pub superseded_on: Option<Date>,
    pub status: Option<SourceStatus>,
    pub source: Option<String>,
    pub note: Option<String>,
    pub threshold_cubic_in: u64,
    pub divisor: u64,
    pub fractional_inches_rounded_up: bool,
}

/// The destination countries of a price edition (checked in `country.rs`).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawCountryTable {
    pub effective: Option<Date>,
    pub superseded_on: Option<Date>,
    pub status: Option<SourceStatus>,
    pub source: Option<String>,
    pub note: Option<String>,
    pub list: BTreeMap<String, RawCountry>,
}

/// A country: its price group per product family and maximum weights in pounds; an absent
/// group is a product not sent there.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawCountry {
    pub name: String,
    pub fcmi: Option<u8>,
    pub fcpis: Option<u8>,
    pub pmi: Option<u8>,
    pub pmi_max_lb: Option<u8>,
    pub pmi_flat_rate: Option<u8>,
    pub pmei: Option<u8>,
    pub pmei_max_lb: Option<u8>,
    pub pmei_flat_rate: Option<u8>,
}

/// What the caller can do about a refused rate file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RateFileErrorKind {
    /// The file or folder could not be read.
    Io,
    /// Not TOML, or not this schema's keys and types.
    Syntax,
    /// Well-formed but inconsistent (rows out of order, a price that is not positive, ...).
    Invalid,
    /// The same product (or service, or rule) twice for one effective date.
    Duplicate,
}

/// A rate file refused at load, naming the file, the table (when known) and the reason.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct RateFileError {
    pub file: String,
    pub table: Option<String>,
    pub kind: RateFileErrorKind,
    pub reason: String,
}

impl RateFileError {
    pub fn kind(&self) -> RateFileErrorKind {
        self.kind
    }

    pub(crate) fn new(
        file: &str,
        table: Option<&str>,
        kind: RateFileErrorKind,
        reason: String,
    ) -> RateFileError {
        RateFileError {
            file: file.to_string(),
            table: table.map(str::to_string),
            kind,
            reason,
        }
    }

    /// A TOML or serde error, located by line and, when the line is inside one, by table.
    pub(crate) fn syntax(file: &str, text: &str, error: &toml::de::Error) -> RateFileError {
        let Some(span) = error.span() else {
            return RateFileError::new(
                file,
                None,
                RateFileErrorKind::Syntax,
                error.message().to_string(),
            );
        };
        let before = &text[..span.start.min(text.len())];
        let line = before.matches('\n').count() + 1;
        let table = before
            .lines()
            .rev()
            .find_map(table_header)
            .map(str::to_string);
        RateFileError {
            file: file.to_string(),
            table,
            kind: RateFileErrorKind::Syntax,
            reason: format!("line {line}: {}", error.message()),
        }
    }
}

/// The table name of a `[tables.name]` header line.
fn table_header(line: &str) -> Option<&str> {
    let inner = line.trim().strip_prefix('[')?.strip_suffix(']')?;
    let (_, name) = inner.split_once('.')?;
    Some(name.trim())
}

impl fmt::Display for RateFileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.table {
            Some(table) => write!(f, "{}: table {table:?}: {}", self.file, self.reason),
            None => write!(f, "{}: {}", self.file, self.reason),
        }
    }
}
