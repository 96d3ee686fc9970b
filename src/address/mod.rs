//! Addresses, as far as postage needs them.
//!
//! A counter prices and prints postage from ZIP codes: the origin ZIP goes into the indicium and
//! the pair of ZIPs decides the zone. Street-level standardization (Publication 28) is a later
//! concern and gets its own file here when it comes; for now the module holds the ZIP code
//! type, which is text (leading zeros matter), and its lookup in the `zipcodes` directory.

pub mod zip;

pub use zip::{Place, ZipCode, ZipParseError};
