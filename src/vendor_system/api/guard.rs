//! The data centre's half of the security levels (see [`crate::protocol::security`]): one
//! layer around every route, so no handler can forget it. A request to a service that
//! encrypts must come sealed; a sealed request (to any service) is opened here and its
//! handler reads the plain body, which the request's signature covers. On the way out, an
//! answer to a sealed request is sealed to its sender, and every answer of a service whose
//! level asks for it is signed with the answer key, bound to the request it answers.

use std::sync::Arc;

use axum::body::{Body, Bytes, to_bytes};
use axum::extract::{Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::Response;

use super::{MAX_BODY_BYTES, refusal, too_large};
use crate::protocol::RefusalKind;
use crate::protocol::agenda::{AGENDA_HEADER, STATION_HEADER};
use crate::protocol::sealing::AnswerKey;
use crate::protocol::security::{
    ANSWER_SIGNATURE_HEADER, AnsweredRequest, SEAL_HEADER, SERVICE_KEYS_PATH, SecurityLevel,
    SignedAnswer, level_of,
};
use crate::protocol::session::{SessionKey, is_session_header, parse_authorization};
use crate::vendor_system::error::VendorError;
use crate::vendor_system::service::Vendor;
use crate::vendor_system::validate;
use sha2::{Digest, Sha256};

/// The content type of a sealed body.
pub const SEALED_CONTENT_TYPE: &str = "application/postcounter-sealed";

/// Marks a request whose body came sealed: a handler that takes card data asks for it.
#[derive(Clone, Copy, Debug)]
pub struct Sealed;

/// What the answer is bound to: the request as received (its digest), and the
/// authorization that names its session, if any.
struct Binding {
    authorization: String,
    request: [u8; 32],
}

pub(super) async fn guard(
    State(vendor): State<Arc<Vendor>>,
    request: Request,
    next: Next,
) -> Response {
    let Some(level) = level_of(request.uri().path()) else {
        return next.run(request).await;
    };
    let (parts, body) = request.into_parts();
    let Ok(wire) = to_bytes(body, MAX_BODY_BYTES).await else {
        // Unsigned: nothing of it was read, so nothing can be bound to it.
        return too_large();
    };
    let header = |name: &str| header_text(&parts.headers, name);
    let authorization = header(header::AUTHORIZATION.as_str());
    let binding = Binding {
        request: AnsweredRequest {
            method: parts.method.as_str(),
            path_and_query: parts.uri.path_and_query().map_or("", |p| p.as_str()),
            idempotency_key: &header("idempotency-key"),
            authorization: &authorization,
            seal: &header(SEAL_HEADER),
            station: &header(STATION_HEADER),
            body_sha256: Sha256::digest(&wire).into(),
        }
        .digest(),
        authorization,
    };
    let (request, answer_key) = match open(&vendor, level, parts, wire) {
        Ok(opened) => opened,
        Err(error) => return finish(&vendor, level, &binding, None, refusal(error)).await,
    };
    let response = next.run(request).await;
    finish(&vendor, level, &binding, answer_key.as_ref(), response).await
}

fn header_text(headers: &HeaderMap, name: &str) -> String {
    headers
        .get(name)
        .and_then(|value| value.to_str().ok())
        .unwrap_or("")
        .to_string()
}

/// The request with its body opened when it came sealed, and the key its answer is sealed
/// with; a request to an encrypting service that is not sealed is refused.
fn open(
    vendor: &Vendor,
    level: SecurityLevel,
    mut parts: Parts,
    wire: Bytes,
) -> Result<(Request, Option<AnswerKey>), VendorError> {
    let Some(seal) = parts.headers.get(SEAL_HEADER) else {
        if level.seals() {
            return Err(VendorError::new(
                RefusalKind::SecurityLevel,
                format!(
                    "{} is {}: seal the body to the data centre's payload key (GET {SERVICE_KEYS_PATH}), as the {SEAL_HEADER} header and the HPKE ciphertext",
                    validate::shown(parts.uri.path()),
                    level.name()
                ),
            ));
        }
        return Ok((Request::from_parts(parts, Body::from(wire)), None));
    };
    let unsealable = |why: String| VendorError::new(RefusalKind::SecurityLevel, why);
    let seal = seal
        .to_str()
        .map_err(|_| unsealable(format!("{SEAL_HEADER} is not ASCII text")))?
        .to_string();
    let (plain, answer_key) = vendor
        .service_keys
        .payload()
        .open_request(&seal, &wire)
        .map_err(|e| unsealable(e.to_string()))?;
    parts.headers.remove(header::CONTENT_LENGTH);
    parts.headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    parts.extensions.insert(Sealed);
    Ok((
        Request::from_parts(parts, Body::from(plain)),
        Some(answer_key),
    ))
}

/// The keys of the session a request came in, while it is open at this process (an answer
/// to a request whose session is not, `session_expired`, is signed instead).
fn session_of(vendor: &Vendor, authorization: &str) -> Option<SessionKey> {
    if !is_session_header(authorization) {
        return None;
    }
    let credentials = parse_authorization(authorization).ok()?;
    vendor.sessions.key(&credentials.session_id)
}

/// `response` sealed to the request's sender when the request came sealed, and signed when
/// the level asks for it.
async fn finish(
    vendor: &Vendor,
    level: SecurityLevel,
    binding: &Binding,
    answer_key: Option<&AnswerKey>,
    response: Response,
) -> Response {
    if !level.signs_answers() && answer_key.is_none() {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    let outcome = async {
        // Every answer is already in memory (a JSON text); this takes it back out.
        let body = to_bytes(body, usize::MAX)
            .await
            .map_err(VendorError::storage)?;
        let wire = match answer_key {
            Some(key) => {
                parts.headers.insert(
                    header::CONTENT_TYPE,
                    HeaderValue::from_static(SEALED_CONTENT_TYPE),
                );
                key.seal(&body).map_err(VendorError::storage)?
            }
            None => body.to_vec(),
        };
        let answer = SignedAnswer {
            status: parts.status.as_u16(),
            request: binding.request,
            agenda: &header_text(&parts.headers, AGENDA_HEADER),
            body: &wire,
        };
        let signature = match session_of(vendor, &binding.authorization) {
            Some(session) => answer.session_header(&session),
            None => vendor.service_keys.sign_answer(&answer)?,
        };
        let signature = HeaderValue::from_str(&signature).map_err(VendorError::storage)?;
        Ok::<_, VendorError>((wire, signature))
    };
    match outcome.await {
        Ok((wire, signature)) => {
            parts.headers.insert(ANSWER_SIGNATURE_HEADER, signature);
            parts.headers.remove(header::CONTENT_LENGTH);
            Response::from_parts(parts, Body::from(wire))
        }
        Err(error) => {
            log::error!("an answer could not be signed or sealed: {error}");
            let mut response = refusal(error);
            *response.status_mut() = StatusCode::SERVICE_UNAVAILABLE;
            response
        }
    }
}
