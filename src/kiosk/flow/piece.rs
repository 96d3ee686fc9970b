//! Destination and service: where the piece goes, who receives it, how it travels.
//!
//! The destination is a ZIP code, looked up (an effect) and refused when unknown, or a
//! country, found by its code or name in the country list in force (the countries matching
//! what is typed are shown as it is typed); a recipient name and street are optional and
//! checked when the piece joins the basket. The service
//! screen lists every product that can carry the piece; the digits toggle extra services,
//! and insurance asks for the declared value its fee depends on.

use super::{Context, type_into};
use crate::address::ZipCode;
use crate::customs::CustomsDeclaration;
use crate::date::Date;
use crate::kiosk::action::{Action, Effect};
use crate::kiosk::state::{BasketItem, Draft, DraftDestination, DraftField, Notice, State, Step};
use crate::money::Money;
use crate::rates::{ExclusionKind, ExtraService, ExtraServices, MailPiece, QuoteRequest, Shape};
use crate::rates::{SaleRequest, price_piece};
use crate::weight::Weight;

/// Extra services offered at the counter, toggled with the keys 1 to 5 on the service screen.
pub const COUNTER_EXTRAS: [ExtraService; 5] = [
    ExtraService::CertifiedMail,
    ExtraService::ReturnReceipt,
    ExtraService::SignatureConfirmation,
    ExtraService::CertificateOfMailing,
    ExtraService::Insurance,
];

/// The destination screen's fields in Tab order; the town only for an address abroad.
fn destination_fields(draft: &Draft) -> Vec<DraftField> {
    let mut fields = vec![
        DraftField::Zip,
        DraftField::RecipientName,
        DraftField::RecipientStreet,
    ];
    if draft.abroad() {
        fields.push(DraftField::RecipientTown);
    }
    fields
}

pub(super) fn update(state: &mut State, context: &Context, action: Action) -> Vec<Effect> {
    match state.step {
        Step::Destination => destination(state, context, action),
        _ => service(state, context, action),
    }
}

fn destination(state: &mut State, context: &Context, action: Action) -> Vec<Effect> {
    let draft = &mut state.draft;
    let field = match draft.focus {
        DraftField::RecipientName => Some(&mut draft.recipient_name),
        DraftField::RecipientStreet => Some(&mut draft.recipient_street),
        DraftField::RecipientTown => Some(&mut draft.recipient_town),
        _ => None,
    };
    match (action, field) {
        // Longer than a label line: the standard abbreviations ("Apartment" to "APT") often
        // bring an address within 40 characters, and the line is checked after them.
        (Action::Type(c), Some(field)) => type_into(field, c, |c| !c.is_control(), 100),
        (Action::Erase, Some(field)) => {
            field.pop();
        }
        // A ZIP code or a country's code or name ("Cote d'Ivoire", "Korea, Republic of").
        (Action::Type(c), None) => {
            type_into(&mut draft.zip_text, c, |c| !c.is_control(), 40);
            draft.country_matches = country_matches(context, state.today, &draft.zip_text);
        }
        (Action::Erase, None) => {
            draft.zip_text.pop();
            draft.country_matches = country_matches(context, state.today, &draft.zip_text);
        }
        (action @ (Action::NextField | Action::PreviousField), _) => {
            let fields = destination_fields(draft);
            let at = fields.iter().position(|f| *f == draft.focus).unwrap_or(0);
            let by = if action == Action::NextField {
                1
            } else {
                fields.len() - 1
            };
            draft.focus = fields[(at + by) % fields.len()];
        }
        (Action::Back, _) => {
            draft.focus = DraftField::Weight;
            state.step = Step::Weigh;
        }
        (Action::Confirm, _) => {
            if let Err(error) = draft.recipient() {
                state.notice = Some(Notice::Error(error.to_string()));
                return Vec::new();
            }
            if names_a_country(&draft.zip_text) {
                choose_country(state, context);
                return Vec::new();
            }
            match ZipCode::parse(&draft.zip_text) {
                Ok(_) => return vec![Effect::LookupZip(draft.zip_text.clone())],
                Err(error) => state.notice = Some(Notice::Error(error.to_string())),
            }
        }
        (Action::ZipRefused(reason), _) => state.notice = Some(Notice::Error(reason)),
        (Action::ZipLooked { zip, place: None }, _) => {
            state.notice = Some(Notice::Error(format!(
                "ZIP code {zip} is not a known ZIP code: check it and type it again"
            )));
        }
        (Action::ZipLooked { zip, place }, _) => {
            draft.destination = Some(DraftDestination::Zip { zip, place });
            to_service(state, context);
        }
        _ => {}
    }
    Vec::new()
}

/// Whether the destination text is meant as a country: it holds a letter (ZIP codes do not).
fn names_a_country(text: &str) -> bool {
    text.chars().any(char::is_alphabetic)
}

/// The countries shown under the destination field while a name is typed.
fn country_matches(context: &Context, today: Date, text: &str) -> Vec<String> {
    let wanted = text.trim().to_lowercase();
    let Ok(countries) = context.rates.country_table(today) else {
        return Vec::new();
    };
    if !names_a_country(&wanted) {
        return Vec::new();
    }
    countries
        .named_like(&wanted, true)
        .take(COUNTRY_MATCHES_SHOWN)
        .map(ToString::to_string)
        .collect()
}

/// Country suggestions shown at most.
const COUNTRY_MATCHES_SHOWN: usize = 4;

fn choose_country(state: &mut State, context: &Context) {
    let found = context
        .rates
        .country_table(state.today)
        .map_err(|why| format!("international mail cannot be priced today: {why}"))
        .and_then(|table| table.find(&state.draft.zip_text).map_err(|e| e.to_string()))
        .map(|country| DraftDestination::Country {
            code: country.code.clone(),
            name: country.name.clone(),
        });
    match found {
        Ok(destination) => {
            state.draft.destination = Some(destination);
            state.draft.country_matches.clear();
            to_service(state, context);
        }
        Err(reason) => state.notice = Some(Notice::Error(reason)),
    }
}

fn to_service(state: &mut State, context: &Context) {
    state.draft.focus = DraftField::Services;
    state.notice = None;
    quote(state, context);
    state.step = Step::Service;
}

/// Quotes the draft for its destination on the state's date.
pub(super) fn quote(state: &mut State, context: &Context) {
    let draft = &mut state.draft;
    let (Some((weight, _)), Some(destination)) = (draft.weight, &draft.destination) else {
        return;
    };
    let request = QuoteRequest {
        piece: draft_piece(draft, weight),
        origin: state.origin.clone(),
        destination: destination.rates(),
        date: state.today,
    };
    draft.selected_offer = 0;
    match context.rates.quote(&request) {
        Ok(quote) => {
            if quote.offers.is_empty() {
                // The reasons that concern this piece and place, not products of another
                // kind of mail.
                let reasons: Vec<String> = quote
                    .excluded
                    .iter()
                    .filter(|e| {
                        !matches!(e.kind, ExclusionKind::Destination | ExclusionKind::Shape)
                    })
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
        dimensions: draft.dimensions,
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
    let insured = draft.extras.contains(&ExtraService::Insurance);
    match action {
        // Every printable character is taken so that the money parser decides: `-100` is
        // refused, not read as 100 with the minus dropped.
        Action::Type(c) if draft.focus == DraftField::DeclaredValue => type_into(
            &mut draft.declared_value_text,
            c,
            |c| c.is_ascii_graphic(),
            12,
        ),
        Action::Erase if draft.focus == DraftField::DeclaredValue => {
            draft.declared_value_text.pop();
        }
        Action::NextField | Action::PreviousField if insured => {
            draft.focus = match draft.focus {
                DraftField::DeclaredValue => DraftField::Services,
                _ => DraftField::DeclaredValue,
            };
        }
        Action::Up => draft.selected_offer = draft.selected_offer.saturating_sub(1),
        Action::Down if draft.selected_offer + 1 < offers => draft.selected_offer += 1,
        Action::Type(c @ '1'..='5') => {
            let service = COUNTER_EXTRAS[(c as usize) - ('1' as usize)];
            match draft.extras.iter().position(|s| *s == service) {
                Some(at) => {
                    draft.extras.remove(at);
                    if service == ExtraService::Insurance {
                        draft.focus = DraftField::Services;
                    }
                }
                None => {
                    draft.extras.push(service);
                    if service == ExtraService::Insurance {
                        // Insurance is priced on the declared value: ask for it at once.
                        draft.focus = DraftField::DeclaredValue;
                    }
                }
            }
        }
        Action::Back => {
            draft.focus = DraftField::Zip;
            state.step = Step::Destination;
        }
        Action::Confirm => {
            // Extra services this product does not take are refused here, before the
            // customs screen, not after the clerk has declared every item.
            let chosen = draft
                .quote
                .as_ref()
                .and_then(|quote| quote.offers.get(draft.selected_offer));
            if let Some(offer) = chosen
                && let Err(reason) =
                    ExtraServices::of(&draft.extras).check_without_value(offer.product)
            {
                state.notice = Some(Notice::Error(reason));
                return Vec::new();
            }
            if needs_customs_step(state) {
                state.draft.focus = DraftField::CustomsDescription;
                state.notice = None;
                state.step = Step::Customs;
            } else {
                add_to_basket(state, context, None);
            }
        }
        _ => {}
    }
    Vec::new()
}

/// A piece abroad by a product that may carry goods gets the customs screen: a parcel must
/// be declared there, and a letter or flat of goods may be.
fn needs_customs_step(state: &State) -> bool {
    let draft = &state.draft;
    let abroad = matches!(draft.destination, Some(DraftDestination::Country { .. }));
    let carries_goods = draft
        .quote
        .as_ref()
        .and_then(|q| q.offers.get(draft.selected_offer))
        .is_some_and(|offer| offer.product.carries_goods());
    abroad && carries_goods
}

/// The declared value typed for an insured piece.
fn declared_value(draft: &Draft) -> Result<Option<Money>, String> {
    if !draft.extras.contains(&ExtraService::Insurance) {
        return Ok(None);
    }
    let text = draft.declared_value_text.trim();
    match Money::parse(text) {
        Ok(value) if value.is_negative() || value == Money::ZERO => Err(format!(
            "declared value {value}: insurance needs a value above $0.00"
        )),
        Ok(value) => Ok(Some(value)),
        Err(_) if text.is_empty() => {
            Err("insurance needs the declared value: type it, like 150 or 89.99".into())
        }
        Err(error) => Err(error.to_string()),
    }
}

/// Prices the draft with its declaration and puts it in the basket, or says why not.
pub(super) fn add_to_basket(
    state: &mut State,
    context: &Context,
    customs: Option<CustomsDeclaration>,
) {
    let draft = &state.draft;
    let (Some(quote), Some((weight, _)), Some(destination)) =
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
    let declared_value = match declared_value(draft) {
        Ok(value) => value,
        Err(reason) => {
            state.notice = Some(Notice::Error(reason));
            state.draft.focus = DraftField::DeclaredValue;
            return;
        }
    };
    let recipient = match draft.recipient() {
        Ok(lines) => lines,
        Err(error) => {
            state.notice = Some(Notice::Error(error.to_string()));
            return;
        }
    };
    let request = SaleRequest {
        piece: draft_piece(draft, weight),
        origin: state.origin.clone(),
        destination: destination.rates(),
        product: Some(offer.product),
        extras: draft.extras.clone(),
        declared_value,
        label_serial: None,
        mailing_date: state.today,
        customs,
    };
    match price_piece(&context.rates, &request) {
        Ok(priced) => {
            let id = state.next_item_id;
            state.next_item_id += 1;
            state.basket.push(BasketItem {
                id,
                priced,
                recipient_lines: recipient,
                quantity: 1,
                issued: Vec::new(),
                voided: Vec::new(),
            });
            state.draft = Draft::default();
            state.notice = None;
            state.step = Step::Basket;
        }
        Err(error) => state.notice = Some(Notice::Error(error.to_string())),
    }
}
