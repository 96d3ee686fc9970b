//! The vendor API client: a list of endpoints tried round-robin, each attempt with its own
//! time limit, a bounded number of attempts per request, and the same idempotency key on
//! every attempt so a purchase whose answer was lost is answered, not issued, the second
//! time. Each attempt is signed afresh (a new timestamp and nonce): the vendor refuses a
//! replayed signature even from its own counter.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use reqwest::Method;
use serde::Serialize;
use serde::de::DeserializeOwned;

use super::LinkError;
use crate::clock::Clock;
use crate::vendor::auth::{RequestSigner, SignedRequest};
use crate::vendor::wire::ErrorBody;

/// A vendor's answer: its status and body, and which endpoint gave it.
#[derive(Clone, Debug)]
pub struct Reply {
    pub status: u16,
    pub body: Vec<u8>,
    pub endpoint: String,
}

pub struct VendorClient {
    endpoints: Vec<String>,
    next: AtomicUsize,
    http: reqwest::Client,
    attempts: u32,
    clock: Clock,
}

impl VendorClient {
    /// A client for `endpoints` (base URLs like `http://10.0.0.5:8470`); each attempt may
    /// take `timeout`, and a request makes at most `attempts` over all endpoints.
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
            .map(|endpoint| {
                let trimmed = endpoint.trim().trim_end_matches('/');
                let valid = (trimmed.starts_with("http://") || trimmed.starts_with("https://"))
                    && reqwest::Url::parse(trimmed).is_ok();
                if valid {
                    Ok(trimmed.to_string())
                } else {
                    Err(LinkError::Local(format!(
                        "link endpoint {endpoint:?} is not accepted: a URL like http://10.0.0.5:8470"
                    )))
                }
            })
            .collect::<Result<Vec<_>, _>>()?;
        if !(1..=10).contains(&attempts) {
            return Err(LinkError::Local(format!(
                "link.attempts {attempts} is not accepted: 1 to 10"
            )));
        }
        let http = reqwest::Client::builder()
            .timeout(timeout)
            .connect_timeout(timeout)
            .build()
            .map_err(|e| LinkError::Local(format!("the HTTP client: {e}")))?;
        Ok(VendorClient {
            endpoints,
            next: AtomicUsize::new(0),
            http,
            attempts,
            clock,
        })
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
        let start = self.next.fetch_add(1, Ordering::Relaxed);
        let mut failures = Vec::new();
        let mut maybe_delivered = false;
        for attempt in 0..self.attempts {
            if attempt > 0 {
                // A short pause: the next endpoint is probably up; a restarting one soon is.
                tokio::time::sleep(Duration::from_millis(25 * u64::from(attempt))).await;
            }
            let index = (start + attempt as usize) % self.endpoints.len();
            let endpoint = &self.endpoints[index];
            let mut request = self
                .http
                .request(method.clone(), format!("{endpoint}{path}"))
                .header("content-type", "application/json")
                .body(body.to_vec());
            if let Some(key) = idempotency_key {
                request = request.header("idempotency-key", key);
            }
            if let Some(signer) = signer {
                let signed = SignedRequest {
                    method: method.as_str(),
                    path,
                    idempotency_key,
                    body,
                };
                request = request.header(
                    "authorization",
                    signer.authorization(&signed, self.clock.now_unix_ms()),
                );
            }
            let outcome = match request.send().await {
                Ok(response) => {
                    let status = response.status().as_u16();
                    response.bytes().await.map(|bytes| (status, bytes.to_vec()))
                }
                Err(e) => Err(e),
            };
            match outcome {
                Ok((503, body)) => failures.push(format!(
                    "{endpoint}: unavailable ({})",
                    error_message(&body)
                )),
                Ok((status, body)) => {
                    return Ok(Reply {
                        status,
                        body,
                        endpoint: endpoint.clone(),
                    });
                }
                Err(e) => {
                    // Only a connection never made is sure not to have carried the request.
                    maybe_delivered |= !e.is_connect();
                    failures.push(format!("{endpoint}: {}", transport_failure(&e)));
                }
            }
        }
        Err(LinkError::Unreachable {
            detail: failures.join("; "),
            maybe_delivered,
        })
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

/// A 2xx body as `T`; anything else as the refusal it carries.
pub fn parse_reply<T: DeserializeOwned>(reply: &Reply) -> Result<T, LinkError> {
    if (200..300).contains(&reply.status) {
        return serde_json::from_slice(&reply.body).map_err(|e| {
            LinkError::Protocol(format!("{} answered {}: {e}", reply.endpoint, reply.status))
        });
    }
    match serde_json::from_slice::<ErrorBody>(&reply.body) {
        Ok(refusal) => Err(LinkError::Refused {
            status: reply.status,
            kind: refusal.error.kind,
            message: refusal.error.message,
        }),
        Err(_) => Err(LinkError::Protocol(format!(
            "{} answered {} without a refusal body",
            reply.endpoint, reply.status
        ))),
    }
}

fn error_message(body: &[u8]) -> String {
    serde_json::from_slice::<ErrorBody>(body)
        .map(|refusal| refusal.error.message)
        .unwrap_or_else(|_| "no message".into())
}

fn transport_failure(error: &reqwest::Error) -> String {
    if error.is_timeout() {
        "timed out".into()
    } else if error.is_connect() {
        "cannot connect".into()
    } else {
        error.to_string()
    }
}
