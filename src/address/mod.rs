//! Addresses, as far as postage needs them.
//!
//! A counter prices and prints postage from ZIP codes: the origin ZIP goes into the indicium and
//! the pair of ZIPs decides the zone. The ZIP code is text (leading zeros matter) looked up in
//! the embedded ZIP directory (built from the `zipcodes` crate's); a label's recipient name and street are standardized in the
//! style of Publication 28 (`recipient`).

pub mod directory;
pub mod recipient;
pub mod zip;

pub use recipient::{RecipientError, recipient_lines, town_line_abroad};
pub use zip::{Place, ZipCode, ZipParseError};
