//! Calendar dates (proleptic Gregorian, no time zone).
//!
//! Postage cares about days: the date of mailing printed in the indicium, the rate table in
//! force on that day, a void window counted in days. A date is a count of days since
//! 2000-01-01, which makes it cheap to compare, to add days to, and to pack into the two bytes
//! the indicium gives it. The clock is read only at the edge ([`Date::today_utc`]); the core
//! takes the date as an argument.

use std::fmt;
use std::str::FromStr;
use std::time::{SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Days from 1970-01-01 to 2000-01-01.
const EPOCH_2000_FROM_UNIX_DAYS: i64 = 10_957;

/// A calendar day, as days since 2000-01-01 (day 0).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date {
    days_since_2000: i32,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{input:?} is not a date: expected YYYY-MM-DD, like 2026-07-12")]
pub struct DateParseError {
    pub input: String,
}

impl Date {
    /// The date for a year, month and day, `None` if there is no such day.
    pub fn from_ymd(year: i32, month: u32, day: u32) -> Option<Date> {
        if !(1..=12).contains(&month) || day == 0 || day > days_in_month(year, month) {
            return None;
        }
        let days = days_from_civil(i64::from(year), month, day) - EPOCH_2000_FROM_UNIX_DAYS;
        i32::try_from(days)
            .ok()
            .map(|days_since_2000| Date { days_since_2000 })
    }

    pub const fn from_days_since_2000(days_since_2000: i32) -> Date {
        Date { days_since_2000 }
    }

    pub const fn days_since_2000(self) -> i32 {
        self.days_since_2000
    }

    /// Today in UTC, from the system clock. Only the binary's edge calls this.
    pub fn today_utc() -> Date {
        let seconds = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_secs())
            .unwrap_or(0);
        Date::from_unix_seconds(seconds)
    }

    /// The UTC date of a moment given as seconds since 1970.
    pub fn from_unix_seconds(seconds: u64) -> Date {
        let days = i64::try_from(seconds / 86_400).unwrap_or(0) - EPOCH_2000_FROM_UNIX_DAYS;
        Date::from_days_since_2000(i32::try_from(days).unwrap_or(0))
    }

    pub fn add_days(self, days: i32) -> Date {
        Date::from_days_since_2000(self.days_since_2000.saturating_add(days))
    }

    pub fn days_until(self, later: Date) -> i32 {
        later.days_since_2000 - self.days_since_2000
    }

    pub fn ymd(self) -> (i32, u32, u32) {
        civil_from_days(i64::from(self.days_since_2000) + EPOCH_2000_FROM_UNIX_DAYS)
    }

    pub fn parse(input: &str) -> Result<Date, DateParseError> {
        let fail = || DateParseError {
            input: input.to_string(),
        };
        let text = input.trim();
        let mut parts = text.split('-');
        let (Some(y), Some(m), Some(d), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(fail());
        };
        if y.len() != 4 || m.len() != 2 || d.len() != 2 {
            return Err(fail());
        }
        let all_digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
        if !(all_digits(y) && all_digits(m) && all_digits(d)) {
            return Err(fail());
        }
        let year = y.parse().map_err(|_| fail())?;
        let month = m.parse().map_err(|_| fail())?;
        let day = d.parse().map_err(|_| fail())?;
        Date::from_ymd(year, month, day).ok_or_else(fail)
    }
}

fn is_leap_year(year: i32) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

fn days_in_month(year: i32, month: u32) -> u32 {
    match month {
        2 if is_leap_year(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 of a civil date (Howard Hinnant's algorithm).
fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let year_of_era = y - era * 400;
    let m = i64::from(month);
    let day_of_year = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(day) - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

/// The civil date of a count of days since 1970-01-01.
fn civil_from_days(days: i64) -> (i32, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let day_of_era = z - era * 146_097;
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let mp = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    (
        i32::try_from(year).unwrap_or(i32::MAX),
        u32::try_from(month).unwrap_or(1),
        u32::try_from(day).unwrap_or(1),
    )
}

impl FromStr for Date {
    type Err = DateParseError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Date::parse(s)
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (y, m, d) = self.ymd();
        f.pad(&format!("{y:04}-{m:02}-{d:02}"))
    }
}

impl Serialize for Date {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.to_string())
    }
}

/// Accepts a TOML date (`effective = 2026-07-12`) as well as a string (`"2026-07-12"`).
impl<'de> Deserialize<'de> for Date {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Raw {
            Text(String),
            Toml(toml::value::Datetime),
        }
        let text = match Raw::deserialize(deserializer)? {
            Raw::Text(text) => text,
            Raw::Toml(datetime) => datetime.to_string(),
        };
        Date::parse(&text).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_through_days() {
        let d = Date::from_ymd(2026, 7, 12).unwrap();
        assert_eq!(d.to_string(), "2026-07-12");
        assert_eq!(Date::from_days_since_2000(0).to_string(), "2000-01-01");
        assert_eq!(
            Date::parse("2024-02-29").unwrap().add_days(1).to_string(),
            "2024-03-01"
        );
        for days in (-800_000..800_000).step_by(997) {
            let date = Date::from_days_since_2000(days);
            let (y, m, dd) = date.ymd();
            assert_eq!(Date::from_ymd(y, m, dd), Some(date));
        }
    }

    #[test]
    fn impossible_dates_are_refused() {
        for bad in ["2025-02-29", "2026-13-01", "2026-7-12", "12/07/2026", ""] {
            let err = Date::parse(bad).expect_err(bad);
            assert!(err.to_string().contains("expected YYYY-MM-DD"));
        }
    }
}
