//! A retired embedded PSD's descending register given back to its account (claim 1's funds
//! telemetering, run backwards): authorized at the registers the counter reports once every
//! piece is reconciled, applied once by the PSD, and credited only on the PSD's signed
//! confirmation that its descending register is zero.

use p256::ecdsa::Signature;
use p256::ecdsa::signature::Verifier;

use crate::grants::WithdrawalAuthorization;
use crate::money::Money;
use crate::protocol::funds::withdrawal_text;
use crate::protocol::{WithdrawalConfirmation, WithdrawalRequest};
use crate::vendor_system::error::{RefusalKind, VendorError};
use crate::vendor_system::service::{Vendor, digest, parse_body};
use crate::vendor_system::store::void_refill::{Answer, RequestContext};
use crate::vendor_system::store::withdrawal::WithdrawalAsked;

impl Vendor {
    /// `POST /funds/v1/embedded-psds/{psd_id}/withdrawals`.
    pub async fn authorize_withdrawal(
        &self,
        context: RequestContext,
        key: String,
        psd_id: u32,
        body: &[u8],
    ) -> Result<Answer, VendorError> {
        let request: WithdrawalRequest = parse_body(body, "{\"registers\": {...}}")?;
        super::check_registers(&request.registers)?;
        let r = &request.registers;
        let asked = WithdrawalAsked {
            psd_id,
            control_total: Money::from_mills(r.control_total_mills),
            amount: Money::from_mills(r.descending_mills),
            piece_count: r.piece_count,
        };
        let issued_unix_ms = self.clock.now_unix_ms();
        let scope = format!("withdrawal {psd_id}");
        self.store
            .authorize_withdrawal(&context, &key, &digest(&scope, body), &asked, |asked| {
                self.with_root_signer(|signer| {
                    Ok(WithdrawalAuthorization {
                        psd_id: asked.psd_id,
                        control_total: asked.control_total,
                        descending: asked.amount,
                        issued_unix_ms,
                    }
                    .sign(signer))
                })
            })
            .await
    }

    /// `POST /funds/v1/embedded-psds/{psd_id}/withdrawals/confirmation`.
    pub async fn confirm_withdrawal(
        &self,
        context: RequestContext,
        key: String,
        psd_id: u32,
        body: &[u8],
    ) -> Result<Answer, VendorError> {
        let confirmation: WithdrawalConfirmation = parse_body(
            body,
            "{\"control_total_mills\": ..., \"signature\": \"...\"}",
        )?;
        let text = withdrawal_text(
            psd_id,
            confirmation.control_total_mills,
            confirmation.amount_mills,
            confirmation.piece_count,
        );
        let signature = crate::hex::decode(&confirmation.signature)
            .and_then(|bytes| Signature::from_slice(&bytes).ok())
            .ok_or_else(|| {
                VendorError::bad_request("signature is not accepted: 128 hex digits (r‖s)")
            })?;
        let certificates = self.store.psd_certificates(Some(&[psd_id])).await?;
        let signed_by_the_psd = certificates.iter().any(|certificate| {
            certificate
                .public_key
                .verify(text.as_bytes(), &signature)
                .is_ok()
        });
        if !signed_by_the_psd {
            return Err(VendorError::new(
                RefusalKind::Unauthenticated,
                format!("the confirmation is not signed by a key certified for PSD {psd_id}"),
            ));
        }
        let confirmed = WithdrawalAsked {
            psd_id,
            control_total: Money::from_mills(confirmation.control_total_mills),
            amount: Money::from_mills(confirmation.amount_mills),
            piece_count: confirmation.piece_count,
        };
        let scope = format!("withdrawal confirmation {psd_id}");
        let revoked_from = self.clock.today().add_days(1);
        let answer = self
            .store
            .confirm_withdrawal(
                &context,
                &key,
                &digest(&scope, body),
                &confirmed,
                revoked_from,
            )
            .await?;
        // The revocation is kept with the credit; the status list that publishes it is
        // signed now, or at the next start if this fails.
        if let Err(error) = self.status_list_in_step().await {
            log::error!("PSD {psd_id} retired, but no status list could be signed for it: {error}");
        }
        Ok(answer)
    }
}
