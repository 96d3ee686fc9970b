//! Operability of the data centre: `GET /metrics` counts purchases, refusals by kind, batch
//! sizes, latency per service, contacts and agenda items, in a text `promtool` accepts; every
//! answer names its request id, and `vendor serve`'s log has one line per request under that
//! id.

use std::io::Write;
use std::process::{Command, Stdio};

use crate::common::tool_or_skip;
use crate::common::vendor::{StoreKind, TestVendor, VendorFixture, letter};
use crate::common::vendor_process::VendorProcess;

async fn metrics(url: &str) -> String {
    let response = reqwest::get(format!("{url}/metrics")).await.unwrap();
    assert_eq!(response.status(), 200);
    let content_type = response.headers()["content-type"]
        .to_str()
        .unwrap()
        .to_string();
    assert!(content_type.starts_with("text/plain"), "{content_type}");
    response.text().await.unwrap()
}

/// The value of the sample `name` (with its labels, as the text writes them).
fn sample(text: &str, name: &str) -> Option<f64> {
    text.lines()
        .find_map(|line| line.strip_prefix(name)?.strip_prefix(' ')?.parse().ok())
}

#[tokio::test]
async fn metrics_count_purchases_refusals_and_contacts_and_promtool_accepts_them() {
    let vendor = TestVendor::start(StoreKind::Sqlite).await.unwrap();
    let counter = vendor.counter("A1").await;
    for key in ["m-1", "m-2"] {
        let (status, answer) = counter.buy(key, vec![letter()]).await;
        assert_eq!(status, 201, "{answer}");
    }
    // A retry answered from the store, and an unsigned request refused.
    assert_eq!(
        counter.buy("m-1", vec![letter()]).await.0,
        201,
        "replayed as first answered"
    );
    let refused = reqwest::Client::new()
        .post(format!("{}/postage/v1/purchases", vendor.url))
        .header("idempotency-key", "m-3")
        .body("{}")
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 401);
    let text = metrics(&vendor.url).await;
    assert_eq!(
        sample(&text, "postcounter_purchases_total"),
        Some(3.0),
        "{text}"
    );
    assert_eq!(
        sample(
            &text,
            "postcounter_refusals_total{kind=\"unauthenticated\"}"
        ),
        Some(1.0),
        "{text}"
    );
    assert_eq!(
        sample(&text, "postcounter_contacts_total{service=\"postage\"}"),
        Some(3.0),
        "{text}"
    );
    assert_eq!(
        sample(&text, "postcounter_batch_purchases_count"),
        Some(3.0)
    );
    assert_eq!(
        sample(
            &text,
            "postcounter_request_duration_seconds_count{service=\"postage\"}"
        ),
        Some(4.0),
        "{text}"
    );
    assert!(
        text.contains(
            "postcounter_request_duration_seconds_bucket{service=\"postage\",le=\"0.001\"}"
        ),
        "explicit buckets: {text}"
    );
    if !tool_or_skip("promtool", "metrics_count_purchases_refusals_and_contacts") {
        return;
    }
    let mut check = Command::new("promtool")
        .args(["check", "metrics"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    check
        .stdin
        .take()
        .unwrap()
        .write_all(text.as_bytes())
        .unwrap();
    let output = check.wait_with_output().unwrap();
    assert!(
        output.status.success(),
        "promtool: {}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_answer_names_its_request_and_the_log_has_a_line_under_that_id() {
    let fixture = VendorFixture::create(StoreKind::Sqlite).await.unwrap();
    let mut process = VendorProcess::spawn(fixture.dir.path(), &fixture.location);
    let response = reqwest::get(format!("{}/contact/v1/health", process.url))
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let id = response.headers()["x-request-id"]
        .to_str()
        .unwrap()
        .to_string();
    assert_eq!(id.len(), 16, "{id}");
    let log_path = postcounter::log_file::log_path(fixture.dir.path());
    let line = (0..50)
        .find_map(|_| {
            let log = std::fs::read_to_string(&log_path).unwrap_or_default();
            let found = log
                .lines()
                .find(|line| line.contains(&format!("id={id}")) && line.contains("answered"))
                .map(str::to_string);
            if found.is_none() {
                std::thread::sleep(std::time::Duration::from_millis(20));
            }
            found
        })
        .expect("the request's line in the log");
    assert!(line.contains("method=GET"), "{line}");
    assert!(line.contains("path=/contact/v1/health"), "{line}");
    assert!(line.contains("status=200"), "{line}");
    process.kill();
}
