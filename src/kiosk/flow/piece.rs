//! Weighing, destination and service: building one priced piece.

use super::{Context, type_into};
use crate::address::ZipCode;
use crate::kiosk::action::{Action, Effect};
use crate::kiosk::state::{BasketItem, Draft, Notice, State, Step, WeightSource};
use crate::rates::{Destination, ExtraService, MailPiece, QuoteRequest, Shape};
use crate::sale::{SaleRequest, price_piece};
use crate::scale::{Reading, ReadingStatus};
use crate::weight::Weight;

const SHAPES: [Shape; 4] = [
    Shape::Letter,
    Shape::Postcard,
    Shape::LargeEnvelope,
    Shape::Parcel,
];
/// Extra services offered at the counter, toggled with the keys 1 to 4 on the service screen.
pub const COUNTER_EXTRAS: [ExtraService; 4] = [
    ExtraService::CertifiedMail,
    ExtraService::ReturnReceipt,
    ExtraService::SignatureConfirmation,
    ExtraService::CertificateOfMailing,
];

pub(super) fn update(state: &mut State, context: &Context, action: Action) -> Vec<Effect> {
    match state.step {
        Step::Weigh => weigh(state, action),
        Step::Destination => destination(state, context, action),
        _ => service(state, context, action),
    }
}

fn weigh(state: &mut State, action: Action) -> Vec<Effect> {
    let draft = &mut state.draft;
    match action {
        Action::Type(c) => type_into(
            &mut draft.weight_text,
            c,
            |c| c.is_ascii_alphanumeric() || c == '.' || c == ' ',
            16,
        ),
        Action::Erase => {
            draft.weight_text.pop();
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
        }
        Action::Confirm => {
            let weighed = if draft.weight_text.trim().is_empty() {
                scale_weight(state.scale.as_ref()).map(|w| (w, WeightSource::Scale))
            } else {
                Weight::parse(&draft.weight_text)
                    .map(|w| (w, WeightSource::Manual))
                    .map_err(|e| e.to_string())
            };
            match weighed {
                Ok((weight, _)) if weight == Weight::ZERO => {
                    state.notice =
                        Some(Notice::Error("a piece must weigh more than nothing".into()));
                }
                Ok(weighed) => {
                    let draft = &mut state.draft;
                    draft.weight = Some(weighed);
                    draft.shape.get_or_insert(Shape::Letter);
                    state.notice = None;
                    state.step = Step::Destination;
                }
                Err(reason) => state.notice = Some(Notice::Error(reason)),
            }
        }
        Action::Back if !state.basket.is_empty() => state.step = Step::Basket,
        _ => {}
    }
    Vec::new()
}

/// The scale's weight when it may be used: a stable reading only.
fn scale_weight(scale: Option<&Result<Reading, String>>) -> Result<Weight, String> {
    let reading = match scale {
        None => return Err("type the weight, e.g. 2oz (no scale is connected)".into()),
        Some(Err(reason)) => {
            return Err(format!(
                "the scale cannot be read ({reason}): type the weight"
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

fn destination(state: &mut State, context: &Context, action: Action) -> Vec<Effect> {
    let draft = &mut state.draft;
    match action {
        Action::Type(c) => type_into(
            &mut draft.zip_text,
            c,
            |c| c.is_ascii_digit() || c == '-',
            10,
        ),
        Action::Erase => {
            draft.zip_text.pop();
        }
        Action::Back => state.step = Step::Weigh,
        Action::Confirm => match ZipCode::parse(&draft.zip_text) {
            Ok(_) => return vec![Effect::LookupZip(draft.zip_text.clone())],
            Err(error) => state.notice = Some(Notice::Error(error.to_string())),
        },
        Action::ZipRefused(reason) => state.notice = Some(Notice::Error(reason)),
        Action::ZipLooked { zip, place: None } => {
            state.notice = Some(Notice::Error(format!(
                "ZIP code {zip} is not a known ZIP code: check it and type it again"
            )));
        }
        Action::ZipLooked { zip, place } => {
            draft.destination = Some((zip, place));
            state.notice = None;
            quote(state, context);
            state.step = Step::Service;
        }
        _ => {}
    }
    Vec::new()
}

fn quote(state: &mut State, context: &Context) {
    let draft = &mut state.draft;
    let (Some((weight, _)), Some((zip, _))) = (draft.weight, &draft.destination) else {
        return;
    };
    let request = QuoteRequest {
        piece: draft_piece(draft, weight),
        origin: state.origin.clone(),
        destination: Destination::Domestic(zip.clone()),
        date: state.today,
    };
    draft.selected_offer = 0;
    match context.rates.quote(&request) {
        Ok(quote) => {
            if quote.offers.is_empty() {
                let reasons: Vec<String> = quote
                    .excluded
                    .iter()
                    .take(3)
                    .map(|e| e.reason.clone())
                    .collect();
                state.notice = Some(Notice::Error(format!(
                    "no service can carry this piece: {}",
                    reasons.join("; ")
                )));
            }
            draft.quote = Some(quote);
        }
        Err(error) => state.notice = Some(Notice::Error(error.to_string())),
    }
}

/// The piece being entered, as rates see it.
fn draft_piece(draft: &Draft, weight: Weight) -> MailPiece {
    MailPiece {
        weight,
        shape: draft.shape.unwrap_or(Shape::Letter),
        dimensions: None,
    }
}

fn service(state: &mut State, context: &Context, action: Action) -> Vec<Effect> {
    let offers = state
        .draft
        .quote
        .as_ref()
        .map(|q| q.offers.len())
        .unwrap_or(0);
    let draft = &mut state.draft;
    match action {
        Action::Up => draft.selected_offer = draft.selected_offer.saturating_sub(1),
        Action::Down if draft.selected_offer + 1 < offers => draft.selected_offer += 1,
        Action::Type(c @ '1'..='4') => {
            let service = COUNTER_EXTRAS[(c as usize) - ('1' as usize)];
            match draft.extras.iter().position(|s| *s == service) {
                Some(at) => {
                    draft.extras.remove(at);
                }
                None => draft.extras.push(service),
            }
        }
        Action::Back => state.step = Step::Destination,
        Action::Confirm => add_to_basket(state, context),
        _ => {}
    }
    Vec::new()
}

fn add_to_basket(state: &mut State, context: &Context) {
    let draft = &state.draft;
    let (Some(quote), Some((weight, _)), Some((zip, _))) =
        (&draft.quote, draft.weight, &draft.destination)
    else {
        return;
    };
    let Some(offer) = quote.offers.get(draft.selected_offer) else {
        state.notice = Some(Notice::Error(
            "no service can carry this piece: go back and change it".into(),
        ));
        return;
    };
    let request = SaleRequest {
        piece: draft_piece(draft, weight),
        origin: state.origin.clone(),
        destination: Destination::Domestic(zip.clone()),
        product: Some(offer.product),
        extras: draft.extras.clone(),
        declared_value: None,
        label_serial: None,
        mailing_date: state.today,
    };
    match price_piece(&context.rates, &request) {
        Ok(priced) => {
            let id = state.next_item_id;
            state.next_item_id += 1;
            state.basket.push(BasketItem {
                id,
                priced,
                quantity: 1,
                issued: Vec::new(),
            });
            state.draft = Draft::default();
            state.notice = None;
            state.step = Step::Basket;
        }
        Err(error) => state.notice = Some(Notice::Error(error.to_string())),
    }
}
