//! What can happen to the counter (actions) and what it asks the outside world to do
//! (effects). Effects run in tasks at the edge and come back as actions, so `update` never
//! waits on IO.

use crate::address::{Place, ZipCode};
use crate::print::receipt::ReceiptContent;
use crate::psd::IssueRequest;
use crate::sale::PricedPiece;
use crate::scale::Reading;

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
    /// Go back one screen.
    Back,
    /// Remove the highlighted basket item.
    Remove,
    /// Add another piece to the basket.
    AddAnother,
    Quit,
    /// After a print failure: print the same indicium again.
    Reprint,
    /// After a print failure: void the issued indicium for a refund.
    VoidIssued,
    /// Results of effects.
    ZipLooked {
        zip: ZipCode,
        place: Option<Place>,
    },
    ZipRefused(String),
    Issued {
        item_id: u64,
        piece: u32,
        result: Result<(String, Vec<u8>), String>,
    },
    Printed {
        item_id: u64,
        piece: u32,
        result: Result<(), String>,
    },
    Voided {
        item_id: u64,
        piece: u32,
        result: Result<(), String>,
    },
    ReceiptPrinted(Result<(), String>),
    /// A reading from the connected scale, or why it could not be read.
    ScaleRead(Result<Reading, String>),
}

/// Work for the edge.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Effect {
    LookupZip(String),
    Issue {
        item_id: u64,
        piece: u32,
        request: IssueRequest,
        priced: Box<PricedPiece>,
    },
    PrintLabel {
        item_id: u64,
        piece: u32,
        priced: Box<PricedPiece>,
        indicium: Vec<u8>,
    },
    Void {
        item_id: u64,
        piece: u32,
        serial: String,
    },
    PrintReceipt(Box<ReceiptContent>),
    OpenDrawer,
}
