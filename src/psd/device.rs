//! The PSD as a device: a ledger, a signing key with its certificate, and the vendor's
//! license number. It turns an issue request into a signed indicium whose debit is durable
//! before the indicium leaves this function.

use std::sync::{Arc, PoisonError, RwLock};

use sha2::{Digest, Sha256};

use super::error::PsdError;
use super::ledger::{Audit, IssueEntry, Ledger, PsdState, RefillOutcome, VoidOutcome};
use super::registers::Registers;
use crate::date::Date;
use crate::grants::RefillAuthorization;
use crate::grants::refill::refill_digest;
use crate::indicium::{DestinationZip, Indicium, IndiciumData, SOFTWARE_ID, label_binding};
use crate::keys::{PsdCertificate, PsdSigner, Trust};
use crate::local_time::mailing_date_window;
use crate::money::Money;
use crate::rates::{Destination, ExtraServices, PricedPiece};

/// How many days ahead a date of mailing may be (post-dating, as meters allow); a date in
/// the past is never accepted.
pub const MAX_POSTDATE_DAYS: i32 = 7;

/// A date of mailing is today or up to [`MAX_POSTDATE_DAYS`] ahead, never in the past;
/// "today" is the counter's local date, so any date that is today somewhere on Earth at
/// `now_unix_ms` is accepted (no zone setting can widen that).
pub fn check_mailing_date(mailing_date: Date, now_unix_ms: i64) -> Result<(), PsdError> {
    let (earliest, latest_today) = mailing_date_window(now_unix_ms);
    let latest = latest_today.add_days(MAX_POSTDATE_DAYS);
    if mailing_date < earliest || mailing_date > latest {
        return Err(PsdError::Refused(format!(
            "the date of mailing {mailing_date} is not accepted: it must be from today ({earliest} to {latest_today}, depending on the time zone) to {latest}"
        )));
    }
    Ok(())
}

/// One mail piece's postage, as the PSD is asked to print it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IssueRequest {
    /// The caller's idempotency key: a retry with the same key returns the same indicium.
    pub request_id: String,
    pub postage: Money,
    pub mailing_date: Date,
    pub origin_zip5: u32,
    pub destination_zip: Option<DestinationZip>,
    pub rate_category: u8,
    pub extra_services: u8,
    /// The effective date of the rate table that priced the piece (the indicium carries it).
    pub rate_table: Date,
    pub label_serial: Option<String>,
}

impl IssueRequest {
    /// The request for `priced` under the caller's idempotency key `request_id`.
    pub fn for_piece(priced: &PricedPiece, request_id: &str) -> IssueRequest {
        let destination_zip = match &priced.request.destination {
            Destination::Domestic(zip) => Some(DestinationZip {
                zip5: zip.zip5_number(),
                plus4: zip.plus4().and_then(|p| p.parse().ok()),
            }),
            Destination::International { .. } => None,
        };
        IssueRequest {
            request_id: request_id.to_string(),
            postage: priced.total,
            mailing_date: priced.request.mailing_date,
            origin_zip5: priced.request.origin.zip5_number(),
            destination_zip,
            rate_category: priced.offer.product.code(),
            extra_services: ExtraServices::of(&priced.request.extras).bits(),
            rate_table: priced.rate_table(),
            label_serial: priced.request.label_serial.clone(),
        }
    }

    /// SHA-256 of everything but the id, so a reused id with another content is caught.
    fn digest(&self) -> [u8; 32] {
        let mut hasher = Sha256::new();
        hasher.update(self.postage.mills().to_be_bytes());
        hasher.update(self.mailing_date.days_since_2000().to_be_bytes());
        hasher.update(self.origin_zip5.to_be_bytes());
        let (zip5, plus4) = self
            .destination_zip
            .map(|z| (z.zip5, z.plus4.map(u32::from).unwrap_or(u32::MAX)))
            .unwrap_or((0, 0));
        hasher.update(zip5.to_be_bytes());
        hasher.update(plus4.to_be_bytes());
        hasher.update([self.rate_category, self.extra_services]);
        hasher.update(self.rate_table.days_since_2000().to_be_bytes());
        if let Some(label) = &self.label_serial {
            hasher.update([1]);
            hasher.update(label.as_bytes());
        }
        let mut digest = [0u8; 32];
        digest.copy_from_slice(&hasher.finalize());
        digest
    }
}

/// A signed indicium, durable in the ledger.
#[derive(Clone, Debug)]
pub struct IssuedIndicium {
    pub indicium: Indicium,
    pub bytes: Vec<u8>,
    pub registers: Registers,
    /// True when the request was a retry and this is the indicium issued the first time.
    pub replayed: bool,
}

pub struct Psd {
    ledger: Ledger,
    /// The current key and certificate; a renewal replaces them (same PSD, new key).
    signer: RwLock<Arc<PsdSigner>>,
    license_number: u32,
}

impl Psd {
    /// Opens the PSD of `signer`'s certificate in `ledger`, registering it on first use,
    /// and audits it. A failed audit leaves the PSD open but locked, so its state can be
    /// shown; see [`Psd::audit_report`].
    pub async fn open(
        ledger: Ledger,
        signer: PsdSigner,
        license_number: u32,
    ) -> Result<(Psd, Audit), PsdError> {
        let certificate = signer.certificate();
        ledger
            .create_psd(certificate.psd_id, certificate.serial, license_number)
            .await?;
        let audit = ledger.audit(certificate.psd_id).await?;
        Ok((
            Psd {
                ledger,
                signer: RwLock::new(Arc::new(signer)),
                license_number,
            },
            audit,
        ))
    }

    pub fn device_id(&self) -> u32 {
        self.signer().certificate().psd_id
    }

    /// The certificate the PSD signs under now.
    pub fn certificate(&self) -> PsdCertificate {
        self.signer().certificate().clone()
    }

    /// The current key and certificate.
    pub fn signer(&self) -> Arc<PsdSigner> {
        self.signer
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// Signs with `next` from now on: a renewed certificate of this same PSD (the ledger,
    /// its registers and its pieces go on). A certificate of another PSD is refused.
    pub fn renew(&self, next: PsdSigner) -> Result<(), PsdError> {
        if next.certificate().psd_id != self.device_id() {
            return Err(PsdError::Refused(format!(
                "certificate {} is for PSD {}, not PSD {}",
                next.certificate().serial,
                next.certificate().psd_id,
                self.device_id()
            )));
        }
        *self.signer.write().unwrap_or_else(PoisonError::into_inner) = Arc::new(next);
        Ok(())
    }

    pub fn ledger(&self) -> &Ledger {
        &self.ledger
    }

    pub async fn state(&self) -> Result<PsdState, PsdError> {
        self.ledger.state(self.device_id()).await
    }

    /// Issues one indicium under the PSD's own certificate: debit, serial and signature in
    /// one durable transaction.
    pub async fn issue(&self, request: &IssueRequest) -> Result<IssuedIndicium, PsdError> {
        self.issue_with(request, self.signer()).await
    }

    /// Issues one indicium under `certificate`, a lease certificate of the PSD's current key
    /// (an embedded PSD's own certificate certifies its key, and covers no piece).
    pub async fn issue_under(
        &self,
        request: &IssueRequest,
        certificate: &PsdCertificate,
    ) -> Result<IssuedIndicium, PsdError> {
        let signer = self.signer().under(certificate).ok_or_else(|| {
            PsdError::Refused(format!(
                "certificate {} is not for the current key of PSD {}",
                certificate.serial,
                self.device_id()
            ))
        })?;
        self.issue_with(request, Arc::new(signer)).await
    }

    /// Issues under `signer`'s certificate, dated within it and at a register it covers;
    /// refused (nothing debited) otherwise.
    async fn issue_with(
        &self,
        request: &IssueRequest,
        signer: Arc<PsdSigner>,
    ) -> Result<IssuedIndicium, PsdError> {
        check_mailing_date(request.mailing_date, self.ledger.now_unix_ms())?;
        let certificate = signer.certificate();
        if !certificate.is_valid_on(request.mailing_date) {
            return Err(PsdError::Refused(format!(
                "the PSD certificate {} is valid {} to {}, not on {}",
                certificate.serial,
                certificate.valid_from,
                certificate.valid_until,
                request.mailing_date
            )));
        }
        let entry = IssueEntry {
            request_id: request.request_id.clone(),
            request_digest: request.digest(),
            postage: request.postage,
            mailing_date: request.mailing_date,
            label_serial: request.label_serial.clone(),
        };
        let outcome = self
            .ledger
            .issue(self.device_id(), &entry, |registers| {
                if !certificate.covers_piece(registers.ascending, request.postage) {
                    return Err(PsdError::Refused(format!(
                        "the PSD certificate {} vouches for {}; this piece of {} would bring the ascending register to {}",
                        certificate.serial, certificate.ascending, request.postage, registers.ascending
                    )));
                }
                let data = self.indicium_data(request, registers, certificate)?;
                let indicium =
                    Indicium::sign_hedged(data, &signer).map_err(PsdError::from_layout)?;
                Ok(indicium.to_bytes().map_err(PsdError::from_layout)?.to_vec())
            })
            .await?;
        let indicium = match Indicium::from_bytes(&outcome.indicium) {
            Ok(indicium) => indicium,
            Err(e) => {
                let reason = format!("the ledger holds an unreadable indicium: {e}");
                self.ledger.lock(self.device_id(), &reason).await?;
                return Err(PsdError::Locked(reason));
            }
        };
        Ok(IssuedIndicium {
            indicium,
            bytes: outcome.indicium,
            registers: outcome.registers,
            replayed: outcome.replayed,
        })
    }

    /// The data elements for `request` with the registers after its debit, under
    /// `certificate`.
    fn indicium_data(
        &self,
        request: &IssueRequest,
        registers: &Registers,
        certificate: &PsdCertificate,
    ) -> Result<IndiciumData, PsdError> {
        Ok(IndiciumData {
            certificate_serial: certificate.serial,
            device_id: certificate.psd_id,
            license_number: self.license_number,
            ascending_register: registers.ascending,
            descending_register: registers.descending,
            postage: request.postage,
            mailing_date: request.mailing_date,
            origin_zip5: request.origin_zip5,
            destination_zip: request.destination_zip,
            rate_category: request.rate_category,
            extra_services: request.extra_services,
            rate_table: Some(request.rate_table),
            software_id: SOFTWARE_ID,
            piece_serial: u32::try_from(registers.piece_count)
                .map_err(|_| PsdError::Locked("the piece serial would exceed 4294967295".into()))?,
            label_binding: label_binding(request.label_serial.as_deref()),
        })
    }

    /// Credits a refill the data centre authorized (the signed `authorization`, checked
    /// with `trust`) for this PSD's refill `refill_id`: once, whatever is replayed, and only
    /// at the control total it was granted at.
    pub async fn apply_refill(
        &self,
        authorization: &[u8],
        refill_id: &str,
        trust: &Trust,
    ) -> Result<RefillOutcome, PsdError> {
        let granted = RefillAuthorization::open(authorization, trust)
            .map_err(|e| PsdError::Refused(e.to_string()))?;
        if granted.psd_id != self.device_id() || granted.refill_digest != refill_digest(refill_id) {
            return Err(PsdError::Refused(format!(
                "the refill authorization is for PSD {} and another refill, not refill {refill_id:?} of PSD {}",
                granted.psd_id,
                self.device_id()
            )));
        }
        self.ledger
            .refill(
                self.device_id(),
                refill_id,
                granted.amount,
                granted.control_total_before,
            )
            .await
    }

    /// Voids an unused indicium issued within the last `window_days` (by the ledger's clock).
    pub async fn void(&self, piece_serial: u32, window_days: i32) -> Result<VoidOutcome, PsdError> {
        self.ledger
            .void(self.device_id(), piece_serial, window_days)
            .await
    }

    pub async fn audit(&self) -> Result<Audit, PsdError> {
        self.ledger.audit(self.device_id()).await
    }
}
