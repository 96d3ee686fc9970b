//! Avery Weigh-Tronix NCI, the serial protocol of most US postal and shipping bench scales.
//!
//! Framing implemented here, from the NCI standard (Weigh-Tronix control document SCP-01,
//! "NCI General Serial Communications Protocol") as printed in the NCI 7800 family user's
//! manual (p. 32) and the Avery Weigh-Tronix 7821 user instructions (section 6.3):
//!
//! | command  | reply                                   | meaning                      |
//! |----------|-----------------------------------------|------------------------------|
//! | `W<CR>`  | `<LF>xxxx.xxuu<CR><LF>hh..<CR><ETX>`    | weight, unit and status      |
//! | `S<CR>`  | `<LF>hh..<CR><ETX>`                     | status                       |
//! | `Z<CR>`  | `<LF>hh..<CR><ETX>`                     | zero the scale, then status  |
//! | other    | `<LF>?<CR><ETX>`                        | not understood               |
//!
//! LF = 0x0A, CR = 0x0D, ETX = 0x03. `x` is a display character (digits, point, a minus
//! sign; other characters when the display shows no weight); `uu` is the unit (`lb`, `oz`,
//! `kg`, `g`; lb-oz scales send `xxlb xx.xoz`); `hh..` are two or more status bytes (see
//! [`NciStatus`]; some models prefix them with `S`, which is accepted). NCI has no checksum:
//! the only integrity check is the line's parity (when the scale runs 7E1, the UART checks
//! it), so the decoder is strict about structure instead. The default line is 9600 baud.
//!
//! Shaped as the house style asks of devices: pure codec (`frame`, `status`,
//! `weight_text`, `interpret`) under an IO driver ([`NciSerialScale`]), and a simulator
//! ([`NciSimulator`]) that speaks the same bytes on a pseudo-terminal for tests and demos.

mod frame;
mod interpret;
mod serial;
mod simulator;
mod status;
mod weight_text;

pub use frame::{
    Decoded, MAX_REPLY_BYTES, NciCommand, NciFrameError, NciReply, decode_reply, encode_reply,
};
pub use interpret::reading_from_weight_reply;
pub use serial::{DEFAULT_TIMEOUT_MS, MAX_TIMEOUT_MS, NciSerialScale};
pub use simulator::{NciSimulator, NciSimulatorHandle, SimulatedFault, SimulatorBehaviour};
pub use status::NciStatus;
pub use weight_text::{
    NciWeight, display_decimals, format_weight_number, format_weight_text, parse_weight_text,
};
