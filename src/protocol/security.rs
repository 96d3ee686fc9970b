//! A level of security per service: what protects a request and its answer beyond TLS.
//! The table is [`crate::protocol::services::Service::security_level`]; this module says what
//! each level means on the wire, and both ends read the level of a request from its path
//! here, so a station cannot be talked into less than its data centre asks for, nor the
//! data centre into less than the table says.
//!
//! | level | request | answer |
//! |---|---|---|
//! | update-signed | as it comes | files signed by the update keys (TUF), checked by the reader |
//! | authenticated | signature or session MAC (PC1, PC1S) | as it comes (TLS only) |
//! | signed answer | signature or session MAC | signed by the data centre's answer key (PC1A) |
//! | encrypted | the same, and the body encrypted to the data centre's payload key (HPKE) | signed, and encrypted to the request's sender |
//!
//! A signed answer carries `Postcounter-Answer: PC1A key=<id> sig=<128 hex>`, an ECDSA
//! P-256/SHA-256 signature (r‖s) over
//!
//! ```text
//! "PC1A\n" status "\n" hex(request digest) "\n" hex(SHA-256(agenda)) "\n" hex(SHA-256(body as sent))
//! request digest: SHA-256("PC1R\n" METHOD "\n" path[?query] "\n" Idempotency-Key "\n" Authorization
//!                 "\n" Postcounter-Seal "\n" Postcounter-Station "\n" hex(SHA-256(body as received)))
//! ```
//!
//! (absent headers as empty), so an answer cannot be moved to another request (the request's
//! authorization is unique: a nonce or a session sequence number), nor its status, agenda or
//! body changed; and the refusal of an altered copy of a request (another body, key or
//! header: refused, perhaps before it is authenticated) is bound to that copy, never taken
//! for the answer to the original, which may have been carried out. A byte-for-byte copy
//! is refused `replayed`, which a station takes for "perhaps carried out" and asks again
//! under its idempotency key. An answer
//! to a request in a session is MACed instead, `Postcounter-Answer: PC1SA mac=<64 hex>`, an
//! HMAC-SHA256 of the same text under the session's answer key (see [`super::session`]):
//! only the data centre shares that key, and a MAC costs a microsecond where a signature and
//! its check cost some 80 on a purchase that costs the data centre about 150. Encryption
//! is described in [`super::sealing`]. Public routes (health, the service keys themselves,
//! whose announcement is signed by a root) have no level.

use aws_lc_rs::signature::{ECDSA_P256_SHA256_FIXED, UnparsedPublicKey};
use p256::ecdsa::VerifyingKey;
use sha2::{Digest, Sha256};

use super::services::Service;
use super::session::{SESSION_ANSWER_SCHEME, SessionKey};
use super::signature::SignedRequest;
use crate::hex;

/// The header a signed answer carries its signature in.
pub const ANSWER_SIGNATURE_HEADER: &str = "postcounter-answer";
/// The header that says a body is sealed, and carries the HPKE encapsulated key.
pub const SEAL_HEADER: &str = "postcounter-seal";
/// Where a station fetches the service keys (public: the announcement is root-signed).
pub const SERVICE_KEYS_PATH: &str = "/contact/v1/service-keys";
const PUBLIC_PATHS: [&str; 2] = ["/contact/v1/health", SERVICE_KEYS_PATH];
const ANSWER_SCHEME: &str = "PC1A";

/// How much protection a service's requests and answers get.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum SecurityLevel {
    /// Nothing of the link's: what is served is signed by the data centre's update keys
    /// (TUF), and checked against them by whoever reads it, whatever carried it.
    UpdateSigned,
    /// The request signed or MACed; the answer as TLS delivers it.
    Authenticated,
    /// And every answer signed by the data centre.
    SignedAnswer,
    /// And both bodies encrypted end to end, whatever carries them (a modem line has no TLS).
    Encrypted,
}

impl SecurityLevel {
    pub fn name(self) -> &'static str {
        match self {
            SecurityLevel::UpdateSigned => "update-signed",
            SecurityLevel::Authenticated => "authenticated",
            SecurityLevel::SignedAnswer => "signed answer",
            SecurityLevel::Encrypted => "encrypted",
        }
    }

    pub fn signs_answers(self) -> bool {
        self >= SecurityLevel::SignedAnswer
    }

    pub fn seals(self) -> bool {
        self == SecurityLevel::Encrypted
    }
}

/// The level the link holds a request to `path` to; `None` for a public route, and for an
/// update-signed one (its files carry their own signatures).
pub fn level_of(path: &str) -> Option<SecurityLevel> {
    if PUBLIC_PATHS.contains(&path) {
        return None;
    }
    Service::of_path(path)
        .map(Service::security_level)
        .filter(|level| *level != SecurityLevel::UpdateSigned)
}

/// Whether `request`'s body goes sealed: its service encrypts, or it carries card details
/// (a purchase paid by card; a card payment is the accounts service's and sealed anyway).
pub fn must_seal(request: &SignedRequest) -> bool {
    if level_of(request.path).is_some_and(SecurityLevel::seals) {
        return true;
    }
    /// Only the card field, the rest skipped unread: this runs on every purchase.
    #[derive(serde::Deserialize)]
    struct CardField {
        #[serde(default)]
        card: Option<serde::de::IgnoredAny>,
    }
    serde_json::from_slice::<CardField>(request.body).is_ok_and(|body| body.card.is_some())
}

/// A request as the data centre received it, or as a station sent it: what its answer is
/// bound to (absent headers as "").
#[derive(Clone, Copy, Debug)]
pub struct AnsweredRequest<'a> {
    pub method: &'a str,
    pub path_and_query: &'a str,
    pub idempotency_key: &'a str,
    pub authorization: &'a str,
    pub seal: &'a str,
    pub station: &'a str,
    /// SHA-256 of the body as it crossed the wire (sealed, when it was).
    pub body_sha256: [u8; 32],
}

impl AnsweredRequest<'_> {
    pub fn digest(&self) -> [u8; 32] {
        let text = format!(
            "PC1R\n{}\n{}\n{}\n{}\n{}\n{}\n{}",
            self.method,
            self.path_and_query,
            self.idempotency_key,
            self.authorization,
            self.seal,
            self.station,
            hex::encode(&self.body_sha256)
        );
        Sha256::digest(text.as_bytes()).into()
    }
}

/// What an answer's signature covers.
#[derive(Clone, Copy, Debug)]
pub struct SignedAnswer<'a> {
    pub status: u16,
    /// The digest of the request answered ([`AnsweredRequest::digest`]).
    pub request: [u8; 32],
    /// The answer's agenda header ("" when it has none).
    pub agenda: &'a str,
    /// The answer's body as sent (sealed, when it is).
    pub body: &'a [u8],
}

impl SignedAnswer<'_> {
    /// The text the data centre's answer key signs.
    pub fn text(&self) -> String {
        format!(
            "{ANSWER_SCHEME}\n{}\n{}\n{}\n{}",
            self.status,
            hex::encode(&self.request),
            hex::encode(&Sha256::digest(self.agenda.as_bytes())),
            hex::encode(&Sha256::digest(self.body))
        )
    }

    /// The `Postcounter-Answer` header for a signature by key `key_id`.
    pub fn header(key_id: u32, signature: &[u8]) -> String {
        format!(
            "{ANSWER_SCHEME} key={key_id} sig={}",
            hex::encode(signature)
        )
    }

    /// The `Postcounter-Answer` header of an answer in its request's session: the text
    /// MACed under the session's answer key.
    pub fn session_header(&self, session: &SessionKey) -> String {
        let mac = session.answer_mac(&self.text());
        format!("{SESSION_ANSWER_SCHEME} mac={}", hex::encode(&mac))
    }

    /// Checks `header`: a signature by `key` (key id `key_id`), or a MAC under `session`'s
    /// answer key when the request went in that session; why not, if not.
    pub fn verify(
        &self,
        header: &str,
        key_id: u32,
        key: &VerifyingKey,
        session: Option<&SessionKey>,
    ) -> Result<(), String> {
        if let Some(mac) = header
            .strip_prefix(SESSION_ANSWER_SCHEME)
            .and_then(|rest| rest.strip_prefix(" mac="))
        {
            let session =
                session.ok_or("an answer MACed in a session to a request sent in none")?;
            let mac = hex::decode(mac).ok_or("an answer MAC that is not hex")?;
            if !session.answer_mac_matches(&self.text(), &mac) {
                return Err(
                    "an answer whose session MAC does not match: altered, or not for this request"
                        .into(),
                );
            }
            return Ok(());
        }
        let mut parts = header.split(' ');
        let (Some(ANSWER_SCHEME), Some(id), Some(signature), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(format!(
                "an answer signature {:?} of no known form",
                cut(header)
            ));
        };
        let id = id
            .strip_prefix("key=")
            .and_then(|id| id.parse::<u32>().ok());
        if id != Some(key_id) {
            let named = id.map_or_else(|| "of no readable id".to_string(), |id| id.to_string());
            return Err(format!(
                "an answer signed by key {named}, not the data centre's key {key_id} held here"
            ));
        }
        let signature = signature
            .strip_prefix("sig=")
            .and_then(hex::decode)
            .ok_or("an answer signature that is not hex")?;
        let key = key.to_sec1_point(false);
        UnparsedPublicKey::new(&ECDSA_P256_SHA256_FIXED, key.as_bytes())
            .verify(self.text().as_bytes(), &signature)
            .map_err(|_| {
                "an answer whose signature does not verify: altered, or not for this request"
                    .to_string()
            })
    }
}

fn cut(text: &str) -> String {
    text.chars().take(40).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::session::{SessionOffer, accept};
    use p256::ecdsa::SigningKey;
    use p256::elliptic_curve::Generate;

    /// Both ends of one session: the counter's keys and the data centre's.
    fn session_pair() -> (SessionKey, SessionKey) {
        let offer = SessionOffer::new().unwrap();
        let (id, vendor_public, vendor_key) = accept("C0123456789", offer.public_key()).unwrap();
        let counter_key = offer.complete("C0123456789", &id, &vendor_public).unwrap();
        (counter_key, vendor_key)
    }

    fn answer(body: &[u8]) -> SignedAnswer<'_> {
        SignedAnswer {
            status: 201,
            request: [7; 32],
            agenda: "",
            body,
        }
    }

    #[test]
    fn an_answer_is_taken_only_signed_or_maced_for_its_request_unaltered() {
        let key = SigningKey::generate_from_rng(&mut rand::rng());
        let rng = aws_lc_rs::rand::SystemRandom::new();
        let pair = aws_lc_rs::signature::EcdsaKeyPair::from_private_key_and_public_key(
            &aws_lc_rs::signature::ECDSA_P256_SHA256_FIXED_SIGNING,
            &key.to_bytes(),
            key.verifying_key().to_sec1_point(false).as_bytes(),
        )
        .unwrap();
        let signed = answer(b"{}");
        let signature = pair.sign(&rng, signed.text().as_bytes()).unwrap();
        let header = SignedAnswer::header(1, signature.as_ref());
        let public = key.verifying_key();
        assert!(signed.verify(&header, 1, public, None).is_ok());
        assert!(
            signed.verify(&header, 2, public, None).is_err(),
            "another key id"
        );
        assert!(
            answer(b"{ }").verify(&header, 1, public, None).is_err(),
            "altered"
        );
        let other = SigningKey::generate_from_rng(&mut rand::rng());
        assert!(
            signed
                .verify(&header, 1, other.verifying_key(), None)
                .is_err()
        );

        let (counter, vendor) = session_pair();
        let maced = signed.session_header(&vendor);
        assert!(signed.verify(&maced, 1, public, Some(&counter)).is_ok());
        assert!(
            signed.verify(&maced, 1, public, None).is_err(),
            "sent in no session"
        );
        let (elsewhere, _) = session_pair();
        assert!(
            signed.verify(&maced, 1, public, Some(&elsewhere)).is_err(),
            "another session"
        );
        assert!(
            answer(b"[]")
                .verify(&maced, 1, public, Some(&counter))
                .is_err(),
            "altered"
        );
    }

    #[test]
    fn public_routes_have_no_level_and_every_service_route_has_its_services() {
        assert_eq!(level_of(SERVICE_KEYS_PATH), None);
        assert_eq!(level_of("/contact/v1/health"), None);
        assert_eq!(level_of("/openapi.json"), None);
        assert_eq!(
            level_of("/contact/v1/counters"),
            Some(SecurityLevel::Encrypted)
        );
        assert_eq!(
            level_of("/postage/v1/purchases"),
            Some(SecurityLevel::SignedAnswer)
        );
        for service in Service::ALL {
            let path = format!("{}/anything", service.prefix());
            let level = service.security_level();
            let expected = (level != SecurityLevel::UpdateSigned).then_some(level);
            assert_eq!(level_of(&path), expected);
        }
        assert_eq!(level_of("/software/v1/tuf/metadata/root.json"), None);
    }
}
