//! The postage indicium: data elements, binary codec, signature and verification.
//!
//! An indicium is 112 bytes: 48 bytes of data elements in a fixed layout (see [`layout`] for
//! the table, byte by byte), then a 64-byte ECDSA P-256 signature (r‖s) over SHA-256 of those
//! 48 bytes. Anyone holding the vendor's root public key and the PSD certificate named in the
//! indicium can verify it with any ECDSA library; [`verify`] is ours.
pub mod destination;
pub mod layout;
pub mod signed;
pub mod specimen;
pub mod verify;

pub use destination::DestinationZip;
pub use layout::{INDICIUM_LEN, IndiciumData, LayoutError, SOFTWARE_ID, label_binding};
pub use signed::Indicium;
pub use verify::{VerifiedIndicium, VerifyError, verify};
