//! A recipient's name and street line for a label, in the style of USPS Publication 28:
//! upper case, single spaces, no punctuation but what addresses use, the common street
//! suffixes and directionals abbreviated, at most 40 characters a line.
//!
//! At home the city, state and ZIP line is not typed: it comes from the ZIP directory, so it
//! cannot disagree with the ZIP the postage was priced for. Abroad the town and postal code
//! are typed as one line ([`town_line_abroad`]); the country's name follows on the label.

/// The longest line a label takes for a name or a street.
pub const LINE_MAX_CHARS: usize = 40;

/// Publication 28 appendix C1 (suffixes) and B (directionals), the common ones.
const ABBREVIATIONS: [(&str, &str); 24] = [
    ("AVENUE", "AVE"),
    ("BOULEVARD", "BLVD"),
    ("CIRCLE", "CIR"),
    ("COURT", "CT"),
    ("DRIVE", "DR"),
    ("EXPRESSWAY", "EXPY"),
    ("HIGHWAY", "HWY"),
    ("LANE", "LN"),
    ("PARKWAY", "PKWY"),
    ("PLACE", "PL"),
    ("ROAD", "RD"),
    ("SQUARE", "SQ"),
    ("STREET", "ST"),
    ("TERRACE", "TER"),
    ("TRAIL", "TRL"),
    ("APARTMENT", "APT"),
    ("SUITE", "STE"),
    ("NORTH", "N"),
    ("SOUTH", "S"),
    ("EAST", "E"),
    ("WEST", "W"),
    ("NORTHEAST", "NE"),
    ("NORTHWEST", "NW"),
    ("SOUTHEAST", "SE"),
];

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RecipientError {
    #[error(
        "{input:?} cannot go on a label ({reason}): use letters, digits, spaces and - # / & ' , . up to 40 characters"
    )]
    Refused { input: String, reason: String },
    #[error("an address abroad needs its town and postal code, like 10115 Berlin")]
    TownMissing,
}

/// The label's recipient lines from a typed name and street: empty fields are left out.
pub fn recipient_lines(name: &str, street: &str) -> Result<Vec<String>, RecipientError> {
    let mut lines = Vec::new();
    if let Some(name) = standard_line(name, false)? {
        lines.push(name);
    }
    if let Some(street) = standard_line(street, true)? {
        lines.push(street);
    }
    Ok(lines)
}

/// The town and postal code line of an address abroad, as the destination country writes
/// it ("10115 Berlin", "Toronto ON M5V 2T6"), in the same style. An address abroad with a
/// name or a street but no town cannot be delivered, so it is refused.
pub fn town_line_abroad(town: &str, has_address: bool) -> Result<Option<String>, RecipientError> {
    let line = standard_line(town, false)?;
    if line.is_none() && has_address {
        return Err(RecipientError::TownMissing);
    }
    Ok(line)
}

fn standard_line(input: &str, street: bool) -> Result<Option<String>, RecipientError> {
    let refuse = |reason: &str| RecipientError::Refused {
        input: input.to_string(),
        reason: reason.to_string(),
    };
    if let Some(bad) = input
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || " -#/&',.".contains(*c)))
    {
        return Err(refuse(&format!("{bad:?} is not accepted")));
    }
    let words: Vec<String> = input
        .split_whitespace()
        .map(|word| {
            // Pub 28 drops periods and commas; the other marks carry meaning (#, /, -, &).
            let word: String = word
                .chars()
                .filter(|c| *c != '.' && *c != ',')
                .collect::<String>()
                .to_ascii_uppercase();
            if street {
                ABBREVIATIONS
                    .iter()
                    .find(|(long, _)| *long == word)
                    .map(|(_, short)| short.to_string())
                    .unwrap_or(word)
            } else {
                word
            }
        })
        .filter(|word| !word.is_empty())
        .collect();
    let line = words.join(" ");
    if line.is_empty() {
        return Ok(None);
    }
    if line.chars().count() > LINE_MAX_CHARS {
        return Err(refuse("longer than 40 characters"));
    }
    Ok(Some(line))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_street_is_upper_cased_with_its_suffix_and_directional_abbreviated() {
        let lines =
            recipient_lines(" Jane  Q. Doe ", "1200 north Main Street, Apartment 4").unwrap();
        assert_eq!(lines, ["JANE Q DOE", "1200 N MAIN ST APT 4"]);
    }

    #[test]
    fn empty_fields_give_no_lines_and_control_characters_are_refused_quoted() {
        assert!(recipient_lines("", "  ").unwrap().is_empty());
        let error = recipient_lines("Jane\x1b[2J", "").unwrap_err();
        assert!(error.to_string().contains("\"Jane\\u{1b}[2J\""), "{error}");
    }

    #[test]
    fn an_address_abroad_needs_its_town() {
        assert_eq!(
            town_line_abroad(" 10115  Berlin ", true).unwrap(),
            Some("10115 BERLIN".to_string())
        );
        assert_eq!(town_line_abroad("", false).unwrap(), None);
        let error = town_line_abroad(" ", true).unwrap_err();
        assert!(error.to_string().contains("needs its town"), "{error}");
    }

    #[test]
    fn a_line_over_forty_characters_is_refused() {
        let long = "A".repeat(41);
        assert!(recipient_lines(&long, "").is_err());
        assert!(recipient_lines(&"A".repeat(40), "").is_ok());
    }
}
