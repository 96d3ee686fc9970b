//! The postage service's routes: purchases, voids, a central PSD's registers, and the
//! reconciliation of an embedded PSD's ledger.

use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::response::Response;
use axum::routing::{get, post};

use super::{Call, PsdId, keyed, read};
use crate::protocol::services::Service;
use crate::vendor_system::service::Vendor;

/// The postage service's routes, mounted under its prefix.
pub(super) fn routes(router: Router<Arc<Vendor>>) -> Router<Arc<Vendor>> {
    let prefix = Service::Postage.prefix();
    router
        .route(&format!("{prefix}/purchases"), post(purchase))
        .route(&format!("{prefix}/voids"), post(void))
        .route(&format!("{prefix}/reconciliations"), post(reconcile))
        .route(
            &format!("{prefix}/psds/{{psd_id}}/registers"),
            get(registers),
        )
}

async fn purchase(State(vendor): State<Arc<Vendor>>, call: Call, body: Bytes) -> Response {
    keyed(&vendor, &call, &body, |context, key| {
        vendor.purchase(context, key, &body)
    })
    .await
}

async fn void(State(vendor): State<Arc<Vendor>>, call: Call, body: Bytes) -> Response {
    keyed(&vendor, &call, &body, |context, key| {
        vendor.void(context, key, &body)
    })
    .await
}

async fn reconcile(State(vendor): State<Arc<Vendor>>, call: Call, body: Bytes) -> Response {
    keyed(&vendor, &call, &body, |context, key| async {
        // The work is done: the next contact asks the services again.
        let counter_id = context.counter_id.clone();
        let answer = vendor.reconcile(context, key, &body).await;
        vendor.forget_agenda(&counter_id);
        answer
    })
    .await
}

async fn registers(
    State(vendor): State<Arc<Vendor>>,
    PsdId(psd_id): PsdId,
    call: Call,
    body: Bytes,
) -> Response {
    read(&vendor, &call, &body, |context| {
        vendor.registers(context, psd_id)
    })
    .await
}
