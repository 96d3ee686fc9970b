//! Where the stores read the time: the issue time of each piece, the day a void or a card
//! expiry is judged against. The system clock in service; tests move a manual one. A caller
//! never passes a date that decides a refund or an approval.

use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use crate::date::Date;

const DAYS_FROM_1970_TO_2000: i64 = 10_957;

#[derive(Clone)]
pub struct Clock(Arc<dyn Fn() -> i64 + Send + Sync>);

impl Clock {
    pub fn system() -> Clock {
        Clock(Arc::new(system_unix_ms))
    }

    /// A clock that reads milliseconds since 1970 from `now_unix_ms`.
    pub fn from_fn(now_unix_ms: impl Fn() -> i64 + Send + Sync + 'static) -> Clock {
        Clock(Arc::new(now_unix_ms))
    }

    pub fn now_unix_ms(&self) -> i64 {
        (self.0)()
    }

    /// The UTC day of now.
    pub fn today(&self) -> Date {
        day_of_unix_ms(self.now_unix_ms())
    }

    /// The earliest date that is today anywhere on Earth (UTC-12): where a certificate's
    /// validity starts, so that a counter whose local date still lags UTC's can use it for
    /// the pieces it dates today.
    pub fn earliest_today(&self) -> Date {
        crate::local_time::mailing_date_window(self.now_unix_ms()).0
    }
}

fn system_unix_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}

/// `2026-12-06 05:39 UTC`: a time as people read it in a message.
pub fn format_unix_ms(unix_ms: i64) -> String {
    let day = day_of_unix_ms(unix_ms);
    let of_day_minutes = unix_ms.rem_euclid(86_400_000) / 60_000;
    format!(
        "{day} {:02}:{:02} UTC",
        of_day_minutes / 60,
        of_day_minutes % 60
    )
}

/// The first millisecond of a UTC day.
pub fn start_of_day_unix_ms(day: Date) -> i64 {
    (i64::from(day.days_since_2000()) + DAYS_FROM_1970_TO_2000) * 86_400_000
}

/// The UTC day of a moment.
pub fn day_of_unix_ms(unix_ms: i64) -> Date {
    let days = unix_ms.div_euclid(86_400_000) - DAYS_FROM_1970_TO_2000;
    Date::from_days_since_2000(i32::try_from(days).unwrap_or(0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_day_starts_at_its_first_millisecond_and_ends_before_the_next() {
        let day = Date::parse("2026-11-21").unwrap();
        let start = start_of_day_unix_ms(day);
        assert_eq!(day_of_unix_ms(start), day);
        assert_eq!(day_of_unix_ms(start - 1), day.add_days(-1));
        assert_eq!(day_of_unix_ms(start + 86_399_999), day);
    }
}
