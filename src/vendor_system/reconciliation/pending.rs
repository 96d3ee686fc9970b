//! Reconciliation's part of a contact's agenda: a station whose ledger was last reconciled
//! more than half a lease ago reconciles now, which reports its offline pieces and renews
//! its lease before the old one runs out.

use crate::protocol::agenda::Work;
use crate::vendor_system::service::Vendor;
use crate::vendor_system::store::standing::Standing;

impl Vendor {
    pub(in crate::vendor_system) fn postage_work(
        &self,
        standing: &Standing,
        now_unix_ms: i64,
    ) -> Option<Work> {
        if standing.status != "active" {
            return None;
        }
        let half_lease_ms = i64::from(self.settings.lease_hours) * 3_600_000 / 2;
        match standing.reconciled_unix_ms {
            None => Some(Work::Reconcile { last_unix_ms: 0 }),
            Some(last) if now_unix_ms - last > half_lease_ms => {
                Some(Work::Reconcile { last_unix_ms: last })
            }
            Some(_) => None,
        }
    }
}
