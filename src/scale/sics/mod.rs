//! Mettler Toledo MT-SICS, the serial command set of Mettler Toledo bench scales and weighing
//! terminals (PS60 shipping scales, BC/ICS bench scales, IND indicators).
//!
//! Level 0 commands, from the MT-SICS reference manual: each command and each reply is one
//! ASCII line ended by CR LF.
//!
//! | command | replies                          | meaning                                  |
//! |---------|----------------------------------|------------------------------------------|
//! | `S`     | `S S <value> <unit>`             | the next stable weight                   |
//! |         | `S I`                            | not executed (still moving, busy)        |
//! |         | `S +` / `S -`                    | over capacity / under zero               |
//! | `SI`    | `S S <value> <unit>`             | the weight now, stable                   |
//! |         | `S D <value> <unit>`             | the weight now, dynamic (still moving)   |
//! |         | `S I`, `S +`, `S -`              | as for `S`                               |
//! | `Z`     | `Z A`                            | zeroed                                   |
//! |         | `Z I`                            | not zeroed (moving, busy)                |
//! |         | `Z +` / `Z -`                    | outside the zeroing range                |
//! | any     | `ES` / `ET` / `EL`               | syntax, transmission or logical error    |
//!
//! The value is right-aligned in ten characters (`     1.250`), a minus sign before its
//! digits; the unit is `g`, `kg`, `lb` or `oz`. Lines have no checksum: the decoder is
//! strict about structure instead. The factory line is 9600 baud, 8 data bits, no parity.
//!
//! Shaped as the NCI driver: a pure codec ([`frame`]) under an IO driver
//! ([`SicsSerialScale`]), and a simulator ([`SicsSimulator`]) on a pseudo-terminal.

mod frame;
mod serial;
mod simulator;

pub use frame::{SicsCommand, SicsReply, SicsReplyError, decode_line, encode_reply};
pub use serial::{DEFAULT_TIMEOUT_MS, SicsSerialScale};
pub use simulator::{SicsSimulator, SicsSimulatorHandle};
