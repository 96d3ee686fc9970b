//! A counter's registration with its data centre and the opening of a session.

use serde::{Deserialize, Serialize};

/// `POST /contact/v1/counters`: a counter registers its public key with a one-time enrollment code.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RegisterCounterRequest {
    pub enrollment_code: String,
    pub name: String,
    /// The counter's P-256 public key, SEC1 uncompressed (65 bytes), hex.
    pub public_key: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RegisterCounterResponse {
    pub counter_id: String,
    pub account_id: String,
    pub license_number: u32,
    pub psd_ids: Vec<u32>,
    /// The counter's registered location (set by the administrator at enrollment): the
    /// origin ZIP of every piece it buys, which the counter quotes from too.
    #[serde(default)]
    pub location_zip: String,
}

/// `POST /contact/v1/sessions`, signed with the counter's key: the counter's half of a session key.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OpenSessionRequest {
    /// A fresh P-256 public key for this session only, SEC1 uncompressed (65 bytes), hex.
    pub ephemeral_public_key: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OpenSessionResponse {
    /// 16 bytes, hex: names the session in each request's `Authorization` header.
    pub session_id: String,
    /// The vendor's ephemeral public key for this session, SEC1 uncompressed, hex.
    pub ephemeral_public_key: String,
    pub expires_unix_ms: i64,
}
