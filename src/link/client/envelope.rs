//! The station's half of the security levels (see [`crate::protocol::security`]): a request
//! is wrapped for its service's level before it goes out (its body sealed to the data
//! centre's payload key where the level encrypts, or where it carries card data), and its
//! answer is taken only as the level says it must come: signed by the data centre's answer
//! key for this very request, and sealed to this station where the request was. An answer
//! below its level is not understood, whoever sent it: a relay cannot downgrade it.

use std::sync::Arc;

use crate::grants::ServiceKeys;
use crate::protocol::sealing::Sealing;
use sha2::{Digest, Sha256};

use crate::protocol::security::{
    AnsweredRequest, SecurityLevel, SignedAnswer, level_of, must_seal,
};
use crate::protocol::session::SessionKey;
use crate::protocol::signature::SignedRequest;

/// The content type of a sealed answer.
pub(in crate::link) const SEALED_CONTENT_TYPE: &str = "application/postcounter-sealed";

/// One attempt at a request, wrapped for its level.
pub(in crate::link) struct Envelope<'a> {
    request: SignedRequest<'a>,
    level: Option<SecurityLevel>,
    keys: Option<Arc<ServiceKeys>>,
    sealing: Option<Sealing>,
    /// The session the request goes in, whose answer key MACs the answer.
    session: Option<SessionKey>,
    /// SHA-256 of the body as sent: the answer is bound to it.
    sent_sha256: [u8; 32],
}

/// An answer's parts as they came, for [`Envelope::open`].
pub(in crate::link) struct WireAnswer<'a> {
    pub status: u16,
    pub signature: Option<&'a str>,
    pub agenda: Option<&'a str>,
    pub content_type: Option<&'a str>,
    pub body: Vec<u8>,
}

impl<'a> Envelope<'a> {
    /// `request` wrapped with `keys` (needed for every route that has a level).
    pub fn new(
        request: SignedRequest<'a>,
        keys: Option<Arc<ServiceKeys>>,
    ) -> Result<Envelope<'a>, String> {
        let level = level_of(request.path);
        let sealing = match (level, &keys) {
            (None, _) => None,
            (Some(_), None) => {
                return Err(format!(
                    "{} has a level of security and this station holds no service keys of its data centre",
                    request.path
                ));
            }
            (Some(_), Some(keys)) if must_seal(&request) => {
                Some(Sealing::begin(&keys.payload_key).map_err(|e| e.to_string())?)
            }
            (Some(_), Some(_)) => None,
        };
        Ok(Envelope {
            request,
            level,
            keys,
            sealing,
            session: None,
            sent_sha256: [0; 32],
        })
    }

    /// The request goes in a session with `key`: its answer may come MACed under it.
    pub fn in_session(mut self, key: SessionKey) -> Envelope<'a> {
        self.session = Some(key);
        self
    }

    /// The request as its authorization covers it (with its seal header, when sealed).
    pub fn request(&self) -> SignedRequest<'_> {
        SignedRequest {
            seal: self.seal_header(),
            ..self.request
        }
    }

    pub fn seal_header(&self) -> Option<&str> {
        self.sealing.as_ref().map(Sealing::header)
    }

    /// The body as it goes on the wire: sealed, or as it is.
    pub fn wire_body(&mut self) -> Result<Vec<u8>, String> {
        let wire = match &mut self.sealing {
            Some(sealing) => sealing.seal(self.request.body).map_err(|e| e.to_string())?,
            None => self.request.body.to_vec(),
        };
        self.sent_sha256 = Sha256::digest(&wire).into();
        Ok(wire)
    }

    /// The answer's body, if it came at the level it must, to the request as sent (with
    /// `authorization` and the `station` header).
    pub fn open(
        &self,
        authorization: Option<&str>,
        station: Option<&str>,
        answer: WireAnswer,
    ) -> Result<Vec<u8>, String> {
        let Some(level) = self.level else {
            return Ok(answer.body);
        };
        // Another endpoint is tried and nothing is taken from this answer: a process whose
        // store failed, or a proxy in front of it, need not sign its 503.
        if answer.status == 503 && answer.signature.is_none() {
            return Ok(answer.body);
        }
        if level.signs_answers() || self.sealing.is_some() {
            let keys = self.keys.as_ref().ok_or("no service keys")?;
            let signature = answer.signature.ok_or_else(|| {
                format!(
                    "an unsigned answer ({}) from a service whose answers are signed",
                    answer.status
                )
            })?;
            let sent = AnsweredRequest {
                method: self.request.method,
                path_and_query: self.request.path,
                idempotency_key: self.request.idempotency_key.unwrap_or(""),
                authorization: authorization.unwrap_or(""),
                seal: self.seal_header().unwrap_or(""),
                station: station.unwrap_or(""),
                body_sha256: self.sent_sha256,
            };
            SignedAnswer {
                status: answer.status,
                request: sent.digest(),
                agenda: answer.agenda.unwrap_or(""),
                body: &answer.body,
            }
            .verify(
                signature,
                keys.key_id,
                &keys.answer_key,
                self.session.as_ref(),
            )?;
        }
        let Some(sealing) = &self.sealing else {
            return Ok(answer.body);
        };
        if answer.content_type == Some(SEALED_CONTENT_TYPE) {
            return sealing
                .answer_key()
                .open(&answer.body)
                .map_err(|e| e.to_string());
        }
        // A refusal of the seal itself cannot be sealed (the data centre could not open the
        // request); it is signed, and carries nothing of the request.
        if answer.status >= 400 {
            return Ok(answer.body);
        }
        Err(format!(
            "an unsealed answer ({}) to a sealed request",
            answer.status
        ))
    }
}
