//! The certificate status list: which PSD certificates the data centre has revoked, and
//! from which date of mailing. An indicium under a revoked certificate with a mailing date
//! on or after that date does not verify; one mailed before it still does (a key that leaked
//! on a day does not undo the postage honestly printed before it).
//!
//! The list is numbered, so a verifier keeps the newest it has seen and never goes back to
//! an older one, and signed by a root generation that the verifier's trust reaches.
//!
//! | offset | bytes | field |
//! |---|---|---|
//! | 0 | 1 | format version (1) |
//! | 1 | 4 | list number, big-endian (each list supersedes every lower one) |
//! | 5 | 2 | issued: days since 2000-01-01 |
//! | 7 | 4 | entries, big-endian |
//! | 11 | 6 per entry | certificate serial (4 bytes), revoked from (2 bytes, days since 2000-01-01) |
//! | .. | 4 | the signing root's generation |
//! | .. | 64 | signature r‖s (ECDSA P-256, SHA-256) over every byte before it |
//!
//! In a PEM file the bytes sit under the label `POSTCOUNTER CERTIFICATE STATUS LIST`.

use p256::ecdsa::signature::{Signer, Verifier};
use p256::ecdsa::{Signature, SigningKey, VerifyingKey};

use super::pem::{from_pem, to_pem};
use crate::date::Date;

pub const STATUS_LIST_PEM_LABEL: &str = "POSTCOUNTER CERTIFICATE STATUS LIST";
const FORMAT_VERSION: u8 = 1;
const HEADER_LEN: usize = 11;
const ENTRY_LEN: usize = 6;
const TRAILER_LEN: usize = 4 + 64;
/// The most entries a list may hold: far above any data centre's revocations, and a bound
/// on what a verifier reads.
pub const STATUS_LIST_MAX_ENTRIES: usize = 100_000;

/// One revoked certificate.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Revocation {
    pub certificate_serial: u32,
    /// The first date of mailing on which its indicia no longer verify.
    pub from: Date,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CertificateStatusList {
    pub number: u32,
    pub issued: Date,
    pub revoked: Vec<Revocation>,
    pub signer_generation: u32,
    signature: [u8; 64],
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StatusListError {
    #[error("not a certificate status list: {0}")]
    Malformed(String),
    #[error("certificate status list {number} is not signed by root generation {generation}")]
    NotSigned { number: u32, generation: u32 },
    #[error(
        "certificate status list {number} is signed by root generation {generation}, which this trust does not reach"
    )]
    UnknownRoot { number: u32, generation: u32 },
}

fn day(date: Date) -> Result<[u8; 2], StatusListError> {
    u16::try_from(date.days_since_2000())
        .map(u16::to_be_bytes)
        .map_err(|_| StatusListError::Malformed(format!("the date {date} is out of range")))
}

impl CertificateStatusList {
    /// Signs list `number` of `revoked` with root generation `signer_generation`.
    pub fn issue(
        root: &SigningKey,
        signer_generation: u32,
        number: u32,
        issued: Date,
        mut revoked: Vec<Revocation>,
    ) -> Result<CertificateStatusList, StatusListError> {
        revoked.sort_by_key(|r| r.certificate_serial);
        let mut list = CertificateStatusList {
            number,
            issued,
            revoked,
            signer_generation,
            signature: [0; 64],
        };
        let signature: Signature = root.sign(&list.signed_bytes()?);
        list.signature.copy_from_slice(&signature.to_bytes());
        Ok(list)
    }

    fn signed_bytes(&self) -> Result<Vec<u8>, StatusListError> {
        if self.revoked.len() > STATUS_LIST_MAX_ENTRIES {
            return Err(StatusListError::Malformed(format!(
                "{} entries, at most {STATUS_LIST_MAX_ENTRIES}",
                self.revoked.len()
            )));
        }
        let mut bytes = Vec::with_capacity(HEADER_LEN + ENTRY_LEN * self.revoked.len() + 4);
        bytes.push(FORMAT_VERSION);
        bytes.extend_from_slice(&self.number.to_be_bytes());
        bytes.extend_from_slice(&day(self.issued)?);
        let count = u32::try_from(self.revoked.len()).unwrap_or(u32::MAX);
        bytes.extend_from_slice(&count.to_be_bytes());
        for revocation in &self.revoked {
            bytes.extend_from_slice(&revocation.certificate_serial.to_be_bytes());
            bytes.extend_from_slice(&day(revocation.from)?);
        }
        bytes.extend_from_slice(&self.signer_generation.to_be_bytes());
        Ok(bytes)
    }

    pub fn to_bytes(&self) -> Result<Vec<u8>, StatusListError> {
        let mut bytes = self.signed_bytes()?;
        bytes.extend_from_slice(&self.signature);
        Ok(bytes)
    }

    pub fn from_bytes(bytes: &[u8]) -> Result<CertificateStatusList, StatusListError> {
        let malformed = |why: &str| StatusListError::Malformed(why.to_string());
        if bytes.len() < HEADER_LEN + TRAILER_LEN {
            return Err(malformed("too short"));
        }
        if bytes[0] != FORMAT_VERSION {
            return Err(malformed("an unsupported format version"));
        }
        let be32 = |at: usize| {
            u32::from_be_bytes([bytes[at], bytes[at + 1], bytes[at + 2], bytes[at + 3]])
        };
        let date = |at: usize| {
            Date::from_days_since_2000(i32::from(u16::from_be_bytes([bytes[at], bytes[at + 1]])))
        };
        let count = usize::try_from(be32(7)).unwrap_or(usize::MAX);
        if count > STATUS_LIST_MAX_ENTRIES
            || bytes.len() != HEADER_LEN + count * ENTRY_LEN + TRAILER_LEN
        {
            return Err(malformed("its length does not match its entries"));
        }
        let revoked = (0..count)
            .map(|i| {
                let at = HEADER_LEN + i * ENTRY_LEN;
                Revocation {
                    certificate_serial: be32(at),
                    from: date(at + 4),
                }
            })
            .collect();
        let trailer = HEADER_LEN + count * ENTRY_LEN;
        let mut signature = [0u8; 64];
        signature.copy_from_slice(&bytes[trailer + 4..]);
        Ok(CertificateStatusList {
            number: be32(1),
            issued: date(5),
            revoked,
            signer_generation: be32(trailer),
            signature,
        })
    }

    /// Checks the signature with `root`, the key of generation `signer_generation`.
    pub fn verify_with(&self, root: &VerifyingKey) -> Result<(), StatusListError> {
        let not_signed = || StatusListError::NotSigned {
            number: self.number,
            generation: self.signer_generation,
        };
        let signature = Signature::from_slice(&self.signature).map_err(|_| not_signed())?;
        root.verify(&self.signed_bytes()?, &signature)
            .map_err(|_| not_signed())
    }

    /// From which date of mailing certificate `serial` is revoked, if it is.
    pub fn revoked_from(&self, serial: u32) -> Option<Date> {
        self.revoked
            .iter()
            .find(|r| r.certificate_serial == serial)
            .map(|r| r.from)
    }

    pub fn to_pem(&self) -> Result<String, StatusListError> {
        to_pem(STATUS_LIST_PEM_LABEL, &self.to_bytes()?).map_err(StatusListError::Malformed)
    }

    pub fn from_pem(pem: &str) -> Result<CertificateStatusList, StatusListError> {
        let bytes = from_pem(STATUS_LIST_PEM_LABEL, pem).map_err(StatusListError::Malformed)?;
        CertificateStatusList::from_bytes(&bytes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use p256::elliptic_curve::Generate;

    #[test]
    fn a_list_round_trips_and_verifies_and_any_change_breaks_it() {
        let root = SigningKey::generate_from_rng(&mut rand::rng());
        let day = Date::parse("2026-12-06").unwrap();
        let revoked = vec![
            Revocation {
                certificate_serial: 9,
                from: day,
            },
            Revocation {
                certificate_serial: 3,
                from: day.add_days(-10),
            },
        ];
        let list = CertificateStatusList::issue(&root, 1, 4, day, revoked).unwrap();
        let back = CertificateStatusList::from_pem(&list.to_pem().unwrap()).unwrap();
        assert_eq!(back, list);
        back.verify_with(root.verifying_key()).unwrap();
        assert_eq!(back.revoked_from(9), Some(day));
        assert_eq!(back.revoked_from(4), None);
        let mut bytes = list.to_bytes().unwrap();
        bytes[HEADER_LEN + 3] ^= 1; // another serial
        let altered = CertificateStatusList::from_bytes(&bytes).unwrap();
        assert!(altered.verify_with(root.verifying_key()).is_err());
        assert!(CertificateStatusList::from_bytes(&bytes[..20]).is_err());
    }
}
