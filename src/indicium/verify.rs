//! Verification, as a postal inspector does it: from the indicium bytes and a [`Trust`] (the
//! data centre's anchor root, its root links, the PSD certificates and the certificate status
//! list) alone, with no access to the data centre's database.
//!
//! The order of the checks matters for the message: a wrong length or version is reported
//! before a signature, so that a damaged scan is not mistaken for a forgery.

use sha2::{Digest, Sha256};

use super::layout::LayoutError;
use super::signed::Indicium;
use crate::keys::PsdCertificate;
use crate::keys::trust::Trust;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VerifyError {
    #[error("not a valid indicium: {0}")]
    Layout(#[from] LayoutError),
    #[error(
        "no PSD certificate with serial {0} is known; export it with `postcounter keys export`"
    )]
    UnknownCertificate(u32),
    #[error("PSD certificate {serial} is not signed by any trusted root of the data centre")]
    CertificateNotTrusted { serial: u32 },
    #[error(
        "PSD certificate {serial} was revoked for mail from {from} on; this indicium is mailed {mailing}"
    )]
    Revoked {
        serial: u32,
        from: String,
        mailing: String,
    },
    #[error("the trusted roots do not hold together: {0}")]
    Trust(String),
    #[error(
        "PSD certificate {serial} is for PSD {certified}, but the indicium names PSD {claimed}"
    )]
    DeviceMismatch {
        serial: u32,
        certified: u32,
        claimed: u32,
    },
    #[error(
        "PSD certificate {serial} is valid {from} to {until}, not on the date of mailing {mailing}"
    )]
    CertificateNotValidOnDate {
        serial: u32,
        from: String,
        until: String,
        mailing: String,
    },
    #[error(
        "PSD certificate {serial} vouches for {range}, not for this indicium's piece of {postage} that brings the ascending register to {ascending}"
    )]
    RegisterNotCertified {
        serial: u32,
        range: String,
        postage: String,
        ascending: String,
    },
    #[error("the signature does not match the indicium data (altered or forged)")]
    BadSignature,
}

/// An indicium whose signature and certificate chain have been checked.
#[derive(Clone, Debug)]
pub struct VerifiedIndicium {
    pub indicium: Indicium,
    pub certificate: PsdCertificate,
    /// SHA-256 of the 112 bytes: a short, stable handle for logs and reports.
    pub fingerprint: [u8; 32],
}

/// Checks `bytes` against `trust`: the certificate named in the indicium, signed by a root
/// the anchor reaches, not revoked for the date of mailing, and the signature under it.
pub fn verify(bytes: &[u8], trust: &Trust) -> Result<VerifiedIndicium, VerifyError> {
    let indicium = Indicium::from_bytes(bytes)?;
    let certificates = &trust.certificates;
    let serial = indicium.data.certificate_serial;
    // Certificates are looked up by serial and PSD together: two vendors (or a
    // misconfiguration) may reuse a serial, and the certificate must be this PSD's.
    let device = indicium.data.device_id;
    let certificate = match certificates
        .iter()
        .find(|c| c.serial == serial && c.psd_id == device)
    {
        Some(certificate) => certificate,
        None => {
            return Err(match certificates.iter().find(|c| c.serial == serial) {
                Some(other) => VerifyError::DeviceMismatch {
                    serial,
                    certified: other.psd_id,
                    claimed: device,
                },
                None => VerifyError::UnknownCertificate(serial),
            });
        }
    };
    let vouched = trust
        .vouches_for(certificate)
        .map_err(|e| VerifyError::Trust(e.to_string()))?;
    if !vouched {
        return Err(VerifyError::CertificateNotTrusted { serial });
    }
    let mailing = indicium.data.mailing_date;
    if let Some(from) = trust
        .status
        .as_ref()
        .and_then(|status| status.revoked_from(serial))
        .filter(|from| *from <= mailing)
    {
        return Err(VerifyError::Revoked {
            serial,
            from: from.to_string(),
            mailing: mailing.to_string(),
        });
    }
    verify_under(&indicium, certificate)?;
    let mut fingerprint = [0u8; 32];
    fingerprint.copy_from_slice(&Sha256::digest(bytes));
    Ok(VerifiedIndicium {
        indicium,
        certificate: certificate.clone(),
        fingerprint,
    })
}

/// Checks `indicium` against a `certificate` the caller has chosen and trusts for it: the
/// date of mailing within the certificate's validity, the piece within its register
/// range (an embedded PSD's lease: from the register before it to the one after), and the signature under its key. The
/// vendor uses it for an embedded PSD's certificate, whose root it does not know.
pub fn verify_under(indicium: &Indicium, certificate: &PsdCertificate) -> Result<(), VerifyError> {
    let mailing_date = indicium.data.mailing_date;
    if !certificate.is_valid_on(mailing_date) {
        return Err(VerifyError::CertificateNotValidOnDate {
            serial: certificate.serial,
            from: certificate.valid_from.to_string(),
            until: certificate.valid_until.to_string(),
            mailing: mailing_date.to_string(),
        });
    }
    let (ascending, postage) = (indicium.data.ascending_register, indicium.data.postage);
    if !certificate.covers_piece(ascending, postage) {
        return Err(VerifyError::RegisterNotCertified {
            serial: certificate.serial,
            range: certificate.ascending.to_string(),
            postage: postage.to_string(),
            ascending: ascending.to_string(),
        });
    }
    if !indicium.signature_is_valid(&certificate.public_key) {
        return Err(VerifyError::BadSignature);
    }
    Ok(())
}
