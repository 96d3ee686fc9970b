//! The counter's state: plain data, changed only by `flow::update`.
//!
//! Everything the screens show is here, and nothing else is: rendering is a pure function of
//! this state and a theme, which is what makes every screen snapshot-testable with a fixed
//! clock and fixed ids.

use crate::address::{Place, ZipCode};
use crate::date::Date;
use crate::money::Money;
use crate::rates::{ExtraService, Quote, Shape};
use crate::sale::PricedPiece;
use crate::scale::Reading;
use crate::weight::Weight;

/// The screens of a sale, in order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Step {
    Weigh,
    Destination,
    Service,
    Basket,
    Payment,
    Issuing,
    Done,
}

/// Clerk wording and shortcuts, or customer wording with an inactivity timeout.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    Counter,
    Kiosk,
}

/// Where the weight came from: a stable scale reading or the clerk's keyboard.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WeightSource {
    Scale,
    Manual,
}

/// A line under the screen's title: what just went wrong or right.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Notice {
    Info(String),
    Error(String),
}

/// The piece being entered.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Draft {
    pub weight_text: String,
    pub weight: Option<(Weight, WeightSource)>,
    pub shape: Option<Shape>,
    pub zip_text: String,
    pub destination: Option<(ZipCode, Option<Place>)>,
    pub quote: Option<Quote>,
    pub selected_offer: usize,
    pub extras: Vec<ExtraService>,
}

/// One issued indicium of a basket item.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IssuedPiece {
    pub serial: String,
    pub indicium: Vec<u8>,
    pub printed: bool,
}

/// A priced piece in the basket, with how many identical ones.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BasketItem {
    pub id: u64,
    pub priced: PricedPiece,
    pub quantity: u32,
    pub issued: Vec<IssuedPiece>,
}

impl BasketItem {
    pub fn total(&self) -> Money {
        self.priced
            .total
            .checked_mul(i64::from(self.quantity))
            .unwrap_or(Money::ZERO)
    }

    /// The idempotency key of the n-th piece (from 0) of this item in sale `sale_id`.
    pub fn request_id(&self, sale_id: &str, piece: u32) -> String {
        format!("{sale_id}-item{}-piece{}", self.id, piece + 1)
    }
}

/// Cash tendered so far, as typed.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Payment {
    pub tendered_text: String,
    pub tendered: Option<Money>,
    /// Set once the payment is accepted: from then on the basket is sold and cannot change.
    pub accepted: bool,
}

/// What a print failure left to decide.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PrintProblem {
    pub item_id: u64,
    pub piece: u32,
    pub reason: String,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct State {
    pub step: Step,
    pub mode: Mode,
    /// The date of mailing for this sale (the app's clock, injected).
    pub today: Date,
    pub origin: ZipCode,
    /// The idempotency prefix of this sale: every indicium request carries it.
    pub sale_id: String,
    pub draft: Draft,
    pub basket: Vec<BasketItem>,
    pub selected_item: usize,
    pub next_item_id: u64,
    pub payment: Payment,
    pub notice: Option<Notice>,
    /// Issue and print requests sent and not yet answered; Confirm does nothing meanwhile.
    pub in_flight: u32,
    pub print_problem: Option<PrintProblem>,
    /// The latest scale reading (or why there is none); `None` when no scale is connected.
    pub scale: Option<Result<Reading, String>>,
    pub quit: bool,
}

impl State {
    pub fn new(mode: Mode, today: Date, origin: ZipCode, sale_id: String) -> State {
        State {
            step: Step::Weigh,
            mode,
            today,
            origin,
            sale_id,
            draft: Draft::default(),
            basket: Vec::new(),
            selected_item: 0,
            next_item_id: 1,
            payment: Payment::default(),
            notice: None,
            in_flight: 0,
            print_problem: None,
            scale: None,
            quit: false,
        }
    }

    pub fn basket_total(&self) -> Money {
        Money::checked_sum(self.basket.iter().map(BasketItem::total)).unwrap_or(Money::ZERO)
    }

    /// Change due for the tender typed so far, if it covers the total.
    pub fn change_due(&self) -> Option<Money> {
        let tendered = self.payment.tendered?;
        tendered
            .checked_sub(self.basket_total())
            .filter(|c| !c.is_negative())
    }

    /// Every piece of the basket is issued and printed.
    pub fn all_printed(&self) -> bool {
        self.basket.iter().all(|item| {
            item.issued.len() == item.quantity as usize && item.issued.iter().all(|p| p.printed)
        })
    }
}
