//! MT-SICS lines as values: the commands the counter sends and the replies it understands,
//! decoded and encoded without IO (see the table in [`super`]).

use crate::scale::DisplayUnit;
use crate::scale::nci::{NciWeight, format_weight_number, parse_weight_text};
use crate::weight::Weight;

/// The level-0 commands the counter uses.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SicsCommand {
    /// `S`: the next stable weight.
    StableWeight,
    /// `SI`: the weight now, stable or not.
    ImmediateWeight,
    /// `Z`: zero the scale.
    Zero,
}

impl SicsCommand {
    pub fn text(self) -> &'static str {
        match self {
            SicsCommand::StableWeight => "S",
            SicsCommand::ImmediateWeight => "SI",
            SicsCommand::Zero => "Z",
        }
    }

    /// The line sent to the scale.
    pub fn encode(self) -> Vec<u8> {
        format!("{}\r\n", self.text()).into_bytes()
    }

    /// The command a received line stands for (the simulator's side).
    pub fn parse(line: &[u8]) -> Option<SicsCommand> {
        match line {
            b"S" => Some(SicsCommand::StableWeight),
            b"SI" => Some(SicsCommand::ImmediateWeight),
            b"Z" => Some(SicsCommand::Zero),
            _ => None,
        }
    }
}

/// A reply line, decoded.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SicsReply {
    /// `S S` or `S D`: a weight, stable or still moving.
    Weight { weight: NciWeight, stable: bool },
    /// `S I`: no weight now (moving, or busy with another command).
    WeightNotNow,
    /// `S +`: heavier than the scale's capacity.
    OverCapacity,
    /// `S -`: below zero.
    UnderZero,
    /// `Z A`: the scale zeroed.
    Zeroed,
    /// `Z I`, `Z +` or `Z -`: the scale did not zero; the letter says why.
    NotZeroed(ZeroRefusal),
    /// `ES`, `ET` or `EL`: the scale did not understand the command.
    CommandError(char),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ZeroRefusal {
    /// `Z I`: moving or busy.
    NotNow,
    /// `Z +`: more on the platter than the zeroing range allows.
    AboveRange,
    /// `Z -`: less than the zeroing range allows.
    BelowRange,
}

impl ZeroRefusal {
    pub fn reason(self) -> &'static str {
        match self {
            ZeroRefusal::NotNow => "the scale is moving or busy",
            ZeroRefusal::AboveRange => "the load is above the scale's zeroing range",
            ZeroRefusal::BelowRange => "the load is below the scale's zeroing range",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{line:?} is not an MT-SICS reply the counter understands ({reason})")]
pub struct SicsReplyError {
    pub line: String,
    pub reason: &'static str,
}

/// Decodes one reply line (without its CR LF).
pub fn decode_line(line: &[u8]) -> Result<SicsReply, SicsReplyError> {
    let text = std::str::from_utf8(line).map_err(|_| invalid(line, "not ASCII"))?;
    let fixed = match text {
        "S I" => Some(SicsReply::WeightNotNow),
        "S +" => Some(SicsReply::OverCapacity),
        "S -" => Some(SicsReply::UnderZero),
        "Z A" => Some(SicsReply::Zeroed),
        "Z I" => Some(SicsReply::NotZeroed(ZeroRefusal::NotNow)),
        "Z +" => Some(SicsReply::NotZeroed(ZeroRefusal::AboveRange)),
        "Z -" => Some(SicsReply::NotZeroed(ZeroRefusal::BelowRange)),
        "ES" => Some(SicsReply::CommandError('S')),
        "ET" => Some(SicsReply::CommandError('T')),
        "EL" => Some(SicsReply::CommandError('L')),
        _ => None,
    };
    if let Some(reply) = fixed {
        return Ok(reply);
    }
    let (stable, rest) = if let Some(rest) = text.strip_prefix("S S ") {
        (true, rest)
    } else if let Some(rest) = text.strip_prefix("S D ") {
        (false, rest)
    } else {
        return Err(invalid(line, "unknown reply"));
    };
    let (value, unit) = rest
        .trim_start_matches(' ')
        .split_once(' ')
        .ok_or_else(|| invalid(line, "no unit after the value"))?;
    let weight = parse_weight_text(&format!("{value}{}", unit.trim_end_matches(' ')))
        .filter(|weight| weight.unit != DisplayUnit::PoundsOunces)
        .ok_or_else(|| invalid(line, "not a weight in g, kg, lb or oz"))?;
    Ok(SicsReply::Weight { weight, stable })
}

fn invalid(line: &[u8], reason: &'static str) -> SicsReplyError {
    SicsReplyError {
        line: String::from_utf8_lossy(line).escape_default().to_string(),
        reason,
    }
}

/// The bytes a scale sends for `reply`, CR LF included.
pub fn encode_reply(reply: &SicsReply) -> Vec<u8> {
    let line = match reply {
        SicsReply::Weight { weight, stable } => {
            let value = format_weight_number(weight.magnitude, weight.negative, weight.unit);
            let state = if *stable { 'S' } else { 'D' };
            format!("S {state} {value:>10} {}", unit_text(weight.unit))
        }
        SicsReply::WeightNotNow => "S I".into(),
        SicsReply::OverCapacity => "S +".into(),
        SicsReply::UnderZero => "S -".into(),
        SicsReply::Zeroed => "Z A".into(),
        SicsReply::NotZeroed(ZeroRefusal::NotNow) => "Z I".into(),
        SicsReply::NotZeroed(ZeroRefusal::AboveRange) => "Z +".into(),
        SicsReply::NotZeroed(ZeroRefusal::BelowRange) => "Z -".into(),
        SicsReply::CommandError(letter) => format!("E{letter}"),
    };
    format!("{line}\r\n").into_bytes()
}

fn unit_text(unit: DisplayUnit) -> &'static str {
    match unit {
        DisplayUnit::Pounds | DisplayUnit::PoundsOunces => "lb",
        DisplayUnit::Ounces => "oz",
        DisplayUnit::Kilograms => "kg",
        DisplayUnit::Grams => "g",
    }
}

/// A weight as a scale in `unit` would report it (used by the simulator).
pub fn shown(weight: Weight, negative: bool, unit: DisplayUnit) -> NciWeight {
    NciWeight {
        magnitude: weight,
        negative,
        unit,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weights_decode_with_their_stability_and_unit() {
        let reply = decode_line(b"S S      1.250 kg").unwrap();
        let SicsReply::Weight { weight, stable } = reply else {
            panic!("{reply:?}");
        };
        assert!(stable);
        assert_eq!(weight.magnitude, Weight::from_grams(1250));
        assert_eq!(weight.unit, DisplayUnit::Kilograms);
        let moving = decode_line(b"S D     12.3 oz").unwrap();
        assert!(matches!(moving, SicsReply::Weight { stable: false, .. }));
        let negative = decode_line(b"S S     -0.02 lb").unwrap();
        assert!(matches!(negative, SicsReply::Weight { weight, .. } if weight.negative));
    }

    #[test]
    fn status_replies_and_errors_decode() {
        assert_eq!(decode_line(b"S I").unwrap(), SicsReply::WeightNotNow);
        assert_eq!(decode_line(b"S +").unwrap(), SicsReply::OverCapacity);
        assert_eq!(decode_line(b"Z A").unwrap(), SicsReply::Zeroed);
        assert_eq!(
            decode_line(b"Z -").unwrap(),
            SicsReply::NotZeroed(ZeroRefusal::BelowRange)
        );
        assert_eq!(decode_line(b"EL").unwrap(), SicsReply::CommandError('L'));
    }

    #[test]
    fn malformed_lines_are_refused_and_quoted() {
        for line in [
            &b"S S 1.2"[..],
            b"S X 1.2 g",
            b"S S abc g",
            b"S S 1.2 ct",
            b"\xff",
        ] {
            let error = decode_line(line).unwrap_err();
            assert!(!error.line.is_empty() || line.is_empty(), "{error}");
        }
        let error = decode_line(b"S S 1.2 ct").unwrap_err();
        assert!(error.to_string().contains("S S 1.2 ct"), "{error}");
    }

    #[test]
    fn encoding_round_trips() {
        for reply in [
            SicsReply::Weight {
                weight: shown(Weight::from_ounces(24), false, DisplayUnit::Pounds),
                stable: true,
            },
            SicsReply::Weight {
                weight: shown(Weight::from_grams(250), false, DisplayUnit::Grams),
                stable: false,
            },
            SicsReply::OverCapacity,
            SicsReply::NotZeroed(ZeroRefusal::AboveRange),
            SicsReply::CommandError('S'),
        ] {
            let bytes = encode_reply(&reply);
            assert!(bytes.ends_with(b"\r\n"));
            let decoded = decode_line(&bytes[..bytes.len() - 2]).unwrap();
            assert_eq!(decoded, reply);
        }
        let line = encode_reply(&SicsReply::Weight {
            weight: shown(Weight::from_ounces(20), false, DisplayUnit::Pounds),
            stable: true,
        });
        assert_eq!(line, b"S S       1.25 lb\r\n");
    }
}
