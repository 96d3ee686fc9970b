//! The contact service's routes: how a station reaches the data centre at all. Health (the
//! data centre's clock), enrollment of a counter's key, and sessions. Every other service's
//! request passes through the same authentication.

use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::Response;
use axum::routing::{get, post};

use super::{authorization, json, refusal, signed_request};
use crate::protocol::services::Service;
use crate::vendor_system::service::Vendor;

/// The contact service's routes, mounted under its prefix.
pub(super) fn routes(router: Router<Arc<Vendor>>) -> Router<Arc<Vendor>> {
    let prefix = Service::Contact.prefix();
    router
        .route(&format!("{prefix}/health"), get(health))
        .route(&format!("{prefix}/counters"), post(register_counter))
        .route(&format!("{prefix}/sessions"), post(open_session))
}

async fn health(State(vendor): State<Arc<Vendor>>) -> Response {
    json(StatusCode::OK, &vendor.health())
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
