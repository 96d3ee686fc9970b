//! The report of an embedded PSD's offline pieces, hash-chained (see `ledger_chain`).

use serde::{Deserialize, Serialize};

/// `POST /postage/v1/reconciliations`: the pieces a counter's embedded PSD issued while the vendor
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
    /// The label-stock serial (or sheet position, `-P3`) the piece was printed on, if any:
    /// checked by the data centre against the indicium's label binding and the account's
    /// stock. Not part of the chain hash: the signed indicium binds it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label_serial: Option<String>,
}

/// An offline piece's label the data centre did not accept: not the account's stock, used
/// before, or not the label the indicium was printed for. The piece is recorded; the label
/// is kept as an exception for the administrator.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RefusedLabel {
    pub piece_serial: u32,
    pub label_serial: String,
    pub reason: String,
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
    /// Labels of this report's pieces the data centre refused.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub refused_labels: Vec<RefusedLabel>,
}
