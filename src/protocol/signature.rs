//! How a counter proves who it is: every request it sends is signed with its own P-256
//! key, which it registered with the vendor, over the method, the path, a timestamp, a
//! random nonce, the idempotency key and a digest of the body.
//!
//! ```text
//! Authorization: PC1 counter=C1a2b3c4d5e ts=1763800000000 nonce=<32 hex> sig=<128 hex>
//! signed text:   "PC1\n" METHOD "\n" PATH "\n" ts "\n" nonce "\n" idempotency-key "\n" hex(SHA-256(body))
//!                [ "\n" Postcounter-Seal, when the body is sealed: body is then the plain body ]
//! ```
//! The vendor accepts a timestamp within [`TIMESTAMP_WINDOW_MS`] of its own clock and a
//! nonce it has not seen from that counter (nonces are kept in the store for twice the
//! window, so every process of a scaled-out vendor sees them). A captured request therefore
//! cannot be sent again, and a request cannot be moved to another path or body.
//!
//! Signing and verifying use aws-lc (already in the tree for TLS): its P-256 is several
//! times faster than the pure-Rust one, and request verification runs on every call.

use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::signature::{
    ECDSA_P256_SHA256_FIXED, ECDSA_P256_SHA256_FIXED_SIGNING, EcdsaKeyPair, KeyPair,
    UnparsedPublicKey,
};
use sha2::{Digest, Sha256};

use super::AuthError;
use crate::hex;

/// How far a request's timestamp may be from the vendor's clock, either way.
pub const TIMESTAMP_WINDOW_MS: i64 = 5 * 60 * 1000;
const SCHEME: &str = "PC1";

/// The parts of an `Authorization` header.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Credentials {
    pub counter_id: String,
    pub timestamp_unix_ms: i64,
    pub nonce: String,
    signature: Vec<u8>,
}

/// What the signature covers besides the credentials' own timestamp and nonce.
#[derive(Clone, Copy, Debug)]
pub struct SignedRequest<'a> {
    pub method: &'a str,
    pub path: &'a str,
    pub idempotency_key: Option<&'a str>,
    pub body: &'a [u8],
    /// The request's `Postcounter-Seal` header, when its body is sealed (see
    /// [`super::sealing`]): covered, so no one can put their own key in its place.
    pub seal: Option<&'a str>,
}

impl SignedRequest<'_> {
    /// The text a signature (`scheme` PC1, with a nonce) or a session MAC (PC1S, with a
    /// sequence number) covers.
    pub(super) fn text(&self, scheme: &str, timestamp_unix_ms: i64, nonce: &str) -> String {
        let mut text = format!(
            "{scheme}\n{}\n{}\n{timestamp_unix_ms}\n{nonce}\n{}\n{}",
            self.method,
            self.path,
            self.idempotency_key.unwrap_or(""),
            hex::encode(&Sha256::digest(self.body))
        );
        if let Some(seal) = self.seal {
            text.push('\n');
            text.push_str(seal);
        }
        text
    }
}

/// A counter's signing key, as the counter's HTTP client holds it.
pub struct RequestSigner {
    counter_id: String,
    key: EcdsaKeyPair,
    rng: SystemRandom,
}

impl RequestSigner {
    /// From the counter's P-256 key (the same key file format as every other key here).
    pub fn new(counter_id: &str, key: &p256::ecdsa::SigningKey) -> Result<RequestSigner, String> {
        let public = key.verifying_key().to_sec1_point(false);
        let pair = EcdsaKeyPair::from_private_key_and_public_key(
            &ECDSA_P256_SHA256_FIXED_SIGNING,
            &key.to_bytes(),
            public.as_bytes(),
        )
        .map_err(|e| format!("the counter key is not a usable P-256 key: {e}"))?;
        Ok(RequestSigner {
            counter_id: counter_id.to_string(),
            key: pair,
            rng: SystemRandom::new(),
        })
    }

    pub fn counter_id(&self) -> &str {
        &self.counter_id
    }

    /// The public key to register, SEC1 uncompressed.
    pub fn public_key(&self) -> &[u8] {
        self.key.public_key().as_ref()
    }

    /// The `Authorization` header value for `request` at `now_unix_ms`, with a fresh nonce.
    pub fn authorization(&self, request: &SignedRequest, now_unix_ms: i64) -> String {
        let nonce = hex::encode(&rand::random::<[u8; 16]>());
        let text = request.text(SCHEME, now_unix_ms, &nonce);
        // aws-lc signs only with a working random source; without one nothing can be sent.
        let signature = self
            .key
            .sign(&self.rng, text.as_bytes())
            .map(|s| hex::encode(s.as_ref()))
            .unwrap_or_default();
        format!(
            "{SCHEME} counter={} ts={now_unix_ms} nonce={nonce} sig={signature}",
            self.counter_id
        )
    }
}

/// Parses an `Authorization` header; every failure says what was expected.
pub fn parse_authorization(header: Option<&str>) -> Result<Credentials, AuthError> {
    let header = header.ok_or_else(|| {
        AuthError::unauthenticated(
            "the request carries no Authorization header; sign it: PC1 counter=.. ts=.. nonce=.. sig=..",
        )
    })?;
    let malformed = || {
        let shown: String = header
            .chars()
            .take(60)
            .filter(|c| !c.is_control())
            .collect();
        AuthError::unauthenticated(format!(
            "the Authorization header {shown:?} is not accepted: expected PC1 counter=<id> ts=<unix ms> nonce=<32 hex> sig=<128 hex>"
        ))
    };
    let mut words = header.split(' ');
    if words.next() != Some(SCHEME) {
        return Err(malformed());
    }
    let (mut counter, mut ts, mut nonce, mut sig) = (None, None, None, None);
    for word in words {
        let (name, value) = word.split_once('=').ok_or_else(malformed)?;
        let slot = match name {
            "counter" => &mut counter,
            "ts" => &mut ts,
            "nonce" => &mut nonce,
            "sig" => &mut sig,
            _ => return Err(malformed()),
        };
        if slot.replace(value).is_some() {
            return Err(malformed());
        }
    }
    let counter_id = counter.filter(|c| is_counter_id(c)).ok_or_else(malformed)?;
    let timestamp_unix_ms = ts.and_then(|t| t.parse().ok()).ok_or_else(malformed)?;
    let nonce = nonce
        .filter(|n| n.len() == 32 && hex::decode(n).is_some())
        .ok_or_else(malformed)?;
    let signature = sig.and_then(hex::decode).filter(|s| s.len() == 64);
    Ok(Credentials {
        counter_id: counter_id.to_string(),
        timestamp_unix_ms,
        nonce: nonce.to_ascii_lowercase(),
        signature: signature.ok_or_else(malformed)?,
    })
}

/// Counter ids are `C` and 10 hex digits, taken from the digest of the counter's key.
pub fn is_counter_id(text: &str) -> bool {
    text.len() == 11 && text.starts_with('C') && text[1..].bytes().all(|b| b.is_ascii_hexdigit())
}

/// The id a counter with `public_key` (SEC1 uncompressed) is registered under.
pub fn counter_id_for_key(public_key: &[u8]) -> String {
    format!("C{}", &hex::encode(&Sha256::digest(public_key))[..10])
}

/// Whether `public_key` (SEC1) is a valid P-256 point.
pub fn is_valid_public_key(public_key: &[u8]) -> bool {
    p256::ecdsa::VerifyingKey::from_sec1_bytes(public_key).is_ok()
}

/// Checks the signature and the timestamp window. The nonce is checked against the store
/// by the caller, in the same transaction as the request's effect.
pub fn verify(
    credentials: &Credentials,
    public_key: &[u8],
    request: &SignedRequest,
    now_unix_ms: i64,
) -> Result<(), AuthError> {
    check_timestamp(credentials.timestamp_unix_ms, now_unix_ms)?;
    let text = request.text(SCHEME, credentials.timestamp_unix_ms, &credentials.nonce);
    UnparsedPublicKey::new(&ECDSA_P256_SHA256_FIXED, public_key)
        .verify(text.as_bytes(), &credentials.signature)
        .map_err(|_| {
            AuthError::unauthenticated(format!(
                "the signature of counter {} does not match this request (wrong key, or the request was altered)",
                credentials.counter_id
            ))
        })
}

/// Refuses a request timestamp more than [`TIMESTAMP_WINDOW_MS`] from the vendor's clock.
pub(super) fn check_timestamp(timestamp_unix_ms: i64, now_unix_ms: i64) -> Result<(), AuthError> {
    let skew_ms = timestamp_unix_ms.saturating_sub(now_unix_ms);
    if skew_ms.saturating_abs() > TIMESTAMP_WINDOW_MS {
        return Err(AuthError::unauthenticated(format!(
            "the request's timestamp is {} s from the vendor's clock; at most {} s is accepted (the counter's clock may be wrong)",
            skew_ms / 1000,
            TIMESTAMP_WINDOW_MS / 1000
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use p256::elliptic_curve::Generate;

    fn signer() -> RequestSigner {
        let key = p256::ecdsa::SigningKey::generate_from_rng(&mut rand::rng());
        let id = counter_id_for_key(key.verifying_key().to_sec1_point(false).as_bytes());
        RequestSigner::new(&id, &key).unwrap()
    }

    const NOW: i64 = 1_763_800_000_000;

    fn request(body: &[u8]) -> SignedRequest<'_> {
        SignedRequest {
            method: "POST",
            path: "/postage/v1/purchases",
            idempotency_key: Some("sale-1"),
            body,
            seal: None,
        }
    }

    #[test]
    fn a_signed_request_verifies_and_any_change_to_it_does_not() {
        let signer = signer();
        let header = signer.authorization(&request(b"{}"), NOW);
        let credentials = parse_authorization(Some(&header)).unwrap();
        assert_eq!(credentials.counter_id, signer.counter_id());
        verify(
            &credentials,
            signer.public_key(),
            &request(b"{}"),
            NOW + 1000,
        )
        .unwrap();
        let altered = [
            request(b"{ }"),
            SignedRequest {
                path: "/postage/v1/voids",
                ..request(b"{}")
            },
            SignedRequest {
                idempotency_key: Some("sale-2"),
                ..request(b"{}")
            },
            SignedRequest {
                method: "PUT",
                ..request(b"{}")
            },
        ];
        for other in altered {
            assert!(verify(&credentials, signer.public_key(), &other, NOW).is_err());
        }
        let stranger = self::signer();
        assert!(verify(&credentials, stranger.public_key(), &request(b"{}"), NOW).is_err());
    }

    #[test]
    fn a_timestamp_outside_the_window_is_refused() {
        let signer = signer();
        let header = signer.authorization(&request(b""), NOW);
        let credentials = parse_authorization(Some(&header)).unwrap();
        let late = NOW + TIMESTAMP_WINDOW_MS + 1;
        let error = verify(&credentials, signer.public_key(), &request(b""), late).unwrap_err();
        assert!(error.message().contains("timestamp"), "{error}");
    }

    #[test]
    fn malformed_headers_are_refused_with_the_expected_form() {
        for header in [
            "Bearer abc",
            "PC1 counter=C0123456789 ts=1 nonce=00",
            "PC1 counter=bob ts=1 nonce=00000000000000000000000000000000 sig=00",
            "PC1 counter=C0123456789 counter=C0123456789",
        ] {
            let error = parse_authorization(Some(header)).unwrap_err();
            assert!(error.message().contains("expected PC1"), "{error}");
        }
        assert!(parse_authorization(None).is_err());
    }
}
