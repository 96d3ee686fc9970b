//! USPS retail rates: the tables (data), the products and extra services they price, zones,
//! and quotes.
//!
//! Prices change a few times a year, so they are data (`rates/*.toml`, embedded in the binary
//! and loadable from a folder), each table with its effective date, its source and how well
//! the figures are confirmed; a quote picks the table in force on the date of mailing. What
//! changes rarely and is a rule rather than a price (product codes, physical limits, zone
//! bands, which services go with which product) is code. Everything here is synchronous and
//! pure apart from the one-off lazy indexes of the ZIP directory.
//!
//! Files: `product` and `service` (what is sold, with the stable codes signed into the
//! indicium), `piece` (shape and dimensions), `zone`, `file` (the on-disk format and its
//! error), `table` and `service_table` (checked tables), `book` (loading and the table in
//! force), `country` (destination countries and their price groups), `limits` (physical
//! limits, dimensional weight), `price_cell` (one price out of a table), `quote`.

pub mod book;
pub mod country;
pub mod file;
pub mod limits;
pub mod piece;
pub mod price_cell;
pub mod pricing;
pub mod product;
pub mod quote;
pub mod service;
pub mod service_table;
pub mod table;
pub mod zone;

pub use book::RateBook;
pub use country::{Country, CountryLookupError, CountryTable, GroupColumn};
pub use file::{PostageKind, RateFileError, RateFileErrorKind, SourceStatus};
pub use piece::{Dimensions, DimensionsParseError, MailPiece, Shape, ShapeParseError};
pub use pricing::{PricedPiece, PricingError, SaleRequest, price_piece};
pub use product::{Product, ProductParseError};
pub use quote::{
    Column, Destination, DestinationParseError, Exclusion, ExclusionKind, Offer, Quote, QuoteError,
    QuoteRequest,
};
pub use service::{ExtraService, ExtraServiceParseError, ExtraServices};
pub use service_table::{DimensionalRule, ServicePricing, ServiceTable, ValueTier};
pub use table::{GroupStep, PriceTable, Prices, TableInfo, WeightStep, ZoneStep};
pub use zone::{Zone, ZoneError, zone_between};
