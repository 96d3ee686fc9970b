//! The vendor API client: a list of endpoints tried round-robin, each attempt with its own
//! time limit, a bounded number of attempts per request, and the same idempotency key on
//! every attempt so a purchase whose answer was lost is answered, not issued, the second
//! time. Each attempt is authenticated afresh: in the endpoint's session (see [`super::session`])
//! under a new sequence number, or signed with a new timestamp and nonce; the vendor refuses
//! a replayed request even from its own counter.

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use reqwest::Method;
use serde::Serialize;
use serde::de::DeserializeOwned;

mod attempt;
mod by_modem;
mod envelope;
mod service_keys;
mod transport;

pub use by_modem::Interface;
pub(super) use envelope::Envelope;
pub use service_keys::open_announcement;
pub use transport::{REQUEST_ID_RULE, is_request_id, parse_reply};
pub(super) use transport::{RawAnswer, send_once};
use transport::{error_message, refusal_of, transport_failure};

use super::LinkError;
use super::session::{ClientSession, OpenFailure};
use crate::clock::Clock;
use crate::grants::ServiceKeys;
use crate::modem::dialer::Modem;
use crate::protocol::RefusalKind;
use crate::protocol::agenda::StationState;
use crate::protocol::signature::{RequestSigner, SignedRequest};

/// A vendor's answer: its status and body, and which endpoint gave it.
#[derive(Clone, Debug)]
pub struct Reply {
    pub status: u16,
    pub body: Vec<u8>,
    pub endpoint: String,
    /// The data centre's agenda for this station, as the answer carried it (hex, unchecked).
    pub agenda: Option<String>,
}

pub struct VendorClient {
    endpoints: Vec<String>,
    next: AtomicUsize,
    http: reqwest::Client,
    timeout: Duration,
    attempts: u32,
    clock: Clock,
    /// Whether signed requests go in sessions (the default) or are each signed.
    sessions_on: bool,
    /// The open session at each endpoint.
    sessions: Mutex<HashMap<String, Arc<ClientSession>>>,
    /// What this station says it holds, sent with every request (see [`StationState`]).
    station_state: Mutex<String>,
    /// The backup link: dialed when no Internet endpoint answers.
    modem: Option<Arc<Modem>>,
    /// Whether the last answer came over the modem.
    over_modem: std::sync::atomic::AtomicBool,
    /// The data centre's service keys, as verified (see [`service_keys`]).
    service_keys: Mutex<Option<Arc<ServiceKeys>>>,
}

/// A vendor URL as the link uses it: https, or http on this machine's loopback only (a card,
/// a key or a grant never crosses a network in clear).
fn checked_endpoint(endpoint: &str) -> Result<String, LinkError> {
    let trimmed = endpoint.trim().trim_end_matches('/');
    let refused =
        |why: &str| LinkError::Local(format!("link endpoint {endpoint:?} is not accepted: {why}"));
    let url =
        reqwest::Url::parse(trimmed).map_err(|_| refused("a URL like https://dc.example:8470"))?;
    let host = url.host_str().unwrap_or("");
    let loopback = host == "localhost"
        || host
            .trim_start_matches('[')
            .trim_end_matches(']')
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback());
    match url.scheme() {
        "https" => Ok(trimmed.to_string()),
        "http" if loopback => Ok(trimmed.to_string()),
        "http" => Err(refused(
            "the data centre is reached over https:// (plain http:// only on this machine's loopback)",
        )),
        _ => Err(refused("a URL like https://dc.example:8470")),
    }
}

/// What one HTTP/2 stream (a download) may have in flight.
const STREAM_WINDOW_BYTES: u32 = 256 * 1024;
/// What the whole connection may: room for the other services beside a download.
const CONNECTION_WINDOW_BYTES: u32 = 1024 * 1024;

fn http_client(
    builder: reqwest::ClientBuilder,
    timeout: Duration,
) -> Result<reqwest::Client, LinkError> {
    builder
        .timeout(timeout)
        .connect_timeout(timeout)
        // One HTTP/2 connection carries every service. What a download may have in flight
        // (unread by the station) is what a purchase's answer may queue behind on a slow
        // line: small windows keep that to a few milliseconds, and still fill a line with a
        // round trip of 30 ms at 60 Mbit/s (see docs/measurements.md).
        .http2_initial_stream_window_size(STREAM_WINDOW_BYTES)
        .http2_initial_connection_window_size(CONNECTION_WINDOW_BYTES)
        .build()
        .map_err(|e| LinkError::Local(format!("the HTTP client: {e}")))
}

impl VendorClient {
    /// A client for `endpoints` (base URLs like `https://dc.example:8470`; `http://` only on
    /// loopback); each attempt may take `timeout`, and a request makes at most `attempts`
    /// over all endpoints. The data centre's TLS certificate is checked against the
    /// platform's roots, or only against [`VendorClient::trusting_only`]'s.
    pub fn new(
        endpoints: &[String],
        timeout: Duration,
        attempts: u32,
        clock: Clock,
    ) -> Result<VendorClient, LinkError> {
        if endpoints.is_empty() {
            return Err(LinkError::Local("link.endpoints is empty".into()));
        }
        let endpoints = endpoints
            .iter()
            .map(|endpoint| checked_endpoint(endpoint))
            .collect::<Result<Vec<_>, _>>()?;
        if !(1..=10).contains(&attempts) {
            return Err(LinkError::Local(format!(
                "link.attempts {attempts} is not accepted: 1 to 10"
            )));
        }
        let http = http_client(reqwest::Client::builder(), timeout)?;
        Ok(VendorClient {
            endpoints,
            next: AtomicUsize::new(0),
            http,
            timeout,
            attempts,
            clock,
            sessions_on: true,
            sessions: Mutex::new(HashMap::new()),
            station_state: Mutex::new(String::new()),
            modem: None,
            over_modem: std::sync::atomic::AtomicBool::new(false),
            service_keys: Mutex::new(None),
        })
    }

    /// Trusts only the certificates in `pem` (the data centre's own CA, or its self-signed
    /// certificate) for the data centre's TLS, not the platform's roots.
    pub fn trusting_only(mut self, pem: &[u8]) -> Result<VendorClient, LinkError> {
        let certificates = reqwest::Certificate::from_pem_bundle(pem)
            .map_err(|e| LinkError::Local(format!("the data centre's CA certificate: {e}")))?;
        if certificates.is_empty() {
            return Err(LinkError::Local(
                "the data centre's CA file holds no PEM certificate".into(),
            ));
        }
        let builder = reqwest::Client::builder().tls_certs_only(certificates);
        self.http = http_client(builder, self.timeout)?;
        Ok(self)
    }

    /// Signs every request on its own instead of opening sessions: the vendor checks a
    /// signature per request (for comparison, and for vendors without sessions).
    pub fn signing_every_request(mut self) -> VendorClient {
        self.sessions_on = false;
        self
    }

    /// Dials the data centre through `modem` when no Internet endpoint answers.
    pub fn with_modem(mut self, modem: Arc<Modem>) -> VendorClient {
        self.modem = Some(modem);
        self
    }

    /// Which interface the last answer came over.
    pub fn interface(&self) -> Interface {
        if self.over_modem.load(Ordering::Relaxed) {
            Interface::Modem
        } else {
            Interface::Internet
        }
    }

    /// States what the station holds in every request from now on, so the data centre's
    /// services can tell what it lacks.
    pub fn state_station(&self, state: &StationState) {
        *self
            .station_state
            .lock()
            .unwrap_or_else(PoisonError::into_inner) = state.to_header();
    }

    /// The HTTP client the link reaches the data centre's Internet endpoints with (its TLS
    /// trust), for what is not sent through [`VendorClient::send`]: the update repository.
    pub fn http(&self) -> &reqwest::Client {
        &self.http
    }

    /// How long one attempt may take.
    pub fn timeout(&self) -> Duration {
        self.timeout
    }

    pub fn endpoints(&self) -> &[String] {
        &self.endpoints
    }

    /// Sends one request, failing over to the next endpoint when one cannot be reached,
    /// times out, or answers 503 (its store failed; nothing was acknowledged).
    pub async fn send(
        &self,
        method: Method,
        path: &str,
        idempotency_key: Option<&str>,
        body: &[u8],
        signer: Option<&RequestSigner>,
    ) -> Result<Reply, LinkError> {
        // A key that cannot travel in a header is this counter's fault, not the network's:
        // taken for "unreachable", it would send the sale to the offline PSD and stay in
        // doubt for ever.
        if let Some(key) = idempotency_key.filter(|key| !is_request_id(key)) {
            return Err(LinkError::Local(format!(
                "the request id {key:?} is not accepted: {REQUEST_ID_RULE}"
            )));
        }
        let start = self.next.fetch_add(1, Ordering::Relaxed);
        let mut failures = Vec::new();
        let mut maybe_delivered = false;
        let request = SignedRequest {
            method: method.as_str(),
            path,
            idempotency_key,
            body,
            seal: None,
        };
        for attempt in 0..self.attempts {
            if attempt > 0 {
                // A short pause: the next endpoint is probably up; a restarting one soon is.
                tokio::time::sleep(Duration::from_millis(25 * u64::from(attempt))).await;
            }
            let index = (start + attempt as usize) % self.endpoints.len();
            let endpoint = &self.endpoints[index];
            match self.attempt(endpoint, &request, signer).await {
                // The answer to the request, or to the opening of its session.
                Ok(RawAnswer {
                    status: 503,
                    body,
                    signed,
                    ..
                }) => {
                    // Only the data centre's own, signed, says nothing was acknowledged;
                    // a 503 put in its place by a relay may hide an answer.
                    maybe_delivered |= !signed;
                    failures.push(format!(
                        "{endpoint}: unavailable ({})",
                        error_message(&body)
                    ));
                }
                Err(OpenFailure::Answered(503, body)) => failures.push(format!(
                    "{endpoint}: unavailable ({})",
                    error_message(&body)
                )),
                Ok(RawAnswer {
                    status: 401, body, ..
                }) if refusal_of(&body).is_some_and(|r| {
                    RefusalKind::from_name(&r.kind) == Some(RefusalKind::Replayed)
                }) =>
                {
                    // This station never sends an authorization twice: a copy of this
                    // request reached the data centre first, and may have been carried out.
                    // Asked again, freshly signed, its idempotency key gets its answer.
                    maybe_delivered = true;
                    failures.push(format!("{endpoint}: {}", error_message(&body)));
                }
                Ok(RawAnswer {
                    status,
                    body,
                    agenda,
                    ..
                }) => {
                    self.internet_is_back();
                    return Ok(Reply {
                        status,
                        body,
                        endpoint: endpoint.clone(),
                        agenda,
                    });
                }
                Err(OpenFailure::Answered(status, body)) => {
                    return Ok(Reply {
                        status,
                        body,
                        endpoint: endpoint.clone(),
                        agenda: None,
                    });
                }
                Err(OpenFailure::Transport(e)) => {
                    // Only a connection never made is sure not to have carried the request.
                    maybe_delivered |= !e.is_connect();
                    failures.push(format!("{endpoint}: {}", transport_failure(&e)));
                }
                Err(OpenFailure::Protocol(detail)) => {
                    self.forget_service_keys();
                    return Err(LinkError::Protocol(detail));
                }
            }
        }
        if let Some(modem) = &self.modem {
            // The same levels hold on the line: card data and keys go sealed end to end.
            match self.send_by_modem(modem, &request, signer).await {
                Ok(reply) => return Ok(reply),
                Err((failure, delivered)) => {
                    failures.push(failure);
                    maybe_delivered |= delivered;
                }
            }
        }
        Err(LinkError::Unreachable {
            detail: failures.join("; "),
            maybe_delivered,
        })
    }

    fn station_header(&self) -> String {
        self.station_state
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// [`VendorClient::send`] with a JSON body, the answer parsed as `T`; a refusal becomes
    /// [`LinkError::Refused`] with the vendor's kind and message.
    pub async fn call<T: DeserializeOwned>(
        &self,
        method: Method,
        path: &str,
        idempotency_key: Option<&str>,
        body: &impl Serialize,
        signer: Option<&RequestSigner>,
    ) -> Result<T, LinkError> {
        let body = serde_json::to_vec(body).map_err(|e| LinkError::Local(e.to_string()))?;
        let reply = self
            .send(method, path, idempotency_key, &body, signer)
            .await?;
        parse_reply(&reply)
    }
}
