//! The report of an embedded PSD's offline pieces, hash-chained (see `ledger_chain`).

use serde::{Deserialize, Serialize};

/// `POST /v1/reconciliations`: the pieces a counter's embedded PSD issued while the vendor
/// could not be reached, hash-chained (see `ledger_chain`), from the first piece the vendor
/// has not acknowledged.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReconcileRequest {
    /// The embedded PSD's device id.
    pub psd_id: u32,
    /// The embedded PSD's certificate (110 bytes, hex), as `postcounter keys export`
    /// writes it. The vendor keeps the first one a counter reports, and every offline
    /// indicium must verify under it.
    pub psd_certificate: String,
    pub entries: Vec<LedgerEntry>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LedgerEntry {
    pub piece_serial: u32,
    pub postage_mills: i64,
    /// `YYYY-MM-DD`.
    pub mailing_date: String,
    pub issued_unix_ms: i64,
    /// The indicium bytes, hex.
    pub indicium: String,
    /// This entry's chain hash, hex (64 digits).
    pub entry_hash: String,
}

/// The vendor's head of the counter's chain after the report.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReconcileResponse {
    pub psd_id: u32,
    /// The last piece the vendor holds (0 for none).
    pub through_serial: u32,
    /// Its chain hash, hex.
    pub head_hash: String,
    /// Pieces recorded by this report (0 for a retry or an empty report).
    pub recorded: u32,
    pub recorded_postage_mills: i64,
}
