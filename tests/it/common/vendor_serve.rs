//! The test vendor's settings and its HTTP edge on a loopback port, where a test can take one
//! service down (every request under a path prefix answered 503).

use std::sync::Arc;

use axum::response::IntoResponse;

use super::LICENSE;
use super::vendor::{CERTIFICATE_RENEW_DAYS, LEASE_HOURS, LEASE_MAX_MILLS};
use postcounter::money::Money;
use postcounter::vendor_system::{Vendor, VendorSettings, api};

pub(super) fn settings() -> VendorSettings {
    VendorSettings {
        license_number: LICENSE,
        void_window_days: 30,
        top_up_step: Money::from_mills(100_000),
        certificate_validity_days: 365,
        certificate_renew_days: CERTIFICATE_RENEW_DAYS,
        lease_hours: LEASE_HOURS,
        lease_max_value: Money::from_mills(LEASE_MAX_MILLS),
    }
}

/// Serves `vendor`'s API on a loopback port; its base URL.
pub(super) async fn serve(vendor: Arc<Vendor>) -> String {
    serve_failing(vendor, Arc::default()).await
}

/// [`serve`], answering 503 to every request under the prefix `failing` holds.
pub(super) async fn serve_failing(
    vendor: Arc<Vendor>,
    failing: Arc<std::sync::Mutex<Option<&'static str>>>,
) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let router = api::router(vendor).layer(axum::middleware::from_fn(
        move |request: axum::extract::Request, next: axum::middleware::Next| {
            let failing = *failing.lock().unwrap();
            async move {
                match failing {
                    Some(prefix) if request.uri().path().starts_with(prefix) => {
                        axum::http::StatusCode::SERVICE_UNAVAILABLE.into_response()
                    }
                    _ => next.run(request).await,
                }
            }
        },
    ));
    tokio::spawn(async move { axum::serve(listener, router).await });
    url
}
