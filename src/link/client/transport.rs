//! One HTTP exchange with one endpoint, and what its failures say: the request sent with its
//! authorization and the station's header, the answer read with its agenda header.

use reqwest::Method;
use serde::de::DeserializeOwned;

use super::super::LinkError;
use super::Reply;

use super::super::session::OpenFailure;
use super::envelope::{Envelope, WireAnswer};
use crate::protocol::agenda::{AGENDA_HEADER, STATION_HEADER};
use crate::protocol::security::{ANSWER_SIGNATURE_HEADER, SEAL_HEADER};
use crate::protocol::{ErrorBody, ErrorDetail, REQUEST_ID_HEADER};
use reqwest::header::CONTENT_TYPE;

/// One answer as it came: its status, body and agenda header, and whether it was signed
/// (and so checked) by the data centre.
pub(in crate::link) struct RawAnswer {
    pub status: u16,
    pub body: Vec<u8>,
    pub agenda: Option<String>,
    pub signed: bool,
}

/// `envelope`'s request sent once to `endpoint` with `authorization` (and what the station
/// holds, when it says): the answer, taken at its level (see [`Envelope::open`]).
pub(in crate::link) async fn send_once(
    http: &reqwest::Client,
    endpoint: &str,
    envelope: &mut Envelope<'_>,
    authorization: Option<String>,
    station: Option<&str>,
) -> Result<RawAnswer, OpenFailure> {
    let request = envelope.request();
    let (method_name, path) = (request.method.to_string(), request.path.to_string());
    let method = Method::from_bytes(request.method.as_bytes())
        .map_err(|e| OpenFailure::Protocol(e.to_string()))?;
    let mut builder = http
        .request(method, format!("{endpoint}{}", request.path))
        .header("content-type", "application/json");
    if let Some(key) = request.idempotency_key {
        builder = builder.header("idempotency-key", key);
    }
    if let Some(seal) = request.seal {
        builder = builder.header(SEAL_HEADER, seal);
    }
    if let Some(authorization) = &authorization {
        builder = builder.header("authorization", authorization);
    }
    if let Some(station) = station {
        builder = builder.header(STATION_HEADER, station);
    }
    let body = envelope.wire_body().map_err(OpenFailure::Protocol)?;
    let started = std::time::Instant::now();
    let response = builder
        .body(body)
        .send()
        .await
        .map_err(OpenFailure::Transport)?;
    let status = response.status().as_u16();
    let header = |name: &str| {
        response
            .headers()
            .get(name)
            .and_then(|value| value.to_str().ok())
            .map(str::to_string)
    };
    let agenda = header(AGENDA_HEADER);
    let signature = header(ANSWER_SIGNATURE_HEADER);
    let content_type = header(CONTENT_TYPE.as_str());
    let request_id = header(REQUEST_ID_HEADER);
    let body = response.bytes().await.map_err(OpenFailure::Transport)?;
    log_exchange(
        (&method_name, &path),
        endpoint,
        status,
        started,
        request_id.as_deref(),
    );
    let body = envelope
        .open(
            authorization.as_deref(),
            station,
            WireAnswer {
                status,
                signature: signature.as_deref(),
                agenda: agenda.as_deref(),
                content_type: content_type.as_deref(),
                body: body.to_vec(),
            },
        )
        .map_err(|why| OpenFailure::Protocol(format!("{endpoint}: {why}")))?;
    Ok(RawAnswer {
        status,
        body,
        agenda,
        signed: signature.is_some(),
    })
}

/// One line in the station's log per exchange, with the data centre's id for it: what an
/// operator looks up in the data centre's request log.
pub(super) fn log_exchange(
    (method, path): (&str, &str),
    endpoint: &str,
    status: u16,
    started: std::time::Instant,
    request_id: Option<&str>,
) {
    let id = request_id.unwrap_or("none");
    let ms = started.elapsed().as_millis();
    log::info!("{method} {path} at {endpoint}: {status} in {ms} ms, request id {id}");
}

/// The refusal a body carries, if it is one.
pub(super) fn refusal_of(body: &[u8]) -> Option<ErrorDetail> {
    serde_json::from_slice::<ErrorBody>(body)
        .ok()
        .map(|refusal| refusal.error)
}

pub(super) fn error_message(body: &[u8]) -> String {
    refusal_of(body).map_or_else(|| "no message".into(), |refusal| refusal.message)
}

/// What went wrong on the way, with its innermost cause: a TLS certificate the link does
/// not trust must read as that, not as a data centre that is down.
pub(super) fn transport_failure(error: &reqwest::Error) -> String {
    let what = if error.is_timeout() {
        "timed out"
    } else if error.is_connect() {
        "cannot connect"
    } else {
        return error.to_string();
    };
    let mut innermost: Option<&dyn std::error::Error> = None;
    let mut next = std::error::Error::source(error);
    while let Some(cause) = next {
        innermost = Some(cause);
        next = cause.source();
    }
    match innermost {
        Some(cause) => format!("{what} ({cause})"),
        None => what.into(),
    }
}

/// A 2xx body as `T`; anything else as the refusal it carries.
pub fn parse_reply<T: DeserializeOwned>(reply: &Reply) -> Result<T, LinkError> {
    if (200..300).contains(&reply.status) {
        return serde_json::from_slice(&reply.body).map_err(|e| {
            LinkError::Protocol(format!("{} answered {}: {e}", reply.endpoint, reply.status))
        });
    }
    match serde_json::from_slice::<ErrorBody>(&reply.body) {
        Ok(refusal) => Err(LinkError::Refused {
            status: reply.status,
            kind: refusal.error.kind,
            message: refusal.error.message,
        }),
        Err(_) => Err(LinkError::Protocol(format!(
            "{} answered {} without a refusal body",
            reply.endpoint, reply.status
        ))),
    }
}

/// What a request id (an idempotency key) may be.
pub const REQUEST_ID_RULE: &str =
    "use 1 to 100 letters, digits and . _ : - (no spaces or control characters)";

/// Whether `id` may be a request id: it travels in a header and in the ledger. A little
/// longer than [`REQUEST_ID_RULE`] says, for the piece numbers a sale appends.
pub fn is_request_id(id: &str) -> bool {
    (1..=120).contains(&id.len())
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"._:-".contains(&b))
}
