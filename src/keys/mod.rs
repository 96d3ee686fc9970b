//! Keys: the vendor root, PSD signing keys, and the certificates that link them.
//!
//! Trust runs root -> PSD certificate -> indicium: a verifier who trusts the vendor's root
//! public key can check any indicium from the indicium bytes and the PSD certificate alone,
//! without asking the vendor's database.
pub mod certificate;
pub mod key_file;
pub mod store;

pub use certificate::{CertificateError, PsdCertificate};
pub use store::{KeyStore, KeyStoreError, PsdSigner};
