//! postcounter: a terminal postage counter and the postage vendor system (the data centre)
//! it buys its indicia from.
//!
//! The map of the crate, by layer, from the pure core outwards. Nothing in a layer imports
//! from a layer below it in this list.
//!
//! **Pure core** (no IO, no clock; most unit and property tests live here)
//! - [`money`], [`weight`], [`date`]: exact units (mills, picograms, days); no floats.
//! - [`rates`]: USPS retail tables, products, extra services, limits, zones, quotes.
//! - [`address`]: ZIP codes and their directory, recipients.
//! - [`ledger_chain`]: the hash chain over an embedded PSD's pieces; [`hex`].
//!
//! **Signatures and what both sides share**
//! - [`keys`]: PSD certificates, and the key files and key store that hold them.
//! - [`indicium`]: the signed postage mark, byte by byte, and its verification.
//! - [`grants`]: what the data centre signs for a station (refill authorizations, offline
//!   leases, withdrawals), checked with the station's trust.
//! - [`protocol`]: each service's wire bodies, the refusal kinds, request signatures and
//!   sessions. The link and the vendor system meet only here.
//!
//! **Devices and stores** (adapters at the edge, each behind a small trait with a `kind()`)
//! - [`psd`]: the postal security device: registers, durable ledger, signer.
//! - [`payment`]: cards through a gateway, prepaid postage accounts; [`pin_hash`].
//! - [`print`]: documents, the ESC/POS encoder, printer profiles, transports, the virtual
//!   printer; [`scan`] and [`verify_input`] read a printed indicium back.
//! - [`scale`]: serial scales and the clerk's typed weight.
//! - [`durable_sqlite`], [`private_files`] (owner-only folders and databases), [`file_lock`],
//!   [`clock`], [`log_file`]; [`migrations`] (the station's stores, readable by the release
//!   before).
//!
//! **The data centre**
//! - [`vendor_system`]: the postage vendor system's API, its services (postage, funds,
//!   accounts, reconciliation), processing servers and stores.
//!
//! **The station**
//! - [`link`]: the counter's side of the protocol: endpoints, failover, the offline fallback.
//! - [`station`]: what a counter opens from its config (first run, the in-process vendor).
//! - [`sale`]: price, issue and print below the user interface.
//! - [`release`]: the counter's own software updates: staged, switched at a quiet moment,
//!   run on trial by a launcher, rolled back by themselves.
//! - [`kiosk`]: the counter screen (state, flow, view, edge, style).
//!
//! **Edges**
//! - [`config`]: layered settings; [`cli`]: the command line, thin over all of the above.
//! - [`measure`]: benchmarks and the load test, outside the product's map.
pub mod address;
pub mod cli;
pub mod clock;
pub mod config;
pub mod customs;
pub mod date;
pub mod durable_sqlite;
pub mod file_lock;
pub mod gate;
pub mod grants;
pub mod hex;
pub mod indicium;
pub mod keys;
pub mod kiosk;
pub mod ledger_chain;
pub mod link;
pub mod local_time;
pub mod log_file;
pub mod measure;
pub mod migrations;
pub mod modem;
pub mod money;
pub mod payment;
pub mod pin_hash;
pub mod print;
pub mod private_files;
pub mod protocol;
pub mod psd;
pub mod rates;
pub mod release;
pub mod sale;
pub mod scale;
pub mod scan;
pub mod serial_port;
pub mod station;
pub mod tickets;
pub mod tracking;
pub mod vendor_system;
pub mod verify_input;
pub mod weight;
