//! The client's backup link: a request no Internet endpoint answered goes over the modem
//! (see [`crate::modem`]), signed on its own, as HTTP/1.1 on the call, at the same level of
//! security as over the Internet (a phone line has no TLS: what a level seals, it seals).

use std::sync::Arc;
use std::sync::atomic::Ordering;

use super::envelope::{Envelope, WireAnswer};
use super::transport::log_exchange;
use super::{Reply, VendorClient, error_message};
use crate::modem::compression::{ACCEPT_ENCODING, inflate};
use crate::modem::dialer::Modem;
use crate::modem::http_line::Message;
use crate::protocol::REQUEST_ID_HEADER;
use crate::protocol::agenda::{AGENDA_HEADER, STATION_HEADER};
use crate::protocol::security::{ANSWER_SIGNATURE_HEADER, SEAL_HEADER};
use crate::protocol::signature::{RequestSigner, SignedRequest};

/// An answer read off the call: the message, its status, the request's envelope (to open
/// the answer with) and its authorization.
type Exchanged<'a> = (Message, u16, Envelope<'a>, Option<String>);

impl VendorClient {
    /// `request` over the modem (dialing if no call is up), signed on its own; or why not,
    /// and whether it may have been delivered.
    pub(super) async fn send_by_modem(
        &self,
        modem: &Arc<Modem>,
        request: &SignedRequest<'_>,
        signer: Option<&RequestSigner>,
    ) -> Result<Reply, (String, bool)> {
        let endpoint = format!("modem {}", modem.settings().number);
        let station = self.station_header();
        let (answer, status, envelope, authorization) = self
            .exchange_redialing(modem, request, signer, &endpoint, &station)
            .await?;
        let body = envelope
            .open(
                authorization.as_deref(),
                Some(station.as_str()).filter(|station| !station.is_empty()),
                WireAnswer {
                    status,
                    signature: answer.header(ANSWER_SIGNATURE_HEADER),
                    agenda: answer.header(AGENDA_HEADER),
                    content_type: answer.header("content-type"),
                    body: answer.body.clone(),
                },
            )
            // Delivered, and answered below its level: in doubt, like any answer not understood.
            .map_err(|why| {
                self.forget_service_keys();
                (format!("{endpoint}: {why}"), true)
            })?;
        if status == 503 {
            // Only the data centre's own, signed, says nothing was acknowledged.
            let signed = answer.header(ANSWER_SIGNATURE_HEADER).is_some();
            return Err((
                format!("{endpoint}: unavailable ({})", error_message(&body)),
                !signed,
            ));
        }
        self.over_modem.store(true, Ordering::Relaxed);
        Ok(Reply {
            status,
            agenda: answer.header(AGENDA_HEADER).map(str::to_string),
            body,
            endpoint,
        })
    }

    /// `path` fetched over the modem as a plain GET: a file of the update repository, whose
    /// signatures its reader checks whatever carried it. `None` when the link has no modem.
    pub async fn get_by_modem(&self, path: &str) -> Option<Result<Reply, String>> {
        let modem = self.modem.as_ref()?;
        let request = SignedRequest {
            method: "GET",
            path,
            idempotency_key: None,
            body: b"",
            seal: None,
        };
        let answer = self.send_by_modem(modem, &request, None).await;
        Some(answer.map_err(|(why, _)| why))
    }

    /// Sends `request` on the call and reads its answer (inflated), with its status: a call
    /// that drops (or goes silent) under a request is dialed again once, and the request
    /// sent again under the same idempotency key, freshly signed.
    async fn exchange_redialing<'a>(
        &self,
        modem: &Arc<Modem>,
        request: &SignedRequest<'a>,
        signer: Option<&RequestSigner>,
        endpoint: &str,
        station: &str,
    ) -> Result<Exchanged<'a>, (String, bool)> {
        let mut delivered = false;
        for attempt in 0..2 {
            let mut envelope = Envelope::new(*request, self.held_service_keys())
                .map_err(|why| (format!("{endpoint}: {why}"), false))?;
            let authorization = signer
                .map(|signer| signer.authorization(&envelope.request(), self.clock.now_unix_ms()));
            let message = modem_request(&mut envelope, authorization.clone(), station)
                .map_err(|why| (format!("{endpoint}: {why}"), false))?;
            let started = std::time::Instant::now();
            let (line, timeout) = (modem.clone(), self.timeout.saturating_mul(10));
            let answered = tokio::task::spawn_blocking(move || line.exchange(&message, timeout))
                .await
                .map_err(|e| (format!("{endpoint}: {e}"), true))?;
            match answered {
                Ok(mut answered) => {
                    // The line's own transform, undone before anything reads the answer.
                    inflate(&mut answered).map_err(|e| (format!("{endpoint}: {e}"), true))?;
                    let status = answered
                        .start
                        .split(' ')
                        .nth(1)
                        .and_then(|s| s.parse().ok());
                    let status = status.ok_or_else(|| {
                        (format!("{endpoint}: answered {:?}", answered.start), true)
                    })?;
                    let id = answered.header(REQUEST_ID_HEADER);
                    log_exchange(
                        (request.method, request.path),
                        endpoint,
                        status,
                        started,
                        id,
                    );
                    return Ok((answered, status, envelope, authorization));
                }
                Err(e) => {
                    delivered |= e.maybe_delivered();
                    if attempt == 1 || !e.maybe_delivered() {
                        return Err((format!("{endpoint}: {e}"), delivered));
                    }
                    log::warn!("{endpoint}: {e}; dialing again");
                }
            }
        }
        Err((format!("{endpoint}: no answer after two calls"), delivered))
    }

    /// An Internet endpoint answered: a modem call still up is hung up (off the runtime).
    pub(super) fn internet_is_back(&self) {
        if self.over_modem.swap(false, Ordering::Relaxed)
            && let Some(modem) = &self.modem
        {
            let modem = modem.clone();
            tokio::task::spawn_blocking(move || modem.hang_up());
        }
    }
}

/// Which way the data centre is reached.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Interface {
    Internet,
    Modem,
}

impl Interface {
    pub fn name(self) -> &'static str {
        match self {
            Interface::Internet => "Internet",
            Interface::Modem => "modem",
        }
    }
}

/// `envelope`'s request as an HTTP/1.1 message for the modem line.
fn modem_request(
    envelope: &mut Envelope<'_>,
    authorization: Option<String>,
    station: &str,
) -> Result<crate::modem::http_line::Message, String> {
    let body = envelope.wire_body()?;
    let request = envelope.request();
    let mut headers = vec![
        ("Host".to_string(), "data-centre".to_string()),
        ("Content-Type".to_string(), "application/json".to_string()),
        (ACCEPT_ENCODING.0.to_string(), ACCEPT_ENCODING.1.to_string()),
    ];
    if let Some(key) = request.idempotency_key {
        headers.push(("Idempotency-Key".into(), key.to_string()));
    }
    if let Some(seal) = request.seal {
        headers.push((SEAL_HEADER.into(), seal.to_string()));
    }
    if let Some(authorization) = authorization {
        headers.push(("Authorization".into(), authorization));
    }
    if !station.is_empty() {
        headers.push((STATION_HEADER.into(), station.to_string()));
    }
    Ok(crate::modem::http_line::Message {
        start: format!("{} {} HTTP/1.1", request.method, request.path),
        headers,
        body,
    })
}
