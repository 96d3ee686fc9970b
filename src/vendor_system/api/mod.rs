//! The HTTP face of the data centre: one route group per service (see
//! [`crate::protocol::services`]), each under its own versioned prefix, all described by the
//! OpenAPI document served at `/openapi.json` (a tag per service).
//!
//! Handlers are thin: they take the raw body (the signature covers its exact bytes), hand
//! the request to [`Vendor`], and turn the outcome into a status and a JSON body. Every
//! refusal has the same shape, `{"error": {"kind": ..., "message": ...}}`.

use std::sync::Arc;

use axum::Router;
use axum::extract::{DefaultBodyLimit, FromRequestParts, Path};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde::Serialize;

use super::error::VendorError;
use super::service::Vendor;
use super::store::void_refill::{Answer, RequestContext};
use super::validate;
use crate::protocol::agenda::{AGENDA_HEADER, STATION_HEADER, StationState};
use crate::protocol::security::SEAL_HEADER;
use crate::protocol::services::Service;
use crate::protocol::signature::SignedRequest;

mod accounts;
mod contact;
mod events;
mod funds;
pub mod guard;
mod keys;
mod lottery;
pub mod observe;
mod postage;
mod software;

/// The OpenAPI 3.1 description of this API.
pub const OPENAPI_JSON: &str = include_str!("../../../docs/vendor-api.openapi.json");

pub fn router(vendor: Arc<Vendor>) -> Router {
    let router = Router::new()
        .route("/openapi.json", get(openapi))
        .route("/metrics", get(observe::metrics));
    let router = contact::routes(router);
    let router = postage::routes(router);
    let router = keys::routes(router);
    let router = funds::routes(router);
    let router = accounts::routes(router);
    let router = software::routes(router);
    let router = lottery::routes(router);
    let router = events::routes(router);
    router
        .fallback(unknown_route)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .layer(axum::middleware::map_response(too_large_as_json))
        .layer(axum::middleware::from_fn_with_state(
            vendor.clone(),
            guard::guard,
        ))
        .layer(axum::middleware::from_fn_with_state(
            vendor.clone(),
            observe::observe,
        ))
        .with_state(vendor)
}

/// The largest body the API reads: a purchase of 100 pieces with a card is under 40 KB.
pub const MAX_BODY_BYTES: usize = 256 * 1024;

/// axum answers an oversized body with a plain-text 413 before any handler runs; it gets the
/// API's one refusal shape instead.
async fn too_large_as_json(response: Response) -> Response {
    if response.status() != StatusCode::PAYLOAD_TOO_LARGE {
        return response;
    }
    too_large()
}

/// The refusal of a body over [`MAX_BODY_BYTES`].
fn too_large() -> Response {
    let mut refused = refusal(VendorError::bad_request(format!(
        "the body is over {MAX_BODY_BYTES} bytes, the most this API reads; send fewer pieces per request (at most 100)"
    )));
    *refused.status_mut() = StatusCode::PAYLOAD_TOO_LARGE;
    refused
}

async fn openapi() -> Response {
    json_text(StatusCode::OK, OPENAPI_JSON.to_string())
}

async fn unknown_route(method: Method, uri: Uri) -> Response {
    refusal(VendorError::not_found(format!(
        "there is no {method} {}; the API is described at /openapi.json",
        validate::shown(uri.path())
    )))
}

async fn method_not_allowed(method: Method, uri: Uri) -> Response {
    let error = VendorError::not_found(format!(
        "{} does not take {method}; the API is described at /openapi.json",
        validate::shown(uri.path())
    ));
    let mut response = refusal(error);
    *response.status_mut() = StatusCode::METHOD_NOT_ALLOWED;
    response
}

/// A value-moving request: an idempotency key, a signature, then `run`; the answer carries
/// the station's agenda.
async fn keyed<F, Fut>(vendor: &Vendor, call: &Call, body: &[u8], run: F) -> Response
where
    F: FnOnce(RequestContext, String) -> Fut,
    Fut: Future<Output = Result<Answer, VendorError>>,
{
    let Call {
        method,
        uri,
        headers,
        sealed,
    } = call;
    let key_header = headers.get("idempotency-key").and_then(|v| v.to_str().ok());
    let outcome = async {
        let key = validate::idempotency_key(key_header)?;
        let state = station_state(headers)?;
        let mut context = authenticate(vendor, method, uri, headers, Some(&key), body).await?;
        context.sealed = *sealed;
        let counter_id = context.counter_id.clone();
        Ok::<_, VendorError>((run(context, key).await?, counter_id, state))
    };
    match outcome.await {
        Ok((answer, counter_id, state)) => {
            let response = json_text(
                StatusCode::from_u16(answer.status_code).unwrap_or(StatusCode::OK),
                answer.body,
            );
            with_agenda(vendor, uri, &counter_id, state, response).await
        }
        Err(error) => refusal(error),
    }
}

/// An authenticated read: a signature (no idempotency key), then `run`; the answer carries
/// the station's agenda.
async fn read<F, Fut, T>(vendor: &Vendor, call: &Call, body: &[u8], run: F) -> Response
where
    F: FnOnce(RequestContext) -> Fut,
    Fut: Future<Output = Result<T, VendorError>>,
    T: Serialize,
{
    let Call {
        method,
        uri,
        headers,
        sealed,
    } = call;
    let outcome = async {
        let state = station_state(headers)?;
        let mut context = authenticate(vendor, method, uri, headers, None, body).await?;
        context.sealed = *sealed;
        vendor.store.admit_read(&context).await?;
        let counter_id = context.counter_id.clone();
        Ok::<_, VendorError>((run(context).await?, counter_id, state))
    };
    match outcome.await {
        Ok((answer, counter_id, state)) => {
            with_agenda(
                vendor,
                uri,
                &counter_id,
                state,
                json(StatusCode::OK, &answer),
            )
            .await
        }
        Err(error) => refusal(error),
    }
}

/// What the station says it holds, from its header; none said is nothing known.
fn station_state(headers: &HeaderMap) -> Result<StationState, VendorError> {
    match headers.get(STATION_HEADER) {
        None => Ok(StationState::default()),
        Some(value) => {
            let text = value.to_str().map_err(|_| {
                VendorError::bad_request(format!("{STATION_HEADER} is not ASCII text"))
            })?;
            // The part is quoted escaped and cut short by `parse`; a card-like run is masked.
            StationState::parse(text)
                .map_err(|reason| VendorError::bad_request(validate::mask_digit_runs(&reason)))
        }
    }
}

/// `response` with the agenda of `counter_id`'s contact, when any service has work for it.
/// The answer stands without it when the monitor cannot ask (the station asks again at its
/// next contact); the log says why.
async fn with_agenda(
    vendor: &Vendor,
    uri: &Uri,
    counter_id: &str,
    state: StationState,
    mut response: Response,
) -> Response {
    if let Some(service) = Service::of_path(uri.path()) {
        vendor.metrics.observe_contact(service.name());
    }
    match vendor.agenda_for(counter_id, state).await {
        Ok(agenda) if agenda.items.is_empty() => {}
        Ok(agenda) => match HeaderValue::from_str(&agenda.hex) {
            Ok(value) => {
                response.headers_mut().insert(AGENDA_HEADER, value);
            }
            Err(e) => log::error!("the agenda of {counter_id} is not a header value: {e}"),
        },
        Err(error) => {
            log::warn!("the monitor could not ask the services for {counter_id}: {error}")
        }
    }
    response
}

async fn authenticate(
    vendor: &Vendor,
    method: &Method,
    uri: &Uri,
    headers: &HeaderMap,
    idempotency_key: Option<&str>,
    body: &[u8],
) -> Result<RequestContext, VendorError> {
    let request = signed_request(method, uri, headers, idempotency_key, body);
    vendor.authenticate(authorization(headers), &request).await
}

/// What a counter's signature or session MAC covers of an HTTP request.
fn signed_request<'a>(
    method: &'a Method,
    uri: &'a Uri,
    headers: &'a HeaderMap,
    idempotency_key: Option<&'a str>,
    body: &'a [u8],
) -> SignedRequest<'a> {
    SignedRequest {
        method: method.as_str(),
        path: uri.path(),
        idempotency_key,
        body,
        seal: headers
            .get(SEAL_HEADER)
            .and_then(|value| value.to_str().ok()),
    }
}

fn authorization(headers: &HeaderMap) -> Option<&str> {
    headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
}

/// What a station's request is besides its body: the method, path and headers its
/// authentication covers.
struct Call {
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    /// Whether the body came sealed (see [`guard`]).
    sealed: bool,
}

impl<S: Send + Sync> FromRequestParts<S> for Call {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Call, Self::Rejection> {
        Ok(Call {
            method: parts.method.clone(),
            uri: parts.uri.clone(),
            headers: parts.headers.clone(),
            sealed: parts.extensions.get::<guard::Sealed>().is_some(),
        })
    }
}

/// A PSD id from the route's path, or the API's refusal of it (before anything else runs).
struct PsdId(u32);

impl<S: Send + Sync> FromRequestParts<S> for PsdId {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<PsdId, Response> {
        let Path(text) = Path::<String>::from_request_parts(parts, state)
            .await
            .map_err(IntoResponse::into_response)?;
        parse_psd_id(&text).map(PsdId).map_err(refusal)
    }
}

fn parse_psd_id(text: &str) -> Result<u32, VendorError> {
    text.parse().map_err(|_| {
        VendorError::bad_request(format!(
            "PSD id {:?} is not accepted: a number from 1 to 4294967295",
            validate::shown(text)
        ))
    })
}

fn json(status: StatusCode, body: &impl Serialize) -> Response {
    match serde_json::to_string(body) {
        Ok(text) => json_text(status, text),
        Err(e) => refusal(VendorError::storage(e)),
    }
}

/// A refusal's answer; its kind rides along for the request log and the metrics.
fn refusal(error: VendorError) -> Response {
    let status = StatusCode::from_u16(error.kind().http_status())
        .unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let mut response = json_text(status, error.body_json());
    response.extensions_mut().insert(error.kind());
    response
}

/// A JSON body, already serialized, with its content type.
fn json_text(status: StatusCode, text: String) -> Response {
    (
        status,
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        )],
        text,
    )
        .into_response()
}
