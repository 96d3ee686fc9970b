//! `GET /contact/v1/health`: unauthenticated; the data centre is its stations' time authority.

use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Health {
    pub status: String,
    pub store: String,
    pub license_number: u32,
    pub processing_servers: u32,
    pub time_unix_ms: i64,
    pub version: String,
}
