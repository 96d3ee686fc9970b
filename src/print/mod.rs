//! Printing: a [`Document`] is encoded to ESC/POS bytes for one [`PrinterProfile`] and handed
//! to a [`Transport`].
//!
//! A printer is split into three parts so that each can be tested and timed on its own:
//! the profile (data read from `printers/*.toml`), the encoder (a pure function from a document
//! and a profile to bytes) and the transport (the only part that does IO). Layouts
//! ([`label`], [`receipt`]) are pure functions from sale data to a document; they never see
//! bytes, and every text they carry is sanitized for the code page by the encoder.

pub mod card;
pub mod code_page;
pub mod device_simulator;
mod device_transport;
pub mod document;
pub mod encoder;
mod error;
pub mod escpos_commands;
pub mod event_ticket;
pub mod label;
pub mod lottery_ticket;
pub mod printer;
pub mod profile;
pub mod qr;
pub mod raster;
pub mod receipt;
pub mod sanitize;
pub mod simulator;
pub mod status;
pub mod symbol;
mod symbol_placement;
pub mod transport;
pub mod transport_setting;
pub mod virtual_printer;

pub use code_page::CodePage;
pub use device_transport::{DEFAULT_WRITE_TIMEOUT_MS, DeviceLine, DeviceTransport};
pub use document::{Align, Block, Document};
pub use encoder::encode;
pub use error::PrintError;
pub use profile::{PrinterProfile, ProfileError};
pub use raster::Raster;
pub use symbol::DataMatrixSymbol;
pub use transport::{FileTransport, TcpTransport, Transport, TransportError, TransportErrorKind};
pub use transport_setting::TransportSetting;
