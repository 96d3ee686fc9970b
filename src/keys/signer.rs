//! A PSD's signing key with the certificate it signs under: what the embedded PSD and the
//! software cryptographic module hold to sign indicia.

use p256::ecdsa::signature::{RandomizedSigner, Signer};
use p256::ecdsa::{Signature, SigningKey};

use super::certificate::PsdCertificate;

/// A PSD's signing key with the certificate that vouches for it.
#[derive(Clone, Debug)]
pub struct PsdSigner {
    key: SigningKey,
    certificate: PsdCertificate,
}

impl PsdSigner {
    pub fn new(key: SigningKey, certificate: PsdCertificate) -> Option<PsdSigner> {
        (*key.verifying_key() == certificate.public_key).then_some(PsdSigner { key, certificate })
    }

    /// ECDSA P-256 over SHA-256 of `message`, as r‖s with S in its low form. Deterministic
    /// (RFC 6979): signing the same bytes again gives the same signature.
    pub fn sign(&self, message: &[u8]) -> [u8; 64] {
        low_s_bytes(Signer::<Signature>::sign(&self.key, message))
    }

    /// As [`Self::sign`], with fresh randomness mixed into the nonce (RFC 6979 hedged): the
    /// same bytes signed twice give two signatures. An embedded PSD signs so, so that a
    /// piece issued again from a copy of its ledger is never the byte-for-byte twin of the
    /// one hidden, which the mail stream could not tell from a photocopy.
    pub fn sign_hedged(&self, message: &[u8]) -> [u8; 64] {
        low_s_bytes(RandomizedSigner::<Signature>::sign_with_rng(
            &self.key,
            &mut rand::rng(),
            message,
        ))
    }

    /// The same key under `certificate` (a lease certificate of the key), if it certifies
    /// this key.
    pub fn under(&self, certificate: &PsdCertificate) -> Option<PsdSigner> {
        PsdSigner::new(self.key.clone(), certificate.clone())
    }

    pub fn certificate(&self) -> &PsdCertificate {
        &self.certificate
    }

    /// The private scalar, to hand the key to the vendor's cryptographic module.
    pub(crate) fn key_bytes(&self) -> p256::FieldBytes {
        self.key.to_bytes()
    }
}

/// r‖s in the low-S form, the only one verification accepts (see
/// `Indicium::signature_is_valid`).
fn low_s_bytes(signature: Signature) -> [u8; 64] {
    let mut bytes = [0u8; 64];
    bytes.copy_from_slice(&signature.normalize_s().to_bytes());
    bytes
}
