//! The postal account service's routes: card payments of a counter's customers, credited
//! to the counter's account, and their refunds.

use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::Path;
use axum::extract::State;
use axum::response::Response;
use axum::routing::post;

use super::{Call, keyed};
use crate::protocol::services::Service;
use crate::vendor_system::service::Vendor;

/// The accounts service's routes, mounted under its prefix.
pub(super) fn routes(router: Router<Arc<Vendor>>) -> Router<Arc<Vendor>> {
    let prefix = Service::Accounts.prefix();
    router
        .route(&format!("{prefix}/card-payments"), post(card_payment))
        .route(
            &format!("{prefix}/card-payments/{{charge_id}}/refunds"),
            post(card_refund),
        )
}

async fn card_payment(State(vendor): State<Arc<Vendor>>, call: Call, body: Bytes) -> Response {
    keyed(&vendor, &call, &body, |context, key| {
        vendor.card_payment(context, key, &body)
    })
    .await
}

async fn card_refund(
    State(vendor): State<Arc<Vendor>>,
    Path(charge_id): Path<String>,
    call: Call,
    body: Bytes,
) -> Response {
    keyed(&vendor, &call, &body, |context, key| {
        vendor.card_refund(context, key, &charge_id, &body)
    })
    .await
}
