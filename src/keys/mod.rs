//! Keys: the data centre's roots, PSD signing keys, and the certificates that link them.
//!
//! Trust runs anchor root -> root links -> PSD certificate -> indicium, and the status list
//! can revoke a certificate: a verifier who holds the data centre's anchor can check any
//! indicium from the indicium bytes and a [`Trust`] alone, without asking the data centre's
//! database. Only the data centre holds a root's private key.
pub mod certificate;
pub mod key_file;
mod pem;
pub mod root_link;
pub mod signer;
pub mod status_list;
pub mod store;
pub mod trust;

pub use certificate::{AscendingRange, CertificateError, PsdCertificate};
pub use root_link::RootLink;
pub use signer::PsdSigner;
pub use status_list::{CertificateStatusList, Revocation};
pub use store::{KeyStore, KeyStoreError};
pub use trust::{Trust, TrustError};
