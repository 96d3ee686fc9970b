//! What can happen to the counter (actions) and what it asks the outside world to do
//! (effects). Effects run in tasks at the edge and come back as actions, so `update` never
//! waits on IO.

use super::state::{ChargeRefusal, PaidBy, SupervisorData};
use crate::address::{Place, ZipCode};
use crate::money::Money;
use crate::payment::{AccountNumber, CardNumber, Expiry};
use crate::print::printer::PrinterErrorKind;
use crate::print::receipt::ReceiptContent;
use crate::print::status::PrinterProblem;
use crate::rates::PricedPiece;
use crate::scale::{Reading, ScaleErrorKind};

/// Input, from the keyboard (already mapped by the keymap) or from a finished effect.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Action {
    /// A printable character typed into the focused field.
    Type(char),
    Erase,
    Up,
    Down,
    Left,
    Right,
    /// Toggle the highlighted choice (an extra service).
    Toggle,
    /// Go on: accept this screen.
    Confirm,
    /// Go to payment with the basket as it is: only the basket takes it, so a second press
    /// on the payment screen never completes a sale as exact cash.
    Pay,
    /// Go back one screen.
    Back,
    /// Remove the highlighted basket item.
    Remove,
    /// Show or hide the keys of the screen.
    Help,
    /// Add another piece to the basket.
    AddAnother,
    /// Move to the next or previous text field of the screen.
    NextField,
    PreviousField,
    /// Choose how to pay (on the payment screen).
    PayBy(crate::kiosk::state::PaymentMethod),
    /// Open the supervisor screen (it asks for the PIN).
    Supervisor,
    /// Draw the screen with the station's next theme (supervisor).
    NextTheme,
    Quit,
    /// After a print failure: print the same indicium again.
    Reprint,
    /// After a print failure: void the issued indicium for a refund.
    VoidIssued,
    /// Put off the waiting release (the unlocked supervisor screen).
    PostponeRelease,
    /// Results of effects.
    ZipLooked {
        zip: ZipCode,
        place: Option<Place>,
    },
    ZipRefused(String),
    Issued {
        item_id: u64,
        piece: u32,
        result: Result<(String, Vec<u8>), IssueFailure>,
    },
    /// A label printed, or the kind of failure (the detail is in the log).
    Printed {
        item_id: u64,
        piece: u32,
        result: Result<(), PrinterErrorKind>,
    },
    Voided {
        item_id: u64,
        piece: u32,
        result: Result<(), RemoteFailure>,
    },
    ReceiptPrinted(Result<(), PrinterErrorKind>),
    /// The vendor link went online or offline (or its reason changed).
    LinkChanged(crate::link::LinkStatus),
    /// The data centre's update installed rate tables; the context now prices with them.
    RatesChanged,
    /// A verified release of the counter waits to be switched in (`None`: none does, or a
    /// supervisor postponed it).
    ReleaseDue(Option<String>),
    /// This release is on trial and did not pass its health check in time.
    HealthCheckMissed,
    /// It passed after all, before the counter left: it stays.
    HealthCheckPassed,
    /// The launcher that runs this counter has gone.
    LauncherGone,
    /// What became of a postponement: what now holds, or why none was made.
    ReleasePostponed(Result<String, String>),
    /// A reading from the connected scale, or the kind of failure (the detail is in the log).
    ScaleRead(Result<Reading, ScaleErrorKind>),
    /// The app's monotonic clock, in milliseconds since it started (timeouts).
    Tick(u64),
    /// The local date turned (midnight in the counter's time zone): pieces priced from now
    /// on are mailed on this date.
    DateChanged(crate::date::Date),
    /// The processor's answer to a card or account payment.
    Charged(Result<PaidBy, ChargeRefusal>),
    /// A refund of a voided piece went back to the card or account (or why not).
    Refunded(Result<Money, RemoteFailure>),
    SupervisorLoaded(Result<Box<SupervisorData>, RemoteFailure>),
    /// A supervisor refill was applied (the control total after it) or refused.
    Refilled(Result<Money, RemoteFailure>),
    /// A supervisor void of a recent indicium: the refund, or why not.
    RecentVoided(Result<Money, RemoteFailure>),
    /// At start-up: a sale cut short (the counter stopped between its charge and its
    /// postage) had this much refunded to the card or account that paid.
    UnfinishedSaleRefunded(Money),
}

impl Action {
    /// Keys pressed by a person, as opposed to results and ticks: they reset the
    /// self-service inactivity timer.
    pub fn is_input(&self) -> bool {
        matches!(
            self,
            Action::Type(_)
                | Action::Erase
                | Action::Up
                | Action::Down
                | Action::Left
                | Action::Right
                | Action::Toggle
                | Action::Confirm
                | Action::Back
                | Action::Remove
                | Action::AddAnother
                | Action::NextField
                | Action::PreviousField
                | Action::PayBy(_)
                | Action::Supervisor
                | Action::NextTheme
                | Action::Quit
                | Action::Reprint
                | Action::VoidIssued
                | Action::PostponeRelease
                | Action::Help
                | Action::Pay
        )
    }
}

/// Work for the edge.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Effect {
    LookupZip(String),
    Issue {
        item_id: u64,
        piece: u32,
        /// The idempotency key of this piece: the same on every retry.
        request_id: String,
        priced: Box<PricedPiece>,
    },
    PrintLabel {
        item_id: u64,
        piece: u32,
        priced: Box<PricedPiece>,
        recipient_lines: Vec<String>,
        indicium: Vec<u8>,
    },
    Void {
        item_id: u64,
        piece: u32,
        serial: String,
    },
    PrintReceipt(Box<ReceiptContent>),
    OpenDrawer,
    ChargeCard {
        /// The sale it pays for: its pieces' request ids start with `SALE-item`.
        sale_id: String,
        charge_id: String,
        card: CardNumber,
        expiry: Expiry,
        amount: Money,
    },
    ChargeAccount {
        sale_id: String,
        charge_id: String,
        account: AccountNumber,
        pin: String,
        amount: Money,
    },
    /// Gives a voided piece's price back to the card or account that paid for it.
    Refund {
        paid_by: Box<PaidBy>,
        refund_id: String,
        amount: Money,
    },
    /// Read the PSD's registers and the day's pieces for the supervisor screen.
    LoadSupervisor,
    /// Keep the supervisor PIN gate on disk: wrong PINs typed, and how much longer it stays
    /// locked (0: not locked), so a restart does not reopen it.
    KeepPinGate {
        wrong_pins: u32,
        locked_for_ms: u64,
    },
    /// The supervisor's right PIN, whose file holds a hash of the old kind: keep it as
    /// Argon2id from now on.
    RehashSupervisorPin {
        pin: String,
    },
    Refill {
        refill_id: String,
        amount: Money,
    },
    VoidRecent {
        device_id: u32,
        piece_serial: u32,
    },
    PostponeRelease,
}

/// Why the data centre, a payment processor or the counter's own records did not do what
/// was asked, as the flow decides on it and words it. The edge logs the detail (addresses,
/// status codes, OS errors); only a refusal's own words, meant for the clerk, come along.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RemoteFailure {
    /// Nothing answered in time: asking again later may work.
    Unreachable,
    /// Refused, with the refuser's words for the clerk (a closed void window, a locked PSD).
    Refused(String),
    /// An answer that could not be read, or a fault in this counter's own records.
    Fault,
}

impl RemoteFailure {
    /// The failure of a data-centre request; the detail goes to the log here.
    pub fn from_link(error: &crate::link::LinkError, doing: &str) -> RemoteFailure {
        log::warn!("{doing}: {error}");
        match error {
            crate::link::LinkError::Unreachable { .. } => RemoteFailure::Unreachable,
            crate::link::LinkError::Refused { message, .. } => {
                RemoteFailure::Refused(message.clone())
            }
            crate::link::LinkError::Protocol(_) | crate::link::LinkError::Local(_) => {
                RemoteFailure::Fault
            }
        }
    }

    /// A fault with its detail, which goes to the log here.
    pub fn fault(doing: &str, detail: impl std::fmt::Display) -> RemoteFailure {
        log::error!("{doing}: {detail}");
        RemoteFailure::Fault
    }
}

/// Why a piece was not issued, as the flow decides on it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IssueFailure {
    pub kind: IssueFailureKind,
    /// For the clerk: the refuser's own words (the data centre's, or the embedded PSD's),
    /// or the edge's words for a failure to reach it; never an address, status code or OS
    /// error (those are logged). The flow picks its own words around it.
    pub message: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum IssueFailureKind {
    /// The data centre refused the piece (a price that changed, a used label, a locked
    /// PSD): asking again gets the same answer, so the sale cannot be completed.
    Refused,
    /// Nothing answered, or the offline PSD may not issue now: asking again may work.
    NotNow,
    /// The label printer said it cannot print (asked before issuing): nothing was issued,
    /// and asking again works once someone has seen to it.
    PrinterNotReady(PrinterProblem),
}

impl IssueFailure {
    pub fn not_now(message: impl Into<String>) -> IssueFailure {
        IssueFailure {
            kind: IssueFailureKind::NotNow,
            message: message.into(),
        }
    }
}
