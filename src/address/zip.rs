//! ZIP codes: parsing and lookup in the embedded ZIP directory.
//!
//! A ZIP code is text, not a number: "02134" is a Boston ZIP and 2134 is not a ZIP at all, so
//! [`ZipCode`] keeps the digits as written and only offers a number for packing into the
//! indicium. The lookup is in [`super::directory`].

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A 5-digit ZIP code with an optional 4-digit add-on, digits only.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ZipCode {
    zip5: String,
    plus4: Option<String>,
}

/// Why a text is not a ZIP code; the message quotes it and says what is accepted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "{input:?} is not a ZIP code: expected 5 digits with an optional 4-digit add-on, like 02134, 02134-1234 or 021341234"
)]
pub struct ZipParseError {
    pub input: String,
}

/// Where a ZIP code is, as the directory names it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Place {
    pub city: &'static str,
    /// Two-letter state or territory code (`MA`, `GU`, `AE` for overseas military).
    pub state: &'static str,
}

impl ZipCode {
    /// Parses `02134`, `02134-1234`, `021341234` (surrounding spaces ignored).
    pub fn parse(input: &str) -> Result<ZipCode, ZipParseError> {
        let fail = || ZipParseError {
            input: input.to_string(),
        };
        let text = input.trim();
        let all_digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
        let (zip5, plus4) = match (text.len(), text.split_once('-')) {
            (5, None) => (text, None),
            (9, None) => (&text[..5], Some(&text[5..])),
            (10, Some((zip5, plus4))) if zip5.len() == 5 => (zip5, Some(plus4)),
            _ => return Err(fail()),
        };
        if !all_digits(zip5) || !plus4.is_none_or(|p| p.len() == 4 && all_digits(p)) {
            return Err(fail());
        }
        Ok(ZipCode {
            zip5: zip5.to_string(),
            plus4: plus4.map(str::to_string),
        })
    }

    pub fn zip5(&self) -> &str {
        &self.zip5
    }

    /// The 5 digits as a number, for a binary field; never for display (it loses leading zeros).
    pub fn zip5_number(&self) -> u32 {
        self.zip5
            .bytes()
            .fold(0, |n, digit| n * 10 + u32::from(digit - b'0'))
    }

    pub fn plus4(&self) -> Option<&str> {
        self.plus4.as_deref()
    }

    /// The 3-digit area (sectional center facility prefix) that zones are measured between.
    pub fn prefix3(&self) -> &str {
        &self.zip5[..3]
    }

    /// The city and state of the 5-digit ZIP, `None` when the directory does not know it.
    pub fn place(&self) -> Option<Place> {
        let record = super::directory::find(&self.zip5)?;
        Some(Place {
            city: record.city,
            state: record.state,
        })
    }
}

impl FromStr for ZipCode {
    type Err = ZipParseError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        ZipCode::parse(s)
    }
}

/// `02134` or `02134-1234`.
impl fmt::Display for ZipCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.plus4 {
            Some(plus4) => f.pad(&format!("{}-{plus4}", self.zip5)),
            None => f.pad(&self.zip5),
        }
    }
}

impl Serialize for ZipCode {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.to_string())
    }
}

impl<'de> Deserialize<'de> for ZipCode {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        ZipCode::parse(&text).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_three_written_forms_and_keeps_leading_zeros() {
        let zip = ZipCode::parse("02134").unwrap();
        assert_eq!(
            (zip.zip5(), zip.plus4(), zip.zip5_number()),
            ("02134", None, 2134)
        );
        assert_eq!(ZipCode::parse("02134-1234").unwrap().plus4(), Some("1234"));
        assert_eq!(
            ZipCode::parse("021341234").unwrap().to_string(),
            "02134-1234"
        );
    }

    #[test]
    fn malformed_zip_codes_are_refused_with_the_input_quoted() {
        for bad in [
            "",
            "2134",
            "021345",
            "0213a",
            "02134-123",
            "02134 1234",
            "0213-41234",
            "٠٢١٣٤",
        ] {
            let err = ZipCode::parse(bad).expect_err(bad);
            assert!(
                err.to_string()
                    .starts_with(&format!("{bad:?} is not a ZIP code")),
                "{err}"
            );
        }
    }

    #[test]
    fn a_known_zip_has_a_place_and_an_unknown_one_has_none() {
        let boston = ZipCode::parse("02134").unwrap().place().unwrap();
        assert_eq!(boston.state, "MA");
        assert_eq!(ZipCode::parse("00000").unwrap().place(), None);
    }
}
