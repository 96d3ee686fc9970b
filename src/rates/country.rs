//! Destination countries and their price groups.
//!
//! USPS prices international mail by the destination country's price group (1 to 20), and a
//! country has a group per product family: Canada is group 1 for everything, Germany is group
//! 5 for First-Class Mail International letters but 16 for Priority Mail International. A
//! country may not be served by a product at all (`n/a` in Notice 123) and may take less
//! than 70 lb by one. All of that changes with a price edition, so it is rate data (the
//! `[countries.NAME]` table of a rate file), checked at load like the price tables: a code
//! is two capital letters and not `US`, a group is 1 to 20, a product with a group has a
//! maximum weight where Notice 123 gives one. Lookup takes what a clerk types: the ISO code
//! (`de`) or the name or a unique part of it (`germany`, `new zeal`).

use std::collections::BTreeMap;
use std::fmt;

use crate::rates::file::{RawCountry, RawCountryTable};
use crate::rates::table::{TableInfo, info};
use crate::weight::Weight;

/// The highest price group Notice 123 prints.
pub const PRICE_GROUPS: u8 = 20;

/// A column of the country table: the products that share a price group.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum GroupColumn {
    /// First-Class Mail International letters, postcards and large envelopes.
    Fcmi,
    /// First-Class Package International Service.
    Fcpis,
    /// Priority Mail International.
    Pmi,
    /// Priority Mail International flat rates.
    PmiFlatRate,
    /// Priority Mail Express International.
    Pmei,
    /// Priority Mail Express International flat rates.
    PmeiFlatRate,
}

/// One destination country as the tables in force price it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Country {
    /// ISO 3166-1 alpha-2 (or the user-assigned code USPS's list needs, such as XK).
    pub code: String,
    /// The name USPS prints.
    pub name: String,
    pub fcmi: Option<u8>,
    pub fcpis: Option<u8>,
    pub pmi: Option<u8>,
    pub pmi_flat_rate: Option<u8>,
    pub pmei: Option<u8>,
    pub pmei_flat_rate: Option<u8>,
    /// The country's maximum weight for Priority Mail International.
    pub pmi_max: Option<Weight>,
    /// The country's maximum weight for Priority Mail Express International.
    pub pmei_max: Option<Weight>,
}

impl Country {
    /// The price group of `column`, or `None` when the product is not sent to this country.
    pub fn group(&self, column: GroupColumn) -> Option<u8> {
        match column {
            GroupColumn::Fcmi => self.fcmi,
            GroupColumn::Fcpis => self.fcpis,
            GroupColumn::Pmi => self.pmi,
            GroupColumn::PmiFlatRate => self.pmi_flat_rate,
            GroupColumn::Pmei => self.pmei,
            GroupColumn::PmeiFlatRate => self.pmei_flat_rate,
        }
    }

    /// The country's own weight limit for the products of `column`, where it has one.
    pub fn max_weight(&self, column: GroupColumn) -> Option<Weight> {
        match column {
            GroupColumn::Pmi | GroupColumn::PmiFlatRate => self.pmi_max,
            GroupColumn::Pmei | GroupColumn::PmeiFlatRate => self.pmei_max,
            GroupColumn::Fcmi | GroupColumn::Fcpis => None,
        }
    }
}

impl fmt::Display for Country {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({})", self.name, self.code)
    }
}

/// The countries of one price edition, by code.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CountryTable {
    pub info: TableInfo,
    pub countries: BTreeMap<String, Country>,
}

/// Why a typed country was not found; the message quotes it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CountryLookupError {
    #[error(
        "{input:?} is not a destination country: expected an ISO code like CA or DE, or a country name like Germany"
    )]
    Unknown { input: String },
    #[error("{input:?} matches several countries: {}; type more of the name or the code", matches.join(", "))]
    Ambiguous { input: String, matches: Vec<String> },
}

/// Ambiguous matches listed in an error, at most.
const MATCHES_SHOWN: usize = 8;

impl CountryTable {
    /// The countries whose name holds `text` (any case), or whose code it is when
    /// `with_code`, in code order: the candidates of a lookup and the suggestions shown as
    /// a name is typed.
    pub fn named_like<'a>(
        &'a self,
        text: &str,
        with_code: bool,
    ) -> impl Iterator<Item = &'a Country> + 'a {
        let wanted = text.trim().to_lowercase();
        self.countries.values().filter(move |c| {
            (with_code && c.code.eq_ignore_ascii_case(&wanted))
                || c.name.to_lowercase().contains(&wanted)
        })
    }

    /// The country `text` names: its code, its name, or a part of its name that only it has.
    pub fn find(&self, text: &str) -> Result<&Country, CountryLookupError> {
        let wanted = text.trim().to_lowercase();
        let unknown = || CountryLookupError::Unknown {
            input: text.to_string(),
        };
        if wanted.is_empty() {
            return Err(unknown());
        }
        if let Some(country) = self.countries.get(&wanted.to_uppercase()) {
            return Ok(country);
        }
        let named = |c: &&Country| c.name.to_lowercase() == wanted;
        if let Some(country) = self.countries.values().find(named) {
            return Ok(country);
        }
        let matches: Vec<&Country> = if wanted.len() >= 3 {
            self.named_like(&wanted, false).collect()
        } else {
            Vec::new()
        };
        match matches.as_slice() {
            [] => Err(unknown()),
            [one] => Ok(one),
            many => Err(CountryLookupError::Ambiguous {
                input: text.to_string(),
                matches: many
                    .iter()
                    .take(MATCHES_SHOWN)
                    .map(|c| c.to_string())
                    .collect(),
            }),
        }
    }
}

/// Checks one `[countries.NAME]` table of a rate file.
pub(crate) fn country_table(
    file: &str,
    name: &str,
    raw: RawCountryTable,
) -> Result<CountryTable, String> {
    let info = info(
        file,
        name,
        raw.effective,
        raw.superseded_on,
        raw.status,
        raw.source,
        raw.note,
    )?;
    if raw.list.is_empty() {
        return Err("lists no country".into());
    }
    let mut countries = BTreeMap::new();
    for (code, raw) in raw.list {
        let country = country(&code, raw).map_err(|why| format!("country {code}: {why}"))?;
        countries.insert(code, country);
    }
    Ok(CountryTable { info, countries })
}

fn country(code: &str, raw: RawCountry) -> Result<Country, String> {
    if code.len() != 2 || !code.bytes().all(|b| b.is_ascii_uppercase()) || code == "US" {
        return Err("a code is two capital letters other than US".into());
    }
    if raw.name.trim().is_empty() || raw.name.chars().any(char::is_control) {
        return Err(format!(
            "name {:?} is empty or holds control characters",
            raw.name
        ));
    }
    let group = |what: &str, group: Option<u8>| match group {
        Some(g) if !(1..=PRICE_GROUPS).contains(&g) => Err(format!(
            "{what} group {g} is not between 1 and {PRICE_GROUPS}"
        )),
        _ => Ok(group),
    };
    let max = |what: &str, group: Option<u8>, pounds: Option<u8>| match (group, pounds) {
        (Some(_), Some(lb @ 1..=70)) => Ok(Some(Weight::from_pounds(u64::from(lb)))),
        (Some(_), Some(lb)) => Err(format!("{what}_max_lb {lb} is not between 1 and 70")),
        (Some(_), None) => Err(format!("{what} has a group and no {what}_max_lb")),
        (None, Some(_)) => Err(format!("{what}_max_lb is given and {what} is not")),
        (None, None) => Ok(None),
    };
    Ok(Country {
        code: code.to_string(),
        name: raw.name.trim().to_string(),
        fcmi: group("fcmi", raw.fcmi)?,
        fcpis: group("fcpis", raw.fcpis)?,
        pmi: group("pmi", raw.pmi)?,
        pmi_flat_rate: group("pmi_flat_rate", raw.pmi_flat_rate)?,
        pmei: group("pmei", raw.pmei)?,
        pmei_flat_rate: group("pmei_flat_rate", raw.pmei_flat_rate)?,
        pmi_max: max("pmi", raw.pmi, raw.pmi_max_lb)?,
        pmei_max: max("pmei", raw.pmei, raw.pmei_max_lb)?,
    })
}
