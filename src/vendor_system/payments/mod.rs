//! The payments service (claim 6): a counter's card is sent to the data centre, which
//! validates the user (an active counter) and the card (its number,
//! expiry and the issuer's approval through the data centre's gateway) before the counter
//! issues anything for the sale. The payment is credited to the counter's account, whose
//! postage the counter then buys as for any sale; what was not issued is refunded from the
//! account to the card.
//!
//! A charge is made once per charge id (the gateway is idempotent by it) and its answer is
//! stored under the request's idempotency key with the account's credit; a refund is
//! recorded with the account's debit before the gateway is asked, and one the gateway did
//! not confirm is asked again at the next refund and at every start.

use super::error::{RefusalKind, VendorError};
use super::service::{Vendor, digest, parse_body};
use super::store::void_refill::{Answer, RequestContext};
use super::validate;
use crate::money::Money;
use crate::protocol::{CardPaymentRequest, CardRefundRequest};

/// The most characters of a counter's charge or refund id.
const ID_MAX_CHARS: usize = 64;

fn checked_id(what: &str, id: &str) -> Result<(), VendorError> {
    validate::printable_id(what, id, ID_MAX_CHARS)
}

/// The gateway's id of counter `counter_id`'s charge `charge_id`: ids are per counter.
fn payment_id(counter_id: &str, charge_id: &str) -> String {
    format!("{counter_id}:card:{charge_id}")
}

impl Vendor {
    /// `POST /accounts/v1/card-payments`: validates the counter and the card and charges it.
    pub async fn card_payment(
        &self,
        context: RequestContext,
        key: String,
        body: &[u8],
    ) -> Result<Answer, VendorError> {
        let request: CardPaymentRequest = parse_body(
            body,
            "{\"charge_id\": \"...\", \"card\": {\"number\": \"...\", \"expiry\": \"MM/YY\", \"holder\": \"\"}, \"amount_mills\": 1560}",
        )?;
        checked_id("charge_id", &request.charge_id)?;
        let amount = Money::from_mills(request.amount_mills);
        validate::transfer_amount("card payment", amount)?;
        let request_sha256 = digest("card payment", body);
        // A retry is answered as the first time, without asking the gateway again.
        if let Some(answer) = self
            .store
            .stored_answer(&context, &key, &request_sha256)
            .await?
        {
            return Ok(answer);
        }
        // The user: a revoked or locked counter's card is not charged at all.
        self.store
            .counter(&context.counter_id)
            .await?
            .check_active()?;
        let id = payment_id(&context.counter_id, &request.charge_id);
        let approval = self.charge_card(id.clone(), &request.card, amount).await?;
        let recorded = self
            .store
            .record_card_payment(
                &context,
                &key,
                &request_sha256,
                &request.charge_id,
                &approval,
            )
            .await;
        if let Err(error) = &recorded
            && error.kind() != RefusalKind::Unavailable
        {
            // Refused after the card was charged (the counter was locked meanwhile, the key
            // reused): the money goes back, once.
            if let Some(gateway) = &self.gateway
                && let Err(e) = gateway
                    .refund(&id, &format!("{id}:unrecorded"), amount)
                    .await
            {
                log::error!("refund of unrecorded card payment {id} failed: {e}");
            }
        }
        recorded
    }

    /// `POST /accounts/v1/card-payments/{charge_id}/refunds`: refunds part or all of a payment.
    pub async fn card_refund(
        &self,
        context: RequestContext,
        key: String,
        charge_id: &str,
        body: &[u8],
    ) -> Result<Answer, VendorError> {
        let request: CardRefundRequest =
            parse_body(body, "{\"refund_id\": \"...\", \"amount_mills\": 780}")?;
        checked_id("charge id", charge_id)?;
        checked_id("refund_id", &request.refund_id)?;
        let amount = Money::from_mills(request.amount_mills);
        validate::transfer_amount("refund", amount)?;
        let payment = payment_id(&context.counter_id, charge_id);
        // The gateway's id of this refund: unique per payment and refund id, and short
        // enough for the gateway whatever the counter's ids (at most 100 characters).
        let refund_key = format!(
            "refund-{}",
            crate::hex::encode(&digest(&payment, request.refund_id.as_bytes())[..16])
        );
        let answer = self
            .store
            .record_card_refund(
                &context,
                &key,
                &digest(&format!("card refund {charge_id}"), body),
                charge_id,
                &payment,
                (&request.refund_id, &refund_key),
                amount,
            )
            .await?;
        self.send_card_refunds().await;
        Ok(answer)
    }

    /// Sends the gateway every refund recorded and not yet confirmed; what fails stays
    /// recorded for the next time.
    pub async fn send_card_refunds(&self) {
        let Some(gateway) = &self.gateway else {
            return;
        };
        let to_send = match self.store.card_refunds_to_send().await {
            Ok(to_send) => to_send,
            Err(e) => {
                log::error!("reading the card refunds to send: {e}");
                return;
            }
        };
        for refund in to_send {
            match gateway
                .refund(&refund.payment_id, &refund.refund_key, refund.amount)
                .await
            {
                Ok(_) => {
                    if let Err(e) = self.store.mark_card_refunded(&refund.refund_key).await {
                        log::error!("card refund {} sent, not marked: {e}", refund.refund_key);
                    }
                }
                Err(e) => log::warn!("card refund {} not sent yet: {e}", refund.refund_key),
            }
        }
    }
}
