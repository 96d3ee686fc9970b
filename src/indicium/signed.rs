//! A signed indicium: the data elements followed by the PSD's signature over them.

use p256::ecdsa::signature::Verifier;
use p256::ecdsa::{Signature, VerifyingKey};

use super::layout::{INDICIUM_LEN, IndiciumData, LayoutError, SIGNATURE_LEN, SIGNED_LEN};
use crate::keys::PsdSigner;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Indicium {
    pub data: IndiciumData,
    pub signature: [u8; SIGNATURE_LEN],
}

impl Indicium {
    /// Signs the data elements with the PSD's key.
    pub fn sign(data: IndiciumData, signer: &PsdSigner) -> Result<Indicium, LayoutError> {
        let signed = data.to_signed_bytes()?;
        Ok(Indicium {
            signature: signer.sign(&signed),
            data,
        })
    }

    /// Signs the data elements with the PSD's key, hedged (see [`PsdSigner::sign_hedged`]):
    /// how an embedded PSD signs.
    pub fn sign_hedged(data: IndiciumData, signer: &PsdSigner) -> Result<Indicium, LayoutError> {
        let signed = data.to_signed_bytes()?;
        Ok(Indicium {
            signature: signer.sign_hedged(&signed),
            data,
        })
    }

    pub fn to_bytes(&self) -> Result<[u8; INDICIUM_LEN], LayoutError> {
        let mut bytes = [0u8; INDICIUM_LEN];
        bytes[..SIGNED_LEN].copy_from_slice(&self.data.to_signed_bytes()?);
        bytes[SIGNED_LEN..].copy_from_slice(&self.signature);
        Ok(bytes)
    }

    /// Parses the 112 bytes. The signature is not checked here: see [`super::verify`].
    pub fn from_bytes(bytes: &[u8]) -> Result<Indicium, LayoutError> {
        if bytes.len() != INDICIUM_LEN {
            return Err(LayoutError::WrongLength(bytes.len()));
        }
        let data = IndiciumData::from_signed_bytes(&bytes[..SIGNED_LEN])?;
        let mut signature = [0u8; SIGNATURE_LEN];
        signature.copy_from_slice(&bytes[SIGNED_LEN..]);
        Ok(Indicium { data, signature })
    }

    /// Whether `key` made the signature over exactly these data elements.
    pub fn signature_is_valid(&self, key: &VerifyingKey) -> bool {
        let Ok(signed) = self.data.to_signed_bytes() else {
            return false;
        };
        // Only the low-S form is accepted: (r, n - s) verifies too, and would give every
        // piece a second valid byte string.
        Signature::from_slice(&self.signature)
            .map(|signature| {
                signature.normalize_s() == signature && key.verify(&signed, &signature).is_ok()
            })
            .unwrap_or(false)
    }
}
