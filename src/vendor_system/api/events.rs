//! The events service's routes: events and their seats, holds, bookings, releases, refunds,
//! the gates' entries and the revocation list.

use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::response::Response;
use axum::routing::{get, post};

use super::{Call, keyed, read};
use crate::protocol::services::Service;
use crate::vendor_system::service::Vendor;

/// The events service's routes, mounted under its prefix.
pub(super) fn routes(router: Router<Arc<Vendor>>) -> Router<Arc<Vendor>> {
    let prefix = Service::Events.prefix();
    router
        .route(&format!("{prefix}/events"), get(events))
        .route(&format!("{prefix}/events/{{event_id}}/seats"), get(seats))
        .route(&format!("{prefix}/holds"), post(hold))
        .route(&format!("{prefix}/releases"), post(release))
        .route(&format!("{prefix}/bookings"), post(book))
        .route(&format!("{prefix}/refunds"), post(refund))
        .route(&format!("{prefix}/entries"), post(entries))
        .route(&format!("{prefix}/revocations"), get(revocations))
}

async fn events(State(vendor): State<Arc<Vendor>>, call: Call, body: Bytes) -> Response {
    read(&vendor, &call, &body, |context| vendor.events(context)).await
}

async fn seats(
    State(vendor): State<Arc<Vendor>>,
    Path(event_id): Path<String>,
    call: Call,
    body: Bytes,
) -> Response {
    read(&vendor, &call, &body, |context| {
        vendor.seats(context, &event_id)
    })
    .await
}

async fn revocations(State(vendor): State<Arc<Vendor>>, call: Call, body: Bytes) -> Response {
    read(&vendor, &call, &body, |context| vendor.revocations(context)).await
}

async fn hold(State(vendor): State<Arc<Vendor>>, call: Call, body: Bytes) -> Response {
    keyed(&vendor, &call, &body, |context, key| {
        vendor.hold(context, key, &body)
    })
    .await
}

async fn release(State(vendor): State<Arc<Vendor>>, call: Call, body: Bytes) -> Response {
    keyed(&vendor, &call, &body, |context, key| {
        vendor.release(context, key, &body)
    })
    .await
}

async fn book(State(vendor): State<Arc<Vendor>>, call: Call, body: Bytes) -> Response {
    keyed(&vendor, &call, &body, |context, key| {
        vendor.book(context, key, &body)
    })
    .await
}

async fn refund(State(vendor): State<Arc<Vendor>>, call: Call, body: Bytes) -> Response {
    keyed(&vendor, &call, &body, |context, key| {
        vendor.refund(context, key, &body)
    })
    .await
}

async fn entries(State(vendor): State<Arc<Vendor>>, call: Call, body: Bytes) -> Response {
    keyed(&vendor, &call, &body, |context, key| {
        vendor.entries(context, key, &body)
    })
    .await
}
