//! The counter's side of a vendor session (see [`crate::protocol::session`]): opened once per
//! vendor endpoint with a signed request, then used to authenticate each request with an
//! HMAC and a sequence number instead of a fresh signature.

use std::sync::atomic::{AtomicU64, Ordering};

use std::sync::Arc;

use super::client::{Envelope, send_once};
use crate::clock::Clock;
use crate::grants::ServiceKeys;
use crate::hex;
use crate::protocol::session::{SessionId, SessionKey, SessionOffer};
use crate::protocol::signature::{RequestSigner, SignedRequest};
use crate::protocol::{OpenSessionRequest, OpenSessionResponse};

/// A session is given up this long before the vendor would end it, so that a request
/// never races its expiry.
const RENEW_BEFORE_MS: i64 = 60_000;

pub struct ClientSession {
    id: SessionId,
    key: SessionKey,
    /// The last sequence number used.
    sequence: AtomicU64,
    expires_unix_ms: i64,
}

/// Why no session could be opened.
pub enum OpenFailure {
    /// The vendor answered, but not with a session: its status and body, to be handled as
    /// the answer to the request itself (a refusal, or 503 to fail over).
    Answered(u16, Vec<u8>),
    Transport(reqwest::Error),
    /// The vendor's session answer made no sense.
    Protocol(String),
}

impl ClientSession {
    /// Opens a session at `endpoint` with a request signed by `signer`.
    pub async fn open(
        http: &reqwest::Client,
        endpoint: &str,
        signer: &RequestSigner,
        keys: Option<Arc<ServiceKeys>>,
        clock: &Clock,
    ) -> Result<ClientSession, OpenFailure> {
        let offer = SessionOffer::new().map_err(OpenFailure::Protocol)?;
        let body = serde_json::to_vec(&OpenSessionRequest {
            ephemeral_public_key: hex::encode(offer.public_key()),
        })
        .map_err(|e| OpenFailure::Protocol(e.to_string()))?;
        let path = "/contact/v1/sessions";
        let signed = SignedRequest {
            method: "POST",
            path,
            idempotency_key: None,
            body: &body,
            seal: None,
        };
        // The session's key agreement goes sealed, as the contact service's level asks.
        let mut envelope = Envelope::new(signed, keys).map_err(OpenFailure::Protocol)?;
        let authorization = signer.authorization(&envelope.request(), clock.now_unix_ms());
        let answered = send_once(http, endpoint, &mut envelope, Some(authorization), None).await?;
        let (status, answer) = (answered.status, answered.body);
        if status != 201 {
            return Err(OpenFailure::Answered(status, answer));
        }
        let not_understood =
            |what: &str| OpenFailure::Protocol(format!("{endpoint} opened a session with {what}"));
        let opened: OpenSessionResponse =
            serde_json::from_slice(&answer).map_err(|e| not_understood(&e.to_string()))?;
        let id: SessionId = hex::decode(&opened.session_id)
            .and_then(|bytes| bytes.try_into().ok())
            .ok_or_else(|| not_understood("a malformed session id"))?;
        let vendor_public_key = hex::decode(&opened.ephemeral_public_key)
            .ok_or_else(|| not_understood("a malformed ephemeral key"))?;
        let key = offer
            .complete(signer.counter_id(), &id, &vendor_public_key)
            .map_err(|e| not_understood(&e))?;
        Ok(ClientSession {
            id,
            key,
            sequence: AtomicU64::new(0),
            expires_unix_ms: opened.expires_unix_ms,
        })
    }

    /// The session's keys (its answers are MACed under one of them).
    pub fn key(&self) -> &SessionKey {
        &self.key
    }

    /// Whether the session can still be used at `now_unix_ms`.
    pub fn usable(&self, now_unix_ms: i64) -> bool {
        now_unix_ms + RENEW_BEFORE_MS < self.expires_unix_ms
    }

    /// The `Authorization` header for `request`, under the session's next sequence number.
    pub fn authorization(&self, request: &SignedRequest, now_unix_ms: i64) -> String {
        let sequence = self.sequence.fetch_add(1, Ordering::Relaxed) + 1;
        self.key
            .authorization(&self.id, request, now_unix_ms, sequence)
    }
}
