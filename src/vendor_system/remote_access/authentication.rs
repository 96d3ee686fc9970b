//! Who is asking: a request in a session (see [`crate::protocol::session`]) or one signed
//! with a registered counter's key, and the opening of sessions.
//!
//! Neither reads the store on the way: a session is in memory, and a counter's public key
//! is read once and kept, for it never changes (the counter id is the key's digest).
//! Whether the counter is still active, and whether a signature's nonce is new, are checked
//! by the request's own transaction.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

use crate::protocol::session;
use crate::protocol::signature::{self, Credentials, SignedRequest, TIMESTAMP_WINDOW_MS};
use crate::protocol::{OpenSessionRequest, OpenSessionResponse};
use crate::vendor_system::error::VendorError;
use crate::vendor_system::service::{Vendor, parse_body};
use crate::vendor_system::store::CounterRow;
use crate::vendor_system::store::void_refill::{RequestContext, SignedNonce};
use crate::vendor_system::validate;

/// What never changes about a registered counter: its public key (the counter id is the
/// key's digest) and its registered location (moving a counter is enrolling it again).
pub(crate) struct KnownCounter {
    pub public_key: Arc<[u8]>,
    pub location_zip: String,
}

/// The counters seen so far, by counter id.
#[derive(Default)]
pub(crate) struct KnownCounters(Mutex<HashMap<String, Arc<KnownCounter>>>);

impl KnownCounters {
    fn get(&self, counter_id: &str) -> Option<Arc<KnownCounter>> {
        self.0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get(counter_id)
            .cloned()
    }

    fn keep(&self, counter: &CounterRow) -> Arc<KnownCounter> {
        let known = Arc::new(KnownCounter {
            public_key: counter.public_key.as_slice().into(),
            location_zip: counter.location_zip.clone(),
        });
        self.0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(counter.counter_id.clone(), known.clone());
        known
    }
}

impl Vendor {
    /// Authenticates a request: by its session's MAC or by the signature of a registered
    /// counter.
    pub async fn authenticate(
        &self,
        authorization: Option<&str>,
        request: &SignedRequest<'_>,
    ) -> Result<RequestContext, VendorError> {
        let now_unix_ms = self.clock.now_unix_ms();
        if let Some(header) = authorization.filter(|h| session::is_session_header(h)) {
            let credentials = session::parse_authorization(header)?;
            let counter_id = self
                .sessions
                .authenticate(&credentials, request, now_unix_ms)?;
            return Ok(RequestContext {
                counter_id,
                nonce: None,
                now_unix_ms,
                sealed: false,
            });
        }
        let credentials = signature::parse_authorization(authorization)?;
        let known = self.known_counter(&credentials.counter_id).await?;
        let (counter_id, nonce) =
            verify_signed(credentials, &known.public_key, request, now_unix_ms)?;
        Ok(RequestContext {
            counter_id,
            nonce: Some(nonce),
            now_unix_ms,
            sealed: false,
        })
    }

    /// `POST /contact/v1/sessions`: a session for an active counter whose signature opened it.
    pub async fn open_session(
        &self,
        authorization: Option<&str>,
        request: &SignedRequest<'_>,
    ) -> Result<OpenSessionResponse, VendorError> {
        if authorization.is_some_and(session::is_session_header) {
            return Err(VendorError::unauthenticated(
                "a session is opened with the counter's signature (PC1), not from within a session",
            ));
        }
        let credentials = signature::parse_authorization(authorization)?;
        // The counter's row is read for its status anyway; its key comes with it.
        let counter = self.store.counter(&credentials.counter_id).await?;
        let known = self.known_counters.keep(&counter);
        let now_unix_ms = self.clock.now_unix_ms();
        let (counter_id, nonce) =
            verify_signed(credentials, &known.public_key, request, now_unix_ms)?;
        let opening: OpenSessionRequest = parse_body(
            request.body,
            "{\"ephemeral_public_key\": \"04...\"} (a fresh P-256 key, 130 hex digits)",
        )?;
        let ephemeral = crate::hex::decode(&opening.ephemeral_public_key).ok_or_else(|| {
            VendorError::bad_request(format!(
                "ephemeral_public_key {:?} is not accepted: a P-256 point, SEC1 uncompressed (130 hex digits starting 04)",
                validate::shown(&opening.ephemeral_public_key)
            ))
        })?;
        // Only an active counter opens a session; each request in it is checked again.
        counter.check_active()?;
        self.sessions
            .open(&counter_id, &nonce, &ephemeral, now_unix_ms)
    }
}

impl Vendor {
    /// The immutable facts of registered counter `counter_id`, read once from the store.
    pub(crate) async fn known_counter(
        &self,
        counter_id: &str,
    ) -> Result<Arc<KnownCounter>, VendorError> {
        match self.known_counters.get(counter_id) {
            Some(known) => Ok(known),
            None => Ok(self
                .known_counters
                .keep(&self.store.counter(counter_id).await?)),
        }
    }
}

/// The counter and nonce of a request whose signature, by `public_key`, and timestamp pass.
fn verify_signed(
    credentials: Credentials,
    public_key: &[u8],
    request: &SignedRequest,
    now_unix_ms: i64,
) -> Result<(String, SignedNonce), VendorError> {
    signature::verify(&credentials, public_key, request, now_unix_ms)?;
    let nonce = SignedNonce {
        expires_unix_ms: credentials.timestamp_unix_ms + 2 * TIMESTAMP_WINDOW_MS,
        nonce: credentials.nonce,
    };
    Ok((credentials.counter_id, nonce))
}
