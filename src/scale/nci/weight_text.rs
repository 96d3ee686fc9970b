//! The weight text of an NCI reply: `  1.25lb`, `0.567kg`, `12.3oz`, `  250g`, `2lb 3.5oz`.
//!
//! Parsed exactly (decimal text to picograms through `Weight::parse`, no floats). A display
//! that shows something other than a weight (dashes while over capacity, a message) is not an
//! error here: the status bytes say what it means, and the caller decides.

use crate::scale::DisplayUnit;
use crate::weight::{PICOGRAMS_PER_OUNCE, Weight};

/// A weight as the scale displays it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct NciWeight {
    pub magnitude: Weight,
    /// Shown with a minus sign (below zero).
    pub negative: bool,
    pub unit: DisplayUnit,
}

/// Decimals a scale shows in each unit (the display division is one unit of the last digit):
/// 0.01 lb, 0.1 oz, 0.001 kg, 1 g; lb-oz shows ounces to 0.1.
pub fn display_decimals(unit: DisplayUnit) -> u32 {
    match unit {
        DisplayUnit::Pounds => 2,
        DisplayUnit::Ounces | DisplayUnit::PoundsOunces => 1,
        DisplayUnit::Kilograms => 3,
        DisplayUnit::Grams => 0,
    }
}

fn unit_picograms(unit: DisplayUnit) -> u128 {
    let ounce = u128::from(PICOGRAMS_PER_OUNCE);
    match unit {
        DisplayUnit::Pounds => 16 * ounce,
        DisplayUnit::Ounces | DisplayUnit::PoundsOunces => ounce,
        DisplayUnit::Kilograms => 1_000_000_000_000_000,
        DisplayUnit::Grams => 1_000_000_000_000,
    }
}

/// The text a scale sends for `weight` in `unit`, rounded half up to the display division as
/// a scale rounds, right-aligned like `   1.25lb`.
pub fn format_weight_text(weight: Weight, negative: bool, unit: DisplayUnit) -> String {
    let divisions = display_divisions(weight, unit);
    let sign = if negative && divisions > 0 { "-" } else { "" };
    match unit {
        DisplayUnit::PoundsOunces => {
            let per_pound = 16 * 10u128.pow(display_decimals(unit));
            let ounces = decimal_text(divisions % per_pound, unit);
            format!("{sign}{}lb {ounces:>4}oz", divisions / per_pound)
        }
        _ => format!(
            "{:>7}{}",
            format!("{sign}{}", decimal_text(divisions, unit)),
            unit_text(unit)
        ),
    }
}

/// The number a scale shows for `weight` in `unit` (lb-oz in ounces), rounded as
/// [`format_weight_text`] rounds: `1.25`, `-0.30`, `250`. MT-SICS sends it apart from its unit.
pub fn format_weight_number(weight: Weight, negative: bool, unit: DisplayUnit) -> String {
    let divisions = display_divisions(weight, unit);
    let sign = if negative && divisions > 0 { "-" } else { "" };
    format!("{sign}{}", decimal_text(divisions, unit))
}

/// `weight` in display divisions of `unit`, rounded half up.
fn display_divisions(weight: Weight, unit: DisplayUnit) -> u128 {
    let scale = 10u128.pow(display_decimals(unit));
    let per_division = unit_picograms(unit);
    (u128::from(weight.picograms()) * scale * 2 + per_division) / (2 * per_division)
}

/// A count of display divisions as the decimal text of `unit`.
fn decimal_text(divisions: u128, unit: DisplayUnit) -> String {
    let decimals = display_decimals(unit);
    let scale = 10u128.pow(decimals);
    match decimals {
        0 => divisions.to_string(),
        d => format!(
            "{}.{:0width$}",
            divisions / scale,
            divisions % scale,
            width = d as usize
        ),
    }
}

fn unit_text(unit: DisplayUnit) -> &'static str {
    match unit {
        DisplayUnit::Pounds => "lb",
        DisplayUnit::Ounces => "oz",
        DisplayUnit::PoundsOunces => "lb oz",
        DisplayUnit::Kilograms => "kg",
        DisplayUnit::Grams => "g",
    }
}

/// Parses a displayed weight; `None` when the text is not one (dashes, a message, a unit the
/// counter does not know, or more decimals than a weight can hold exactly).
pub fn parse_weight_text(text: &str) -> Option<NciWeight> {
    let trimmed = text.trim_matches(' ');
    let (negative, rest) = match trimmed.strip_prefix('-') {
        Some(rest) => (true, rest.trim_start_matches(' ')),
        None => (false, trimmed),
    };
    let terms = split_terms(rest)?;
    let unit = match terms.as_slice() {
        [(_, unit)] => single_unit(unit)?,
        [(_, pounds), (_, ounces)]
            if pounds.eq_ignore_ascii_case("lb") && ounces.eq_ignore_ascii_case("oz") =>
        {
            DisplayUnit::PoundsOunces
        }
        _ => return None,
    };
    let normalized: Vec<String> = terms
        .iter()
        .map(|(number, unit)| format!("{number}{unit}"))
        .collect();
    let magnitude = Weight::parse(&normalized.join(" ")).ok()?;
    Some(NciWeight {
        magnitude,
        negative,
        unit,
    })
}

fn single_unit(unit: &str) -> Option<DisplayUnit> {
    match unit.to_ascii_lowercase().as_str() {
        "lb" => Some(DisplayUnit::Pounds),
        "oz" => Some(DisplayUnit::Ounces),
        "kg" => Some(DisplayUnit::Kilograms),
        "g" => Some(DisplayUnit::Grams),
        _ => None,
    }
}

/// `1.25lb` -> [("1.25", "lb")]; `2lb 3.5oz` -> two terms. Digits with at most one point,
/// then letters; spaces only between terms.
fn split_terms(text: &str) -> Option<Vec<(&str, &str)>> {
    let mut terms = Vec::new();
    let mut rest = text;
    while !rest.is_empty() {
        let number_len = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(rest.len());
        let number = &rest[..number_len];
        let valid_number =
            number.bytes().any(|b| b.is_ascii_digit()) && number.matches('.').count() <= 1;
        rest = &rest[number_len..];
        let unit_len = rest
            .find(|c: char| !c.is_ascii_alphabetic())
            .unwrap_or(rest.len());
        let unit = &rest[..unit_len];
        if !valid_number || unit.is_empty() || terms.len() == 2 {
            return None;
        }
        terms.push((number, unit));
        rest = rest[unit_len..].trim_start_matches(' ');
    }
    (!terms.is_empty()).then_some(terms)
}
