//! How a setting's value may be written. Every layer is TOML, but environment variables
//! and flags can only give text, so numbers and lists accept their text form too,
//! and money is always text (`"500.00"`), parsed exactly into mills.

use crate::local_time::LocalTime;
use serde::{Deserialize, Deserializer};

use crate::money::Money;

pub(super) fn number_or_text<'de, D, T>(deserializer: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: TryFrom<i64> + std::str::FromStr,
{
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Raw {
        Number(i64),
        Text(String),
    }
    let out_of_range = || serde::de::Error::custom("the number is out of range");
    match Raw::deserialize(deserializer)? {
        Raw::Number(n) => T::try_from(n).map_err(|_| out_of_range()),
        Raw::Text(text) => text
            .trim()
            .parse()
            .map_err(|_| serde::de::Error::custom(format!("{text:?} is not a whole number"))),
    }
}

/// A TOML array of text, or one text with commas (as environment variables give it).
pub(super) fn list_or_text<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Vec<String>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Raw {
        List(Vec<String>),
        Text(String),
    }
    let items = match Raw::deserialize(deserializer)? {
        Raw::List(items) => items,
        Raw::Text(text) => text.split(',').map(str::to_string).collect(),
    };
    Ok(items
        .into_iter()
        .map(|item| item.trim().to_string())
        .filter(|item| !item.is_empty())
        .collect())
}

pub(super) fn money<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Money, D::Error> {
    let text = String::deserialize(deserializer)?;
    Money::parse(&text).map_err(serde::de::Error::custom)
}

/// `time_zone`: an IANA name, or empty for the system's; an unknown name stops the load.
pub(super) fn time_zone<'de, D: Deserializer<'de>>(deserializer: D) -> Result<LocalTime, D::Error> {
    let text = String::deserialize(deserializer)?;
    LocalTime::from_setting(&text).map_err(serde::de::Error::custom)
}

/// `label.mailer_id`: six digits, written as text or as a number.
pub(super) fn parsed_mailer_id<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<crate::tracking::MailerId, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Raw {
        Number(i64),
        Text(String),
    }
    let text = match Raw::deserialize(deserializer)? {
        Raw::Number(n) => n.to_string(),
        Raw::Text(text) => text,
    };
    text.parse().map_err(serde::de::Error::custom)
}

/// A kind written as text (`scale.kind`, `counter.mode`, a transport), parsed into its type
/// when the settings load; its error quotes the text and says what is accepted.
pub(super) fn parsed<'de, D, T>(deserializer: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: std::str::FromStr<Err = String>,
{
    let text = String::deserialize(deserializer)?;
    text.trim().parse().map_err(serde::de::Error::custom)
}
