//! The lottery service's routes: the games on sale, wagers, cancellations, reprints,
//! claims, and a ticket looked up by its validation number (in the body: paths are logged).

use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::response::Response;
use axum::routing::{get, post};

use super::{Call, keyed, read};
use crate::protocol::services::Service;
use crate::vendor_system::service::Vendor;

/// The lottery service's routes, mounted under its prefix.
pub(super) fn routes(router: Router<Arc<Vendor>>) -> Router<Arc<Vendor>> {
    let prefix = Service::Lottery.prefix();
    router
        .route(&format!("{prefix}/games"), get(games))
        .route(&format!("{prefix}/wagers"), post(wager))
        .route(&format!("{prefix}/cancellations"), post(cancel))
        .route(&format!("{prefix}/reprints"), post(reprint))
        .route(&format!("{prefix}/claims"), post(claim))
        .route(&format!("{prefix}/lookups"), post(lookup))
}

async fn games(State(vendor): State<Arc<Vendor>>, call: Call, body: Bytes) -> Response {
    read(&vendor, &call, &body, |context| {
        vendor.lottery_games(context)
    })
    .await
}

async fn wager(State(vendor): State<Arc<Vendor>>, call: Call, body: Bytes) -> Response {
    keyed(&vendor, &call, &body, |context, key| {
        vendor.wager(context, key, &body)
    })
    .await
}

async fn cancel(State(vendor): State<Arc<Vendor>>, call: Call, body: Bytes) -> Response {
    keyed(&vendor, &call, &body, |context, key| {
        vendor.cancel_wager(context, key, &body)
    })
    .await
}

async fn reprint(State(vendor): State<Arc<Vendor>>, call: Call, body: Bytes) -> Response {
    keyed(&vendor, &call, &body, |context, key| {
        vendor.reprint_wager(context, key, &body)
    })
    .await
}

async fn claim(State(vendor): State<Arc<Vendor>>, call: Call, body: Bytes) -> Response {
    keyed(&vendor, &call, &body, |context, key| {
        vendor.claim_wager(context, key, &body)
    })
    .await
}

async fn lookup(State(vendor): State<Arc<Vendor>>, call: Call, body: Bytes) -> Response {
    read(&vendor, &call, &body, |context| {
        vendor.lottery_ticket(context, &body)
    })
    .await
}
