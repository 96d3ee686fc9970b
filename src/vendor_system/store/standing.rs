//! A station as the data centre's records stand, read in one statement for the monitor: its
//! embedded PSD, the funds authorized for it, and when its ledger was last reconciled.

use super::{VendorStore, id32, int, text};
use crate::money::Money;
use crate::vendor_system::error::VendorError;

/// What the records say of one counter's embedded PSD.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Standing {
    pub psd_id: u32,
    /// `active`, `retiring` or `retired`.
    pub status: String,
    /// The refills authorized less the funds withdrawn: the control total the PSD should hold.
    pub funds_authorized: Money,
    /// The last reconciliation of its ledger, if there was one.
    pub reconciled_unix_ms: Option<i64>,
}

impl VendorStore {
    /// The standing of `counter_id`'s embedded PSD; `None` when it has none yet.
    pub async fn standing(&self, counter_id: &str) -> Result<Option<Standing>, VendorError> {
        let row = sqlx::query(
            "SELECT e.psd_id, e.status, e.authorized_mills - e.withdrawn_mills AS funds_mills, \
                    COALESCE(l.reconciled_unix_ms, -1) AS reconciled_unix_ms \
             FROM embedded_psd e LEFT JOIN counter_ledger l ON l.counter_id = e.counter_id \
             WHERE e.counter_id = $1",
        )
        .bind(counter_id)
        .fetch_optional(self.pool())
        .await?;
        row.map(|row| {
            let reconciled = int(&row, "reconciled_unix_ms")?;
            Ok(Standing {
                psd_id: id32(&row, "psd_id")?,
                status: text(&row, "status")?,
                funds_authorized: Money::from_mills(int(&row, "funds_mills")?),
                reconciled_unix_ms: (reconciled >= 0).then_some(reconciled),
            })
        })
        .transpose()
    }
}
