//! A counter as the vendor's API tests drive it: registered with its own P-256 key, it
//! signs each request (or sends one as given, tampered with or replayed) over plain HTTP
//! through reqwest, to its vendor or to another vendor process. Each request goes at its
//! service's level of security (sealed where the level encrypts, or a card is carried), and
//! every answer whose level is signed is checked against the data centre's answer key.

use std::sync::Arc;

use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use postcounter::clock::Clock;
use postcounter::grants::ServiceKeys;
use postcounter::protocol::keys::ServiceKeysResponse;
use postcounter::protocol::sealing::{AnswerKey, Sealing};
use postcounter::protocol::security::{
    ANSWER_SIGNATURE_HEADER, AnsweredRequest, SEAL_HEADER, SERVICE_KEYS_PATH, SignedAnswer,
    level_of, must_seal,
};
use postcounter::protocol::signature::{RequestSigner, SignedRequest};

pub struct TestCounter {
    pub signer: RequestSigner,
    pub client: reqwest::Client,
    pub url: String,
    /// What its signatures' timestamps read.
    pub clock: Clock,
    /// The data centre's service keys, as fetched when it enrolled.
    pub keys: Arc<ServiceKeys>,
}

/// The data centre's service keys at `url`, checked against the roots its answer names.
pub async fn service_keys(client: &reqwest::Client, url: &str) -> Arc<ServiceKeys> {
    let answer: ServiceKeysResponse = client
        .get(format!("{url}{SERVICE_KEYS_PATH}"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let roots = answer.roots().unwrap();
    let now = Clock::system().now_unix_ms();
    Arc::new(postcounter::link::client::open_announcement(&answer, &roots, now).unwrap())
}

/// A request as it goes on the wire, at its level: its body sealed when it must be.
pub struct Prepared {
    pub method: String,
    pub path: String,
    pub key: Option<String>,
    pub plain: Vec<u8>,
    pub seal: Option<String>,
    pub wire: Vec<u8>,
    answer_key: Option<AnswerKey>,
}

impl Prepared {
    pub fn new(
        keys: &ServiceKeys,
        method: &str,
        path: &str,
        key: Option<&str>,
        body: &[u8],
    ) -> Prepared {
        let plain = SignedRequest {
            method,
            path,
            idempotency_key: key,
            body,
            seal: None,
        };
        let (seal, wire, answer_key) = if must_seal(&plain) {
            let mut sealing = Sealing::begin(&keys.payload_key).unwrap();
            let wire = sealing.seal(body).unwrap();
            let header = sealing.header().to_string();
            let answer_key = sealing.answer_key().clone();
            (Some(header), wire, Some(answer_key))
        } else {
            (None, body.to_vec(), None)
        };
        Prepared {
            method: method.into(),
            path: path.into(),
            key: key.map(str::to_string),
            plain: body.to_vec(),
            seal,
            wire,
            answer_key,
        }
    }

    /// `body` to `path` in clear whatever its level: what a downgrading client sends.
    pub fn plain(method: &str, path: &str, key: Option<&str>, body: &[u8]) -> Prepared {
        Prepared {
            method: method.into(),
            path: path.into(),
            key: key.map(str::to_string),
            plain: body.to_vec(),
            seal: None,
            wire: body.to_vec(),
            answer_key: None,
        }
    }

    /// What its signature covers.
    pub fn signed(&self) -> SignedRequest<'_> {
        SignedRequest {
            method: &self.method,
            path: &self.path,
            idempotency_key: self.key.as_deref(),
            body: &self.plain,
            seal: self.seal.as_deref(),
        }
    }

    /// Sends it to `url` with `authorization`: the answer's status and text, its signature
    /// checked (a test fails on an answer below its level) and its body opened.
    pub async fn send(
        &self,
        client: &reqwest::Client,
        keys: &ServiceKeys,
        url: &str,
        authorization: Option<&str>,
    ) -> Result<(u16, String), reqwest::Error> {
        let method = reqwest::Method::from_bytes(self.method.as_bytes()).unwrap();
        let mut request = client
            .request(method, format!("{url}{}", self.path))
            .body(self.wire.clone());
        if let Some(key) = &self.key {
            request = request.header("Idempotency-Key", key);
        }
        if let Some(seal) = &self.seal {
            request = request.header(SEAL_HEADER, seal);
        }
        if let Some(authorization) = authorization {
            request = request.header("Authorization", authorization);
        }
        let response = request.send().await?;
        let status = response.status().as_u16();
        let header = |name: &str| {
            response
                .headers()
                .get(name)
                .map(|v| v.to_str().unwrap().to_string())
        };
        let (signature, agenda, content_type) = (
            header(ANSWER_SIGNATURE_HEADER),
            header(postcounter::protocol::agenda::AGENDA_HEADER),
            header("content-type"),
        );
        let wire = response.bytes().await?.to_vec();
        let level = level_of(&self.path);
        let signature = signature.unwrap_or_default();
        // An answer in a session is MACed under the session's key, which these raw requests
        // do not keep: the link's own tests check those (`security_levels.rs`).
        let in_session = signature.starts_with("PC1SA ");
        if level.is_some_and(|level| level.signs_answers()) && !in_session {
            assert!(!signature.is_empty(), "an unsigned {status} answer");
            let sent = AnsweredRequest {
                method: &self.method,
                path_and_query: &self.path,
                idempotency_key: self.key.as_deref().unwrap_or(""),
                authorization: authorization.unwrap_or(""),
                seal: self.seal.as_deref().unwrap_or(""),
                station: "",
                body_sha256: Sha256::digest(&self.wire).into(),
            };
            SignedAnswer {
                status,
                request: sent.digest(),
                agenda: agenda.as_deref().unwrap_or(""),
                body: &wire,
            }
            .verify(&signature, keys.key_id, &keys.answer_key, None)
            .unwrap();
        }
        let body = match (&self.answer_key, content_type.as_deref()) {
            (Some(key), Some("application/postcounter-sealed")) => key.open(&wire).unwrap(),
            _ => wire,
        };
        Ok((status, String::from_utf8(body).unwrap()))
    }
}

impl TestCounter {
    pub fn id(&self) -> &str {
        self.signer.counter_id()
    }

    /// `body` to `path` as it goes on the wire, at its level.
    pub fn prepare(&self, method: &str, path: &str, key: Option<&str>, body: &[u8]) -> Prepared {
        Prepared::new(&self.keys, method, path, key, body)
    }

    /// The Authorization header for `prepared`, signed now.
    pub fn sign(&self, prepared: &Prepared) -> String {
        self.signer
            .authorization(&prepared.signed(), self.clock.now_unix_ms())
    }

    /// The Authorization header for this request, signed now (for a service that does not
    /// encrypt: one that does covers the seal too, see [`Self::sign`]).
    pub fn authorization(
        &self,
        method: &str,
        path: &str,
        key: Option<&str>,
        body: &[u8],
    ) -> String {
        let request = SignedRequest {
            method,
            path,
            idempotency_key: key,
            body,
            seal: None,
        };
        self.signer
            .authorization(&request, self.clock.now_unix_ms())
    }

    /// Sends `prepared` with `authorization`, the answer's JSON.
    pub async fn send_prepared(
        &self,
        prepared: &Prepared,
        authorization: Option<&str>,
    ) -> (u16, Value) {
        let (status, text) = prepared
            .send(&self.client, &self.keys, &self.url, authorization)
            .await
            .unwrap();
        (
            status,
            serde_json::from_str(&text).unwrap_or(Value::String(text)),
        )
    }

    /// Sends a request with the given Authorization header (signed or tampered with).
    pub async fn send_with(
        &self,
        method: &str,
        path: &str,
        key: Option<&str>,
        body: &[u8],
        authorization: Option<&str>,
    ) -> (u16, Value) {
        self.send_prepared(&self.prepare(method, path, key, body), authorization)
            .await
    }

    /// A purchase of `body` under `key` with the given Authorization header.
    pub async fn purchase_with(
        &self,
        key: &str,
        body: &str,
        authorization: Option<&str>,
    ) -> (u16, Value) {
        self.send_with(
            "POST",
            "/postage/v1/purchases",
            Some(key),
            body.as_bytes(),
            authorization,
        )
        .await
    }

    /// A signed request that may fail in transport; a transport failure is an `Err`, and the
    /// body is the text exactly as the vendor sent it (opened, when sealed), so a retry's
    /// answer can be compared byte for byte.
    pub async fn try_send(
        &self,
        method: &str,
        path: &str,
        key: Option<&str>,
        body: &[u8],
    ) -> Result<(u16, String), reqwest::Error> {
        self.try_send_to(&self.url, method, path, key, body).await
    }

    pub async fn try_send_to(
        &self,
        url: &str,
        method: &str,
        path: &str,
        key: Option<&str>,
        body: &[u8],
    ) -> Result<(u16, String), reqwest::Error> {
        let prepared = self.prepare(method, path, key, body);
        let authorization = self.sign(&prepared);
        prepared
            .send(&self.client, &self.keys, url, Some(&authorization))
            .await
    }

    /// A signed request.
    pub async fn send(
        &self,
        method: &str,
        path: &str,
        key: Option<&str>,
        body: &[u8],
    ) -> (u16, Value) {
        let prepared = self.prepare(method, path, key, body);
        let authorization = self.sign(&prepared);
        self.send_prepared(&prepared, Some(&authorization)).await
    }

    pub async fn post(&self, path: &str, key: &str, body: &Value) -> (u16, Value) {
        self.send("POST", path, Some(key), body.to_string().as_bytes())
            .await
    }

    pub async fn buy(&self, key: &str, pieces: Vec<Value>) -> (u16, Value) {
        self.post("/postage/v1/purchases", key, &json!({ "pieces": pieces }))
            .await
    }

    /// [`buy`](Self::buy) at the vendor at `url`, the answer's text exactly as sent.
    pub async fn buy_at(&self, url: &str, key: &str, pieces: Vec<Value>) -> (u16, String) {
        let body = json!({ "pieces": pieces }).to_string();
        self.try_send_to(
            url,
            "POST",
            "/postage/v1/purchases",
            Some(key),
            body.as_bytes(),
        )
        .await
        .unwrap()
    }

    pub async fn registers(&self, psd_id: u32) -> (u16, Value) {
        self.send(
            "GET",
            &format!("/postage/v1/psds/{psd_id}/registers"),
            None,
            b"",
        )
        .await
    }
}
