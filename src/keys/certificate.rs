//! The compact PSD certificate.
//!
//! A verifier (a postal inspector, a test, a third party with any ECDSA library) needs to know
//! which public key may sign indicia for a PSD, and that the vendor vouched for it. X.509 would
//! do, but costs hundreds of bytes and a parser; this certificate is 110 or 120 fixed bytes
//! that can be read with a hex dump. Its first byte is its version, and a verifier reads both.
//!
//! Version 1 (a central PSD's certificate: its key signs at any register value):
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
//! Version 2 (an embedded PSD's: it bounds the ascending register too) inserts, after the
//! dates, the registers a piece signed under it may show:
//!
//! | offset | bytes | field |
//! |---|---|---|
//! | 0..13 | 13 | as version 1, version byte 2 |
//! | 13 | 5 | ascending register above (exclusive), mills, big-endian |
//! | 18 | 5 | ascending register through (inclusive), mills, big-endian |
//! | 23 | 33 | PSD public key, SEC1 compressed P-256 point |
//! | 56 | 64 | vendor root signature r‖s over bytes 0..56 |
//!
//! An embedded PSD's key is on the station, out of the data centre's reach, so the data
//! centre never vouches for it without bounds: its key certificate has the empty range
//! (above 0 through 0: no piece verifies under it), and each offline lease comes with a
//! lease certificate for the same key, valid from the day of the grant to the lease's last
//! day, over the registers from what the data centre last saw reported up to the lease's
//! value more. A station that rewrites its ledger can sign again only at registers and on
//! days the data centre granted, where every piece it hides has a twin it reports.
//!
//! In a PEM file the bytes sit under the label `POSTCOUNTER PSD CERTIFICATE`.

use p256::ecdsa::signature::{Signer, Verifier};
use p256::ecdsa::{Signature, SigningKey, VerifyingKey};

use super::pem::{from_pem, to_pem};
use crate::date::Date;

use crate::money::Money;

/// The length of a version 1 certificate.
pub const CERTIFICATE_LEN: usize = 110;
/// The length of a version 2 certificate (with an ascending-register range).
pub const RANGED_CERTIFICATE_LEN: usize = 120;
pub const CERTIFICATE_PEM_LABEL: &str = "POSTCOUNTER PSD CERTIFICATE";
const SIGNATURE_LEN: usize = 64;
/// The largest register a version 2 certificate can bound (40 bits of mills, as in the
/// indicium).
const REGISTER_MAX_MILLS: i64 = (1 << 40) - 1;

/// The ascending-register values at which a piece signed under a certificate verifies.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AscendingRange {
    /// Any value: a central PSD's certificate (its key never leaves the data centre).
    Any,
    /// Above `above` through `through`; empty when they are equal (a key certificate).
    Within { above: Money, through: Money },
}

impl AscendingRange {
    /// No register at all: the key is certified, no piece verifies under it.
    pub const NONE: AscendingRange = AscendingRange::Within {
        above: Money::ZERO,
        through: Money::ZERO,
    };

    /// Whether a piece of `postage` that brings the ascending register to `ascending` lies
    /// wholly within the range: it starts at or above its floor and ends at or below its
    /// ceiling, so no piece under it is worth more than the range is wide.
    pub fn covers(&self, ascending: Money, postage: Money) -> bool {
        match self {
            AscendingRange::Any => true,
            AscendingRange::Within { above, through } => {
                let before = ascending.mills().checked_sub(postage.mills());
                postage > Money::ZERO
                    && ascending <= *through
                    && before.is_some_and(|before| before >= above.mills())
            }
        }
    }

    pub fn is_empty(&self) -> bool {
        matches!(self, AscendingRange::Within { above, through } if above >= through)
    }
}

impl std::fmt::Display for AscendingRange {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            AscendingRange::Any => write!(f, "any ascending register"),
            range if range.is_empty() => write!(f, "no ascending register (key only)"),
            AscendingRange::Within { above, through } => {
                write!(f, "ascending register above {above} through {through}")
            }
        }
    }
}

/// A PSD's public key, vouched for by the vendor root key.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PsdCertificate {
    pub serial: u32,
    pub psd_id: u32,
    pub valid_from: Date,
    pub valid_until: Date,
    /// The registers a piece signed under it may show (version 2; `Any` in version 1).
    pub ascending: AscendingRange,
    pub public_key: VerifyingKey,
    root_signature: [u8; 64],
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CertificateError {
    #[error(
        "a PSD certificate is {CERTIFICATE_LEN} bytes (version 1) or {RANGED_CERTIFICATE_LEN} (version 2), this one is {0}"
    )]
    WrongLength(usize),
    #[error("the PSD certificate's ascending-register range is out of order or above 40 bits")]
    BadRange,
    #[error("PSD certificate format version {0} is not supported (only 1 and 2)")]
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
    /// Certifies `public_key` for `psd_id` at any register, signed by the vendor root key.
    pub fn issue(
        root: &SigningKey,
        serial: u32,
        psd_id: u32,
        public_key: VerifyingKey,
        valid_from: Date,
        valid_until: Date,
    ) -> Result<PsdCertificate, CertificateError> {
        PsdCertificate::issue_within(
            root,
            (serial, psd_id, public_key),
            (valid_from, valid_until),
            AscendingRange::Any,
        )
    }

    /// Certifies PSD `psd_id`'s `public_key` under `serial`, from `valid.0` through
    /// `valid.1`, for pieces within `ascending`, signed by the vendor root key.
    pub fn issue_within(
        root: &SigningKey,
        (serial, psd_id, public_key): (u32, u32, VerifyingKey),
        (valid_from, valid_until): (Date, Date),
        ascending: AscendingRange,
    ) -> Result<PsdCertificate, CertificateError> {
        let unsigned = PsdCertificate {
            serial,
            psd_id,
            valid_from,
            valid_until,
            ascending,
            public_key,
            root_signature: [0; 64],
        };
        unsigned.signed_by(root)
    }

    fn signed_by(mut self, root: &SigningKey) -> Result<PsdCertificate, CertificateError> {
        let signature: Signature = root.sign(&self.signed_bytes()?);
        self.root_signature.copy_from_slice(&signature.to_bytes());
        Ok(self)
    }

    /// The bytes the root signs: version 1 for a certificate at any register, else 2.
    fn signed_bytes(&self) -> Result<Vec<u8>, CertificateError> {
        let day = |date: Date| {
            u16::try_from(date.days_since_2000()).map_err(|_| CertificateError::DateOutOfRange)
        };
        let mut bytes = Vec::with_capacity(RANGED_CERTIFICATE_LEN);
        let version = match self.ascending {
            AscendingRange::Any => 1,
            AscendingRange::Within { .. } => 2,
        };
        bytes.push(version);
        bytes.extend_from_slice(&self.serial.to_be_bytes());
        bytes.extend_from_slice(&self.psd_id.to_be_bytes());
        bytes.extend_from_slice(&day(self.valid_from)?.to_be_bytes());
        bytes.extend_from_slice(&day(self.valid_until)?.to_be_bytes());
        if let AscendingRange::Within { above, through } = self.ascending {
            for register in [above, through] {
                let mills = register.mills();
                if !(0..=REGISTER_MAX_MILLS).contains(&mills) || above > through {
                    return Err(CertificateError::BadRange);
                }
                bytes.extend_from_slice(&mills.to_be_bytes()[3..]);
            }
        }
        bytes.extend_from_slice(self.public_key.to_sec1_point(true).as_bytes());
        Ok(bytes)
    }

    /// The 110 (version 1) or 120 (version 2) bytes.
    pub fn to_bytes(&self) -> Result<Vec<u8>, CertificateError> {
        let mut bytes = self.signed_bytes()?;
        bytes.extend_from_slice(&self.root_signature);
        Ok(bytes)
    }

    /// Parses the bytes of either version; says nothing yet about who signed them (see
    /// [`Self::verify_with`]).
    pub fn from_bytes(bytes: &[u8]) -> Result<PsdCertificate, CertificateError> {
        let expected_len = match bytes.first() {
            Some(1) => CERTIFICATE_LEN,
            Some(2) => RANGED_CERTIFICATE_LEN,
            Some(other)
                if bytes.len() == CERTIFICATE_LEN || bytes.len() == RANGED_CERTIFICATE_LEN =>
            {
                return Err(CertificateError::UnsupportedVersion(*other));
            }
            _ => return Err(CertificateError::WrongLength(bytes.len())),
        };
        if bytes.len() != expected_len {
            return Err(CertificateError::WrongLength(bytes.len()));
        }
        let be32 = |at: usize| {
            u32::from_be_bytes([bytes[at], bytes[at + 1], bytes[at + 2], bytes[at + 3]])
        };
        let be40 = |at: usize| {
            let mut wide = [0u8; 8];
            wide[3..].copy_from_slice(&bytes[at..at + 5]);
            Money::from_mills(i64::from_be_bytes(wide))
        };
        let day = |at: usize| {
            Date::from_days_since_2000(i32::from(u16::from_be_bytes([bytes[at], bytes[at + 1]])))
        };
        let (ascending, key_at) = if expected_len == CERTIFICATE_LEN {
            (AscendingRange::Any, 13)
        } else {
            let (above, through) = (be40(13), be40(18));
            if above > through {
                return Err(CertificateError::BadRange);
            }
            (AscendingRange::Within { above, through }, 23)
        };
        let public_key = VerifyingKey::from_sec1_bytes(&bytes[key_at..key_at + 33])
            .map_err(|_| CertificateError::BadPublicKey)?;
        let mut root_signature = [0u8; SIGNATURE_LEN];
        root_signature.copy_from_slice(&bytes[expected_len - SIGNATURE_LEN..]);
        Ok(PsdCertificate {
            serial: be32(1),
            psd_id: be32(5),
            valid_from: day(9),
            valid_until: day(11),
            ascending,
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

    /// Whether this is an embedded PSD's lease certificate (a range that covers some
    /// registers), not the certificate of a key.
    pub fn is_lease(&self) -> bool {
        matches!(self.ascending, AscendingRange::Within { .. }) && !self.ascending.is_empty()
    }

    /// Whether a piece of `postage` that brings the ascending register to `ascending` may be
    /// signed under this certificate.
    pub fn covers_piece(&self, ascending: Money, postage: Money) -> bool {
        self.ascending.covers(ascending, postage)
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

    #[test]
    fn a_ranged_certificate_is_version_2_bounds_the_register_and_its_range_is_signed() {
        let (root, psd) = keys();
        let day = Date::parse("2026-12-06").unwrap();
        let range = AscendingRange::Within {
            above: Money::from_mills(4_680),
            through: Money::from_mills(104_680),
        };
        let identity = (9, 20_000_001, *psd.verifying_key());
        let cert = PsdCertificate::issue_within(&root, identity, (day, day), range).unwrap();
        let bytes = cert.to_bytes().unwrap();
        assert_eq!((bytes.len(), bytes[0]), (RANGED_CERTIFICATE_LEN, 2));
        assert_eq!(&bytes[13..18], &[0, 0, 0, 0x12, 0x48]);
        let back = PsdCertificate::from_bytes(&bytes).unwrap();
        assert_eq!(back, cert);
        back.verify_with(root.verifying_key()).unwrap();
        // (ascending after, postage): the piece must lie wholly above 4,680 and through
        // 104,680, so none is worth more than the $100.00 between.
        let covered: Vec<bool> = [
            (4_680, 1),
            (5_460, 780),
            (5_460, 781),
            (104_680, 100_000),
            (104_680, 100_001),
            (104_681, 1),
            (104_680, 0),
        ]
        .map(|(ascending, postage)| {
            back.covers_piece(Money::from_mills(ascending), Money::from_mills(postage))
        })
        .to_vec();
        assert_eq!(covered, [false, true, false, true, false, false, false]);
        // The range is under the root's signature: a wider one is a forgery.
        let mut wider = bytes.clone();
        wider[20] ^= 0x80;
        let forged = PsdCertificate::from_bytes(&wider).unwrap();
        assert!(forged.verify_with(root.verifying_key()).is_err());
        // The key certificate of an embedded PSD covers nothing.
        let key_only =
            PsdCertificate::issue_within(&root, identity, (day, day), AscendingRange::NONE)
                .unwrap();
        assert!(key_only.ascending.is_empty());
        assert!(!key_only.covers_piece(Money::from_mills(1), Money::from_mills(1)));
        let any = PsdCertificate::issue(&root, 1, 7, *psd.verifying_key(), day, day).unwrap();
        assert_eq!(any.to_bytes().unwrap().len(), CERTIFICATE_LEN);
        assert!(any.covers_piece(Money::from_mills(REGISTER_MAX_MILLS), Money::from_mills(1)));
    }
}
