//! The counter's identity at its vendor: a P-256 key of its own (made on first use, kept
//! owner-only beside the station's other keys) and the registration the vendor answered
//! when the counter enrolled with its one-time code. Both are files, so a counter enrolls
//! once and every later start signs with the same key.

use std::path::{Path, PathBuf};

use p256::ecdsa::SigningKey;
use p256::elliptic_curve::Generate;
use reqwest::Method;
use serde::{Deserialize, Serialize};

use super::{LinkError, VendorClient};
use crate::keys::key_file::{
    Placement, read_private_key, write_file_atomically, write_private_key,
};
use crate::private_files::private_dir;
use crate::protocol::signature::RequestSigner;
use crate::protocol::{RegisterCounterRequest, RegisterCounterResponse};

/// What the vendor said when this counter registered.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Registration {
    pub counter_id: String,
    pub account_id: String,
    pub license_number: u32,
    pub psd_ids: Vec<u32>,
    /// The registered location (empty in a registration saved before it was kept).
    #[serde(default)]
    pub location_zip: String,
}

pub fn key_path(data_dir: &Path) -> PathBuf {
    data_dir.join("keys").join("counter-link-key.pem")
}

pub fn registration_path(data_dir: &Path) -> PathBuf {
    data_dir.join("link").join("registration.json")
}

/// The counter's key, made on first use.
pub fn counter_key(data_dir: &Path) -> Result<SigningKey, LinkError> {
    let path = key_path(data_dir);
    if !path.exists() {
        if let Some(dir) = path.parent() {
            private_dir(dir).map_err(|e| LinkError::Local(format!("{}: {e}", dir.display())))?;
        }
        let key = SigningKey::generate_from_rng(&mut rand::rng());
        write_private_key(&path, &key).map_err(|e| LinkError::Local(e.to_string()))?;
    }
    read_private_key(&path).map_err(|e| LinkError::Local(e.to_string()))
}

/// The registration on file, if this counter has enrolled.
pub fn saved_registration(data_dir: &Path) -> Result<Option<Registration>, LinkError> {
    let path = registration_path(data_dir);
    match std::fs::read(&path) {
        Ok(bytes) => serde_json::from_slice(&bytes)
            .map(Some)
            .map_err(|e| LinkError::Local(format!("{}: {e}", path.display()))),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(LinkError::Local(format!("{}: {e}", path.display()))),
    }
}

/// The counter's signer: from the registration on file, else by enrolling now with
/// `enrollment_code` (a retry after a lost answer gets the same counter: the vendor keys
/// the code to this public key).
pub async fn signer(
    client: &VendorClient,
    data_dir: &Path,
    enrollment_code: &str,
    counter_name: &str,
) -> Result<(RequestSigner, Registration), LinkError> {
    let key = counter_key(data_dir)?;
    let registration = match saved_registration(data_dir)? {
        Some(registration) => registration,
        None => {
            if enrollment_code.trim().is_empty() {
                return Err(LinkError::Local(
                    "this counter is not registered with its vendor and link.enrollment_code is empty: ask the vendor's administrator for a code (postcounter admin counter-enroll)".into(),
                ));
            }
            let registration = register(client, &key, enrollment_code.trim(), counter_name).await?;
            save(data_dir, &registration)?;
            registration
        }
    };
    let signer = RequestSigner::new(&registration.counter_id, &key).map_err(LinkError::Local)?;
    Ok((signer, registration))
}

/// Registers `key` with the vendor under a one-time `enrollment_code`.
pub async fn register(
    client: &VendorClient,
    key: &SigningKey,
    enrollment_code: &str,
    counter_name: &str,
) -> Result<Registration, LinkError> {
    let request = RegisterCounterRequest {
        enrollment_code: enrollment_code.to_string(),
        name: counter_name.to_string(),
        public_key: crate::hex::encode(key.verifying_key().to_sec1_point(false).as_bytes()),
    };
    let answer: RegisterCounterResponse = client
        .call(Method::POST, "/contact/v1/counters", None, &request, None)
        .await?;
    Ok(Registration {
        counter_id: answer.counter_id,
        account_id: answer.account_id,
        license_number: answer.license_number,
        psd_ids: answer.psd_ids,
        location_zip: answer.location_zip,
    })
}

fn save(data_dir: &Path, registration: &Registration) -> Result<(), LinkError> {
    let path = registration_path(data_dir);
    if let Some(dir) = path.parent() {
        private_dir(dir).map_err(|e| LinkError::Local(format!("{}: {e}", dir.display())))?;
    }
    let text =
        serde_json::to_vec_pretty(registration).map_err(|e| LinkError::Local(e.to_string()))?;
    write_file_atomically(&path, &text, 0o600, Placement::Replace)
        .map_err(|e| LinkError::Local(e.to_string()))
}
