//! Funds telemetering's part of a contact's agenda: a station whose embedded PSD holds less
//! than the data centre authorized for it has a credit pending (a refill whose answer it
//! never got), which it finishes in the same contact.

use crate::protocol::agenda::{StationState, Work};
use crate::vendor_system::service::Vendor;
use crate::vendor_system::store::standing::Standing;

impl Vendor {
    pub(in crate::vendor_system) fn funds_work(
        &self,
        standing: &Standing,
        state: StationState,
    ) -> Option<Work> {
        let held = state.control_total_mills?;
        let missing = standing.funds_authorized.mills() - held;
        (standing.status == "active" && missing > 0)
            .then_some(Work::PendingCredit { mills: missing })
    }
}
