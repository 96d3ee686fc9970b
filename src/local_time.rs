//! The counter's local time: the date of mailing a post office prints is its own date, not
//! UTC's (at 20:00 in Los Angeles it is already tomorrow in UTC).
//!
//! The time zone is configuration (`time_zone`, an IANA name; empty takes the system's) and
//! is checked when the configuration loads, so a misspelt zone stops start-up instead of
//! printing wrong dates. The clock itself stays UTC milliseconds ([`crate::clock::Clock`]);
//! only the conversion to a day and a time of day is local. The time zone database is the
//! system's where it has one, else the copy built into the binary.
//!
//! A station's zone is its own setting, so it is not trusted with anything of value: the
//! data centre and the PSD accept a date of mailing inside the window of dates that are
//! "today" somewhere on Earth ([`mailing_date_window`]), which no zone setting can widen.

use jiff::Timestamp;
use jiff::tz::TimeZone;

use crate::date::Date;

/// The furthest any civil time zone lags UTC (Baker Island, UTC-12), in milliseconds.
const EARLIEST_OFFSET_MS: i64 = 12 * 3_600_000;
/// The furthest any civil time zone leads UTC (Kiribati, UTC+14), in milliseconds.
const LATEST_OFFSET_MS: i64 = 14 * 3_600_000;

/// A time zone, with the name it was configured by.
#[derive(Clone, Debug)]
pub struct LocalTime {
    zone: TimeZone,
    name: String,
}

/// A `time_zone` setting that names no zone of the database.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "time zone {input:?} is not known: expected an IANA name like America/New_York, America/Los_Angeles or UTC, or empty for the system's"
)]
pub struct TimeZoneError {
    pub input: String,
}

impl LocalTime {
    /// The zone `setting` names; empty is the system's (UTC when the system names none).
    pub fn from_setting(setting: &str) -> Result<LocalTime, TimeZoneError> {
        let setting = setting.trim();
        if setting.is_empty() {
            let zone = TimeZone::system();
            let name = zone.iana_name().unwrap_or("system").to_string();
            return Ok(LocalTime { zone, name });
        }
        let zone = TimeZone::get(setting).map_err(|_| TimeZoneError {
            input: setting.to_string(),
        })?;
        Ok(LocalTime {
            zone,
            name: setting.to_string(),
        })
    }

    pub fn utc() -> LocalTime {
        LocalTime {
            zone: TimeZone::UTC,
            name: "UTC".into(),
        }
    }

    /// The zone's name, as configured (or the system's).
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The local date of a moment.
    pub fn date_of(&self, unix_ms: i64) -> Date {
        let date = timestamp(unix_ms).to_zoned(self.zone.clone()).date();
        Date::from_ymd(
            i32::from(date.year()),
            u32::try_from(date.month()).unwrap_or(1),
            u32::try_from(date.day()).unwrap_or(1),
        )
        .unwrap_or_else(|| Date::from_unix_seconds(u64::try_from(unix_ms / 1000).unwrap_or(0)))
    }

    /// `2026-12-06 20:00 PST`: the local date and time of a moment, as a receipt prints it.
    pub fn date_time_text(&self, unix_ms: i64) -> String {
        timestamp(unix_ms)
            .to_zoned(self.zone.clone())
            .strftime("%Y-%m-%d %H:%M %Z")
            .to_string()
    }
}

fn timestamp(unix_ms: i64) -> Timestamp {
    Timestamp::from_millisecond(unix_ms).unwrap_or(Timestamp::UNIX_EPOCH)
}

/// The dates that are today somewhere on Earth at `now_unix_ms`: the earliest (UTC-12) and
/// the latest (UTC+14). A date of mailing from the first to the second plus the post-dating
/// allowance is accepted whatever the counter's zone.
pub fn mailing_date_window(now_unix_ms: i64) -> (Date, Date) {
    let utc = LocalTime::utc();
    (
        utc.date_of(now_unix_ms - EARLIEST_OFFSET_MS),
        utc.date_of(now_unix_ms + LATEST_OFFSET_MS),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// 2026-12-07 04:00 UTC: 20:00 on the 6th in Los Angeles.
    const EVENING_IN_LOS_ANGELES_MS: i64 = 1_796_616_000_000;

    #[test]
    fn at_eight_in_the_evening_in_los_angeles_the_date_is_still_the_sixth() {
        let los_angeles = LocalTime::from_setting("America/Los_Angeles").expect("zone");
        let date = |text: &str| Date::parse(text).expect("date");
        assert_eq!(
            los_angeles.date_of(EVENING_IN_LOS_ANGELES_MS),
            date("2026-12-06")
        );
        assert_eq!(
            LocalTime::utc().date_of(EVENING_IN_LOS_ANGELES_MS),
            date("2026-12-07")
        );
        assert_eq!(
            los_angeles.date_time_text(EVENING_IN_LOS_ANGELES_MS),
            "2026-12-06 20:00 PST"
        );
        // Four hours later it is midnight there, and the date turns.
        let midnight = EVENING_IN_LOS_ANGELES_MS + 4 * 3_600_000;
        assert_eq!(los_angeles.date_of(midnight - 1), date("2026-12-06"));
        assert_eq!(los_angeles.date_of(midnight), date("2026-12-07"));
    }

    #[test]
    fn an_unknown_zone_is_refused_quoting_it() {
        let error = LocalTime::from_setting("America/Lost_Angeles").expect_err("unknown");
        assert_eq!(error.input, "America/Lost_Angeles");
        assert!(LocalTime::from_setting("").is_ok());
    }

    #[test]
    fn the_window_holds_every_zones_today_and_no_more() {
        let (earliest, latest) = mailing_date_window(EVENING_IN_LOS_ANGELES_MS);
        // 04:00 UTC on the 7th: still the 6th at UTC-12, already the 7th at UTC+14.
        assert_eq!(earliest, Date::parse("2026-12-06").expect("date"));
        assert_eq!(latest, Date::parse("2026-12-07").expect("date"));
    }
}
