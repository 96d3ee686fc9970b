//! Zones: how far a parcel travels, in the bands USPS prices by.
//!
//! USPS derives zones from the straight-line distance between the origin and destination
//! 3-digit ZIP areas. We do the same with the coordinates of the `zipcodes` directory: the
//! centroid of a 3-digit area is the mean latitude and longitude of its ZIPs (records at 0,0
//! have no coordinates and are left out), computed once on first use. Distances are great
//! circle miles (haversine). Bands (DOMAIN.md): zone 1 up to 50 mi, 2 up to 150, 3 up to 300,
//! 4 up to 600, 5 up to 1,000, 6 up to 1,400, 7 up to 1,800, 8 beyond; the same 3-digit area
//! is zone 1. Zone 9 is not a distance: it is mail to or from the Pacific territories and
//! freely associated states served through prefix 969 (Guam, Northern Mariana Islands,
//! Palau, Micronesia, Marshall Islands) and American Samoa (96799), unless both ends are in
//! the same 3-digit area. Overseas military areas (APO/FPO/DPO) have no coordinates in the
//! directory, so they get no zone and zoned products are excluded for them.

use std::collections::HashMap;
use std::fmt;
use std::sync::OnceLock;

use crate::address::ZipCode;

/// A USPS zone, 1 to 9.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Zone(u8);

/// Upper bound of each distance band, in miles, for zones 1 to 7; beyond is zone 8.
const BAND_MAX_MILES: [(u8, f64); 7] = [
    (1, 50.0),
    (2, 150.0),
    (3, 300.0),
    (4, 600.0),
    (5, 1000.0),
    (6, 1400.0),
    (7, 1800.0),
];

/// Mean Earth radius in miles, as the `zipcodes` crate uses.
const EARTH_RADIUS_MILES: f64 = 3956.0;

impl Zone {
    pub const fn new(number: u8) -> Option<Zone> {
        if number >= 1 && number <= 9 {
            Some(Zone(number))
        } else {
            None
        }
    }

    pub const fn number(self) -> u8 {
        self.0
    }

    /// The zone of a distance between two 3-digit areas.
    pub fn from_miles(miles: f64) -> Zone {
        BAND_MAX_MILES
            .iter()
            .find(|(_, max)| miles <= *max)
            .map_or(Zone(8), |(zone, _)| Zone(*zone))
    }
}

impl fmt::Display for Zone {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(&format!("Zone {}", self.0))
    }
}

/// Why two ZIP codes have no zone; the message is a sentence for the clerk.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("ZIP area {prefix} has no coordinates in the ZIP directory")]
pub struct ZoneError {
    pub prefix: String,
}

/// Whether a ZIP is in the areas priced as zone 9.
pub fn is_zone_9_area(zip: &ZipCode) -> bool {
    zip.prefix3() == "969" || zip.zip5() == "96799"
}

/// The 3-digit area of the domestic gateway that APO/FPO/DPO mail to `zip` goes through,
/// for a military or diplomatic ZIP.
pub fn military_gateway(zip: &ZipCode) -> Option<&'static str> {
    match zip.prefix3().parse::<u16>().ok()? {
        90..=98 => Some("114"),
        340 => Some("331"),
        962..=966 => Some("941"),
        _ => None,
    }
}

/// Whether a ZIP is an overseas military or diplomatic post office (APO/FPO/DPO).
pub fn is_military(zip: &ZipCode) -> bool {
    military_gateway(zip).is_some()
}

/// The 3-digit area a zone is measured from: the ZIP's own, or its military gateway's.
fn priced_area(zip: &ZipCode) -> &str {
    military_gateway(zip).unwrap_or(zip.prefix3())
}

/// The zone between two ZIP codes (symmetric).
pub fn zone_between(origin: &ZipCode, destination: &ZipCode) -> Result<Zone, ZoneError> {
    let (from, to) = (priced_area(origin), priced_area(destination));
    if from == to {
        return Ok(Zone(1));
    }
    if is_zone_9_area(origin) || is_zone_9_area(destination) {
        return Ok(Zone(9));
    }
    let from = centroid(from)?;
    let to = centroid(to)?;
    Ok(Zone::from_miles(haversine_miles(from, to)))
}

/// Great-circle distance between two (latitude, longitude) points in degrees.
pub fn haversine_miles((lat1, lon1): (f64, f64), (lat2, lon2): (f64, f64)) -> f64 {
    let (lat1, lon1, lat2, lon2) = (
        lat1.to_radians(),
        lon1.to_radians(),
        lat2.to_radians(),
        lon2.to_radians(),
    );
    let a = ((lat2 - lat1) / 2.0).sin().powi(2)
        + lat1.cos() * lat2.cos() * ((lon2 - lon1) / 2.0).sin().powi(2);
    2.0 * EARTH_RADIUS_MILES * a.sqrt().asin()
}

/// The centroid (latitude, longitude) of a 3-digit ZIP area.
pub fn centroid(prefix: &str) -> Result<(f64, f64), ZoneError> {
    centroids().get(prefix).copied().ok_or_else(|| ZoneError {
        prefix: prefix.to_string(),
    })
}

fn centroids() -> &'static HashMap<String, (f64, f64)> {
    static CENTROIDS: OnceLock<HashMap<String, (f64, f64)>> = OnceLock::new();
    CENTROIDS.get_or_init(|| {
        let mut sums: HashMap<String, (f64, f64, u32)> = HashMap::new();
        for record in crate::address::directory::records() {
            let Some((lat, long)) = record.lat_long else {
                continue;
            };
            if (lat == 0.0 && long == 0.0) || record.zip5.len() != 5 {
                continue;
            }
            let sum = sums
                .entry(record.zip5[..3].to_string())
                .or_insert((0.0, 0.0, 0));
            *sum = (sum.0 + lat, sum.1 + long, sum.2 + 1);
        }
        sums.into_iter()
            .map(|(prefix, (lat, long, count))| {
                (prefix, (lat / f64::from(count), long / f64::from(count)))
            })
            .collect()
    })
}
