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
use crate::psd::device::MAX_POSTDATE_DAYS;

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
        let newest = certificates
            .iter()
            .filter(|certificate| !certificate.is_lease())
            .max_by_key(|certificate| certificate.serial)
            .ok_or_else(|| {
                VendorError::storage(format!(
                    "embedded PSD {psd_id} has a lease but no key certificate"
                ))
            })?;
        if self.store.revoked_from(newest.serial).await?.is_some() {
            return Ok(None);
        }
        let key = &self.bounded_key_certificate(newest).await?;
        let above = self.store.reported_ascending(psd_id).await?;
        let through = above.checked_add(lease.max_value).ok_or_else(|| {
            VendorError::storage(format!(
                "embedded PSD {psd_id}: the lease's registers overflow"
            ))
        })?;
        let ascending = AscendingRange::Within { above, through };
        // From the earliest local date on Earth: a counter west of UTC dates its pieces a
        // day behind the data centre's UTC date for part of the day.
        let valid_from = self.clock.earliest_today();
        let valid_until = lease_last_day(lease);
        let same = certificates.iter().rev().find(|certificate| {
            certificate.is_lease()
                && certificate.public_key == key.public_key
                && certificate.ascending == ascending
                && certificate.valid_from <= valid_from
                && certificate.valid_until == valid_until
        });
        // One the administrator revoked is never given out again: a new one is made.
        if let Some(same) = same
            && self.store.revoked_from(same.serial).await?.is_none()
        {
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

impl Vendor {
    /// `key`, or, when it is a certificate from before lease certificates (version 1: any
    /// register), a key-only certificate of the same key that replaces it: the old one is
    /// revoked from the first day no piece it signed today can be dated for, so what it
    /// signed stays valid and nothing new verifies under it.
    async fn bounded_key_certificate(
        &self,
        key: &PsdCertificate,
    ) -> Result<PsdCertificate, VendorError> {
        if key.ascending != AscendingRange::Any {
            return Ok(key.clone());
        }
        let today = self.clock.today();
        let serial = self.store.next_certificate_serial().await?;
        let bounded = self
            .keys
            .certify_within(
                (key.psd_id, serial, key.public_key),
                (today, key.valid_until),
                AscendingRange::NONE,
            )
            .map_err(VendorError::storage)?;
        let from = today.add_days(MAX_POSTDATE_DAYS + 1);
        let reason = "an embedded PSD's certificate for any register, replaced by its key-only certificate and lease certificates";
        self.store
            .replace_certificate(
                key.serial,
                (from, reason),
                &bounded,
                self.clock.now_unix_ms(),
            )
            .await?;
        // The trust bundle signs the list anew too if this is cut short here.
        self.status_list_in_step().await?;
        log::info!(
            "embedded PSD {}: certificate {} (any register) replaced by key certificate {serial}, revoked from {from}",
            key.psd_id,
            key.serial
        );
        Ok(bounded)
    }
}

/// The last day (UTC) on which `lease` lets the PSD issue.
fn lease_last_day(lease: &OfflineLease) -> Date {
    Date::from_unix_seconds(u64::try_from(lease.not_after_unix_ms / 1000).unwrap_or(0))
}
