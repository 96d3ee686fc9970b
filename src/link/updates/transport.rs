//! How tough reaches the data centre's repository: a [`tough::Transport`] over the link's
//! HTTP client that sends a path to each Internet endpoint in turn. tough builds its URLs on
//! [`BASE`], whose `.invalid` host is never resolved: only the path is sent. A 404 from every
//! endpoint is "no such file" (how TUF learns there is no newer root); anything else that is
//! not a 200 is a failure of that endpoint, and the next is tried. When none answers, the
//! file comes over the link's backup modem, like any request (see
//! [`crate::link::client::VendorClient::get_by_modem`]), and the rest of the check follows
//! it there: TUF checks what the line carried as it checks what TLS carried.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

use futures_util::stream;
use reqwest::Url;
use tough::{Transport, TransportError, TransportErrorKind, TransportStream};

use crate::link::VendorClient;
use crate::protocol::updates::METADATA_PATH;

/// The base tough joins the repository's paths to.
pub const BASE: &str = "https://data-centre.invalid";

/// The most one target may be: a counter build is some tens of MB.
const MAX_FILE_BYTES: usize = 256 * 1024 * 1024;
/// The most one metadata file may be (tough's own limits are smaller still).
const MAX_METADATA_BYTES: usize = 4 * 1024 * 1024;

#[derive(Clone, Debug)]
pub struct EndpointTransport {
    pub http: reqwest::Client,
    pub endpoints: Vec<String>,
    /// Files asked for and body bytes received, for the check's report.
    pub traffic: Arc<Traffic>,
    /// The link, for its backup modem.
    pub modem: Option<ByModem>,
}

/// The link whose modem carries a check no Internet endpoint answers.
#[derive(Clone)]
pub struct ByModem(pub Arc<VendorClient>);

impl std::fmt::Debug for ByModem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ByModem(..)")
    }
}

/// What a check fetched: requests answered (a 404 included) and their body bytes.
#[derive(Debug, Default)]
pub struct Traffic {
    pub requests: AtomicU64,
    pub body_bytes: AtomicU64,
    /// Whether a file came over the modem (no Internet endpoint answered).
    pub over_modem: AtomicBool,
}

#[tough::async_trait]
impl Transport for EndpointTransport {
    async fn fetch(&self, url: Url) -> Result<TransportStream, TransportError> {
        let path = url.path().to_string();
        let mut failures = Vec::new();
        // Once the Internet failed this check, the rest of it goes straight to the modem.
        if !self.traffic.over_modem.load(Ordering::Relaxed) {
            match self.fetch_from_endpoints(&path, &mut failures).await {
                Ok(bytes) => return Ok(whole(bytes)),
                Err(Failure::NotFound) => return Err(not_found(path)),
                Err(Failure::Other(_)) => {}
            }
        }
        match self.fetch_by_modem(&path).await {
            Some(Ok(bytes)) => return Ok(whole(bytes)),
            Some(Err(Failure::NotFound)) => return Err(not_found(path)),
            Some(Err(Failure::Other(why))) => failures.push(why),
            None => {}
        }
        Err(TransportError::new_with_cause(
            TransportErrorKind::Other,
            path,
            EndpointsFailed(failures.join("; ")),
        ))
    }
}

fn whole(bytes: tough::Bytes) -> TransportStream {
    let item: Result<tough::Bytes, TransportError> = Ok(bytes);
    Box::pin(stream::once(async move { item }))
}

fn not_found(path: String) -> TransportError {
    TransportError::new(TransportErrorKind::FileNotFound, path)
}

/// No endpoint served a file: the cause tough's error carries when the repository could
/// not be reached at all (as opposed to a file that came and did not verify).
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct EndpointsFailed(String);

enum Failure {
    NotFound,
    Other(String),
}

impl EndpointTransport {
    /// `path` from the first Internet endpoint that has it; `NotFound` when every one
    /// answered that it has not.
    async fn fetch_from_endpoints(
        &self,
        path: &str,
        failures: &mut Vec<String>,
    ) -> Result<tough::Bytes, Failure> {
        let mut not_found = 0;
        for endpoint in &self.endpoints {
            match self.fetch_from(endpoint, path).await {
                Ok(bytes) => return Ok(bytes),
                // Another endpoint (a newer build, another mirror) may have it.
                Err(Failure::NotFound) => not_found += 1,
                Err(Failure::Other(why)) => failures.push(format!("{endpoint}: {why}")),
            }
        }
        if not_found == self.endpoints.len() {
            return Err(Failure::NotFound);
        }
        Err(Failure::Other(failures.join("; ")))
    }

    /// `path` over the modem, when the link has one.
    async fn fetch_by_modem(&self, path: &str) -> Option<Result<tough::Bytes, Failure>> {
        let reply = match self.modem.as_ref()?.0.get_by_modem(path).await? {
            Ok(reply) => reply,
            Err(why) => return Some(Err(Failure::Other(why))),
        };
        self.traffic.over_modem.store(true, Ordering::Relaxed);
        self.traffic.requests.fetch_add(1, Ordering::Relaxed);
        Some(match reply.status {
            200 => {
                let length = u64::try_from(reply.body.len()).unwrap_or(u64::MAX);
                self.traffic.body_bytes.fetch_add(length, Ordering::Relaxed);
                Ok(tough::Bytes::from(reply.body))
            }
            404 => Err(Failure::NotFound),
            status => Err(Failure::Other(format!("{}: HTTP {status}", reply.endpoint))),
        })
    }

    async fn fetch_from(&self, endpoint: &str, path: &str) -> Result<tough::Bytes, Failure> {
        let mut response = self
            .http
            .get(format!("{endpoint}{path}"))
            .send()
            .await
            .map_err(|e| Failure::Other(e.to_string()))?;
        self.traffic.requests.fetch_add(1, Ordering::Relaxed);
        match response.status().as_u16() {
            200 => {}
            404 => return Err(Failure::NotFound),
            status => return Err(Failure::Other(format!("HTTP {status}"))),
        }
        // Metadata is small; a target may be a counter build. Read no further than that,
        // whatever the length the answer announces (or not).
        let most = if path.starts_with(METADATA_PATH) {
            MAX_METADATA_BYTES
        } else {
            MAX_FILE_BYTES
        };
        let mut bytes = Vec::new();
        while let Some(chunk) = response
            .chunk()
            .await
            .map_err(|e| Failure::Other(e.to_string()))?
        {
            if bytes.len() + chunk.len() > most {
                return Err(Failure::Other(format!("over {most} bytes")));
            }
            bytes.extend_from_slice(&chunk);
        }
        let bytes = tough::Bytes::from(bytes);
        let length = u64::try_from(bytes.len()).unwrap_or(u64::MAX);
        self.traffic.body_bytes.fetch_add(length, Ordering::Relaxed);
        Ok(bytes)
    }
}
