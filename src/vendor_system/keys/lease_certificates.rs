//! Lease certificates: what an embedded PSD's offline pieces verify under.
//!
//! An embedded PSD's key lives on the station, where its owner can copy it and rewrite the
//! ledger beside it, so the data centre never certifies that key without bounds: its key
//! certificate covers no register at all, and every offline lease comes with a certificate
//! of the same key valid only on the lease's days and only for ascending registers above
//! what the data centre last saw reported, by at most the lease's value. A piece signed
//! outside them does not verify anywhere (`verify`, reconciliation, a postal inspector), so
//! an owner who hides pieces and resets the registers can only sign again at registers it
//! already used, on days already granted: a duplicate the mail stream shows.
//!
//! A contact grants a lease at each reconciliation; the certificate of the one before is
//! used again when it says the same (same key, range and last day), so a counter in steady
//! contact adds about one certificate a day, not one a contact.

use super::super::error::VendorError;
use super::super::service::Vendor;
use crate::date::Date;
use crate::grants::OfflineLease;
use crate::keys::{AscendingRange, PsdCertificate};

impl Vendor {
    /// The certificate of embedded PSD `psd_id`'s current key for `lease`: the one issued
    /// before if it says the same, else a new one, recorded before it is given out; `None`
    /// when that key is revoked (no lease is granted then).
    pub(crate) async fn lease_certificate(
        &self,
        psd_id: u32,
        lease: &OfflineLease,
    ) -> Result<Option<PsdCertificate>, VendorError> {
        let certificates = self.store.psd_certificates(Some(&[psd_id])).await?;
        let key = certificates
            .iter()
            .filter(|certificate| !certificate.is_lease())
            .max_by_key(|certificate| certificate.serial)
            .ok_or_else(|| {
                VendorError::storage(format!(
                    "embedded PSD {psd_id} has a lease but no key certificate"
                ))
            })?;
        if self.store.revoked_from(key.serial).await?.is_some() {
            return Ok(None);
        }
        let above = self.store.reported_ascending(psd_id).await?;
        let through = above.checked_add(lease.max_value).ok_or_else(|| {
            VendorError::storage(format!(
                "embedded PSD {psd_id}: the lease's registers overflow"
            ))
        })?;
        let ascending = AscendingRange::Within { above, through };
        let valid_from = self.clock.today();
        let valid_until = lease_last_day(lease);
        if let Some(same) = certificates.iter().rev().find(|certificate| {
            certificate.is_lease()
                && certificate.public_key == key.public_key
                && certificate.ascending == ascending
                && certificate.valid_from <= valid_from
                && certificate.valid_until == valid_until
        }) {
            return Ok(Some(same.clone()));
        }
        let serial = self.store.next_certificate_serial().await?;
        let certificate = self
            .keys
            .certify_within(
                (psd_id, serial, key.public_key),
                (valid_from, valid_until),
                ascending,
            )
            .map_err(VendorError::storage)?;
        self.store
            .record_psd_certificate(&certificate, self.clock.now_unix_ms())
            .await?;
        Ok(Some(certificate))
    }
}

/// The last day (UTC) on which `lease` lets the PSD issue.
fn lease_last_day(lease: &OfflineLease) -> Date {
    Date::from_unix_seconds(u64::try_from(lease.not_after_unix_ms / 1000).unwrap_or(0))
}
