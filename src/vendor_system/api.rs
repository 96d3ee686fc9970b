//! The HTTP face of the vendor: axum routes, version 1, described by the OpenAPI document
//! it also serves at `/v1/openapi.json`.
//!
//! Handlers are thin: they take the raw body (the signature covers its exact bytes), hand
//! the request to [`Vendor`], and turn the outcome into a status and a JSON body. Every
//! refusal has the same shape, `{"error": {"kind": ..., "message": ...}}`.

use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, FromRequestParts, Path, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde::Serialize;

use super::error::VendorError;
use super::service::Vendor;
use super::store::void_refill::{Answer, RequestContext};
use super::validate;
use crate::protocol::signature::SignedRequest;

/// The OpenAPI 3.1 description of this API.
pub const OPENAPI_JSON: &str = include_str!("../../docs/vendor-api.openapi.json");

pub fn router(vendor: Arc<Vendor>) -> Router {
    Router::new()
        .route("/v1/health", get(health))
        .route("/v1/openapi.json", get(openapi))
        .route("/v1/counters", post(register_counter))
        .route("/v1/sessions", post(open_session))
        .route("/v1/purchases", post(purchase))
        .route("/v1/voids", post(void))
        .route("/v1/reconciliations", post(reconcile))
        .route("/v1/psds/{psd_id}/registers", get(registers))
        .route("/v1/psds/{psd_id}/refills", post(refill))
        .route("/v1/keys/psd-certificates", post(certify_psd))
        .route("/v1/keys/trust", get(trust))
        .route("/v1/embedded-psds/{psd_id}/refills", post(refill_embedded))
        .route(
            "/v1/embedded-psds/{psd_id}/withdrawals",
            post(withdraw_embedded),
        )
        .route(
            "/v1/embedded-psds/{psd_id}/withdrawals/confirmation",
            post(confirm_withdrawal),
        )
        .route("/v1/card-payments", post(card_payment))
        .route("/v1/card-payments/{charge_id}/refunds", post(card_refund))
        .fallback(unknown_route)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .layer(axum::middleware::map_response(too_large_as_json))
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
    let mut refused = refusal(VendorError::bad_request(format!(
        "the body is over {MAX_BODY_BYTES} bytes, the most this API reads; send fewer pieces per request (at most 100)"
    )));
    *refused.status_mut() = StatusCode::PAYLOAD_TOO_LARGE;
    refused
}

async fn health(State(vendor): State<Arc<Vendor>>) -> Response {
    json(StatusCode::OK, &vendor.health())
}

async fn openapi() -> Response {
    json_text(StatusCode::OK, OPENAPI_JSON.to_string())
}

async fn unknown_route(method: Method, uri: Uri) -> Response {
    refusal(VendorError::not_found(format!(
        "there is no {method} {}; the API is described at /v1/openapi.json",
        validate::shown(uri.path())
    )))
}

async fn method_not_allowed(method: Method, uri: Uri) -> Response {
    let error = VendorError::not_found(format!(
        "{} does not take {method}; the API is described at /v1/openapi.json",
        validate::shown(uri.path())
    ));
    let mut response = refusal(error);
    *response.status_mut() = StatusCode::METHOD_NOT_ALLOWED;
    response
}

async fn register_counter(State(vendor): State<Arc<Vendor>>, body: Bytes) -> Response {
    match vendor.register_counter(&body).await {
        Ok(registered) => json(StatusCode::CREATED, &registered),
        Err(error) => refusal(error),
    }
}

async fn open_session(
    State(vendor): State<Arc<Vendor>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let request = signed_request(&method, &uri, None, &body);
    match vendor.open_session(authorization(&headers), &request).await {
        Ok(opened) => json(StatusCode::CREATED, &opened),
        Err(error) => refusal(error),
    }
}

async fn purchase(
    State(vendor): State<Arc<Vendor>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    keyed(&vendor, &method, &uri, &headers, &body, |context, key| {
        vendor.purchase(context, key, &body)
    })
    .await
}

async fn void(
    State(vendor): State<Arc<Vendor>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    keyed(&vendor, &method, &uri, &headers, &body, |context, key| {
        vendor.void(context, key, &body)
    })
    .await
}

async fn reconcile(
    State(vendor): State<Arc<Vendor>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    keyed(&vendor, &method, &uri, &headers, &body, |context, key| {
        vendor.reconcile(context, key, &body)
    })
    .await
}

async fn refill(
    State(vendor): State<Arc<Vendor>>,
    PsdId(psd_id): PsdId,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    keyed(&vendor, &method, &uri, &headers, &body, |context, key| {
        vendor.refill(context, key, psd_id, &body)
    })
    .await
}

async fn certify_psd(
    State(vendor): State<Arc<Vendor>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    keyed(&vendor, &method, &uri, &headers, &body, |context, key| {
        vendor.certify_psd(context, key, &body)
    })
    .await
}

async fn trust(
    State(vendor): State<Arc<Vendor>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let outcome = async {
        let context = authenticate(&vendor, &method, &uri, &headers, None, &body).await?;
        vendor.trust_bundle(context).await
    };
    match outcome.await {
        Ok(bundle) => json(StatusCode::OK, &bundle),
        Err(error) => refusal(error),
    }
}

async fn refill_embedded(
    State(vendor): State<Arc<Vendor>>,
    PsdId(psd_id): PsdId,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    keyed(&vendor, &method, &uri, &headers, &body, |context, key| {
        vendor.refill_embedded(context, key, psd_id, &body)
    })
    .await
}

async fn withdraw_embedded(
    State(vendor): State<Arc<Vendor>>,
    PsdId(psd_id): PsdId,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    keyed(&vendor, &method, &uri, &headers, &body, |context, key| {
        vendor.authorize_withdrawal(context, key, psd_id, &body)
    })
    .await
}

async fn confirm_withdrawal(
    State(vendor): State<Arc<Vendor>>,
    PsdId(psd_id): PsdId,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    keyed(&vendor, &method, &uri, &headers, &body, |context, key| {
        vendor.confirm_withdrawal(context, key, psd_id, &body)
    })
    .await
}

async fn card_payment(
    State(vendor): State<Arc<Vendor>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    keyed(&vendor, &method, &uri, &headers, &body, |context, key| {
        vendor.card_payment(context, key, &body)
    })
    .await
}

async fn card_refund(
    State(vendor): State<Arc<Vendor>>,
    Path(charge_id): Path<String>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    keyed(&vendor, &method, &uri, &headers, &body, |context, key| {
        vendor.card_refund(context, key, &charge_id, &body)
    })
    .await
}

async fn registers(
    State(vendor): State<Arc<Vendor>>,
    PsdId(psd_id): PsdId,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let outcome = async {
        let context = authenticate(&vendor, &method, &uri, &headers, None, &body).await?;
        vendor.registers(context, psd_id).await
    };
    match outcome.await {
        Ok(registers) => json(StatusCode::OK, &registers),
        Err(error) => refusal(error),
    }
}

/// A value-moving request: an idempotency key, a signature, then `run`.
async fn keyed<F, Fut>(
    vendor: &Vendor,
    method: &Method,
    uri: &Uri,
    headers: &HeaderMap,
    body: &[u8],
    run: F,
) -> Response
where
    F: FnOnce(RequestContext, String) -> Fut,
    Fut: Future<Output = Result<Answer, VendorError>>,
{
    let key_header = headers.get("idempotency-key").and_then(|v| v.to_str().ok());
    let outcome = async {
        let key = validate::idempotency_key(key_header)?;
        let context = authenticate(vendor, method, uri, headers, Some(&key), body).await?;
        run(context, key).await
    };
    match outcome.await {
        Ok(answer) => json_text(
            StatusCode::from_u16(answer.status_code).unwrap_or(StatusCode::OK),
            answer.body,
        ),
        Err(error) => refusal(error),
    }
}

async fn authenticate(
    vendor: &Vendor,
    method: &Method,
    uri: &Uri,
    headers: &HeaderMap,
    idempotency_key: Option<&str>,
    body: &[u8],
) -> Result<RequestContext, VendorError> {
    let request = signed_request(method, uri, idempotency_key, body);
    vendor.authenticate(authorization(headers), &request).await
}

/// What a counter's signature or session MAC covers of an HTTP request.
fn signed_request<'a>(
    method: &'a Method,
    uri: &'a Uri,
    idempotency_key: Option<&'a str>,
    body: &'a [u8],
) -> SignedRequest<'a> {
    SignedRequest {
        method: method.as_str(),
        path: uri.path(),
        idempotency_key,
        body,
    }
}

fn authorization(headers: &HeaderMap) -> Option<&str> {
    headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
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

fn refusal(error: VendorError) -> Response {
    let status = StatusCode::from_u16(error.kind().http_status())
        .unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    json_text(status, error.body_json())
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
