//! What the vendor records of every request, at its HTTP edge: a request id (answered in
//! `X-Request-Id`), one tracing span per request that every log line of its handling carries,
//! a request log line (method, path, status, time), and the metrics (latency by service,
//! refusals by kind). `GET /metrics` serves the metrics.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use tracing::Instrument;

use crate::protocol::services::Service;
use crate::vendor_system::error::RefusalKind;
use crate::vendor_system::service::Vendor;
use crate::vendor_system::validate;

pub use crate::protocol::REQUEST_ID_HEADER;

/// Request ids: a random start per process, then one more per request, as 16 hex digits.
fn next_request_id() -> String {
    static NEXT: std::sync::OnceLock<AtomicU64> = std::sync::OnceLock::new();
    let next = NEXT.get_or_init(|| AtomicU64::new(rand::random::<u64>() & 0xffff_ffff_0000_0000));
    format!("{:016x}", next.fetch_add(1, Ordering::Relaxed))
}

/// Runs `request` in a span of its own, then logs and measures its answer.
pub(super) async fn observe(
    State(vendor): State<Arc<Vendor>>,
    request: Request,
    next: Next,
) -> Response {
    let started = Instant::now();
    let id = next_request_id();
    let method = request.method().clone();
    let path = validate::shown(request.uri().path());
    let service = Service::of_path(&path).map_or("other", Service::name);
    let span = tracing::info_span!("request", id = %id, method = %method, path = %path);
    let mut response = next.run(request).instrument(span.clone()).await;
    let seconds = started.elapsed().as_secs_f64();
    let refused = response.extensions().get::<RefusalKind>().copied();
    vendor.metrics.observe_request(service, seconds, refused);
    span.in_scope(|| {
        tracing::info!(
            status = response.status().as_u16(),
            ms = format_args!("{:.3}", seconds * 1000.0),
            refused = refused.map_or("", RefusalKind::name),
            "answered"
        );
    });
    if let Ok(value) = HeaderValue::from_str(&id) {
        response.headers_mut().insert(REQUEST_ID_HEADER, value);
    }
    response
}

/// `GET /metrics`: the Prometheus text exposition format.
pub(super) async fn metrics(State(vendor): State<Arc<Vendor>>) -> Response {
    (
        StatusCode::OK,
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("text/plain; version=0.0.4; charset=utf-8"),
        )],
        vendor.metrics.encode(),
    )
        .into_response()
}
