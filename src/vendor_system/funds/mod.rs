//! The funds service: a PSD's registers and the account's balance, and refills of a central
//! PSD from its account.

use super::error::VendorError;
use super::service::{Vendor, digest, parse_body};
use super::store::void_refill::{Answer, RequestContext};
use crate::money::Money;
use crate::protocol::{RefillRequest, RegistersResponse};

impl Vendor {
    /// `POST /v1/psds/{psd_id}/refills`.
    pub async fn refill(
        &self,
        context: RequestContext,
        key: String,
        psd_id: u32,
        body: &[u8],
    ) -> Result<Answer, VendorError> {
        let request: RefillRequest = parse_body(body, "{\"amount_mills\": 100000}")?;
        let scope = format!("refill {psd_id}");
        self.store
            .refill_psd(
                &context,
                &key,
                &digest(&scope, body),
                psd_id,
                Money::from_mills(request.amount_mills),
            )
            .await
    }

    /// `GET /v1/psds/{psd_id}/registers`.
    pub async fn registers(
        &self,
        context: RequestContext,
        psd_id: u32,
    ) -> Result<RegistersResponse, VendorError> {
        self.store.read_registers(&context, psd_id).await
    }
}
