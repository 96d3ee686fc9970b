//! Sessions: a counter proves its key once, then authenticates each request with a key the
//! two sides share, as a mutually authenticated TLS connection would.
//!
//! Checking a P-256 signature costs the vendor about 65 µs of CPU per request, more than
//! everything else it does for a one-piece purchase; a busy counter opens a session
//! instead. It sends `POST /contact/v1/sessions`, signed with its registered key (the `PC1` scheme
//! of [`super::signature`]), carrying a fresh ephemeral P-256 public key; the vendor answers with
//! a session id and an ephemeral key of its own. Both sides run ECDH and derive the session
//! key with HKDF-SHA256 (salt: the session id; info: the scheme and the counter id), so the
//! key never travels. Later requests carry an HMAC-SHA256 under it over the same text the
//! signature would cover, with a sequence number in place of the nonce:
//!
//! ```text
//! Authorization: PC1S session=<32 hex> ts=1763800000000 seq=17 mac=<64 hex>
//! MAC text:      "PC1S\n" METHOD "\n" PATH "\n" ts "\n" seq "\n" idempotency-key "\n" hex(SHA-256(body))
//! ```
//!
//! The opening and its answer go sealed and signed (the contact service's level, see
//! [`super::security`]), so the counter knows the vendor's ephemeral key is its data
//! centre's: the session's keys are shared with it alone, and the data centre's answers in
//! the session are MACed under the second of them (`PC1SA`) instead of signed, at a
//! microsecond instead of the tens a signature costs. A session lives
//! in the memory of the vendor process that opened it (see
//! `vendor_system::remote_access::sessions`).

use aws_lc_rs::agreement::{ECDH_P256, EphemeralPrivateKey, UnparsedPublicKey, agree_ephemeral};
use aws_lc_rs::error::Unspecified;
use aws_lc_rs::hkdf::{HKDF_SHA256, Salt};
use aws_lc_rs::hmac::{self, HMAC_SHA256};
use aws_lc_rs::rand::SystemRandom;

use super::AuthError;
use super::signature::{SignedRequest, check_timestamp};
use crate::hex;

pub const SESSION_SCHEME: &str = "PC1S";
/// How long a session may be used after it is opened.
pub const SESSION_LIFETIME_MS: i64 = 60 * 60 * 1000;

pub type SessionId = [u8; 16];

/// The scheme of an answer MACed in its request's session (see [`super::security`]).
pub const SESSION_ANSWER_SCHEME: &str = "PC1SA";

/// A session's keys, on either side: one MACs the counter's requests, the other the data
/// centre's answers (two keys, so an answer can never pass for a request).
#[derive(Clone)]
pub struct SessionKey {
    request: hmac::Key,
    answer: hmac::Key,
}

impl SessionKey {
    /// The keys both sides derive from the ECDH secret of one opening.
    fn derive(
        shared_secret: &[u8],
        session_id: &SessionId,
        counter_id: &str,
    ) -> Result<SessionKey, Unspecified> {
        let prk = Salt::new(HKDF_SHA256, session_id).extract(shared_secret);
        let key = |scheme: &str| {
            let info = [scheme.as_bytes(), b"\n", counter_id.as_bytes()];
            prk.expand(&info, HMAC_SHA256).map(hmac::Key::from)
        };
        Ok(SessionKey {
            request: key(SESSION_SCHEME)?,
            answer: key(SESSION_ANSWER_SCHEME)?,
        })
    }

    fn tag(&self, request: &SignedRequest, timestamp_unix_ms: i64, sequence: u64) -> hmac::Tag {
        let text = request.text(SESSION_SCHEME, timestamp_unix_ms, &sequence.to_string());
        hmac::sign(&self.request, text.as_bytes())
    }

    /// The MAC of an answer's `text` (see [`super::security::SignedAnswer`]).
    pub fn answer_mac(&self, text: &str) -> Vec<u8> {
        hmac::sign(&self.answer, text.as_bytes()).as_ref().to_vec()
    }

    /// Whether `mac` is this session's MAC of an answer's `text`.
    pub fn answer_mac_matches(&self, text: &str, mac: &[u8]) -> bool {
        hmac::verify(&self.answer, text.as_bytes(), mac).is_ok()
    }

    /// The `Authorization` header value for `request`, the `sequence`-th of the session.
    pub fn authorization(
        &self,
        session_id: &SessionId,
        request: &SignedRequest,
        now_unix_ms: i64,
        sequence: u64,
    ) -> String {
        let mac = self.tag(request, now_unix_ms, sequence);
        format!(
            "{SESSION_SCHEME} session={} ts={now_unix_ms} seq={sequence} mac={}",
            hex::encode(session_id),
            hex::encode(mac.as_ref())
        )
    }

    /// Checks the timestamp window and the MAC; the sequence number is the caller's to
    /// check against the session's replay window.
    pub fn verify(
        &self,
        credentials: &SessionCredentials,
        request: &SignedRequest,
        now_unix_ms: i64,
    ) -> Result<(), AuthError> {
        check_timestamp(credentials.timestamp_unix_ms, now_unix_ms)?;
        let text = request.text(
            SESSION_SCHEME,
            credentials.timestamp_unix_ms,
            &credentials.sequence.to_string(),
        );
        hmac::verify(&self.request, text.as_bytes(), &credentials.mac).map_err(|_| {
            AuthError::unauthenticated(
                "the session MAC does not match this request (wrong session key, or the request was altered)",
            )
        })
    }
}

/// The counter's half of an opening: its ephemeral key pair.
pub struct SessionOffer {
    private: EphemeralPrivateKey,
    public_key: Vec<u8>,
}

impl SessionOffer {
    pub fn new() -> Result<SessionOffer, String> {
        let private = EphemeralPrivateKey::generate(&ECDH_P256, &SystemRandom::new())
            .map_err(|_| "no random source for a session key".to_string())?;
        let public_key = private
            .compute_public_key()
            .map_err(|_| "the session key pair is not usable".to_string())?
            .as_ref()
            .to_vec();
        Ok(SessionOffer {
            private,
            public_key,
        })
    }

    /// The ephemeral public key to send, SEC1 uncompressed.
    pub fn public_key(&self) -> &[u8] {
        &self.public_key
    }

    /// The session key, from the vendor's answer.
    pub fn complete(
        self,
        counter_id: &str,
        session_id: &SessionId,
        vendor_public_key: &[u8],
    ) -> Result<SessionKey, String> {
        agree_ephemeral(
            self.private,
            UnparsedPublicKey::new(&ECDH_P256, vendor_public_key),
            "the vendor's session key is not a P-256 point".to_string(),
            |shared| {
                SessionKey::derive(shared, session_id, counter_id)
                    .map_err(|_| "the session key cannot be derived".to_string())
            },
        )
    }
}

/// The vendor's half of an opening: a new session id, the vendor's ephemeral public key to
/// send back, and the session key.
pub fn accept(
    counter_id: &str,
    counter_public_key: &[u8],
) -> Result<(SessionId, Vec<u8>, SessionKey), AuthError> {
    let offer = SessionOffer::new().map_err(AuthError::unavailable)?;
    let vendor_public_key = offer.public_key.clone();
    let session_id: SessionId = rand::random();
    let key = agree_ephemeral(
        offer.private,
        UnparsedPublicKey::new(&ECDH_P256, counter_public_key),
        AuthError::bad_request(
            "ephemeral_public_key is not accepted: a P-256 point, SEC1 uncompressed (130 hex digits starting 04)",
        ),
        |shared| {
            SessionKey::derive(shared, &session_id, counter_id)
                .map_err(|_| AuthError::unavailable("the session key cannot be derived"))
        },
    )?;
    Ok((session_id, vendor_public_key, key))
}

/// The parts of a `PC1S` `Authorization` header.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SessionCredentials {
    pub session_id: SessionId,
    pub timestamp_unix_ms: i64,
    pub sequence: u64,
    mac: Vec<u8>,
}

/// Whether `header` is in the session scheme (rather than a signature).
pub fn is_session_header(header: &str) -> bool {
    header
        .strip_prefix(SESSION_SCHEME)
        .is_some_and(|rest| rest.starts_with(' '))
}

/// Parses a `PC1S` header; every failure says what was expected.
pub fn parse_authorization(header: &str) -> Result<SessionCredentials, AuthError> {
    let malformed = || {
        let shown: String = header
            .chars()
            .take(60)
            .filter(|c| !c.is_control())
            .collect();
        AuthError::unauthenticated(format!(
            "the Authorization header {shown:?} is not accepted: expected PC1S session=<32 hex> ts=<unix ms> seq=<1 or more> mac=<64 hex>"
        ))
    };
    let mut words = header.split(' ');
    if words.next() != Some(SESSION_SCHEME) {
        return Err(malformed());
    }
    let (mut session, mut ts, mut seq, mut mac) = (None, None, None, None);
    for word in words {
        let (name, value) = word.split_once('=').ok_or_else(malformed)?;
        let slot = match name {
            "session" => &mut session,
            "ts" => &mut ts,
            "seq" => &mut seq,
            "mac" => &mut mac,
            _ => return Err(malformed()),
        };
        if slot.replace(value).is_some() {
            return Err(malformed());
        }
    }
    let session_id = session
        .and_then(hex::decode)
        .and_then(|bytes| SessionId::try_from(bytes).ok())
        .ok_or_else(malformed)?;
    Ok(SessionCredentials {
        session_id,
        timestamp_unix_ms: ts.and_then(|t| t.parse().ok()).ok_or_else(malformed)?,
        sequence: seq
            .and_then(|s| s.parse().ok())
            .filter(|&s| s > 0)
            .ok_or_else(malformed)?,
        mac: mac
            .and_then(hex::decode)
            .filter(|m| m.len() == 32)
            .ok_or_else(malformed)?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

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

    /// Both halves of an opening, as the counter and the vendor hold them.
    fn opened() -> (SessionId, SessionKey, SessionKey) {
        let offer = SessionOffer::new().unwrap();
        let (session_id, vendor_public, vendor_key) =
            accept("C0123456789", offer.public_key()).unwrap();
        let counter_key = offer
            .complete("C0123456789", &session_id, &vendor_public)
            .unwrap();
        (session_id, counter_key, vendor_key)
    }

    fn credentials(key: &SessionKey, id: &SessionId, body: &[u8]) -> SessionCredentials {
        let header = key.authorization(id, &request(body), NOW, 7);
        parse_authorization(&header).unwrap()
    }

    #[test]
    fn both_sides_derive_the_same_key_and_any_change_to_the_request_fails_the_mac() {
        let (session_id, counter_key, vendor_key) = opened();
        let credentials = credentials(&counter_key, &session_id, b"{}");
        assert_eq!(credentials.sequence, 7);
        vendor_key
            .verify(&credentials, &request(b"{}"), NOW + 1000)
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
        ];
        for other in altered {
            assert!(vendor_key.verify(&credentials, &other, NOW).is_err());
        }
        let renumbered = SessionCredentials {
            sequence: 8,
            ..credentials.clone()
        };
        assert!(
            vendor_key
                .verify(&renumbered, &request(b"{}"), NOW)
                .is_err()
        );
        let (_, _, other_session_key) = opened();
        assert!(
            other_session_key
                .verify(&credentials, &request(b"{}"), NOW)
                .is_err()
        );
    }

    #[test]
    fn the_key_is_bound_to_the_counter_id() {
        let offer = SessionOffer::new().unwrap();
        let (session_id, vendor_public, vendor_key) =
            accept("C0123456789", offer.public_key()).unwrap();
        let impostor = offer
            .complete("C9876543210", &session_id, &vendor_public)
            .unwrap();
        let credentials = credentials(&impostor, &session_id, b"{}");
        assert!(
            vendor_key
                .verify(&credentials, &request(b"{}"), NOW)
                .is_err()
        );
    }

    #[test]
    fn a_stale_timestamp_is_refused_even_with_a_good_mac() {
        let (session_id, counter_key, vendor_key) = opened();
        let credentials = credentials(&counter_key, &session_id, b"");
        let late = NOW + super::super::signature::TIMESTAMP_WINDOW_MS + 1;
        let error = vendor_key
            .verify(&credentials, &request(b""), late)
            .unwrap_err();
        assert!(error.message().contains("timestamp"), "{error}");
    }

    #[test]
    fn a_point_off_the_curve_is_refused_at_opening() {
        let mut bad = SessionOffer::new().unwrap().public_key().to_vec();
        bad[64] ^= 1;
        let error = accept("C0123456789", &bad).err().unwrap();
        assert!(error.message().contains("ephemeral_public_key"), "{error}");
    }

    #[test]
    fn malformed_headers_are_refused_with_the_expected_form() {
        let mac = "00".repeat(32);
        let id = "11".repeat(16);
        for header in [
            format!("PC1S session={id} ts=1 seq=0 mac={mac}"),
            format!("PC1S session=abc ts=1 seq=1 mac={mac}"),
            format!("PC1S session={id} ts=1 seq=1 mac=00"),
            format!("PC1S session={id} ts=x seq=1 mac={mac}"),
            format!("PC1S session={id} session={id} ts=1 seq=1 mac={mac}"),
            format!("PC1S session={id} ts=1 seq=1 mac={mac} extra=1"),
        ] {
            let error = parse_authorization(&header).unwrap_err();
            assert!(error.message().contains("expected PC1S"), "{error}");
        }
        assert!(is_session_header(&format!(
            "PC1S session={id} ts=1 seq=1 mac={mac}"
        )));
        assert!(!is_session_header("PC1 counter=C0123456789"));
        assert!(!is_session_header("PC1Sx"));
    }
}
