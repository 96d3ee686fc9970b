//! The data centre's service keys (see [`crate::protocol::security`]): the answer key that
//! signs every answer of a service whose level asks for it, and the payload key stations
//! encrypt to. Both are P-256 keys in the key store (owner-only files made on first start;
//! every vendor process on the store's folder uses the same two), announced to stations as
//! a root-signed grant ([`ServiceKeys`]) at `GET /contact/v1/service-keys`.

use std::path::Path;

use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::signature::{ECDSA_P256_SHA256_FIXED_SIGNING, EcdsaKeyPair};
use p256::ecdsa::{SigningKey, VerifyingKey};
use p256::elliptic_curve::Generate;
use sha2::{Digest, Sha256};

use super::super::error::VendorError;
use super::super::service::Vendor;
use crate::grants::ServiceKeys;
use crate::keys::key_file::{read_private_key, write_private_key};
use crate::protocol::keys::ServiceKeysResponse;
use crate::protocol::sealing::PayloadKey;
use crate::protocol::security::SignedAnswer;

/// How long an announcement holds: a station fetches the keys again at least this often.
const ANNOUNCEMENT_MS: i64 = 7 * 24 * 3600 * 1000;
const ANSWER_KEY_FILE: &str = "service-answer-key.pem";
const PAYLOAD_KEY_FILE: &str = "service-payload-key.pem";

pub struct ServiceKeyring {
    /// The first four bytes of SHA-256 of the answer key (compressed): keys made anew (a
    /// lost key file, a new data centre) have a new id, and a station that meets an answer
    /// under an id it does not hold fetches the keys again.
    key_id: u32,
    answer: EcdsaKeyPair,
    answer_public: VerifyingKey,
    payload: PayloadKey,
    rng: SystemRandom,
}

impl ServiceKeyring {
    /// The keys in `keys_dir`, made there first if it has none.
    pub fn load_or_create(keys_dir: &Path) -> Result<ServiceKeyring, VendorError> {
        let answer_key = key_in(keys_dir, ANSWER_KEY_FILE)?;
        let payload_key = key_in(keys_dir, PAYLOAD_KEY_FILE)?;
        let answer_public = *answer_key.verifying_key();
        let answer = EcdsaKeyPair::from_private_key_and_public_key(
            &ECDSA_P256_SHA256_FIXED_SIGNING,
            &answer_key.to_bytes(),
            answer_public.to_sec1_point(false).as_bytes(),
        )
        .map_err(|e| VendorError::storage(format!("the answer key: {e}")))?;
        let payload =
            PayloadKey::from_secret(&payload_key.to_bytes()).map_err(VendorError::storage)?;
        let digest = Sha256::digest(answer_public.to_sec1_point(true).as_bytes());
        let key_id = u32::from_be_bytes([digest[0], digest[1], digest[2], digest[3]]);
        Ok(ServiceKeyring {
            key_id,
            answer,
            answer_public,
            payload,
            rng: SystemRandom::new(),
        })
    }

    /// The `Postcounter-Answer` header for `answer`.
    pub fn sign_answer(&self, answer: &SignedAnswer) -> Result<String, VendorError> {
        let signature = self
            .answer
            .sign(&self.rng, answer.text().as_bytes())
            .map_err(|e| VendorError::storage(format!("signing an answer: {e}")))?;
        Ok(SignedAnswer::header(self.key_id, signature.as_ref()))
    }

    pub fn payload(&self) -> &PayloadKey {
        &self.payload
    }

    fn announced(&self, now_unix_ms: i64) -> ServiceKeys {
        ServiceKeys {
            key_id: self.key_id,
            answer_key: self.answer_public,
            payload_key: *self.payload.public(),
            issued_unix_ms: now_unix_ms,
            not_after_unix_ms: now_unix_ms + ANNOUNCEMENT_MS,
        }
    }
}

/// The key in `dir/name`, made first when there is none (exclusively: of two processes
/// starting at once, both read the one that won).
fn key_in(dir: &Path, name: &str) -> Result<SigningKey, VendorError> {
    let path = dir.join(name);
    if !path.exists() {
        let key = SigningKey::generate_from_rng(&mut rand::rng());
        if let Err(e) = write_private_key(&path, &key) {
            log::info!("{}: another process made it first ({e})", path.display());
        }
    }
    read_private_key(&path).map_err(VendorError::storage)
}

impl Vendor {
    /// `GET /contact/v1/service-keys`: the announcement, signed now by the current root, with
    /// the roots a station needs to check it (taken as its anchor on a first contact).
    pub fn service_keys(&self) -> Result<ServiceKeysResponse, VendorError> {
        let now = self.clock.now_unix_ms();
        let announced = self.service_keys.announced(now);
        let announcement = self.with_root_signer(|signer| Ok(announced.sign(signer)))?;
        let trust = self.keys.trust(Vec::new()).map_err(VendorError::storage)?;
        ServiceKeysResponse::of(&announcement, &trust).map_err(VendorError::storage)
    }
}
