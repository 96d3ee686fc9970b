//! Product names in narrow columns (the supervisor's chart and list of pieces).
//!
//! "First-Class Mail Letter", "... Large Envelope" and "... Postcard" share their first 17
//! characters, so cutting names at a fixed width makes them one. A name that does not fit is
//! shortened word by word with the abbreviations a post office uses, longest phrase first,
//! and only then cut with an ellipsis.

use super::fit::ellipsized;

/// Phrases and their short forms, tried in order until the name fits.
pub const PRODUCT_ABBREVIATIONS: [(&str, &str); 12] = [
    ("USPS Ground Advantage", "Ground Advantage"),
    ("First-Class Package International Service", "FCPIS"),
    ("First-Class Mail International", "FCMI"),
    ("First-Class Mail", "FCM"),
    ("Priority Mail Express", "PME"),
    ("Priority Mail", "PM"),
    ("International", "Intl"),
    ("Flat Rate", "FR"),
    ("Large Envelope", "Flat"),
    ("Envelope", "Env"),
    ("Ground Advantage", "GA"),
    ("Postcard", "Card"),
];

/// `name` in at most `width` columns.
pub(super) fn short_product_name(name: &str, width: usize) -> String {
    let mut short = name.to_string();
    for (phrase, abbreviation) in PRODUCT_ABBREVIATIONS {
        if short.chars().count() <= width {
            break;
        }
        short = short.replace(phrase, abbreviation);
    }
    ellipsized(&short, width)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn letters_flats_and_postcards_stay_apart() {
        let names = [
            "First-Class Mail Letter",
            "First-Class Mail Large Envelope",
            "First-Class Mail Postcard",
        ];
        let short: Vec<String> = names.iter().map(|n| short_product_name(n, 14)).collect();
        assert_eq!(short, ["FCM Letter", "FCM Flat", "FCM Postcard"]);
        assert_eq!(short_product_name("Priority Mail", 14), "Priority Mail");
        assert_eq!(
            short_product_name("Priority Mail Express International Flat Rate Envelope", 19),
            "PME Intl FR Env"
        );
    }
}
