//! The postage vendor system: one postal license for many counters, the PSDs and their
//! registers kept centrally, purchases handed to processing servers, served over HTTP.
//!
//! - [`api`]: the axum routes (v1) and the OpenAPI document; [`wire`] the JSON bodies,
//!   shared with the counter's client.
//! - [`auth`]: counters sign requests with their registered P-256 key; [`session`] and
//!   [`sessions`]: or sign once to open a session and authenticate requests with its key.
//! - [`service`]: authenticate, validate ([`validate`], [`label_serial`]), run.
//! - [`committer`]: group commit of purchases; [`processing`] and [`crypto_module`]: the
//!   processing servers that sign.
//! - [`store`]: SQLite or PostgreSQL, one set of statements.
//! - [`from_config`]: the vendor as configured, for `vendor serve` and the in-process vendor.
pub mod api;
pub mod auth;
pub mod committer;
pub mod crypto_module;
pub mod error;
pub mod from_config;
pub mod label_serial;
pub mod processing;
pub mod service;
pub mod session;
pub mod sessions;
pub mod store;
pub mod validate;
pub mod wire;

pub use error::{VendorError, VendorErrorKind};
pub use service::{Vendor, VendorSettings};
