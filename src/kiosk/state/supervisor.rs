//! The supervisor screen's data: the PIN gate, then the PSD's registers, the day's sales by
//! product, recent indicia that may be voided, a refill being typed.
//!
//! The registers and the day's figures are read from the ledger by the edge
//! (`Effect::LoadSupervisor`) and arrive whole as `SupervisorData`, so the screen shows one
//! consistent moment, reloaded after every refill or void.

use super::Step;
use crate::money::Money;
use crate::psd::Registers;

/// Wrong PINs in a row before the gate closes for [`PIN_LOCKOUT_MS`].
pub const PIN_ATTEMPTS: u32 = 3;
pub const PIN_LOCKOUT_MS: u64 = 60_000;

/// Sales of one product today (voided pieces left out).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DayTotal {
    pub product: String,
    pub pieces: u32,
    pub postage: Money,
}

/// An indicium issued today, newest first on the screen.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RecentPiece {
    /// The PSD that issued it: the vendor's central PSD or the embedded one.
    pub device_id: u32,
    pub piece_serial: u32,
    /// `10000001-0000042`
    pub serial: String,
    pub product: String,
    pub postage: Money,
    /// `14:02` UTC, from the ledger.
    pub issued_at: String,
    pub voided: bool,
}

/// One reading of the PSD and the day, taken together.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SupervisorData {
    pub device_id: u32,
    pub registers: Registers,
    pub locked_reason: Option<String>,
    /// Where the registers were read: the vendor, or the embedded PSD's own ledger.
    pub last_contact: String,
    /// Linked: the account's balance, which tops the central PSD up.
    pub account_balance: Option<Money>,
    /// Linked: the embedded PSD that issues when the vendor cannot be reached.
    pub fallback: Option<String>,
    pub day: Vec<DayTotal>,
    pub recent: Vec<RecentPiece>,
    pub label_printer: String,
    pub receipt_printer: String,
}

/// Which part of the unlocked screen takes keys.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum SupervisorFocus {
    /// Up and Down pick a recent indicium; the void key voids it.
    #[default]
    Recent,
    /// Digits type a refill amount; Enter sends it.
    Refill,
}

/// The wrong PINs typed at this station, kept across sales and (by the edge, see
/// [`crate::kiosk::pin_gate`]) across restarts, so that leaving the screen, finishing a sale
/// or restarting the counter does not give a guesser new attempts.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct PinGate {
    pub wrong_pins: u32,
    /// After [`PIN_ATTEMPTS`] wrong PINs, no PIN is taken until this moment (the app's clock).
    pub locked_until_ms: Option<u64>,
}

/// The supervisor screen, from the PIN prompt on.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Supervisor {
    /// Where Back returns to.
    pub return_to: Option<Step>,
    pub pin_text: String,
    pub unlocked: bool,
    pub data: Option<SupervisorData>,
    /// A ledger read, refill or void is on its way.
    pub busy: bool,
    pub focus: SupervisorFocus,
    pub selected_recent: usize,
    pub refill_text: String,
}
