//! The key management service's routes: certifying an embedded PSD's key, and the trust
//! (roots, certificates, status list) a station checks with.

use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::response::Response;
use axum::routing::{get, post};

use super::{Call, keyed, read};
use crate::protocol::services::Service;
use crate::vendor_system::service::Vendor;

/// The keys service's routes, mounted under its prefix.
pub(super) fn routes(router: Router<Arc<Vendor>>) -> Router<Arc<Vendor>> {
    let prefix = Service::Keys.prefix();
    router
        .route(&format!("{prefix}/psd-certificates"), post(certify_psd))
        .route(&format!("{prefix}/trust"), get(trust))
        .route(&format!("{prefix}/update-root"), get(update_root))
}

async fn update_root(State(vendor): State<Arc<Vendor>>, call: Call, body: Bytes) -> Response {
    read(&vendor, &call, &body, |_context| async {
        vendor.update_root()
    })
    .await
}

async fn certify_psd(State(vendor): State<Arc<Vendor>>, call: Call, body: Bytes) -> Response {
    keyed(&vendor, &call, &body, |context, key| async {
        // The work is done: the next contact asks the services again.
        let counter_id = context.counter_id.clone();
        let answer = vendor.certify_psd(context, key, &body).await;
        vendor.forget_agenda(&counter_id);
        answer
    })
    .await
}

async fn trust(State(vendor): State<Arc<Vendor>>, call: Call, body: Bytes) -> Response {
    read(&vendor, &call, &body, |context| {
        vendor.trust_bundle(context)
    })
    .await
}
