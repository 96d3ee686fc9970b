//! When a game draws, and until when it sells: weekdays and a local time of day in the
//! game's time zone, with sales closing a set number of minutes before each draw. Every
//! judgement against a schedule takes the data centre's clock: a station's never decides
//! whether a draw still sells.

use jiff::civil;
use jiff::tz::TimeZone;
use serde::{Deserialize, Serialize};

use crate::date::Date;

/// A day of the week, as a schedule names it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Day {
    Mon,
    Tue,
    Wed,
    Thu,
    Fri,
    Sat,
    Sun,
}

impl Day {
    fn of(weekday: civil::Weekday) -> Day {
        match weekday {
            civil::Weekday::Monday => Day::Mon,
            civil::Weekday::Tuesday => Day::Tue,
            civil::Weekday::Wednesday => Day::Wed,
            civil::Weekday::Thursday => Day::Thu,
            civil::Weekday::Friday => Day::Fri,
            civil::Weekday::Saturday => Day::Sat,
            civil::Weekday::Sunday => Day::Sun,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DrawSchedule {
    pub days: Vec<Day>,
    /// The draw's local time, `HH:MM`.
    pub time: String,
    /// An IANA time zone name, e.g. `America/New_York`.
    pub time_zone: String,
    /// Sales close this many minutes before the draw.
    pub cutoff_minutes: u16,
}

/// One draw of a game: its local date, when it is drawn, and when its sales close.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Draw {
    pub date: Date,
    pub draw_unix_ms: i64,
    pub cutoff_unix_ms: i64,
}

/// How far ahead a schedule is searched for draws (a game drawing at least once a week
/// finds its next fourteen draws within it).
const SEARCH_DAYS: i32 = 120;

impl DrawSchedule {
    /// Why the schedule cannot be used, if it cannot.
    pub fn problem(&self) -> Option<String> {
        if self.days.is_empty() {
            return Some("draws.days names no day: give e.g. [\"mon\", \"thu\"]".into());
        }
        if self.time_of_day().is_none() {
            return Some(format!(
                "draws.time {:?} is not accepted: a local time HH:MM, e.g. \"19:30\"",
                self.time
            ));
        }
        if TimeZone::get(&self.time_zone).is_err() {
            return Some(format!(
                "draws.time_zone {:?} is not known: an IANA name like America/New_York",
                self.time_zone
            ));
        }
        if self.cutoff_minutes > 24 * 60 {
            return Some(format!(
                "draws.cutoff_minutes {} is over a day: sales close at most 1440 minutes before a draw",
                self.cutoff_minutes
            ));
        }
        None
    }

    fn time_of_day(&self) -> Option<(i8, i8)> {
        let (hours, minutes) = self.time.split_once(':')?;
        let (hours, minutes): (i8, i8) = (hours.parse().ok()?, minutes.parse().ok()?);
        ((0..24).contains(&hours) && (0..60).contains(&minutes) && self.time.len() == 5)
            .then_some((hours, minutes))
    }

    /// The draw on local date `date`, if the game draws that day.
    pub fn draw_on(&self, date: Date) -> Option<Draw> {
        let (hours, minutes) = self.time_of_day()?;
        let zone = TimeZone::get(&self.time_zone).ok()?;
        let (year, month, day) = date.ymd();
        let civil_date = civil::Date::new(
            i16::try_from(year).ok()?,
            i8::try_from(month).ok()?,
            i8::try_from(day).ok()?,
        )
        .ok()?;
        if !self.days.contains(&Day::of(civil_date.weekday())) {
            return None;
        }
        let zoned = civil_date.at(hours, minutes, 0, 0).to_zoned(zone).ok()?;
        let draw_unix_ms = zoned.timestamp().as_millisecond();
        Some(Draw {
            date,
            draw_unix_ms,
            cutoff_unix_ms: draw_unix_ms - i64::from(self.cutoff_minutes) * 60_000,
        })
    }

    /// The first `count` draws, from the one on `first` (or the first after it).
    pub fn draws_from(&self, first: Date, count: usize) -> Vec<Draw> {
        (0..SEARCH_DAYS)
            .filter_map(|offset| self.draw_on(first.add_days(offset)))
            .take(count)
            .collect()
    }

    /// The next `count` draws whose sales are open at `now_unix_ms`.
    pub fn open_draws(&self, now_unix_ms: i64, count: usize) -> Vec<Draw> {
        let yesterday = crate::clock::day_of_unix_ms(now_unix_ms).add_days(-1);
        (0..SEARCH_DAYS)
            .filter_map(|offset| self.draw_on(yesterday.add_days(offset)))
            .filter(|draw| draw.cutoff_unix_ms > now_unix_ms)
            .take(count)
            .collect()
    }

    /// The local date of `unix_ms` in the game's zone (a cancellation's "same day"); `None`
    /// when the zone is not known (a definition the check would have refused).
    pub fn local_date(&self, unix_ms: i64) -> Option<Date> {
        crate::local_time::LocalTime::from_setting(&self.time_zone)
            .ok()
            .map(|zone| zone.date_of(unix_ms))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn evening() -> DrawSchedule {
        DrawSchedule {
            days: vec![Day::Mon, Day::Wed, Day::Sat],
            time: "19:30".into(),
            time_zone: "America/New_York".into(),
            cutoff_minutes: 10,
        }
    }

    #[test]
    fn draws_fall_on_their_days_at_local_time_and_close_before() {
        let schedule = evening();
        // 2026-12-07 is a Monday; New York is at UTC-5 in December.
        let monday = Date::parse("2026-12-07").unwrap();
        let draw = schedule.draw_on(monday).unwrap();
        assert_eq!(
            crate::clock::format_unix_ms(draw.draw_unix_ms),
            "2026-12-08 00:30 UTC"
        );
        assert_eq!(draw.draw_unix_ms - draw.cutoff_unix_ms, 600_000);
        assert!(schedule.draw_on(monday.add_days(1)).is_none());
        let dates: Vec<String> = schedule
            .draws_from(monday, 4)
            .iter()
            .map(|d| d.date.to_string())
            .collect();
        assert_eq!(
            dates,
            ["2026-12-07", "2026-12-09", "2026-12-12", "2026-12-14"]
        );
        // A minute before Monday's cut-off Monday still sells; a minute after, Wednesday's next.
        let open = schedule.open_draws(draw.cutoff_unix_ms - 60_000, 1);
        assert_eq!(open[0].date, monday);
        let open = schedule.open_draws(draw.cutoff_unix_ms, 1);
        assert_eq!(open[0].date.to_string(), "2026-12-09");
    }

    #[test]
    fn a_bad_schedule_says_what_is_wrong() {
        let mut schedule = evening();
        schedule.time = "7:30pm".into();
        assert!(schedule.problem().unwrap().contains("\"7:30pm\""));
        let mut schedule = evening();
        schedule.time_zone = "Mars/Olympus".into();
        assert!(schedule.problem().unwrap().contains("Mars/Olympus"));
        let mut schedule = evening();
        schedule.days.clear();
        assert!(schedule.problem().is_some());
        assert!(evening().problem().is_none());
    }
}
