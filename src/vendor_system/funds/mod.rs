//! The funds service (funds telemetering): a PSD's registers and the account's balance,
//! refills of a central PSD from its account, and refills of an embedded PSD, which only the
//! data centre can make: it charges the account and answers a signed refill authorization
//! bound to the PSD, the control total its counter reported and the counter's refill id,
//! which the PSD credits once.

mod pending;
mod withdrawal;

use super::error::VendorError;
use super::service::{Vendor, digest, parse_body};
use super::store::embedded::EmbeddedRefill;
use super::store::void_refill::{Answer, RequestContext};
use super::validate;
use crate::grants::RefillAuthorization;
use crate::grants::refill::refill_digest;
use crate::money::Money;
use crate::protocol::{EmbeddedRefillRequest, RefillRequest, RegistersResponse};

/// The longest refill id a counter may choose.
pub const REFILL_ID_MAX_CHARS: usize = 64;

impl Vendor {
    /// `POST /funds/v1/psds/{psd_id}/refills`.
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

    /// `GET /postage/v1/psds/{psd_id}/registers`.
    pub async fn registers(
        &self,
        context: RequestContext,
        psd_id: u32,
    ) -> Result<RegistersResponse, VendorError> {
        self.store.read_registers(&context, psd_id).await
    }

    /// `POST /funds/v1/embedded-psds/{psd_id}/refills`: a refill authorization for the counter's
    /// embedded PSD, charged to its account once per refill id.
    pub async fn refill_embedded(
        &self,
        context: RequestContext,
        key: String,
        psd_id: u32,
        body: &[u8],
    ) -> Result<Answer, VendorError> {
        let request: EmbeddedRefillRequest = parse_body(
            body,
            "{\"refill_id\": \"...\", \"amount_mills\": 100000, \"registers\": {...}}",
        )?;
        validate::printable_id("refill_id", &request.refill_id, REFILL_ID_MAX_CHARS)?;
        let registers = &request.registers;
        check_registers(registers)?;
        let refill = EmbeddedRefill {
            psd_id,
            refill_id: &request.refill_id,
            amount: Money::from_mills(request.amount_mills),
            control_total: Money::from_mills(registers.control_total_mills),
        };
        let issued_unix_ms = self.clock.now_unix_ms();
        let scope = format!("embedded refill {psd_id}");
        self.store
            .refill_embedded_psd(&context, &key, &digest(&scope, body), &refill, |refill| {
                self.with_root_signer(|signer| {
                    Ok(RefillAuthorization {
                        psd_id: refill.psd_id,
                        refill_digest: refill_digest(refill.refill_id),
                        control_total_before: refill.control_total,
                        amount: refill.amount,
                        issued_unix_ms,
                    }
                    .sign(signer))
                })
            })
            .await
    }
}

/// Refuses registers a PSD could not hold: negative, or AR + DR not the control total.
pub(super) fn check_registers(
    registers: &crate::protocol::ReportedRegisters,
) -> Result<(), VendorError> {
    let consistent = registers.ascending_mills >= 0
        && registers.descending_mills >= 0
        && registers
            .ascending_mills
            .checked_add(registers.descending_mills)
            == Some(registers.control_total_mills);
    if consistent {
        return Ok(());
    }
    Err(VendorError::bad_request(format!(
        "registers AR {} + DR {} do not make the control total {}: the PSD's registers are reported as they are",
        registers.ascending_mills, registers.descending_mills, registers.control_total_mills
    )))
}
