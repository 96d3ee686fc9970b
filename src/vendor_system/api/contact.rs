//! The contact service's routes: how a station reaches the data centre at all. Health (the
//! data centre's clock), enrollment of a counter's key, sessions, and the poll a station makes
//! when it has had no other contact for a while: its answer is the station's agenda (see
//! [`crate::vendor_system::monitor`]), which every other answer carries too.

use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::Response;
use axum::routing::{get, post};

use super::{Call, authorization, json, read, refusal, signed_request};
use crate::protocol::agenda::AgendaResponse;
use crate::protocol::security::SERVICE_KEYS_PATH;
use crate::protocol::services::Service;
use crate::vendor_system::service::Vendor;

/// The contact service's routes, mounted under its prefix.
pub(super) fn routes(router: Router<Arc<Vendor>>) -> Router<Arc<Vendor>> {
    let prefix = Service::Contact.prefix();
    router
        .route(&format!("{prefix}/health"), get(health))
        .route(&format!("{prefix}/counters"), post(register_counter))
        .route(&format!("{prefix}/sessions"), post(open_session))
        .route(&format!("{prefix}/agenda"), get(poll))
        .route(SERVICE_KEYS_PATH, get(service_keys))
}

async fn poll(State(vendor): State<Arc<Vendor>>, call: Call, body: Bytes) -> Response {
    let state = super::station_state(&call.headers);
    let vendor = &vendor;
    read(vendor, &call, &body, |context| async move {
        let agenda = vendor.agenda_for(&context.counter_id, state?).await?;
        Ok(AgendaResponse {
            agenda: agenda.hex.to_string(),
        })
    })
    .await
}

async fn service_keys(State(vendor): State<Arc<Vendor>>) -> Response {
    match vendor.service_keys() {
        Ok(announced) => json(StatusCode::OK, &announced),
        Err(error) => refusal(error),
    }
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
    let request = signed_request(&method, &uri, &headers, None, &body);
    match vendor.open_session(authorization(&headers), &request).await {
        Ok(opened) => json(StatusCode::CREATED, &opened),
        Err(error) => refusal(error),
    }
}
