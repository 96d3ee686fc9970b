//! The customs screen: what a piece abroad holds, item by item.
//!
//! Reached from the service screen for a piece abroad by a product that may carry goods.
//! The category is chosen with ←/→; an item is typed in five fields (Tab moves between them)
//! and Enter adds it, checked by the same code as `sell --customs-item`; Enter with the item
//! fields empty finishes, and the piece joins the basket with its declaration, checked whole
//! by the pricing (a parcel with no items is refused there with the reason). Documents in a
//! letter or flat need no items.

use super::piece::add_to_basket;
use super::{Context, type_into};
use crate::customs::{ContentCategory, CustomsDeclaration, CustomsItem};
use crate::kiosk::action::{Action, Effect};
use crate::kiosk::state::{CustomsDraft, DraftField, Notice, State, Step};
use crate::money::Money;
use crate::weight::Weight;

/// The item fields, in Tab order.
const ITEM_FIELDS: [DraftField; 5] = [
    DraftField::CustomsDescription,
    DraftField::CustomsQuantity,
    DraftField::CustomsValue,
    DraftField::CustomsWeight,
    DraftField::CustomsOrigin,
];

pub(super) fn update(state: &mut State, context: &Context, action: Action) -> Vec<Effect> {
    let focus = state.draft.focus;
    let customs = &mut state.draft.customs;
    match action {
        Action::Type(c) => {
            if let Some((field, max_chars)) = field_of(customs, focus) {
                type_into(field, c, |c| c.is_ascii_graphic() || c == ' ', max_chars);
            }
        }
        Action::Erase => {
            if let Some((field, _)) = field_of(customs, focus) {
                field.pop();
            }
        }
        Action::Remove => {
            customs.items.pop();
        }
        action @ (Action::NextField | Action::PreviousField) => {
            let at = ITEM_FIELDS.iter().position(|f| *f == focus).unwrap_or(0);
            let by = if action == Action::NextField { 1 } else { 4 };
            state.draft.focus = ITEM_FIELDS[(at + by) % ITEM_FIELDS.len()];
        }
        action @ (Action::Left | Action::Right) => {
            customs.category = Some(next_category(customs.category, action == Action::Right));
        }
        Action::Back => {
            state.draft.focus = DraftField::Services;
            state.notice = None;
            state.step = Step::Service;
        }
        Action::Confirm if customs.item_is_empty() => finish(state, context),
        Action::Confirm => add_item(state),
        _ => {}
    }
    Vec::new()
}

/// The text of the focused item field, and its longest length.
fn field_of(customs: &mut CustomsDraft, focus: DraftField) -> Option<(&mut String, usize)> {
    Some(match focus {
        DraftField::CustomsDescription => (&mut customs.description, 48),
        DraftField::CustomsQuantity => (&mut customs.quantity, 4),
        DraftField::CustomsValue => (&mut customs.value, 12),
        DraftField::CustomsWeight => (&mut customs.weight, 16),
        DraftField::CustomsOrigin => (&mut customs.origin, 2),
        _ => return None,
    })
}

fn next_category(current: Option<ContentCategory>, forward: bool) -> ContentCategory {
    let all = ContentCategory::ALL;
    let Some(at) = current.and_then(|c| all.iter().position(|x| *x == c)) else {
        return all[0];
    };
    let step = if forward { 1 } else { all.len() - 1 };
    all[(at + step) % all.len()]
}

/// Checks the typed item and adds it; a refusal names the field and keeps the text.
fn add_item(state: &mut State) {
    let customs = &state.draft.customs;
    let refuse = |state: &mut State, field: DraftField, reason: String| {
        state.notice = Some(Notice::Error(reason));
        state.draft.focus = field;
    };
    let Ok(quantity) = customs.quantity.trim().parse::<u32>() else {
        let reason = format!(
            "quantity {:?} is not a whole number, like 1 or 12",
            customs.quantity
        );
        return refuse(state, DraftField::CustomsQuantity, reason);
    };
    let value = match Money::parse(customs.value.trim()) {
        Ok(value) => value,
        Err(error) => return refuse(state, DraftField::CustomsValue, error.to_string()),
    };
    let weight = match Weight::parse(&customs.weight) {
        Ok(weight) => weight,
        Err(error) => return refuse(state, DraftField::CustomsWeight, error.to_string()),
    };
    let origin = if customs.origin.trim().is_empty() {
        "US"
    } else {
        customs.origin.as_str()
    };
    match CustomsItem::new(&customs.description, quantity, value, weight, origin) {
        Ok(item) => {
            let customs = &mut state.draft.customs;
            customs.items.push(item);
            *customs = CustomsDraft {
                category: customs.category,
                items: std::mem::take(&mut customs.items),
                ..CustomsDraft::default()
            };
            state.draft.focus = DraftField::CustomsDescription;
            state.notice = None;
        }
        Err(reason) => refuse(state, DraftField::CustomsDescription, reason),
    }
}

/// The declaration made of the items, and the piece to the basket.
fn finish(state: &mut State, context: &Context) {
    let customs = &state.draft.customs;
    let weight = state.draft.weight.map_or(Weight::ZERO, |(w, _)| w);
    let declaration = match (customs.category, customs.items.is_empty()) {
        (_, true) => None,
        (None, false) => {
            state.notice = Some(Notice::Error(
                "choose what the items are with {left} {right}: gift, documents, commercial sample, returned goods, merchandise or other".into(),
            ));
            return;
        }
        (Some(category), false) => {
            match CustomsDeclaration::new(category, customs.items.clone(), weight) {
                Ok(declaration) => Some(declaration),
                Err(error) => {
                    state.notice = Some(Notice::Error(error.to_string()));
                    return;
                }
            }
        }
    };
    add_to_basket(state, context, declaration);
}
