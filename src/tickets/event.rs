//! An event as the data centre defines it: where and when, its price classes, the sections of
//! its seat map (rows of numbered seats) and its general-admission areas (a capacity, no
//! seats). Every place that can be sold has a name: `A-1-1` (section, row, seat) or `GA-17`
//! (area and place), so a seat is a row of the store that is sold once. Events are data: a
//! TOML file the administrator loads, kept as JSON.

use serde::{Deserialize, Serialize};

use crate::money::Money;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PriceClass {
    pub name: String,
    pub price_mills: i64,
}

/// Rows of numbered seats, all of one price class.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Section {
    pub name: String,
    pub rows: u16,
    pub seats_per_row: u16,
    pub price_class: String,
}

/// Places without seats: a capacity.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct GeneralAdmission {
    pub name: String,
    pub capacity: u32,
    pub price_class: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Event {
    pub event_id: String,
    pub name: String,
    pub venue: String,
    pub starts_unix_ms: i64,
    /// The venue's time zone, an IANA name: times are shown in it.
    pub time_zone: String,
    pub price_classes: Vec<PriceClass>,
    pub sections: Vec<Section>,
    pub general_admission: Vec<GeneralAdmission>,
}

/// One place that can be sold.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Place {
    pub seat: String,
    pub price_class: String,
    pub price_mills: i64,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct EventFile {
    event: String,
    name: String,
    venue: String,
    /// Local date and time, `YYYY-MM-DD HH:MM`.
    starts: String,
    time_zone: String,
    price_class: Vec<PriceClassFile>,
    #[serde(default)]
    section: Vec<Section>,
    #[serde(default)]
    general_admission: Vec<GeneralAdmission>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct PriceClassFile {
    name: String,
    price: String,
}

/// Why an event definition or a seat name is refused; the message quotes what was given.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct EventError(pub String);

/// The most places one event may have: every one is a row of the store.
const PLACES_MAX: u64 = 100_000;

fn is_name(text: &str, most: usize) -> bool {
    !text.is_empty()
        && text.len() <= most
        && text.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
}

/// The moment of `starts` (`YYYY-MM-DD HH:MM`) in `time_zone`.
pub fn local_moment(starts: &str, time_zone: &str) -> Result<i64, EventError> {
    let zone = jiff::tz::TimeZone::get(time_zone).map_err(|_| {
        EventError(format!(
            "time_zone {time_zone:?} is not known: an IANA name like America/New_York"
        ))
    })?;
    let civil: jiff::civil::DateTime = starts.trim().replace(' ', "T").parse().map_err(|_| {
        EventError(format!(
            "starts {starts:?} is not accepted: a local date and time YYYY-MM-DD HH:MM"
        ))
    })?;
    let zoned = civil
        .to_zoned(zone)
        .map_err(|e| EventError(format!("starts {starts:?}: {e}")))?;
    Ok(zoned.timestamp().as_millisecond())
}

impl Event {
    /// An event from its TOML definition, checked.
    pub fn from_toml(text: &str) -> Result<Event, EventError> {
        let file: EventFile = toml::from_str(text)
            .map_err(|e| EventError(format!("the event definition is not accepted: {e}")))?;
        let price_classes = file
            .price_class
            .iter()
            .map(|class| {
                let price = Money::parse(&class.price).map_err(|e| {
                    EventError(format!("price {:?} of {:?}: {e}", class.price, class.name))
                })?;
                Ok(PriceClass {
                    name: class.name.clone(),
                    price_mills: price.mills(),
                })
            })
            .collect::<Result<Vec<_>, EventError>>()?;
        let event = Event {
            event_id: file.event,
            name: file.name,
            venue: file.venue,
            starts_unix_ms: local_moment(&file.starts, &file.time_zone)?,
            time_zone: file.time_zone,
            price_classes,
            sections: file.section,
            general_admission: file.general_admission,
        };
        event.check()?;
        Ok(event)
    }

    /// Refuses an event whose places could not be named, priced or sold.
    pub fn check(&self) -> Result<(), EventError> {
        let bad = |reason: String| Err(EventError(reason));
        if !is_name(&self.event_id, 32) || self.event_id.chars().any(|c| c.is_ascii_uppercase()) {
            return bad(format!(
                "event {:?} is not accepted: 1 to 32 lower-case letters, digits or dashes",
                self.event_id
            ));
        }
        for (what, text) in [("name", &self.name), ("venue", &self.venue)] {
            if text.is_empty()
                || text.len() > 40
                || !text.chars().all(|c| c.is_ascii_graphic() || c == ' ')
            {
                return bad(format!(
                    "{what} {text:?} is not accepted: 1 to 40 printable ASCII characters"
                ));
            }
        }
        for class in &self.price_classes {
            if !is_name(&class.name, 16) || class.price_mills <= 0 {
                return bad(format!(
                    "price class {:?} is not accepted: a name of 1 to 16 letters, digits or dashes, a price above zero",
                    class.name
                ));
            }
        }
        self.check_places()
    }

    /// Refuses sections and areas that could not be named, priced or stored.
    fn check_places(&self) -> Result<(), EventError> {
        let bad = |reason: String| Err(EventError(reason));
        let mut areas: Vec<(&str, &str)> = self
            .sections
            .iter()
            .map(|s| (s.name.as_str(), s.price_class.as_str()))
            .collect();
        areas.extend(
            self.general_admission
                .iter()
                .map(|g| (g.name.as_str(), g.price_class.as_str())),
        );
        if areas.is_empty() {
            return bad(
                "the event has no section and no general admission: nothing to sell".into(),
            );
        }
        for (at, (name, class)) in areas.iter().enumerate() {
            if !is_name(name, 4)
                || name.contains('-')
                || areas[..at].iter().any(|(other, _)| other == name)
            {
                return bad(format!(
                    "section {name:?} is not accepted: 1 to 4 letters or digits, once"
                ));
            }
            if !self.price_classes.iter().any(|c| c.name == *class) {
                return bad(format!(
                    "section {name:?} names price class {class:?}, which the event does not have"
                ));
            }
        }
        let seated: u64 = self
            .sections
            .iter()
            .map(|s| u64::from(s.rows) * u64::from(s.seats_per_row))
            .sum();
        let standing: u64 = self
            .general_admission
            .iter()
            .map(|g| u64::from(g.capacity))
            .sum();
        if seated + standing > PLACES_MAX
            || self
                .sections
                .iter()
                .any(|s| s.rows == 0 || s.seats_per_row == 0)
        {
            return bad(format!(
                "{} places are not accepted: every section has rows and seats, at most {PLACES_MAX} places in all",
                seated + standing
            ));
        }
        Ok(())
    }

    fn price_of(&self, class: &str) -> i64 {
        self.price_classes
            .iter()
            .find(|c| c.name == class)
            .map_or(0, |c| c.price_mills)
    }

    /// Every place of the event, section by section, row by row.
    pub fn places(&self) -> Vec<Place> {
        let mut places = Vec::new();
        for section in &self.sections {
            for row in 1..=section.rows {
                for seat in 1..=section.seats_per_row {
                    places.push(Place {
                        seat: format!("{}-{row}-{seat}", section.name),
                        price_class: section.price_class.clone(),
                        price_mills: self.price_of(&section.price_class),
                    });
                }
            }
        }
        for area in &self.general_admission {
            for place in 1..=area.capacity {
                places.push(Place {
                    seat: format!("{}-{place}", area.name),
                    price_class: area.price_class.clone(),
                    price_mills: self.price_of(&area.price_class),
                });
            }
        }
        places
    }

    /// Whether `seat` names a place of this event.
    pub fn has_place(&self, seat: &str) -> bool {
        let parts: Vec<&str> = seat.split('-').collect();
        let number = |text: &str, most: u32| {
            text.parse::<u32>().is_ok_and(|n| n >= 1 && n <= most) && !text.starts_with('0')
        };
        match parts.as_slice() {
            [section, row, place] => self.sections.iter().any(|s| {
                s.name == *section
                    && number(row, u32::from(s.rows))
                    && number(place, u32::from(s.seats_per_row))
            }),
            [area, place] => self
                .general_admission
                .iter()
                .any(|g| g.name == *area && number(place, g.capacity)),
            _ => false,
        }
    }
}

/// The demo event a first run sets up, thirty days from `now_unix_ms` at 20:00 in its zone.
pub const DEMO_EVENT_TOML: &str = include_str!("../../tickets/demo-event.toml");

pub fn demo_event(now_unix_ms: i64) -> Result<Event, EventError> {
    let mut event = Event::from_toml(DEMO_EVENT_TOML)?;
    let day = crate::local_time::LocalTime::from_setting(&event.time_zone)
        .map_err(|e| EventError(e.to_string()))?
        .date_of(now_unix_ms)
        .add_days(30);
    event.starts_unix_ms = local_moment(&format!("{day} 20:00"), &event.time_zone)?;
    Ok(event)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_demo_event_names_its_places_and_knows_them() {
        let event = demo_event(1_765_155_840_000).unwrap();
        let places = event.places();
        assert_eq!(places.first().unwrap().seat, "A-1-1");
        assert_eq!(places.len(), 3 * 8 + 2 * 10 + 40);
        assert!(event.has_place("A-1-1") && event.has_place("B-2-10") && event.has_place("GA-40"));
        for bad in [
            "A-0-1", "A-4-1", "A-1-9", "A-01-1", "GA-41", "C-1-1", "A-1", "", "A-1-1-1",
        ] {
            assert!(!event.has_place(bad), "{bad}");
        }
        assert!(
            places
                .iter()
                .all(|p| event.has_place(&p.seat) && p.price_mills > 0)
        );
        assert_eq!(
            crate::clock::format_unix_ms(event.starts_unix_ms),
            "2026-01-07 01:00 UTC"
        );
    }

    #[test]
    fn a_bad_definition_says_what_is_wrong() {
        let broken =
            DEMO_EVENT_TOML.replace("price_class = \"balcony\"", "price_class = \"royal\"");
        assert!(
            Event::from_toml(&broken)
                .unwrap_err()
                .0
                .contains("\"royal\"")
        );
        let broken = DEMO_EVENT_TOML.replace("rows = 3", "rows = 0");
        assert!(Event::from_toml(&broken).is_err());
        let broken = DEMO_EVENT_TOML.replace("event = \"demo\"", "event = \"Demo!\"");
        assert!(
            Event::from_toml(&broken)
                .unwrap_err()
                .0
                .contains("\"Demo!\"")
        );
    }
}
