//! One attempt at one endpoint: in the endpoint's session when the request is signed (the
//! session opened first if there is none, and once more if the vendor no longer knows it),
//! or signed on its own; the request wrapped for its level of security each time (see
//! [`super::envelope`]).

use std::collections::HashMap;
use std::sync::{Arc, MutexGuard, PoisonError};

use super::VendorClient;
use super::envelope::Envelope;
use super::transport::{RawAnswer, refusal_of, send_once};
use crate::link::session::{ClientSession, OpenFailure};
use crate::protocol::RefusalKind;
use crate::protocol::signature::{RequestSigner, SignedRequest};

impl VendorClient {
    /// One attempt at `endpoint`: in the endpoint's session when the request is signed
    /// (opening one if needed, and once more if the vendor no longer knows it), or signed
    /// on its own when sessions are off. A session that cannot be opened ends the attempt
    /// with the vendor's answer to the opening, which stands for the request's.
    pub(super) async fn attempt(
        &self,
        endpoint: &str,
        request: &SignedRequest<'_>,
        signer: Option<&RequestSigner>,
    ) -> Result<RawAnswer, OpenFailure> {
        let keys = self.held_service_keys();
        let envelope = || Envelope::new(*request, keys.clone()).map_err(OpenFailure::Protocol);
        let Some(signer) = signer else {
            return self.post(endpoint, &mut envelope()?, None).await;
        };
        if !self.sessions_on {
            let mut envelope = envelope()?;
            let authorization = signer.authorization(&envelope.request(), self.clock.now_unix_ms());
            return self
                .post(endpoint, &mut envelope, Some(authorization))
                .await;
        }
        let mut reopened = false;
        loop {
            let session = self.session(endpoint, signer).await?;
            let mut envelope = envelope()?.in_session(session.key().clone());
            let authorization =
                session.authorization(&envelope.request(), self.clock.now_unix_ms());
            let answer = self
                .post(endpoint, &mut envelope, Some(authorization))
                .await?;
            if answer.status == 401
                && !reopened
                && refusal_of(&answer.body).is_some_and(|r| {
                    RefusalKind::from_name(&r.kind) == Some(RefusalKind::SessionExpired)
                })
            {
                // The vendor restarted, or this is another of its processes.
                self.forget_session(endpoint);
                reopened = true;
                continue;
            }
            return Ok(answer);
        }
    }

    /// The open session at `endpoint`, opened now if there is none or it is about to end.
    async fn session(
        &self,
        endpoint: &str,
        signer: &RequestSigner,
    ) -> Result<Arc<ClientSession>, OpenFailure> {
        let now_unix_ms = self.clock.now_unix_ms();
        if let Some(session) = self.sessions().get(endpoint)
            && session.usable(now_unix_ms)
        {
            return Ok(session.clone());
        }
        let keys = self.held_service_keys();
        let session =
            Arc::new(ClientSession::open(&self.http, endpoint, signer, keys, &self.clock).await?);
        self.sessions()
            .insert(endpoint.to_string(), session.clone());
        Ok(session)
    }

    fn forget_session(&self, endpoint: &str) {
        self.sessions().remove(endpoint);
    }

    fn sessions(&self) -> MutexGuard<'_, HashMap<String, Arc<ClientSession>>> {
        self.sessions.lock().unwrap_or_else(PoisonError::into_inner)
    }

    async fn post(
        &self,
        endpoint: &str,
        envelope: &mut Envelope<'_>,
        authorization: Option<String>,
    ) -> Result<RawAnswer, OpenFailure> {
        let state = self.station_header();
        let station = (!state.is_empty()).then_some(state.as_str());
        send_once(&self.http, endpoint, envelope, authorization, station).await
    }
}
