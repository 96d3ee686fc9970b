//! The compact PSD certificate.
//!
//! A verifier (a postal inspector, a test, a third party with any ECDSA library) needs to know
//! which public key may sign indicia for a PSD, and that the vendor vouched for it. X.509 would
//! do, but costs hundreds of bytes and a parser; this certificate is 110 fixed bytes that can
//! be read with a hex dump:
//!
//! | offset | bytes | field |
//! |---|---|---|
//! | 0 | 1 | certificate format version (1) |
//! | 1 | 4 | certificate serial, big-endian (printed in every indicium) |
//! | 5 | 4 | PSD id (device serial), big-endian |
//! | 9 | 2 | valid from: days since 2000-01-01, big-endian |
//! | 11 | 2 | valid until (inclusive): days since 2000-01-01, big-endian |
//! | 13 | 33 | PSD public key, SEC1 compressed P-256 point |
//! | 46 | 64 | vendor root signature r‖s (ECDSA P-256, SHA-256) over bytes 0..46 |
//!
//! In a PEM file the bytes sit under the label `POSTCOUNTER PSD CERTIFICATE`.

use p256::ecdsa::signature::{Signer, Verifier};
use p256::ecdsa::{Signature, SigningKey, VerifyingKey};

use super::pem::{from_pem, to_pem};
use crate::date::Date;

pub const CERTIFICATE_LEN: usize = 110;
pub const CERTIFICATE_PEM_LABEL: &str = "POSTCOUNTER PSD CERTIFICATE";
const FORMAT_VERSION: u8 = 1;
const SIGNED_LEN: usize = 46;

/// A PSD's public key, vouched for by the vendor root key.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PsdCertificate {
    pub serial: u32,
    pub psd_id: u32,
    pub valid_from: Date,
    pub valid_until: Date,
    pub public_key: VerifyingKey,
    root_signature: [u8; 64],
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CertificateError {
    #[error("a PSD certificate is {CERTIFICATE_LEN} bytes, this one is {0}")]
    WrongLength(usize),
    #[error("PSD certificate format version {0} is not supported (only 1)")]
    UnsupportedVersion(u8),
    #[error("the PSD certificate's public key is not a valid P-256 point")]
    BadPublicKey,
    #[error("the PSD certificate's validity dates are outside 2000-01-01..2179-06-06")]
    DateOutOfRange,
    #[error("the PSD certificate {serial} is not signed by this vendor root key")]
    NotSignedByRoot { serial: u32 },
    #[error("not a PSD certificate PEM file: {0}")]
    Pem(String),
}

impl PsdCertificate {
    /// Certifies `public_key` for `psd_id`, signed by the vendor root key.
    pub fn issue(
        root: &SigningKey,
        serial: u32,
        psd_id: u32,
        public_key: VerifyingKey,
        valid_from: Date,
        valid_until: Date,
    ) -> Result<PsdCertificate, CertificateError> {
        let mut certificate = PsdCertificate {
            serial,
            psd_id,
            valid_from,
            valid_until,
            public_key,
            root_signature: [0; 64],
        };
        let signed = certificate.signed_bytes()?;
        let signature: Signature = root.sign(&signed);
        certificate
            .root_signature
            .copy_from_slice(&signature.to_bytes());
        Ok(certificate)
    }

    fn signed_bytes(&self) -> Result<[u8; SIGNED_LEN], CertificateError> {
        let day = |date: Date| {
            u16::try_from(date.days_since_2000()).map_err(|_| CertificateError::DateOutOfRange)
        };
        let mut bytes = [0u8; SIGNED_LEN];
        bytes[0] = FORMAT_VERSION;
        bytes[1..5].copy_from_slice(&self.serial.to_be_bytes());
        bytes[5..9].copy_from_slice(&self.psd_id.to_be_bytes());
        bytes[9..11].copy_from_slice(&day(self.valid_from)?.to_be_bytes());
        bytes[11..13].copy_from_slice(&day(self.valid_until)?.to_be_bytes());
        bytes[13..46].copy_from_slice(self.public_key.to_sec1_point(true).as_bytes());
        Ok(bytes)
    }

    pub fn to_bytes(&self) -> Result<[u8; CERTIFICATE_LEN], CertificateError> {
        let mut bytes = [0u8; CERTIFICATE_LEN];
        bytes[..SIGNED_LEN].copy_from_slice(&self.signed_bytes()?);
        bytes[SIGNED_LEN..].copy_from_slice(&self.root_signature);
        Ok(bytes)
    }

    /// Parses the 110 bytes; says nothing yet about who signed them (see [`Self::verify_with`]).
    pub fn from_bytes(bytes: &[u8]) -> Result<PsdCertificate, CertificateError> {
        if bytes.len() != CERTIFICATE_LEN {
            return Err(CertificateError::WrongLength(bytes.len()));
        }
        if bytes[0] != FORMAT_VERSION {
            return Err(CertificateError::UnsupportedVersion(bytes[0]));
        }
        let be32 = |at: usize| {
            u32::from_be_bytes([bytes[at], bytes[at + 1], bytes[at + 2], bytes[at + 3]])
        };
        let day = |at: usize| {
            Date::from_days_since_2000(i32::from(u16::from_be_bytes([bytes[at], bytes[at + 1]])))
        };
        let public_key = VerifyingKey::from_sec1_bytes(&bytes[13..46])
            .map_err(|_| CertificateError::BadPublicKey)?;
        let mut root_signature = [0u8; 64];
        root_signature.copy_from_slice(&bytes[SIGNED_LEN..]);
        Ok(PsdCertificate {
            serial: be32(1),
            psd_id: be32(5),
            valid_from: day(9),
            valid_until: day(11),
            public_key,
            root_signature,
        })
    }

    /// Checks that the vendor root key signed this certificate.
    pub fn verify_with(&self, root: &VerifyingKey) -> Result<(), CertificateError> {
        let not_signed = || CertificateError::NotSignedByRoot {
            serial: self.serial,
        };
        let signature = Signature::from_slice(&self.root_signature).map_err(|_| not_signed())?;
        root.verify(&self.signed_bytes()?, &signature)
            .map_err(|_| not_signed())
    }

    pub fn is_valid_on(&self, date: Date) -> bool {
        self.valid_from <= date && date <= self.valid_until
    }

    pub fn to_pem(&self) -> Result<String, CertificateError> {
        to_pem(CERTIFICATE_PEM_LABEL, &self.to_bytes()?).map_err(CertificateError::Pem)
    }

    pub fn from_pem(pem: &str) -> Result<PsdCertificate, CertificateError> {
        let bytes = from_pem(CERTIFICATE_PEM_LABEL, pem).map_err(CertificateError::Pem)?;
        PsdCertificate::from_bytes(&bytes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use p256::elliptic_curve::Generate;

    fn keys() -> (SigningKey, SigningKey) {
        let mut rng = rand::rng();
        (
            SigningKey::generate_from_rng(&mut rng),
            SigningKey::generate_from_rng(&mut rng),
        )
    }

    #[test]
    fn a_certificate_round_trips_and_verifies_against_its_root() {
        let (root, psd) = keys();
        let from = Date::parse("2026-01-01").unwrap();
        let until = Date::parse("2029-12-31").unwrap();
        let cert =
            PsdCertificate::issue(&root, 7, 1_000_001, *psd.verifying_key(), from, until).unwrap();
        let pem = cert.to_pem().unwrap();
        let back = PsdCertificate::from_pem(&pem).unwrap();
        assert_eq!(back, cert);
        back.verify_with(root.verifying_key()).unwrap();
        assert!(back.is_valid_on(Date::parse("2026-11-21").unwrap()));
        assert!(!back.is_valid_on(Date::parse("2030-01-01").unwrap()));
    }

    #[test]
    fn a_certificate_from_another_root_or_altered_is_refused() {
        let (root, psd) = keys();
        let (other_root, _) = keys();
        let day = Date::parse("2026-01-01").unwrap();
        let cert =
            PsdCertificate::issue(&root, 7, 42, *psd.verifying_key(), day, day.add_days(365))
                .unwrap();
        assert_eq!(
            cert.verify_with(other_root.verifying_key()),
            Err(CertificateError::NotSignedByRoot { serial: 7 })
        );
        let mut bytes = cert.to_bytes().unwrap();
        bytes[5] ^= 1; // another PSD id
        let forged = PsdCertificate::from_bytes(&bytes).unwrap();
        assert!(forged.verify_with(root.verifying_key()).is_err());
    }
}
