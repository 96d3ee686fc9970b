//! The data centre's entry point for its stations: who is asking. A request arrives in a
//! session ([`sessions`], keys agreed by `protocol::session`) or signed with a registered
//! counter's key (`protocol::signature`); [`authentication`] decides which and opens
//! sessions.

mod authentication;
pub mod modem_line;
pub mod sessions;

pub(super) use authentication::KnownCounters;
