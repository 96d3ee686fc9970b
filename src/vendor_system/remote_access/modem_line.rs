//! The remote access server's modem lines: each answers calls (`ATA` on `RING`) and serves
//! the same router the Internet listener serves, one HTTP/1.1 exchange at a time over the
//! call, so a station that can only dial reaches the same services at the same checks
//! (every request signed by the counter's key; no session: a session's key lives with the
//! TCP endpoint it was opened on). A call with no request for the idle limit is hung up.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::Body;
use tower::ServiceExt;

use crate::modem::ResultCode;
use crate::modem::compression::{ACCEPT_ENCODING, compress_for};
use crate::modem::dialer::{read_result, reset_line};
use crate::modem::http_line::{LineError, MAX_BODY_BYTES, Message, read_message, write_message};
use crate::serial_port::{FlowControl, SerialPort};
use crate::vendor_system::service::Vendor;

/// A call with no request for this long is hung up.
const CALL_IDLE_LIMIT: Duration = Duration::from_secs(30);

/// How long a line whose modem failed waits before it is opened again.
const REOPEN_AFTER: Duration = Duration::from_secs(5);

/// Answers calls on `device` until `stop`, serving `vendor`'s API over each; a modem that
/// fails (unplugged, silent) is opened and reset again after a pause, as long as it takes.
/// Blocking: run it on a thread of its own; `runtime` runs the router.
pub fn answer_calls(
    device: &str,
    baud: u32,
    vendor: Arc<Vendor>,
    runtime: tokio::runtime::Handle,
    stop: Arc<AtomicBool>,
) {
    let router = super::super::api::router(vendor.clone());
    while !stop.load(Ordering::Relaxed) {
        if let Err(e) = answer_on(device, baud, &vendor, &router, &runtime, &stop) {
            log::error!("the modem line {device}: {e}; trying again in {REOPEN_AFTER:?}");
            let until = Instant::now() + REOPEN_AFTER;
            while Instant::now() < until && !stop.load(Ordering::Relaxed) {
                std::thread::sleep(Duration::from_millis(100));
            }
        }
    }
}

/// One session of the line: the modem opened, reset, and calls answered until it fails.
fn answer_on(
    device: &str,
    baud: u32,
    vendor: &Arc<Vendor>,
    router: &Router,
    runtime: &tokio::runtime::Handle,
    stop: &AtomicBool,
) -> anyhow::Result<()> {
    let mut port = SerialPort::open(device, baud, FlowControl::RtsCts)
        .map_err(|e| anyhow::anyhow!("the modem {device}: {e}"))?;
    let mut pending = Vec::new();
    reset_line(&mut port, &mut pending);
    port.write_all_until(b"ATZ\r", Instant::now() + Duration::from_secs(3))?;
    // A call already ringing rings again, and is answered below.
    let reset = result_past_rings(&mut port, &mut pending, Duration::from_secs(3));
    if !matches!(reset, Ok(ResultCode::Ok)) {
        anyhow::bail!("the modem {device} answered {reset:?} to ATZ, not OK");
    }
    log::info!("answering calls on the modem {device}");
    while !stop.load(Ordering::Relaxed) {
        match read_result(
            &mut port,
            &mut pending,
            Instant::now() + Duration::from_millis(200),
        ) {
            Ok(ResultCode::Ring) => {}
            Ok(_) | Err(LineError::TimedOut) => continue,
            Err(e) => anyhow::bail!("the modem {device}: {e}"),
        }
        port.write_all_until(b"ATA\r", Instant::now() + Duration::from_secs(3))?;
        // A late RING of the same call may come before the modem connects.
        let connected = result_past_rings(&mut port, &mut pending, Duration::from_secs(10));
        let Ok(ResultCode::Connect(rate_bps)) = connected else {
            log::warn!("the modem {device} did not connect: {connected:?}");
            vendor.metrics().observe_modem_call("not connected");
            continue;
        };
        log::info!("a call on {device} at {rate_bps} bit/s");
        vendor.metrics().observe_modem_call("answered");
        let ended = serve_call(&mut port, &mut pending, router, runtime);
        log::info!("the call on {device} ended: {ended}");
        if matches!(ended, LineError::TimedOut) {
            reset_line(&mut port, &mut pending);
        }
        pending.clear();
    }
    Ok(())
}

/// The next result code other than `RING`, waiting at most `timeout` for each.
fn result_past_rings(
    port: &mut SerialPort,
    pending: &mut Vec<u8>,
    timeout: Duration,
) -> Result<ResultCode, LineError> {
    loop {
        match read_result(port, pending, Instant::now() + timeout) {
            Ok(ResultCode::Ring) => continue,
            other => return other,
        }
    }
}

/// Serves requests on the call until it ends; why it ended.
fn serve_call(
    port: &mut SerialPort,
    pending: &mut Vec<u8>,
    router: &Router,
    runtime: &tokio::runtime::Handle,
) -> LineError {
    loop {
        let request = match read_message(port, pending, Instant::now() + CALL_IDLE_LIMIT) {
            Ok(request) => request,
            Err(ended) => return ended,
        };
        let answer = runtime.block_on(answer(router, request));
        if let Err(ended) = write_message(port, &answer, Instant::now() + CALL_IDLE_LIMIT) {
            return ended;
        }
    }
}

/// The router's answer to `request`, as a message for the line.
async fn answer(router: &Router, request: Message) -> Message {
    let mut parts = request.start.splitn(3, ' ');
    let (method, target) = (parts.next().unwrap_or(""), parts.next().unwrap_or(""));
    let accept_encoding = request.header(ACCEPT_ENCODING.0).map(str::to_string);
    let mut builder = axum::http::Request::builder().method(method).uri(target);
    for (name, value) in &request.headers {
        builder = builder.header(name.as_str(), value.as_str());
    }
    let response = match builder.body(Body::from(request.body)) {
        Ok(http_request) => router.clone().oneshot(http_request).await,
        Err(e) => return plain(400, &format!("not a request: {e}")),
    };
    let Ok(response) = response;
    let (parts, body) = response.into_parts();
    let body = match axum::body::to_bytes(body, MAX_BODY_BYTES).await {
        Ok(bytes) => bytes.to_vec(),
        Err(e) => return plain(500, &format!("the answer's body: {e}")),
    };
    let headers = parts
        .headers
        .iter()
        .filter(|(name, _)| *name != axum::http::header::CONTENT_LENGTH)
        .filter_map(|(name, value)| Some((name.to_string(), value.to_str().ok()?.to_string())))
        .collect();
    let mut answer = Message {
        start: format!(
            "HTTP/1.1 {} {}",
            parts.status.as_u16(),
            parts.status.canonical_reason().unwrap_or("")
        ),
        headers,
        body,
    };
    compress_for(accept_encoding.as_deref(), &mut answer);
    answer
}

fn plain(status: u16, text: &str) -> Message {
    Message {
        start: format!("HTTP/1.1 {status} Refused"),
        headers: vec![("Content-Type".into(), "text/plain".into())],
        body: text.as_bytes().to_vec(),
    }
}
