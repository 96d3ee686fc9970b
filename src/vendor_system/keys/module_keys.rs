//! Key management for the processing servers' cryptographic modules: before a server signs
//! for a PSD, the data centre has certified the key its module holds for it.
//!
//! A software module signs with the PSD's key file, whose certificate `admin psd-create`
//! issued. A token generates a key of its own for each PSD, inside the token, and the root
//! certifies it under a serial reserved first (the key is named for that serial, so a crash
//! between the two leaves a key that is certified on the next try rather than an orphan).
//! A token key whose certificate is within [`RENEW_BEFORE_DAYS`] of expiry when its server
//! first signs for the PSD, or that ends before a piece's date of mailing, is replaced by a
//! new key and certificate; indicia signed under the old one still verify. A key file's
//! certificate that ends before a piece's date is refused, never signed under.

use super::super::error::{RefusalKind, VendorError};
use super::super::postage::crypto_module::{ModuleError, ModuleErrorKind, ModuleKey};
use super::super::postage::processing::ProcessingPool;
use super::super::store::VendorStore;
use crate::clock::Clock;
use crate::date::Date;
use crate::keys::{KeyStore, PsdCertificate};

/// How long a central PSD's certificate is valid, for a key file or a token key.
pub const CENTRAL_VALIDITY_DAYS: i32 = 3 * 365;

/// A token key is replaced when its certificate has fewer days left than this.
pub const RENEW_BEFORE_DAYS: i32 = 30;

fn module_refusal(server: &str, error: ModuleError) -> VendorError {
    let kind = match error.kind() {
        ModuleErrorKind::NoKey | ModuleErrorKind::CannotGenerate => RefusalKind::PsdLocked,
        ModuleErrorKind::Device | ModuleErrorKind::Stopped => RefusalKind::Unavailable,
    };
    log::error!("processing server {server}: {error}");
    VendorError::new(kind, format!("processing server {server}: {error}"))
}

/// The data centre's side of key management, as the committer and `admin` need it.
pub struct ModuleCertifier<'a> {
    pub store: &'a VendorStore,
    pub keys: &'a KeyStore,
    pub clock: &'a Clock,
}

impl ModuleCertifier<'_> {
    /// Makes `lane`'s module hold a key for `psd_id` certified through `through` (the
    /// latest date of mailing it is to sign for) and the pool sign under it; the
    /// certificate's serial. A key file whose certificate ends before is refused, not used.
    pub async fn certify_lane(
        &self,
        pool: &ProcessingPool,
        lane: usize,
        psd_id: u32,
        through: Date,
    ) -> Result<u32, VendorError> {
        let server = pool.server(lane).name.clone();
        let module = pool.module(lane);
        let today = self.clock.today();
        let held = module
            .newest_key(psd_id)
            .await
            .map_err(|e| module_refusal(&server, e))?;
        if let Some(key) = held {
            let certificate = self.recorded(pool, psd_id, &key, &server).await?;
            let renew = pool.kind().generates_keys()
                && !certificate.is_valid_on(today.add_days(RENEW_BEFORE_DAYS).max(through));
            if !renew {
                if certificate.valid_until < through {
                    return Err(module_refusal(
                        &server,
                        ModuleError::new(
                            ModuleErrorKind::NoKey,
                            format!(
                                "PSD {psd_id}'s certificate {} ends {}, before the date of mailing {through}: its key file needs a new certificate",
                                certificate.serial, certificate.valid_until
                            ),
                        ),
                    ));
                }
                pool.remember(lane, psd_id, certificate.serial, certificate.valid_until);
                return Ok(certificate.serial);
            }
            log::info!(
                "processing server {server}: certificate {} of PSD {psd_id} ends {}; a new key replaces it",
                certificate.serial,
                certificate.valid_until
            );
        } else if !pool.kind().generates_keys() {
            return Err(module_refusal(
                &server,
                ModuleError::new(
                    ModuleErrorKind::NoKey,
                    format!(
                        "no key for PSD {psd_id}: create the PSD with `postcounter admin psd-create`"
                    ),
                ),
            ));
        }
        let serial = self.store.next_certificate_serial().await?;
        let public_key = module
            .generate(psd_id, serial)
            .await
            .map_err(|e| module_refusal(&server, e))?;
        let certificate = self.issue(psd_id, serial, public_key)?;
        self.store
            .record_psd_certificate(&certificate, self.clock.now_unix_ms())
            .await?;
        log::info!(
            "processing server {server}: a key generated in its module for PSD {psd_id}, certificate {serial}"
        );
        pool.remember(lane, psd_id, serial, certificate.valid_until);
        Ok(serial)
    }

    /// Central PSD `psd_id`'s key file for the software module, made under a serial the store
    /// reserves unless the key store holds one already, its certificate recorded; its serial.
    pub async fn key_file(&self, psd_id: u32) -> Result<u32, VendorError> {
        let signer = if self.keys.has_psd(psd_id) {
            self.keys.psd_signer(psd_id)
        } else {
            let serial = self.store.next_certificate_serial().await?;
            let today = self.clock.today();
            let valid_from = self.clock.earliest_today();
            self.keys.create_psd(
                psd_id,
                serial,
                valid_from,
                today.add_days(CENTRAL_VALIDITY_DAYS),
            )
        }
        // For the operator making the PSD: the key store's own reason.
        .map_err(|e| VendorError::new(RefusalKind::Unavailable, e.to_string()))?;
        self.store
            .record_psd_certificate(signer.certificate(), self.clock.now_unix_ms())
            .await?;
        Ok(signer.certificate().serial)
    }

    /// Every lane of `pool` certified for `psd_id` through today; each lane's serial, in
    /// lane order.
    pub async fn certify_every_lane(
        &self,
        pool: &ProcessingPool,
        psd_id: u32,
    ) -> Result<Vec<u32>, VendorError> {
        let mut serials = Vec::with_capacity(pool.len());
        for lane in 0..pool.len() {
            serials.push(
                self.certify_lane(pool, lane, psd_id, self.clock.today())
                    .await?,
            );
        }
        Ok(serials)
    }

    /// The certificate the store holds for a module's key: recorded now if the key's
    /// certification was cut short, refused loudly if the store's certificate under that
    /// serial certifies another key or PSD.
    async fn recorded(
        &self,
        pool: &ProcessingPool,
        psd_id: u32,
        key: &ModuleKey,
        server: &str,
    ) -> Result<PsdCertificate, VendorError> {
        let serial = key.certificate_serial;
        let certificate = match self.store.psd_certificate(serial).await? {
            Some(certificate) => certificate,
            None => {
                let certificate = if pool.kind().generates_keys() {
                    self.issue(psd_id, serial, key.public_key)?
                } else {
                    self.keys
                        .psd_signer(psd_id)
                        .map_err(VendorError::storage)?
                        .certificate()
                        .clone()
                };
                self.store
                    .record_psd_certificate(&certificate, self.clock.now_unix_ms())
                    .await?;
                certificate
            }
        };
        if certificate.psd_id != psd_id || certificate.public_key != key.public_key {
            return Err(VendorError::storage(format!(
                "processing server {server}'s key for PSD {psd_id} names certificate {serial}, which certifies another key (PSD {}): the module and the store disagree",
                certificate.psd_id
            )));
        }
        Ok(certificate)
    }

    fn issue(
        &self,
        psd_id: u32,
        serial: u32,
        public_key: p256::ecdsa::VerifyingKey,
    ) -> Result<PsdCertificate, VendorError> {
        let today = self.clock.today();
        self.keys
            .certify(
                psd_id,
                serial,
                public_key,
                self.clock.earliest_today(),
                today.add_days(CENTRAL_VALIDITY_DAYS),
            )
            .map_err(VendorError::storage)
    }
}
