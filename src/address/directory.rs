//! The ZIP directory: every record of the `zipcodes` crate's US directory, reduced at build
//! time (see `build.rs`) to the ZIP, city, state and coordinates, and embedded as text.
//!
//! Records are parsed on first use into one vector of borrowed fields (the text is static),
//! about 3 MB, instead of the crate's 60 MB of decompressed and parsed JSON.

use std::collections::HashMap;
use std::sync::OnceLock;

static TABLE: &str = include_str!(concat!(env!("OUT_DIR"), "/zip_directory.tsv"));

/// One directory record.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ZipRecord {
    pub zip5: &'static str,
    pub city: &'static str,
    pub state: &'static str,
    /// Latitude and longitude as the directory writes them; `None` when it has none.
    pub lat_long: Option<(f64, f64)>,
}

/// Every record, in the directory's order (a ZIP may appear more than once).
pub fn records() -> &'static [ZipRecord] {
    static RECORDS: OnceLock<Vec<ZipRecord>> = OnceLock::new();
    RECORDS.get_or_init(|| {
        TABLE
            .lines()
            .filter_map(|line| {
                let mut fields = line.split('\t');
                let (zip5, city, state, lat, long) = (
                    fields.next()?,
                    fields.next()?,
                    fields.next()?,
                    fields.next()?,
                    fields.next()?,
                );
                let lat_long = lat.parse::<f64>().ok().zip(long.parse::<f64>().ok());
                Some(ZipRecord {
                    zip5,
                    city,
                    state,
                    lat_long,
                })
            })
            .collect()
    })
}

/// The first record of a 5-digit ZIP.
pub fn find(zip5: &str) -> Option<&'static ZipRecord> {
    static INDEX: OnceLock<HashMap<&'static str, usize>> = OnceLock::new();
    let index = INDEX.get_or_init(|| {
        let mut index = HashMap::new();
        for (position, record) in records().iter().enumerate() {
            index.entry(record.zip5).or_insert(position);
        }
        index
    });
    index.get(zip5).map(|&position| &records()[position])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_directory_holds_the_whole_country_and_finds_a_zip_with_its_place() {
        assert!(records().len() > 40_000, "{}", records().len());
        let beverly_hills = find("90210").unwrap();
        assert_eq!(
            (beverly_hills.city, beverly_hills.state),
            ("Beverly Hills", "CA")
        );
        assert!(beverly_hills.lat_long.is_some());
        assert!(find("00000").is_none());
    }
}
