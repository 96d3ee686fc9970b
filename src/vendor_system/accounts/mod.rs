//! Accounts and their counters: a counter's registration with its one-time enrollment code.

use super::error::VendorError;
use super::service::{Vendor, parse_body};
use super::validate;
use crate::protocol::signature;
use crate::protocol::{RegisterCounterRequest, RegisterCounterResponse};

impl Vendor {
    /// `POST /contact/v1/counters`: unauthenticated but for the one-time code.
    pub async fn register_counter(
        &self,
        body: &[u8],
    ) -> Result<RegisterCounterResponse, VendorError> {
        let request: RegisterCounterRequest = parse_body(
            body,
            "{\"enrollment_code\": \"...\", \"name\": \"...\", \"public_key\": \"04...\"}",
        )?;
        let public_key = crate::hex::decode(&request.public_key)
            .filter(|key| key.len() == 65 && signature::is_valid_public_key(key))
            .ok_or_else(|| {
                VendorError::bad_request(format!(
                    "public_key {:?} is not accepted: a P-256 public key, SEC1 uncompressed (65 bytes, 130 hex digits)",
                    validate::shown(&request.public_key)
                ))
            })?;
        let name = request.name.trim();
        if name.is_empty() || name.chars().count() > 60 || name.chars().any(char::is_control) {
            return Err(VendorError::bad_request(format!(
                "name {:?} is not accepted: 1 to 60 printable characters",
                validate::shown(&request.name)
            )));
        }
        let counter_id = signature::counter_id_for_key(&public_key);
        let counter = self
            .store
            .register_counter(
                &request.enrollment_code,
                &counter_id,
                name,
                &public_key,
                self.clock.now_unix_ms(),
            )
            .await?;
        let psd_ids = self
            .store
            .psds_of_account(&counter.account_id)
            .await?
            .iter()
            .map(|psd| psd.psd_id)
            .collect();
        Ok(RegisterCounterResponse {
            counter_id: counter.counter_id,
            account_id: counter.account_id,
            license_number: self.settings.license_number,
            psd_ids,
            location_zip: counter.location_zip,
        })
    }
}
