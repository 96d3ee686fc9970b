//! The rate book: every loaded table, and the choice of the one in force on a date.
//!
//! The shipped tables are embedded with `include_str!`, so a counter prices without its data
//! folder; a folder of newer files can be loaded instead (`load_dir`) when the vendor
//! publishes an update. Either way each file is checked whole and the book is refused on the
//! first error, since a counter that prices with part of a table is worse than one that does
//! not start. For each product (and postage kind), the table in force on a date is the one
//! with the latest effective date not after it, unless that table is marked superseded by
//! then: there is never a fallback to an older table.

use std::collections::HashMap;
use std::path::Path;

use crate::date::Date;
use crate::money::Money;
use crate::rates::country::CountryTable;
use crate::rates::file::{PostageKind, RateFileError, RateFileErrorKind};
use crate::rates::product::Product;
use crate::rates::service::ExtraService;
use crate::rates::service_table::{DimensionalRule, ServicePricing, ServiceTable};
use crate::rates::table::{PriceTable, TableInfo, parse_file};

/// The rate files built into the binary, by file name.
pub const EMBEDDED_FILES: &[(&str, &str)] = &[
    (
        "usps-retail-2025-07-13.toml",
        include_str!("../../rates/usps-retail-2025-07-13.toml"),
    ),
    (
        "usps-retail-2026-07-12.toml",
        include_str!("../../rates/usps-retail-2026-07-12.toml"),
    ),
];

/// Every `*.toml` file of `dir` as (file name, text), in name order; an empty folder is an
/// error.
pub fn read_dir_files(dir: &Path) -> Result<Vec<(String, String)>, RateFileError> {
    let shown = dir.display().to_string();
    let io =
        |e: std::io::Error| RateFileError::new(&shown, None, RateFileErrorKind::Io, e.to_string());
    let mut paths = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(io)? {
        let path = entry.map_err(io)?.path();
        if path.extension().is_some_and(|ext| ext == "toml") && path.is_file() {
            paths.push(path);
        }
    }
    paths.sort();
    let mut files = Vec::with_capacity(paths.len());
    for path in paths {
        let name = path
            .file_name()
            .map_or(shown.clone(), |n| n.to_string_lossy().into_owned());
        let text = std::fs::read_to_string(&path)
            .map_err(|e| RateFileError::new(&name, None, RateFileErrorKind::Io, e.to_string()))?;
        files.push((name, text));
    }
    if files.is_empty() {
        return Err(RateFileError::new(
            &shown,
            None,
            RateFileErrorKind::Io,
            "holds no rate files (*.toml)".into(),
        ));
    }
    Ok(files)
}

/// Every loaded table, checked.
#[derive(Clone, Debug, Default)]
pub struct RateBook {
    prices: Vec<PriceTable>,
    services: Vec<ServiceTable>,
    rules: Vec<DimensionalRule>,
    countries: Vec<CountryTable>,
    /// The last day the data centre's signature on these tables holds (see
    /// [`RateBook::signed_until`]); `None` for tables not taken from a signed update.
    signed_until: Option<Date>,
}

impl RateBook {
    /// The tables built into the binary.
    pub fn embedded() -> Result<RateBook, RateFileError> {
        RateBook::from_files(EMBEDDED_FILES)
    }

    /// Every `*.toml` file of `dir`, in name order.
    pub fn load_dir(dir: &Path) -> Result<RateBook, RateFileError> {
        let files = read_dir_files(dir)?;
        let borrowed: Vec<(&str, &str)> = files
            .iter()
            .map(|(n, t)| (n.as_str(), t.as_str()))
            .collect();
        RateBook::from_files(&borrowed)
    }

    /// Files given as (file name, text): the common path of `embedded` and `load_dir`, and
    /// the entry point for tests and fuzzing.
    pub fn from_files(files: &[(&str, &str)]) -> Result<RateBook, RateFileError> {
        let mut book = RateBook::default();
        let mut seen: HashMap<String, (String, String)> = HashMap::new();
        for (file, text) in files {
            let parsed = parse_file(file, text)?;
            let keyed_prices = parsed.prices.iter().map(|t| (price_key(t), &t.info));
            let keyed_services = parsed
                .services
                .iter()
                .map(|t| (t.service.slug().to_string(), &t.info));
            let keyed_rules = parsed
                .rules
                .iter()
                .map(|r| ("dimensional weight".to_string(), &r.info));
            let keyed_countries = parsed
                .countries
                .iter()
                .map(|c| ("country list".to_string(), &c.info));
            let keyed = keyed_prices
                .chain(keyed_services)
                .chain(keyed_rules)
                .chain(keyed_countries);
            for (what, info) in keyed {
                refuse_duplicate(&mut seen, &what, info)?;
            }
            book.prices.extend(parsed.prices);
            book.services.extend(parsed.services);
            book.rules.extend(parsed.rules);
            book.countries.extend(parsed.countries);
        }
        Ok(book)
    }

    /// The same tables, priced with up to `last_day` only: the tables a station took from
    /// its data centre's update repository hold as long as the targets metadata that listed
    /// them, and a counter that has not heard from its data centre since then has no tables
    /// it may price with.
    pub fn signed_until(mut self, last_day: Date) -> RateBook {
        self.signed_until = Some(last_day);
        self
    }

    /// The first day after `date` on which a table takes effect: what a counter announces
    /// as "New prices from".
    pub fn next_change_after(&self, date: Date) -> Option<Date> {
        let prices = self.prices.iter().map(|t| &t.info);
        let services = self.services.iter().map(|t| &t.info);
        let rules = self.rules.iter().map(|r| &r.info);
        let countries = self.countries.iter().map(|c| &c.info);
        prices
            .chain(services)
            .chain(rules)
            .chain(countries)
            .map(|info| info.effective)
            .filter(|effective| *effective > date)
            .min()
    }

    /// Why nothing may be priced on `date` with these tables, if so.
    fn expired_on(&self, date: Date) -> Result<(), String> {
        match self.signed_until {
            Some(last_day) if date > last_day => Err(format!(
                "has no table in force on {date}: the data centre's signature on this counter's rate tables ran out after {last_day} (the counter must reach its data centre for new ones)"
            )),
            _ => Ok(()),
        }
    }

    pub fn price_tables(&self) -> &[PriceTable] {
        &self.prices
    }

    pub fn service_tables(&self) -> &[ServiceTable] {
        &self.services
    }

    pub fn dimensional_rules(&self) -> &[DimensionalRule] {
        &self.rules
    }

    pub fn country_tables(&self) -> &[CountryTable] {
        &self.countries
    }

    /// The destination countries and their price groups in force on `date`.
    pub fn country_table(&self, date: Date) -> Result<&CountryTable, String> {
        self.expired_on(date)
            .and_then(|()| in_force(self.countries.iter(), |c| &c.info, date))
            .map_err(|why| format!("the country price-group list {why}"))
    }

    /// The price table in force for `product` on `date`, or why there is none.
    pub fn price_table(
        &self,
        product: Product,
        postage: PostageKind,
        date: Date,
    ) -> Result<&PriceTable, String> {
        let tables = self
            .prices
            .iter()
            .filter(|t| t.product == product && t.postage == postage);
        self.expired_on(date)
            .and_then(|()| in_force(tables, |t| &t.info, date))
            .map_err(|why| format!("{} {}", price_kind_name(product, postage), why))
    }

    pub fn service_table(
        &self,
        service: ExtraService,
        date: Date,
    ) -> Result<&ServiceTable, String> {
        let tables = self.services.iter().filter(|t| t.service == service);
        self.expired_on(date)
            .and_then(|()| in_force(tables, |t| &t.info, date))
            .map_err(|why| format!("{} price {why}", service.name()))
    }

    pub fn dimensional_rule(&self, date: Date) -> Result<&DimensionalRule, String> {
        self.expired_on(date)
            .and_then(|()| in_force(self.rules.iter(), |r| &r.info, date))
            .map_err(|why| format!("dimensional-weight rule {why}"))
    }

    /// The price of `service` with `product` on `date`; insurance needs the declared value.
    /// The error is a sentence for the clerk.
    pub fn extra_service_price(
        &self,
        service: ExtraService,
        product: Product,
        date: Date,
        declared_value: Option<Money>,
    ) -> Result<Money, String> {
        if !service.allowed_with(product) {
            return Err(format!(
                "{} is not available with {}",
                service.name(),
                product.name()
            ));
        }
        let table = self.service_table(service, date)?;
        match &table.pricing {
            ServicePricing::Fixed(price) => Ok(*price),
            ServicePricing::ByDeclaredValue(tiers) => {
                let value = declared_value.ok_or("Insurance needs a declared value")?;
                if value <= Money::ZERO {
                    return Err(format!("declared value {value} is not positive"));
                }
                tiers.iter().find(|tier| value <= tier.max_value).map(|tier| tier.price).ok_or_else(|| {
                    let highest = tiers.last().map_or(Money::ZERO, |t| t.max_value);
                    format!(
                        "declared value {value} is over the highest insurance tier ({highest}) of the {} table",
                        table.info.effective
                    )
                })
            }
        }
    }
}

/// What makes a price table unique besides its date: `fcm-letter`, `fcm-letter (stamped)`.
fn price_key(table: &PriceTable) -> String {
    match table.postage {
        PostageKind::Metered => table.product.slug().to_string(),
        PostageKind::Stamped => format!("{} (stamped)", table.product.slug()),
    }
}

fn price_kind_name(product: Product, postage: PostageKind) -> String {
    match postage {
        PostageKind::Metered => format!("{} price", product.name()),
        PostageKind::Stamped => format!("{} stamped price", product.name()),
    }
}

/// The latest table effective on or before `date`, unless it is superseded by then.
fn in_force<'a, T>(
    tables: impl Iterator<Item = &'a T>,
    info: impl Fn(&T) -> &TableInfo,
    date: Date,
) -> Result<&'a T, String> {
    let latest = tables
        .filter(|t| info(t).effective <= date)
        .max_by_key(|t| info(t).effective)
        .ok_or_else(|| format!("has no table in force on {date}"))?;
    match info(latest).superseded_on {
        Some(end) if end <= date => Err(format!(
            "has no table in force on {date}: the {} table was superseded on {end}",
            info(latest).effective
        )),
        _ => Ok(latest),
    }
}

fn refuse_duplicate(
    seen: &mut HashMap<String, (String, String)>,
    what: &str,
    info: &TableInfo,
) -> Result<(), RateFileError> {
    let key = format!("{what} {}", info.effective);
    if let Some((file, table)) = seen.get(&key) {
        let reason = format!(
            "{} already has a table effective {} ({file}, table {table:?})",
            what, info.effective
        );
        return Err(RateFileError::new(
            &info.file,
            Some(&info.name),
            RateFileErrorKind::Duplicate,
            reason,
        ));
    }
    seen.insert(key, (info.file.clone(), info.name.clone()));
    Ok(())
}
