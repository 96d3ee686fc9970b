//! Weighing: a stable scale reading or a typed weight, the shape, and a parcel's size.
//!
//! Only a stable, non-zero reading is taken from the scale, and it is recorded as the
//! scale's; a typed weight wins over the scale and is recorded as manual. A parcel may carry
//! its dimensions (Tab moves to the field), which the rates use for size limits and
//! dimensional weight.

use super::type_into;
use crate::kiosk::action::{Action, Effect};
use crate::kiosk::state::{Draft, DraftField, Mode, Notice, State, Step, WeightSource};
use crate::kiosk::wording::scale_failure;
use crate::rates::limits::MAX_WEIGHT;
use crate::rates::{Dimensions, Shape};
use crate::scale::{Reading, ReadingStatus, ScaleErrorKind};
use crate::weight::Weight;

/// The longest weight text taken (`3 lb 15.75 oz` and the like fit).
const WEIGHT_TEXT_MAX_CHARS: usize = 16;

pub(super) const SHAPES: [Shape; 4] = [
    Shape::Letter,
    Shape::Postcard,
    Shape::LargeEnvelope,
    Shape::Parcel,
];

pub(super) fn update(state: &mut State, action: Action) -> Vec<Effect> {
    let draft = &mut state.draft;
    let parcel = draft.shape == Some(Shape::Parcel);
    match action {
        Action::Type(c) if draft.focus == DraftField::Dimensions => type_into(
            &mut draft.dimensions_text,
            c,
            |c| c.is_ascii_digit() || matches!(c, '.' | 'x' | 'X' | ' ' | 'i' | 'n'),
            24,
        ),
        // Every printable character is taken, so the one weight parser (the command line's)
        // decides: `1/2 oz` is half an ounce, and `2,5 oz` is refused with its message,
        // never read as 25 oz with the comma dropped.
        Action::Type(c) => type_into(
            &mut draft.weight_text,
            c,
            |c| c.is_ascii_graphic() || c == ' ',
            WEIGHT_TEXT_MAX_CHARS,
        ),
        Action::Erase if draft.focus == DraftField::Dimensions => {
            draft.dimensions_text.pop();
        }
        Action::Erase => {
            draft.weight_text.pop();
        }
        Action::NextField | Action::PreviousField if parcel => {
            draft.focus = match draft.focus {
                DraftField::Dimensions => DraftField::Weight,
                _ => DraftField::Dimensions,
            };
        }
        Action::Left | Action::Right => {
            let at = SHAPES
                .iter()
                .position(|s| Some(*s) == draft.shape)
                .unwrap_or(0);
            let step = if action == Action::Right {
                1
            } else {
                SHAPES.len() - 1
            };
            draft.shape = Some(SHAPES[(at + step) % SHAPES.len()]);
            if draft.shape != Some(Shape::Parcel) {
                draft.focus = DraftField::Weight;
            }
        }
        Action::Confirm => confirm(state),
        // Leaving the weigh screen abandons the piece: the next one starts from empty
        // fields (a weight left in the field once read "1lb" then "1oz" as 1 lb 1 oz).
        Action::Back if !state.basket.is_empty() => {
            state.draft = Draft::default();
            state.step = Step::Basket;
        }
        // A customer who changes their mind goes back to the start.
        Action::Back if state.mode == Mode::Kiosk => {
            state.draft = Draft::default();
            state.step = Step::Welcome;
        }
        _ => {}
    }
    Vec::new()
}

fn confirm(state: &mut State) {
    let draft = &state.draft;
    let weighed = if draft.weight_text.trim().is_empty() {
        scale_weight(state.scale.as_ref()).map(|w| (w, WeightSource::Scale))
    } else {
        Weight::parse(&draft.weight_text)
            .map(|w| (w, WeightSource::Manual))
            .map_err(|e| e.to_string())
    };
    let parcel = draft.shape == Some(Shape::Parcel);
    let dimensions = if parcel && !draft.dimensions_text.trim().is_empty() {
        match Dimensions::parse(&draft.dimensions_text) {
            Ok(dimensions) => Some(dimensions),
            Err(error) => {
                state.notice = Some(Notice::Error(error.to_string()));
                state.draft.focus = DraftField::Dimensions;
                return;
            }
        }
    } else {
        None
    };
    match weighed {
        Ok((weight, _)) if weight == Weight::ZERO => {
            state.notice = Some(Notice::Error("a piece must weigh more than nothing".into()));
        }
        Ok((weight, _)) if weight > MAX_WEIGHT => {
            state.notice = Some(Notice::Error(format!(
                "{weight} is over {MAX_WEIGHT}, the most any mail piece may weigh"
            )));
        }
        Ok(weighed) => {
            let draft = &mut state.draft;
            draft.weight = Some(weighed);
            draft.dimensions = dimensions;
            draft.shape.get_or_insert(Shape::Letter);
            draft.focus = DraftField::Zip;
            state.notice = None;
            state.step = Step::Destination;
        }
        Err(reason) => state.notice = Some(Notice::Error(reason)),
    }
}

/// The scale's weight when it may be used: a stable reading only.
fn scale_weight(scale: Option<&Result<Reading, ScaleErrorKind>>) -> Result<Weight, String> {
    let reading = match scale {
        None => return Err("type the weight, e.g. 2oz (no scale is connected)".into()),
        Some(Err(kind)) => {
            return Err(format!(
                "{}; type the weight",
                scale_failure(*kind, Mode::Counter)
            ));
        }
        Some(Ok(reading)) => reading,
    };
    if let Some(weight) = reading.usable_weight() {
        return Ok(weight);
    }
    Err(match &reading.status {
        ReadingStatus::Moving => {
            "the scale is not stable yet: wait until it settles, or type the weight".into()
        }
        ReadingStatus::OverCapacity => {
            "the piece is over the scale's capacity: type the weight".into()
        }
        ReadingStatus::UnderZero => "the scale reads below zero: empty it and zero it".into(),
        ReadingStatus::NoWeight => "put the piece on the scale or type its weight".into(),
        ReadingStatus::Error(reason) => {
            format!("the scale reports a fault ({reason}): type the weight")
        }
        ReadingStatus::Stable => "the scale gave no weight: type the weight".into(),
    })
}
