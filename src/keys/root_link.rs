//! A root link certificate: the data centre's next root key, signed by the root before it.
//!
//! A verifier is given one root (the anchor, generation 1) once, out of band or at
//! enrollment. When the data centre rolls its root over, it signs the new root's public key
//! with the old private key; a verifier that holds the anchor and every link can walk the
//! chain and trust each generation, so certificates issued under an old root and under the
//! new one verify alike, and no station is told a new root by anyone but the old one.
//!
//! | offset | bytes | field |
//! |---|---|---|
//! | 0 | 1 | format version (1) |
//! | 1 | 4 | the new root's generation, big-endian (2, 3, ...) |
//! | 5 | 2 | valid from: days since 2000-01-01, big-endian |
//! | 7 | 33 | the new root's public key, SEC1 compressed P-256 point |
//! | 40 | 64 | signature r‖s (ECDSA P-256, SHA-256) over bytes 0..40 by the previous generation |
//!
//! In a PEM file the bytes sit under the label `POSTCOUNTER ROOT LINK`.

use p256::ecdsa::signature::{Signer, Verifier};
use p256::ecdsa::{Signature, SigningKey, VerifyingKey};

use super::pem::{from_pem, to_pem};
use crate::date::Date;

pub const ROOT_LINK_LEN: usize = 104;
pub const ROOT_LINK_PEM_LABEL: &str = "POSTCOUNTER ROOT LINK";
const FORMAT_VERSION: u8 = 1;
const SIGNED_LEN: usize = 40;

/// Generation `generation`'s root key, vouched for by generation `generation - 1`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RootLink {
    pub generation: u32,
    pub valid_from: Date,
    pub public_key: VerifyingKey,
    signature: [u8; 64],
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RootLinkError {
    #[error("a root link is {ROOT_LINK_LEN} bytes, this one is {0}")]
    WrongLength(usize),
    #[error("root link format version {0} is not supported (only 1)")]
    UnsupportedVersion(u8),
    #[error("the root link's public key is not a valid P-256 point")]
    BadPublicKey,
    #[error("root generation {0} is not linked: generations start at 2 (1 is the anchor)")]
    BadGeneration(u32),
    #[error("the link to root generation {generation} is not signed by generation {}", generation - 1)]
    NotSigned { generation: u32 },
    #[error("not a root link PEM file: {0}")]
    Pem(String),
}

impl RootLink {
    /// Links `next` as generation `generation`, signed by the previous root.
    pub fn issue(
        previous: &SigningKey,
        generation: u32,
        next: VerifyingKey,
        valid_from: Date,
    ) -> Result<RootLink, RootLinkError> {
        let mut link = RootLink {
            generation,
            valid_from,
            public_key: next,
            signature: [0; 64],
        };
        let signature: Signature = previous.sign(&link.signed_bytes()?);
        link.signature.copy_from_slice(&signature.to_bytes());
        Ok(link)
    }

    fn signed_bytes(&self) -> Result<[u8; SIGNED_LEN], RootLinkError> {
        if self.generation < 2 {
            return Err(RootLinkError::BadGeneration(self.generation));
        }
        let day = u16::try_from(self.valid_from.days_since_2000())
            .map_err(|_| RootLinkError::BadGeneration(self.generation))?;
        let mut bytes = [0u8; SIGNED_LEN];
        bytes[0] = FORMAT_VERSION;
        bytes[1..5].copy_from_slice(&self.generation.to_be_bytes());
        bytes[5..7].copy_from_slice(&day.to_be_bytes());
        bytes[7..40].copy_from_slice(self.public_key.to_sec1_point(true).as_bytes());
        Ok(bytes)
    }

    pub fn to_bytes(&self) -> Result<[u8; ROOT_LINK_LEN], RootLinkError> {
        let mut bytes = [0u8; ROOT_LINK_LEN];
        bytes[..SIGNED_LEN].copy_from_slice(&self.signed_bytes()?);
        bytes[SIGNED_LEN..].copy_from_slice(&self.signature);
        Ok(bytes)
    }

    /// Parses the 104 bytes; who signed them is for [`Self::verify_with`].
    pub fn from_bytes(bytes: &[u8]) -> Result<RootLink, RootLinkError> {
        if bytes.len() != ROOT_LINK_LEN {
            return Err(RootLinkError::WrongLength(bytes.len()));
        }
        if bytes[0] != FORMAT_VERSION {
            return Err(RootLinkError::UnsupportedVersion(bytes[0]));
        }
        let generation = u32::from_be_bytes([bytes[1], bytes[2], bytes[3], bytes[4]]);
        if generation < 2 {
            return Err(RootLinkError::BadGeneration(generation));
        }
        let valid_from =
            Date::from_days_since_2000(i32::from(u16::from_be_bytes([bytes[5], bytes[6]])));
        let public_key = VerifyingKey::from_sec1_bytes(&bytes[7..40])
            .map_err(|_| RootLinkError::BadPublicKey)?;
        let mut signature = [0u8; 64];
        signature.copy_from_slice(&bytes[SIGNED_LEN..]);
        Ok(RootLink {
            generation,
            valid_from,
            public_key,
            signature,
        })
    }

    /// Checks that `previous` (generation `generation - 1`) signed this link.
    pub fn verify_with(&self, previous: &VerifyingKey) -> Result<(), RootLinkError> {
        let not_signed = || RootLinkError::NotSigned {
            generation: self.generation,
        };
        let signature = Signature::from_slice(&self.signature).map_err(|_| not_signed())?;
        previous
            .verify(&self.signed_bytes()?, &signature)
            .map_err(|_| not_signed())
    }

    pub fn to_pem(&self) -> Result<String, RootLinkError> {
        to_pem(ROOT_LINK_PEM_LABEL, &self.to_bytes()?).map_err(RootLinkError::Pem)
    }

    pub fn from_pem(pem: &str) -> Result<RootLink, RootLinkError> {
        let bytes = from_pem(ROOT_LINK_PEM_LABEL, pem).map_err(RootLinkError::Pem)?;
        RootLink::from_bytes(&bytes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use p256::elliptic_curve::Generate;

    fn key() -> SigningKey {
        SigningKey::generate_from_rng(&mut rand::rng())
    }

    #[test]
    fn a_link_round_trips_and_verifies_only_under_the_previous_root() {
        let (old, new, stranger) = (key(), key(), key());
        let day = Date::parse("2026-12-06").unwrap();
        let link = RootLink::issue(&old, 2, *new.verifying_key(), day).unwrap();
        let back = RootLink::from_pem(&link.to_pem().unwrap()).unwrap();
        assert_eq!(back, link);
        back.verify_with(old.verifying_key()).unwrap();
        assert_eq!(
            back.verify_with(stranger.verifying_key()),
            Err(RootLinkError::NotSigned { generation: 2 })
        );
        let mut bytes = link.to_bytes().unwrap();
        bytes[20] ^= 1; // another key
        let altered = RootLink::from_bytes(&bytes);
        assert!(altered.is_err() || altered.unwrap().verify_with(old.verifying_key()).is_err());
    }
}
