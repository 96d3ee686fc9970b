//! Key management's part of a contact's agenda: an embedded PSD's key certificate near its
//! end is renewed, and a station behind the status list in force fetches the trust.

use crate::protocol::agenda::{StationState, Work};
use crate::vendor_system::error::VendorError;
use crate::vendor_system::service::Vendor;
use crate::vendor_system::store::standing::Standing;

impl Vendor {
    pub(in crate::vendor_system) async fn keys_work(
        &self,
        standing: &Standing,
        state: StationState,
    ) -> Result<Vec<Work>, VendorError> {
        let mut items = Vec::new();
        if standing.status == "active" {
            let certificates = self
                .store
                .psd_certificates(Some(&[standing.psd_id]))
                .await?;
            // The key's certificate, not the day-long lease certificates beside it.
            let key_certificate = certificates
                .iter()
                .filter(|certificate| !certificate.is_lease())
                .max_by_key(|certificate| certificate.serial);
            if let Some(certificate) = key_certificate {
                let days_left = self.clock.today().days_until(certificate.valid_until);
                if days_left < self.settings.certificate_renew_days {
                    items.push(Work::RenewCertificate {
                        last_day: certificate.valid_until.days_since_2000(),
                    });
                }
            }
        }
        if let Some(held) = state.status_list {
            let in_force = self
                .store
                .next_status_list_number()
                .await?
                .saturating_sub(1);
            if held < in_force {
                items.push(Work::StatusList { number: in_force });
            }
        }
        Ok(items)
    }
}
