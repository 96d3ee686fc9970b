//! A man in the middle of the link, at the HTTP level: a server the counter takes for its
//! data centre, which forwards every request to the real one, writes both ways down (what a
//! wiretap on a plain-HTTP hop, or a relay that terminates TLS, would read), and can alter
//! the answers on their way back as an attacker on that hop would.

use std::sync::{Arc, Mutex};

use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, Method, Uri};
use axum::response::Response;
use tokio::net::TcpListener;

use postcounter::protocol::security::{ANSWER_SIGNATURE_HEADER, SERVICE_KEYS_PATH};

/// What the man in the middle does to the answers of the data centre's services.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tamper {
    Nothing,
    /// The body altered so it still reads: a digit of a JSON body counted up (an amount,
    /// a register), else one bit flipped (a sealed body).
    AlterAnswer,
    /// The answer's signature taken off.
    StripSignature,
    /// The answer to the previous request to the same path given instead (the new request
    /// still reaches the data centre).
    ReplayEarlierAnswer,
    /// A sealed answer passed off as plain JSON.
    UnsealAnswer,
    /// The next purchase is carried to the data centre, its answer thrown away, and a copy
    /// with one bit of its body flipped sent after it: the copy's refusal is given instead.
    RefuseACopy,
    /// The same with a byte-for-byte copy: its refusal (`replayed`) is given instead.
    ReplayACopy,
    /// Every purchase is carried, and answered with a plain 503 instead of its answer.
    Unavailable,
}

const PURCHASES: &str = "/postage/v1/purchases";

/// The last answer to each path, kept to be given back later.
type KeptAnswers = Arc<Mutex<Vec<(String, Response<Bytes>)>>>;

#[derive(Clone)]
struct Shared {
    upstream: String,
    client: reqwest::Client,
    tamper: Arc<Mutex<Tamper>>,
    heard: Arc<Mutex<Vec<u8>>>,
    earlier: KeptAnswers,
}

pub struct Intercept {
    pub url: String,
    shared: Shared,
}

impl Intercept {
    pub async fn start(upstream: &str) -> Intercept {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let shared = Shared {
            upstream: upstream.to_string(),
            client: reqwest::Client::new(),
            tamper: Arc::new(Mutex::new(Tamper::Nothing)),
            heard: Arc::new(Mutex::new(Vec::new())),
            earlier: Arc::new(Mutex::new(Vec::new())),
        };
        let router = axum::Router::new()
            .fallback(forward)
            .with_state(shared.clone());
        tokio::spawn(async move { axum::serve(listener, router).await });
        Intercept { url, shared }
    }

    pub fn set(&self, tamper: Tamper) {
        *self.shared.tamper.lock().unwrap() = tamper;
    }

    /// Everything heard so far, both ways, as text (bodies lossily).
    pub fn heard(&self) -> String {
        String::from_utf8_lossy(&self.shared.heard.lock().unwrap()).to_string()
    }
}

fn note(heard: &Mutex<Vec<u8>>, start: &str, headers: &HeaderMap, body: &[u8]) {
    let mut heard = heard.lock().unwrap();
    heard.extend_from_slice(start.as_bytes());
    heard.push(b'\n');
    for (name, value) in headers {
        heard.extend_from_slice(format!("{name}: ").as_bytes());
        heard.extend_from_slice(value.as_bytes());
        heard.push(b'\n');
    }
    heard.extend_from_slice(body);
    heard.extend_from_slice(b"\n\n");
}

async fn forward(
    State(shared): State<Shared>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let path = uri.path().to_string();
    note(&shared.heard, &format!("{method} {uri}"), &headers, &body);
    let tamper = *shared.tamper.lock().unwrap();
    let send = |body: Bytes| {
        let mut request = shared
            .client
            .request(method.clone(), format!("{}{uri}", shared.upstream))
            .body(body);
        for (name, value) in &headers {
            if name != "host" && name != "content-length" {
                request = request.header(name, value);
            }
        }
        request.send()
    };
    let mut answer = send(body.clone()).await.unwrap();
    if path == PURCHASES {
        let copy = match tamper {
            Tamper::RefuseACopy => {
                let mut flipped = body.to_vec();
                let middle = flipped.len() / 2;
                flipped[middle] ^= 0x01;
                Some(Bytes::from(flipped))
            }
            Tamper::ReplayACopy => Some(body.clone()),
            Tamper::Unavailable => {
                return Response::builder()
                    .status(503)
                    .body(Body::from(
                        r#"{"error":{"kind":"unavailable","message":"try later"}}"#,
                    ))
                    .unwrap();
            }
            _ => None,
        };
        if let Some(copy) = copy {
            // One shot: the station's next attempt passes.
            *shared.tamper.lock().unwrap() = Tamper::Nothing;
            answer = send(copy).await.unwrap();
        }
    }
    let mut built = Response::builder().status(answer.status());
    for (name, value) in answer.headers() {
        if name != "content-length" && name != "transfer-encoding" {
            built = built.header(name, value);
        }
    }
    let body = answer.bytes().await.unwrap();
    let mut fresh = built.body(body).unwrap();
    note(
        &shared.heard,
        &format!("-> {}", fresh.status()),
        fresh.headers(),
        fresh.body(),
    );
    let tamper = *shared.tamper.lock().unwrap();
    if path != SERVICE_KEYS_PATH {
        fresh = altered(&shared, &path, fresh, tamper);
    }
    fresh.map(Body::from)
}

fn altered(
    shared: &Shared,
    path: &str,
    mut answer: Response<Bytes>,
    tamper: Tamper,
) -> Response<Bytes> {
    match tamper {
        Tamper::Nothing | Tamper::RefuseACopy | Tamper::ReplayACopy | Tamper::Unavailable => {}
        Tamper::AlterAnswer => {
            let mut body = answer.body().to_vec();
            let json = serde_json::from_slice::<serde_json::Value>(&body).is_ok();
            let at = match json {
                true => body.iter().position(|b| (b'0'..=b'8').contains(b)),
                false => Some(body.len() / 2),
            };
            if let Some(byte) = at.and_then(|at| body.get_mut(at)) {
                *byte = if json { *byte + 1 } else { *byte ^ 0x01 };
            }
            *answer.body_mut() = Bytes::from(body);
        }
        Tamper::StripSignature => {
            answer.headers_mut().remove(ANSWER_SIGNATURE_HEADER);
        }
        Tamper::UnsealAnswer => {
            answer
                .headers_mut()
                .insert("content-type", HeaderValue::from_static("application/json"));
        }
        Tamper::ReplayEarlierAnswer => {
            let mut earlier = shared.earlier.lock().unwrap();
            let kept = clone_answer(&answer);
            let previous = earlier.iter().position(|(p, _)| p == path);
            match previous {
                Some(at) => {
                    let (_, old) = std::mem::replace(&mut earlier[at], (path.to_string(), kept));
                    return old;
                }
                None => earlier.push((path.to_string(), kept)),
            }
        }
    }
    answer
}

fn clone_answer(answer: &Response<Bytes>) -> Response<Bytes> {
    let mut copy = Response::builder().status(answer.status());
    for (name, value) in answer.headers() {
        copy = copy.header(name, value);
    }
    copy.body(answer.body().clone()).unwrap()
}
