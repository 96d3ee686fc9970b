//! The counter's state: plain data, changed only by `flow::update`.
//!
//! Everything the screens show is here, and nothing else is: rendering is a pure function of
//! this state and a theme, which is what makes every screen snapshot-testable with a fixed
//! clock and fixed ids.

mod draft;
mod payment;
mod supervisor;

pub use draft::{CustomsDraft, Draft, DraftDestination, DraftField, WeightSource};
pub use payment::{ChargeRefusal, PaidBy, Payment, PaymentMethod};
pub use supervisor::{
    DayTotal, PIN_ATTEMPTS, PIN_LOCKOUT_MS, PinGate, RecentPiece, Supervisor, SupervisorData,
    SupervisorFocus,
};

use super::preview::LabelPreview;
use crate::address::ZipCode;
use crate::date::Date;
use crate::money::Money;
use crate::print::printer::PrinterErrorKind;
use crate::rates::PricedPiece;
use crate::scale::{Reading, ScaleErrorKind};

/// The screens of a sale, in order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Step {
    /// Self-service only: the screen a customer walks up to.
    Welcome,
    Weigh,
    Destination,
    Service,
    Basket,
    Payment,
    Issuing,
    Done,
    /// What a piece abroad holds, for its customs declaration.
    Customs,
    /// Registers, refills, voids and the day's totals, behind the supervisor PIN.
    Supervisor,
}

/// Clerk wording and shortcuts, or customer wording with an inactivity timeout.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    Counter,
    Kiosk,
}

/// As `counter.mode` writes it.
impl std::str::FromStr for Mode {
    type Err = String;

    fn from_str(text: &str) -> Result<Mode, String> {
        match text {
            "counter" => Ok(Mode::Counter),
            "kiosk" => Ok(Mode::Kiosk),
            _ => Err(format!(
                "{text:?} is not accepted: expected counter or kiosk"
            )),
        }
    }
}

/// Why the counter leaves at its next quiet moment, for the launcher to act on (see
/// [`crate::release::launcher`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Leave {
    /// A verified release waits to be switched in.
    Switch,
    /// This release is on trial and its health check's deadline passed.
    Unhealthy,
    /// The launcher that ran this counter is gone: nothing would watch a switch or a
    /// rollback, and whatever restarts the launcher would run a second counter beside it.
    LauncherGone,
}

/// A line under the screen's title: what just went wrong or right.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Notice {
    Info(String),
    Error(String),
}

/// One issued indicium of a basket item.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IssuedPiece {
    /// Which piece of its item (from 0): the one its request id names.
    pub piece: u32,
    pub serial: String,
    pub indicium: Vec<u8>,
    pub printed: bool,
}

/// A priced piece in the basket, with how many identical ones.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BasketItem {
    pub id: u64,
    pub priced: PricedPiece,
    /// The recipient's name and street for the label; empty for a ZIP-only label.
    pub recipient_lines: Vec<String>,
    pub quantity: u32,
    /// The pieces issued, in piece order (answers may arrive in any order).
    pub issued: Vec<IssuedPiece>,
    /// Pieces voided during the sale: `quantity` no longer counts them, and they are
    /// never asked for again.
    pub voided: Vec<u32>,
}

impl BasketItem {
    pub fn total(&self) -> Money {
        self.priced
            .total
            .checked_mul(i64::from(self.quantity))
            .unwrap_or(Money::ZERO)
    }

    pub fn issued_piece(&self, piece: u32) -> Option<&IssuedPiece> {
        self.issued.iter().find(|issued| issued.piece == piece)
    }

    pub fn issued_piece_mut(&mut self, piece: u32) -> Option<&mut IssuedPiece> {
        self.issued.iter_mut().find(|issued| issued.piece == piece)
    }

    /// Every piece of the item still counted (issued or not), by number.
    pub fn pieces(&self) -> impl Iterator<Item = u32> + '_ {
        let numbered = self
            .quantity
            .saturating_add(u32::try_from(self.voided.len()).unwrap_or(u32::MAX));
        (0..numbered).filter(|piece| !self.voided.contains(piece))
    }

    /// The pieces counted and not issued yet, to ask for (again) under their request ids.
    pub fn missing_pieces(&self) -> Vec<u32> {
        self.pieces()
            .filter(|piece| self.issued_piece(*piece).is_none())
            .collect()
    }

    /// Keeps piece `piece`'s indicium, in piece order; false if it is held already or was
    /// voided (a second answer to the same request).
    pub fn keep_issued(&mut self, piece: u32, serial: String, indicium: Vec<u8>) -> bool {
        if self.issued_piece(piece).is_some() || self.voided.contains(&piece) {
            return false;
        }
        let at = self.issued.partition_point(|issued| issued.piece < piece);
        self.issued.insert(
            at,
            IssuedPiece {
                piece,
                serial,
                indicium,
                printed: false,
            },
        );
        true
    }

    /// The idempotency key of the n-th piece (from 0) of this item in sale `sale_id`.
    pub fn request_id(&self, sale_id: &str, piece: u32) -> String {
        format!("{sale_id}-item{}-piece{}", self.id, piece + 1)
    }
}

/// What a print failure left to decide.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PrintProblem {
    pub item_id: u64,
    pub piece: u32,
    pub reason: PrinterErrorKind,
}

/// The outcome of the last job on each printer, for the supervisor's status view.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PrinterStatus {
    pub label: Option<Result<(), PrinterErrorKind>>,
    pub receipt: Option<Result<(), PrinterErrorKind>>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct State {
    pub step: Step,
    pub mode: Mode,
    /// The date of mailing for this sale (the app's clock, injected).
    pub today: Date,
    /// The next day a rate table takes effect, while one is staged: the header says "New
    /// prices from" it until that midnight.
    pub price_change: Option<Date>,
    /// A release of the counter that waits for a quiet moment (the clerk's header says so).
    pub release_due: Option<String>,
    /// Set while the counter must leave at its next quiet moment.
    pub leave: Option<Leave>,
    /// Set when it does: the counter stops and the launcher takes over.
    pub left_for: Option<Leave>,
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
    /// The last label issued, drawn before it prints and on the done screen.
    pub preview: Option<LabelPreview>,
    /// The latest scale reading (or why there is none); `None` when no scale is connected.
    pub scale: Option<Result<Reading, ScaleErrorKind>>,
    pub printers: PrinterStatus,
    /// The vendor link's status; `None` for a stand-alone counter.
    pub link: Option<crate::link::LinkStatus>,
    /// The app's monotonic clock in milliseconds, advanced by `Action::Tick`.
    pub now_ms: u64,
    /// When the last key was pressed (for the self-service inactivity timeout).
    pub last_input_ms: u64,
    /// When the sale reached the done screen (for the return to the start).
    pub done_at_ms: Option<u64>,
    pub supervisor: Option<Supervisor>,
    pub pin_gate: PinGate,
    /// Which of the station's themes draws the screen (the supervisor switches it).
    pub theme_index: usize,
    /// Supervisor refills made this session: the next refill's id is derived from it.
    pub refills_made: u32,
    pub quit: bool,
    /// An action that waits for Enter: removing an item, quitting with an unpaid basket,
    /// voiding from the supervisor screen. Any other key keeps things as they are.
    pub confirming: Option<crate::kiosk::action::Action>,
    /// The keys of the screen are shown over it (F1, or ? at a kiosk).
    pub help_open: bool,
    /// Set when the data centre refused a piece of a paid sale (or issuing was stopped):
    /// nothing more is issued, and once nothing is in flight the rest is refunded.
    pub sale_refusal: Option<String>,
    /// Whether cash is taken: always by a clerk; at a self-service kiosk only when a cash
    /// acceptor is configured, or a customer could "pay" cash that nobody takes.
    pub cash_offered: bool,
}

impl State {
    /// The ways to pay this station offers, in the order the screen shows them.
    pub fn payment_methods(&self) -> &'static [PaymentMethod] {
        if self.cash_offered {
            &PaymentMethod::ALL
        } else {
            &PaymentMethod::WITHOUT_CASH
        }
    }

    /// A fresh payment on the first way to pay this station offers.
    pub fn new_payment(&self) -> Payment {
        Payment {
            method: self.payment_methods()[0],
            ..Payment::default()
        }
    }

    pub fn new(mode: Mode, today: Date, origin: ZipCode, sale_id: String) -> State {
        State {
            step: match mode {
                Mode::Counter => Step::Weigh,
                Mode::Kiosk => Step::Welcome,
            },
            mode,
            today,
            price_change: None,
            release_due: None,
            leave: None,
            left_for: None,
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
            preview: None,
            scale: None,
            printers: PrinterStatus::default(),
            link: None,
            now_ms: 0,
            last_input_ms: 0,
            done_at_ms: None,
            supervisor: None,
            pin_gate: PinGate::default(),
            theme_index: 0,
            refills_made: 0,
            quit: false,
            confirming: None,
            help_open: false,
            sale_refusal: None,
            cash_offered: mode == Mode::Counter,
        }
        .with_payment_reset()
    }

    fn with_payment_reset(mut self) -> State {
        self.payment = self.new_payment();
        self
    }

    /// A fresh sale after this one, keeping what belongs to the station rather than to the
    /// customer: the clock, the scale and printer status, the theme, the refill count.
    pub fn next_sale(&self, sale_id: String) -> State {
        let mut next = State::new(self.mode, self.today, self.origin.clone(), sale_id);
        next.scale = self.scale.clone();
        next.printers = self.printers.clone();
        next.link = self.link.clone();
        next.price_change = self.price_change;
        next.release_due = self.release_due.clone();
        next.leave = self.leave;
        next.now_ms = self.now_ms;
        next.last_input_ms = self.now_ms;
        next.theme_index = self.theme_index;
        next.pin_gate = self.pin_gate;
        next.refills_made = self.refills_made;
        next.cash_offered = self.cash_offered;
        next.with_payment_reset()
    }

    pub fn basket_total(&self) -> Money {
        Money::checked_sum(self.basket.iter().map(BasketItem::total)).unwrap_or(Money::ZERO)
    }

    /// Change due for the cash typed so far, if it covers the total.
    pub fn change_due(&self) -> Option<Money> {
        if self.payment.method != PaymentMethod::Cash {
            return None;
        }
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
