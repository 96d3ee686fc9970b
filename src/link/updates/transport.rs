//! How tough reaches the data centre's repository: a [`tough::Transport`] over the link's
//! HTTP client that sends a path to each Internet endpoint in turn. tough builds its URLs on
//! [`BASE`], whose `.invalid` host is never resolved: only the path is sent. A 404 from every
//! endpoint is "no such file" (how TUF learns there is no newer root); anything else that is
//! not a 200 is a failure of that endpoint, and the next is tried. Metadata is read whole;
//! a target streams as it comes, each wait bounded by the link's timeout. When no endpoint
//! answers, metadata and rate files come over the link's backup modem, like any request
//! (see [`crate::link::client::VendorClient::get_by_modem`]), and the rest of the check
//! follows them there (TUF checks what the line carried as it checks what TLS carried); a
//! build waits for the Internet.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

use futures_util::stream;
use reqwest::Url;
use tough::{Transport, TransportError, TransportErrorKind, TransportStream};

use crate::link::VendorClient;
use crate::protocol::updates::{METADATA_PATH, RATES_PREFIX, TARGETS_PATH};

/// The base tough joins the repository's paths to.
pub const BASE: &str = "https://data-centre.invalid";

/// The most one target may be: a counter build is some tens of MB.
const MAX_FILE_BYTES: usize = 256 * 1024 * 1024;
/// The longest a target's download may take in all: a build over a slow line.
const TARGET_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(3 * 3600);
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
    /// The longest wait for the next chunk of a target (the link's timeout).
    pub idle: std::time::Duration,
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
            match self.fetch_from_endpoints(&path).await {
                Ok(fetched) => return Ok(fetched.into_stream()),
                Err(Failure::NotFound) => return Err(not_found(path)),
                Err(Failure::Other(why)) => failures.push(why),
            }
        }
        // Metadata and rate files only: a build, tens of megabytes, waits for the Internet.
        let by_modem = if modem_may_carry(&path) {
            self.fetch_by_modem(&path).await
        } else {
            None
        };
        match by_modem {
            Some(Ok(bytes)) => return Ok(Fetched::Whole(bytes).into_stream()),
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

/// Whether the modem may carry `path`: the repository's metadata and its rate files.
fn modem_may_carry(path: &str) -> bool {
    if path.starts_with(METADATA_PATH) {
        return true;
    }
    // `<sha256>.<target name>`
    path.strip_prefix(TARGETS_PATH)
        .and_then(|file| file.split_once('.'))
        .is_some_and(|(_, name)| name.starts_with(RATES_PREFIX))
}

/// A file as an endpoint served it.
enum Fetched {
    /// Read whole (metadata; anything over the modem).
    Whole(tough::Bytes),
    /// Coming as it is read (a target over the Internet).
    Streaming(TransportStream),
}

impl Fetched {
    fn into_stream(self) -> TransportStream {
        match self {
            Fetched::Whole(bytes) => {
                let item: Result<tough::Bytes, TransportError> = Ok(bytes);
                Box::pin(stream::once(async move { item }))
            }
            Fetched::Streaming(stream) => stream,
        }
    }
}

fn not_found(path: String) -> TransportError {
    TransportError::new(TransportErrorKind::FileNotFound, path)
}

/// No endpoint served a file: the cause tough's error carries when the repository could
/// not be reached at all (as opposed to a file that came and did not verify).
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct EndpointsFailed(String);

/// What an endpoint served that no TUF file can be (too long): refused, not retried as a
/// network failure.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct ServedWrongly(String);

enum Failure {
    NotFound,
    Other(String),
}

impl EndpointTransport {
    /// `path` from the first Internet endpoint that has it; `NotFound` when every one
    /// answered that it has not.
    async fn fetch_from_endpoints(&self, path: &str) -> Result<Fetched, Failure> {
        let (mut not_found, mut failures) = (0, Vec::new());
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

    async fn fetch_from(&self, endpoint: &str, path: &str) -> Result<Fetched, Failure> {
        let metadata = path.starts_with(METADATA_PATH);
        let mut request = self.http.get(format!("{endpoint}{path}"));
        if !metadata {
            // A build takes as long as the line needs: the link's timeout (for a purchase)
            // bounds each wait for the next chunk instead.
            request = request.timeout(TARGET_TIMEOUT);
        }
        // The answer's head within the link's timeout, whatever its body may take.
        let mut response = tokio::time::timeout(self.idle, request.send())
            .await
            .map_err(|_| Failure::Other(format!("no answer in {:?}", self.idle)))?
            .map_err(|e| Failure::Other(e.to_string()))?;
        self.traffic.requests.fetch_add(1, Ordering::Relaxed);
        match response.status().as_u16() {
            200 => {}
            404 => return Err(Failure::NotFound),
            status => return Err(Failure::Other(format!("HTTP {status}"))),
        }
        if !metadata {
            return Ok(Fetched::Streaming(self.body_stream(response, path)));
        }
        // Metadata is small: read whole (no further than its limit, whatever the length the
        // answer announces, or not), so a failure mid-way tries the next endpoint.
        let mut bytes = Vec::new();
        while let Some(chunk) = response
            .chunk()
            .await
            .map_err(|e| Failure::Other(e.to_string()))?
        {
            if bytes.len() + chunk.len() > MAX_METADATA_BYTES {
                return Err(Failure::Other(format!("over {MAX_METADATA_BYTES} bytes")));
            }
            bytes.extend_from_slice(&chunk);
        }
        let length = u64::try_from(bytes.len()).unwrap_or(u64::MAX);
        self.traffic.body_bytes.fetch_add(length, Ordering::Relaxed);
        Ok(Fetched::Whole(tough::Bytes::from(bytes)))
    }

    /// A target's body as it comes, chunk by chunk: no more than [`MAX_FILE_BYTES`], and no
    /// wait for a chunk longer than the link's timeout. A failure mid-way is the network's
    /// (the check is tried again at the next contact); tough checks what came.
    fn body_stream(&self, response: reqwest::Response, path: &str) -> TransportStream {
        let (traffic, idle, path) = (self.traffic.clone(), self.idle, path.to_string());
        let chunks = stream::unfold(Some((response, 0usize)), move |state| {
            let (traffic, path) = (traffic.clone(), path.clone());
            async move {
                let (mut response, read) = state?;
                let failed = |why: String| {
                    let error = TransportError::new_with_cause(
                        TransportErrorKind::Other,
                        path.clone(),
                        EndpointsFailed(why),
                    );
                    Some((Err(error), None))
                };
                let chunk = match tokio::time::timeout(idle, response.chunk()).await {
                    Err(_) => return failed(format!("nothing came for {idle:?}")),
                    Ok(Err(e)) => return failed(e.to_string()),
                    Ok(Ok(None)) => return None,
                    Ok(Ok(Some(chunk))) => chunk,
                };
                let read = read + chunk.len();
                if read > MAX_FILE_BYTES {
                    // Served, and wrong: not the network's failure.
                    let why = ServedWrongly(format!("over {MAX_FILE_BYTES} bytes"));
                    let error =
                        TransportError::new_with_cause(TransportErrorKind::Other, path, why);
                    return Some((Err(error), None));
                }
                let length = u64::try_from(chunk.len()).unwrap_or(u64::MAX);
                traffic.body_bytes.fetch_add(length, Ordering::Relaxed);
                Some((Ok(chunk), Some((response, read))))
            }
        });
        Box::pin(chunks)
    }
}
