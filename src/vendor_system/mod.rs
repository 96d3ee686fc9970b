//! The postage vendor system: the data centre. One postal license for many counters, the
//! PSDs and their registers kept centrally, purchases handed to processing servers, served
//! over HTTP to its stations.
//!
//! - [`api`]: the axum routes (v1) and the OpenAPI document.
//! - [`remote_access`]: who is asking (a session, or a counter's signature).
//! - [`service`]: the [`Vendor`] every service runs on: store, processing servers, settings.
//! - The services, one folder each: [`postage`] (purchases, voids, the committer, processing
//!   servers and their cryptographic modules, label serials), [`keys`] (the only root: PSD
//!   certificates, root rollover, the status list), [`funds`] (registers, refills of central
//!   PSDs and refill authorizations for embedded ones), [`accounts`] (counter registration),
//!   [`reconciliation`] (an embedded PSD's offline pieces, and its offline lease).
//! - [`store`]: SQLite or PostgreSQL, one set of statements; [`validate`]: what every service
//!   checks of its input; [`error`]: the one error type.
//! - [`from_config`]: the vendor as configured, for `vendor serve` and the in-process vendor.
pub mod accounts;
pub mod api;
pub mod error;
pub mod events;
pub mod from_config;
pub mod funds;
pub mod keys;
pub mod lottery;
pub mod mail_scans;
pub mod metrics;
pub mod monitor;
pub mod payments;
pub mod postage;
pub mod reconciliation;
pub mod remote_access;
pub mod service;
pub mod store;
pub mod tls;
pub mod updates;
pub mod validate;

pub use error::{RefusalKind, VendorError};
pub use service::{Vendor, VendorSettings};
