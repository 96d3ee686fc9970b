//! The mail piece being priced: weight, shape and (optionally) dimensions.
//!
//! Dimensions are exact integers in thousandths of an inch, because the limits they are
//! checked against are written to the thousandth (a letter is at most 6.125 in high and
//! 0.25 in thick) and a float would put a piece on the wrong side of one. A clerk types them
//! in any order; they are kept sorted, longest first, since every rule speaks of "length"
//! as the longest side.

use std::fmt;
use std::str::FromStr;

use crate::weight::Weight;

/// Thousandths of an inch in one inch.
pub const THOU_PER_INCH: u64 = 1000;

/// The processing shape of a piece, which decides the products that can carry it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Shape {
    Letter,
    Postcard,
    /// A flat: bigger than a letter, still flexible and uniformly thick.
    LargeEnvelope,
    Parcel,
}

impl Shape {
    pub const ALL: &'static [Shape] = &[
        Shape::Letter,
        Shape::Postcard,
        Shape::LargeEnvelope,
        Shape::Parcel,
    ];

    pub const fn slug(self) -> &'static str {
        match self {
            Shape::Letter => "letter",
            Shape::Postcard => "postcard",
            Shape::LargeEnvelope => "large-envelope",
            Shape::Parcel => "parcel",
        }
    }

    pub const fn name(self) -> &'static str {
        match self {
            Shape::Letter => "letter",
            Shape::Postcard => "postcard",
            Shape::LargeEnvelope => "large envelope",
            Shape::Parcel => "parcel",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "{input:?} is not a shape: expected one of letter, postcard, large-envelope (or flat), parcel"
)]
pub struct ShapeParseError {
    pub input: String,
}

impl FromStr for Shape {
    type Err = ShapeParseError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "letter" => Ok(Shape::Letter),
            "postcard" => Ok(Shape::Postcard),
            "large-envelope" | "flat" => Ok(Shape::LargeEnvelope),
            "parcel" => Ok(Shape::Parcel),
            _ => Err(ShapeParseError {
                input: s.to_string(),
            }),
        }
    }
}

/// Outside dimensions in thousandths of an inch, longest first.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Dimensions {
    sides_thou: [u64; 3],
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "{input:?} is not a set of dimensions ({reason}): expected three lengths in inches, like 12x10x4in or 11.5 x 6.125 x 0.25 in"
)]
pub struct DimensionsParseError {
    pub input: String,
    pub reason: String,
}

impl Dimensions {
    /// From three sides in thousandths of an inch, in any order.
    pub fn from_thou(a: u64, b: u64, c: u64) -> Dimensions {
        let mut sides_thou = [a, b, c];
        sides_thou.sort_unstable_by(|x, y| y.cmp(x));
        Dimensions { sides_thou }
    }

    /// From sides already sorted longest first (for constants).
    pub(crate) const fn from_sorted_thou(length: u64, width: u64, height: u64) -> Dimensions {
        Dimensions {
            sides_thou: [length, width, height],
        }
    }

    /// Longest side.
    pub const fn length_thou(self) -> u64 {
        self.sides_thou[0]
    }

    pub const fn width_thou(self) -> u64 {
        self.sides_thou[1]
    }

    /// Shortest side (the thickness of a letter or flat).
    pub const fn height_thou(self) -> u64 {
        self.sides_thou[2]
    }

    /// Length plus girth (twice width plus twice height), in thousandths of an inch.
    pub const fn length_plus_girth_thou(self) -> u64 {
        self.sides_thou[0] + 2 * (self.sides_thou[1] + self.sides_thou[2])
    }

    /// Whether every side is at most the matching side of `limit`.
    pub fn fits_within(self, limit: Dimensions) -> bool {
        self.sides_thou
            .iter()
            .zip(limit.sides_thou)
            .all(|(side, max)| *side <= max)
    }

    /// Parses `12x10x4in`, `12 x 10 x 4 in`, `11.5X6.125X0.25 inches`. The unit is required:
    /// a bare `30x20x10` may have been meant in centimetres.
    pub fn parse(input: &str) -> Result<Dimensions, DimensionsParseError> {
        let fail = |reason: &str| DimensionsParseError {
            input: input.to_string(),
            reason: reason.to_string(),
        };
        let text = input.trim().to_ascii_lowercase();
        let numbers = ["inches", "inch", "in", "\""]
            .iter()
            .find_map(|unit| text.strip_suffix(unit))
            .ok_or_else(|| fail("no unit (in)"))?;
        let sides: Vec<&str> = numbers.split('x').map(str::trim).collect();
        if sides.len() != 3 {
            return Err(fail("not three sides"));
        }
        let mut thou = [0; 3];
        for (slot, side) in thou.iter_mut().zip(&sides) {
            *slot = parse_thou(side).ok_or_else(|| {
                fail(&format!("{side:?} is not a length with at most 3 decimals"))
            })?;
            if *slot == 0 {
                return Err(fail("a side is zero"));
            }
        }
        Ok(Dimensions::from_thou(thou[0], thou[1], thou[2]))
    }
}

/// `12`, `6.125`, `.25` as thousandths; `None` for anything else or above 10,000 in.
fn parse_thou(text: &str) -> Option<u64> {
    let (whole, fraction) = text.split_once('.').unwrap_or((text, ""));
    let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if (whole.is_empty() && fraction.is_empty())
        || !digits(whole)
        || !digits(fraction)
        || fraction.len() > 3
    {
        return None;
    }
    if whole.len() > 5 {
        return None;
    }
    let whole: u64 = if whole.is_empty() {
        0
    } else {
        whole.parse().ok()?
    };
    let fraction: u64 = format!("{fraction:0<3}").parse().ok()?;
    Some(whole * THOU_PER_INCH + fraction)
}

impl FromStr for Dimensions {
    type Err = DimensionsParseError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Dimensions::parse(s)
    }
}

/// `12 x 10 x 4 in`, `11.5 x 6.125 x 0.25 in`.
impl fmt::Display for Dimensions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let [a, b, c] = self.sides_thou.map(Inches);
        f.pad(&format!("{a} x {b} x {c} in"))
    }
}

/// Thousandths of an inch shown as inches without trailing zeros.
pub(crate) struct Inches(pub u64);

impl fmt::Display for Inches {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (whole, fraction) = (self.0 / THOU_PER_INCH, self.0 % THOU_PER_INCH);
        if fraction == 0 {
            write!(f, "{whole}")
        } else {
            write!(
                f,
                "{whole}.{}",
                format!("{fraction:03}").trim_end_matches('0')
            )
        }
    }
}

/// What a quote needs to know about the piece.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MailPiece {
    pub weight: Weight,
    pub shape: Shape,
    pub dimensions: Option<Dimensions>,
}
