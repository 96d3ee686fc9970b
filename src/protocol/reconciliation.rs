//! The report of an embedded PSD's offline pieces, hash-chained (see `ledger_chain`).

use serde::{Deserialize, Serialize};

/// `POST /v1/reconciliations`: the pieces a counter's embedded PSD issued while the vendor
/// could not be reached, hash-chained (see `ledger_chain`), from the first piece the vendor
/// has not acknowledged.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReconcileRequest {
    /// The embedded PSD's device id: the one key management numbered for this counter.
    /// Every offline indicium must verify under a certificate issued for it.
    pub psd_id: u32,
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
    /// A fresh offline lease for the counter's embedded PSD, hex (see `grants::lease`);
    /// none for a counter that may not issue offline.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lease: Option<String>,
    /// The data centre's clock: the counter's time authority.
    #[serde(default)]
    pub time_unix_ms: i64,
}
