//! A counter as the vendor's API tests drive it: registered with its own P-256 key, it
//! signs each request (or sends one as given, tampered with or replayed) over plain HTTP
//! through reqwest, to its vendor or to another vendor process.

use serde_json::{Value, json};

use postcounter::clock::Clock;
use postcounter::protocol::signature::{RequestSigner, SignedRequest};

pub struct TestCounter {
    pub signer: RequestSigner,
    pub client: reqwest::Client,
    pub url: String,
    /// What its signatures' timestamps read.
    pub clock: Clock,
}

impl TestCounter {
    pub fn id(&self) -> &str {
        self.signer.counter_id()
    }

    /// The Authorization header for this request, signed now.
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
        };
        self.signer
            .authorization(&request, self.clock.now_unix_ms())
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
        let (status, text) = self
            .try_send_with(method, path, key, body, authorization)
            .await
            .unwrap();
        (
            status,
            serde_json::from_str(&text).unwrap_or(Value::String(text)),
        )
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

    /// [`send_with`](Self::send_with) for a vendor that may die mid-request: a transport
    /// failure is an `Err` (the answer, if there was one, is lost), and the body is the text
    /// exactly as the vendor sent it, so a retry's answer can be compared byte for byte.
    pub async fn try_send_with(
        &self,
        method: &str,
        path: &str,
        key: Option<&str>,
        body: &[u8],
        authorization: Option<&str>,
    ) -> Result<(u16, String), reqwest::Error> {
        self.try_send_to(&self.url, method, path, key, body, authorization)
            .await
    }

    /// [`try_send_with`](Self::try_send_with) to the vendor at `url`.
    async fn try_send_to(
        &self,
        url: &str,
        method: &str,
        path: &str,
        key: Option<&str>,
        body: &[u8],
        authorization: Option<&str>,
    ) -> Result<(u16, String), reqwest::Error> {
        let method = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
        let mut request = self
            .client
            .request(method, format!("{url}{path}"))
            .body(body.to_vec());
        if let Some(key) = key {
            request = request.header("Idempotency-Key", key);
        }
        if let Some(authorization) = authorization {
            request = request.header("Authorization", authorization);
        }
        let response = request.send().await?;
        let status = response.status().as_u16();
        Ok((status, response.text().await?))
    }

    /// A signed request that may fail in transport; see [`try_send_with`](Self::try_send_with).
    pub async fn try_send(
        &self,
        method: &str,
        path: &str,
        key: Option<&str>,
        body: &[u8],
    ) -> Result<(u16, String), reqwest::Error> {
        let authorization = self.authorization(method, path, key, body);
        self.try_send_with(method, path, key, body, Some(&authorization))
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
        let authorization = self.authorization(method, path, key, body);
        self.send_with(method, path, key, body, Some(&authorization))
            .await
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
        let path = "/postage/v1/purchases";
        let authorization = self.authorization("POST", path, Some(key), body.as_bytes());
        self.try_send_to(
            url,
            "POST",
            path,
            Some(key),
            body.as_bytes(),
            Some(&authorization),
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
