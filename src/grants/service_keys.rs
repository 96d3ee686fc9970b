//! The data centre's service keys, announced: the key that signs every answer of a service
//! whose level asks for a signed answer, and the key stations encrypt payloads to (see
//! [`crate::protocol::security`]). Signed by a root generation, so a station takes them
//! only from its data centre, whoever relays them; bounded in time, so a station fetches
//! them again (and so learns of new ones) at least once a week.
//!
//! | offset | bytes | field |
//! |---|---|---|
//! | 2 | 4 | key id: the first 4 bytes of SHA-256 of the answer key, compressed |
//! | 6 | 33 | answer-signing key, P-256 SEC1 compressed (ECDSA, SHA-256) |
//! | 39 | 65 | payload key, P-256 SEC1 uncompressed (HPKE DHKEM(P-256, HKDF-SHA256)) |
//! | 104 | 8 | issued, unix ms (the data centre's clock) |
//! | 112 | 8 | not after, unix ms |

use p256::ecdsa::VerifyingKey;

use super::{Fields, GrantError, RootSigner, open, seal};
use crate::keys::Trust;

const KIND: u8 = 5;
const ANSWER_KEY_LEN: usize = 33;
pub const PAYLOAD_KEY_LEN: usize = 65;
const BODY_LEN: usize = 4 + ANSWER_KEY_LEN + PAYLOAD_KEY_LEN + 8 + 8;
const WHAT: &str = "service keys announcement";

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ServiceKeys {
    pub key_id: u32,
    pub answer_key: VerifyingKey,
    /// The HPKE recipient key, SEC1 uncompressed.
    pub payload_key: [u8; PAYLOAD_KEY_LEN],
    pub issued_unix_ms: i64,
    pub not_after_unix_ms: i64,
}

impl ServiceKeys {
    pub fn sign(&self, signer: &RootSigner) -> Vec<u8> {
        let mut body = Vec::with_capacity(BODY_LEN);
        body.extend_from_slice(&self.key_id.to_be_bytes());
        body.extend_from_slice(self.answer_key.to_sec1_point(true).as_bytes());
        body.extend_from_slice(&self.payload_key);
        body.extend_from_slice(&self.issued_unix_ms.to_be_bytes());
        body.extend_from_slice(&self.not_after_unix_ms.to_be_bytes());
        seal(KIND, &body, signer)
    }

    /// The keys in `bytes`, if the data centre signed them.
    pub fn open(bytes: &[u8], trust: &Trust) -> Result<ServiceKeys, GrantError> {
        let body = Fields(open(WHAT, KIND, BODY_LEN, bytes, trust)?);
        let malformed = |reason: &str| GrantError::Malformed {
            what: WHAT,
            reason: reason.into(),
        };
        let answer_key = VerifyingKey::from_sec1_bytes(&body.0[4..4 + ANSWER_KEY_LEN])
            .map_err(|_| malformed("the answer key is not a P-256 point"))?;
        let at = 4 + ANSWER_KEY_LEN;
        let payload_key: [u8; PAYLOAD_KEY_LEN] = body.0[at..at + PAYLOAD_KEY_LEN]
            .try_into()
            .map_err(|_| malformed("the payload key"))?;
        VerifyingKey::from_sec1_bytes(&payload_key)
            .map_err(|_| malformed("the payload key is not a P-256 point"))?;
        let at = at + PAYLOAD_KEY_LEN;
        Ok(ServiceKeys {
            key_id: body.u32_at(0),
            answer_key,
            payload_key,
            issued_unix_ms: body.i64_at(at),
            not_after_unix_ms: body.i64_at(at + 8),
        })
    }

    /// Whether the keys may still be used at `now_unix_ms` (past it, the station fetches
    /// them again).
    pub fn current_at(&self, now_unix_ms: i64) -> bool {
        now_unix_ms < self.not_after_unix_ms
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use p256::ecdsa::SigningKey;
    use p256::elliptic_curve::Generate;

    #[test]
    fn an_announcement_opens_only_under_its_root_and_unaltered() {
        let root = SigningKey::generate_from_rng(&mut rand::rng());
        let answer = SigningKey::generate_from_rng(&mut rand::rng());
        let payload = SigningKey::generate_from_rng(&mut rand::rng());
        let keys = ServiceKeys {
            key_id: 1,
            answer_key: *answer.verifying_key(),
            payload_key: payload
                .verifying_key()
                .to_sec1_point(false)
                .as_bytes()
                .try_into()
                .unwrap(),
            issued_unix_ms: 1_000,
            not_after_unix_ms: 2_000,
        };
        let signer = RootSigner {
            generation: 1,
            key: &root,
        };
        let bytes = keys.sign(&signer);
        assert_eq!(bytes.len(), 2 + BODY_LEN + 68);
        let trust = Trust::anchored(*root.verifying_key());
        assert_eq!(ServiceKeys::open(&bytes, &trust).unwrap(), keys);
        assert!(keys.current_at(1_999) && !keys.current_at(2_000));
        let stranger = Trust::anchored(*answer.verifying_key());
        assert!(
            ServiceKeys::open(&bytes, &stranger).is_err(),
            "another root"
        );
        for at in [2, 6, 40, 104, 112, bytes.len() - 1] {
            let mut altered = bytes.clone();
            altered[at] ^= 1;
            assert!(ServiceKeys::open(&altered, &trust).is_err(), "byte {at}");
        }
    }
}
