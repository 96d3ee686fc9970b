//! The funds telemetering service's routes: refills of central PSDs, refill authorizations
//! for embedded ones, and an embedded PSD's withdrawal.

use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::response::Response;
use axum::routing::post;

use super::{Call, PsdId, keyed};
use crate::protocol::services::Service;
use crate::vendor_system::service::Vendor;

/// The funds service's routes, mounted under its prefix.
pub(super) fn routes(router: Router<Arc<Vendor>>) -> Router<Arc<Vendor>> {
    let prefix = Service::Funds.prefix();
    router
        .route(&format!("{prefix}/psds/{{psd_id}}/refills"), post(refill))
        .route(
            &format!("{prefix}/embedded-psds/{{psd_id}}/refills"),
            post(refill_embedded),
        )
        .route(
            &format!("{prefix}/embedded-psds/{{psd_id}}/withdrawals"),
            post(withdraw_embedded),
        )
        .route(
            &format!("{prefix}/embedded-psds/{{psd_id}}/withdrawals/confirmation"),
            post(confirm_withdrawal),
        )
}

async fn refill(
    State(vendor): State<Arc<Vendor>>,
    PsdId(psd_id): PsdId,
    call: Call,
    body: Bytes,
) -> Response {
    keyed(&vendor, &call, &body, |context, key| {
        vendor.refill(context, key, psd_id, &body)
    })
    .await
}

async fn refill_embedded(
    State(vendor): State<Arc<Vendor>>,
    PsdId(psd_id): PsdId,
    call: Call,
    body: Bytes,
) -> Response {
    keyed(&vendor, &call, &body, |context, key| async {
        // The work is done: the next contact asks the services again.
        let counter_id = context.counter_id.clone();
        let answer = vendor.refill_embedded(context, key, psd_id, &body).await;
        vendor.forget_agenda(&counter_id);
        answer
    })
    .await
}

async fn withdraw_embedded(
    State(vendor): State<Arc<Vendor>>,
    PsdId(psd_id): PsdId,
    call: Call,
    body: Bytes,
) -> Response {
    keyed(&vendor, &call, &body, |context, key| {
        vendor.authorize_withdrawal(context, key, psd_id, &body)
    })
    .await
}

async fn confirm_withdrawal(
    State(vendor): State<Arc<Vendor>>,
    PsdId(psd_id): PsdId,
    call: Call,
    body: Bytes,
) -> Response {
    keyed(&vendor, &call, &body, |context, key| {
        vendor.confirm_withdrawal(context, key, psd_id, &body)
    })
    .await
}
