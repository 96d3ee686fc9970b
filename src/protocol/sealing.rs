//! Payload encryption for the services whose level is "encrypted" (see [`super::security`]):
//! the station encrypts a request's body to the data centre's payload key with HPKE
//! (RFC 9180, base mode: DHKEM(P-256, HKDF-SHA256), HKDF-SHA256, AES-128-GCM, info
//! `postcounter seal v1`), and the data centre encrypts its answer to the same sender with
//! AES-128-GCM under a key both ends export from that HPKE context (exporter context
//! `postcounter answer`, 16 bytes) and a random nonce of its own, sent before the
//! ciphertext (a replayed copy of the request gets its refusal sealed under the same key, so
//! a fixed nonce would give two texts under one keystream), so no other party can read
//! either, whatever carries them (TLS, a relay, a modem line).
//!
//! ```text
//! Postcounter-Seal: v1 <hex of the 65-byte encapsulated key>
//! request body:  HPKE ciphertext of the body (nothing, when the body is empty)
//! answer body:   nonce (12 random bytes) ‖ AES-128-GCM(answer key, nonce, aad "postcounter answer", body) ‖ tag
//! ```
//!
//! The encapsulated key is covered by the request's signature or MAC (see
//! [`super::signature`]), so no one can swap in a key of their own and read the answer.

use aws_lc_rs::aead::{AES_128_GCM, Aad, LessSafeKey, Nonce, UnboundKey};
use aws_lc_rs::rand::{SecureRandom, SystemRandom};
use hpke::{Deserializable, Kem as _, OpModeR, OpModeS, Serializable};

use crate::hex;

type Kem = hpke::kem::DhP256HkdfSha256;
type Kdf = hpke::kdf::HkdfSha256;
type Aead = hpke::aead::AesGcm128;

const INFO: &[u8] = b"postcounter seal v1";
const ANSWER_CONTEXT: &[u8] = b"postcounter answer";
const VERSION: &str = "v1";
const KEY_LEN: usize = 16;
const NONCE_LEN: usize = 12;

/// Why a sealed body or header is not accepted.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct SealError(String);

/// The data centre's payload key pair.
pub struct PayloadKey {
    private: <Kem as hpke::Kem>::PrivateKey,
    public: [u8; 65],
}

impl PayloadKey {
    /// The key pair of the P-256 scalar `secret` (32 bytes).
    pub fn from_secret(secret: &[u8]) -> Result<PayloadKey, SealError> {
        let private = <Kem as hpke::Kem>::PrivateKey::from_bytes(secret)
            .map_err(|e| SealError(format!("the payload key: {e}")))?;
        let public: [u8; 65] = Kem::sk_to_pk(&private).to_bytes().into();
        Ok(PayloadKey { private, public })
    }

    /// The public key, SEC1 uncompressed: what stations encrypt to.
    pub fn public(&self) -> &[u8; 65] {
        &self.public
    }

    /// The body of a request sealed under `header`, and the key its answer is sealed with.
    pub fn open_request(
        &self,
        header: &str,
        wire: &[u8],
    ) -> Result<(Vec<u8>, AnswerKey), SealError> {
        let enc = parse_header(header)?;
        let context =
            hpke::setup_receiver::<Aead, Kdf, Kem>(&OpModeR::Base, &self.private, &enc, INFO)
                .map_err(|_| SealError("the sealed request's key does not open".into()))?;
        let mut exported = [0u8; KEY_LEN];
        context
            .export(ANSWER_CONTEXT, &mut exported)
            .map_err(|e| SealError(e.to_string()))?;
        let body = if wire.is_empty() {
            Vec::new()
        } else {
            let mut context = context;
            context.open(wire, &[]).map_err(|_| {
                SealError("the sealed body does not open: altered, or sealed to another key".into())
            })?
        };
        Ok((body, AnswerKey(exported)))
    }
}

fn parse_header(header: &str) -> Result<<Kem as hpke::Kem>::EncappedKey, SealError> {
    let enc = header
        .strip_prefix(VERSION)
        .and_then(|rest| rest.strip_prefix(' '))
        .and_then(hex::decode)
        .ok_or_else(|| {
            SealError(format!(
                "a seal header {:?} of no known form: \"v1 <hex>\"",
                header.chars().take(20).collect::<String>()
            ))
        })?;
    <Kem as hpke::Kem>::EncappedKey::from_bytes(&enc)
        .map_err(|_| SealError("a seal header whose key is not a P-256 point".into()))
}

/// A request being sealed by a station: its header, and what opens the answer.
pub struct Sealing {
    header: String,
    context: hpke::aead::AeadCtxS<Aead, Kdf, Kem>,
    answer: AnswerKey,
}

impl Sealing {
    /// Begins a sealed request to `payload_key` (SEC1 uncompressed).
    pub fn begin(payload_key: &[u8]) -> Result<Sealing, SealError> {
        let recipient = <Kem as hpke::Kem>::PublicKey::from_bytes(payload_key)
            .map_err(|_| SealError("the data centre's payload key is not a P-256 point".into()))?;
        let (enc, context) = hpke::setup_sender::<Aead, Kdf, Kem>(&OpModeS::Base, &recipient, INFO)
            .map_err(|e| SealError(format!("sealing: {e}")))?;
        let mut exported = [0u8; KEY_LEN];
        context
            .export(ANSWER_CONTEXT, &mut exported)
            .map_err(|e| SealError(e.to_string()))?;
        Ok(Sealing {
            header: format!("{VERSION} {}", hex::encode(&enc.to_bytes())),
            context,
            answer: AnswerKey(exported),
        })
    }

    /// The `Postcounter-Seal` header (the request's signature covers it).
    pub fn header(&self) -> &str {
        &self.header
    }

    /// `body` sealed (nothing, when it is empty). Once per request.
    pub fn seal(&mut self, body: &[u8]) -> Result<Vec<u8>, SealError> {
        if body.is_empty() {
            return Ok(Vec::new());
        }
        self.context
            .seal(body, &[])
            .map_err(|e| SealError(format!("sealing: {e}")))
    }

    pub fn answer_key(&self) -> &AnswerKey {
        &self.answer
    }
}

/// The key the answers to one sealed request are sealed with.
#[derive(Clone)]
pub struct AnswerKey([u8; KEY_LEN]);

impl AnswerKey {
    fn key(&self) -> Result<LessSafeKey, SealError> {
        UnboundKey::new(&AES_128_GCM, &self.0)
            .map(LessSafeKey::new)
            .map_err(|e| SealError(format!("the answer key: {e}")))
    }

    /// `body` sealed under a fresh random nonce, which leads the result.
    pub fn seal(&self, body: &[u8]) -> Result<Vec<u8>, SealError> {
        let mut nonce = [0u8; NONCE_LEN];
        SystemRandom::new()
            .fill(&mut nonce)
            .map_err(|e| SealError(format!("no random nonce: {e}")))?;
        let mut sealed = body.to_vec();
        self.key()?
            .seal_in_place_append_tag(
                Nonce::assume_unique_for_key(nonce),
                Aad::from(ANSWER_CONTEXT),
                &mut sealed,
            )
            .map_err(|e| SealError(format!("sealing the answer: {e}")))?;
        let mut wire = nonce.to_vec();
        wire.append(&mut sealed);
        Ok(wire)
    }

    pub fn open(&self, wire: &[u8]) -> Result<Vec<u8>, SealError> {
        let not_open = || {
            SealError("the sealed answer does not open: altered, or not for this request".into())
        };
        if wire.len() < NONCE_LEN {
            return Err(not_open());
        }
        let (nonce, sealed) = wire.split_at(NONCE_LEN);
        let nonce = Nonce::try_assume_unique_for_key(nonce).map_err(|_| not_open())?;
        let mut body = sealed.to_vec();
        let length = self
            .key()?
            .open_in_place(nonce, Aad::from(ANSWER_CONTEXT), &mut body)
            .map_err(|_| not_open())?
            .len();
        body.truncate(length);
        Ok(body)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use p256::elliptic_curve::Generate;

    fn payload_key() -> PayloadKey {
        let secret = p256::SecretKey::generate_from_rng(&mut rand::rng());
        PayloadKey::from_secret(&secret.to_bytes()).unwrap()
    }

    #[test]
    fn a_sealed_request_opens_only_with_its_key_and_its_answer_only_for_its_sender() {
        let key = payload_key();
        let mut sealing = Sealing::begin(key.public()).unwrap();
        let wire = sealing.seal(b"{\"card\":\"4111111111111111\"}").unwrap();
        assert!(!String::from_utf8_lossy(&wire).contains("4111"));
        let (body, answer_key) = key.open_request(sealing.header(), &wire).unwrap();
        assert_eq!(body, b"{\"card\":\"4111111111111111\"}");
        let answer = answer_key.seal(b"{\"ok\":true}").unwrap();
        assert_eq!(
            sealing.answer_key().open(&answer).unwrap(),
            b"{\"ok\":true}"
        );

        // Another data centre's key, an altered body, an altered answer, another request's key.
        assert!(payload_key().open_request(sealing.header(), &wire).is_err());
        let mut altered = wire.clone();
        altered[3] ^= 1;
        assert!(key.open_request(sealing.header(), &altered).is_err());
        let mut altered = answer.clone();
        altered[0] ^= 1;
        assert!(sealing.answer_key().open(&altered).is_err());
        let other = Sealing::begin(key.public()).unwrap();
        assert!(other.answer_key().open(&answer).is_err());
        assert!(key.open_request("v2 00", &wire).is_err());
    }
}
