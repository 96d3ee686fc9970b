//! The postage service: purchases of indicia (validated here, then gathered by the
//! [`committer`] into group commits signed by the [`processing`] servers' [`crypto_module`]s),
//! card payments for them (claim 6), and voids of unused indicia. Label-stock serials
//! ([`label_serial`]) are checked before a piece is issued on them.

mod batch_signing;
pub mod committer;
pub mod crypto_module;
pub mod label_ref;
pub mod label_serial;
pub mod processing;
pub mod validate;

use super::error::{RefusalKind, VendorError};
use super::service::{Vendor, digest, parse_body};
use super::store::purchase::{PurchaseJob, refusal_returns_card_payment, total_postage};
use super::store::void_refill::{Answer, RequestContext};
use crate::address::ZipCode;
use crate::money::Money;
use crate::payment::{CardCharge, CardNumber, Expiry, PaymentError};
use crate::protocol::{CardDetails, PurchaseRequest, VoidRequest};
use validate::PricingContext;

impl Vendor {
    /// `POST /postage/v1/purchases`.
    pub async fn purchase(
        &self,
        context: RequestContext,
        key: String,
        body: &[u8],
    ) -> Result<Answer, VendorError> {
        let request: PurchaseRequest = parse_body(body, "a purchase: {\"pieces\": [...]}")?;
        if request.card.is_some() && !context.sealed {
            return Err(VendorError::new(
                RefusalKind::SecurityLevel,
                "a purchase paid by card is sealed to the data centre's payload key (see GET /contact/v1/service-keys): card data never travels in the clear",
            ));
        }
        let request_sha256 = digest("purchase", body);
        let counter = self.known_counter(&context.counter_id).await?;
        let priced = ZipCode::parse(&counter.location_zip)
            .map_err(|_| {
                VendorError::forbidden(format!(
                    "counter {} has no registered location to price from; the administrator enrolls it again with --zip",
                    context.counter_id
                ))
            })
            .and_then(|origin| {
                let rates = self.rates.book();
                let pricing = PricingContext {
                    now_unix_ms: self.clock.now_unix_ms(),
                    origin: &origin,
                    rates: &rates,
                };
                validate::pieces(&request.pieces, &pricing)
            });
        let pieces = match priced {
            Ok(pieces) => pieces,
            // A retry of a purchase answered yesterday carries yesterday's mailing date (and
            // may meet today's tables): its first answer stands, or the counter could never
            // get its indicia back.
            Err(refusal) => {
                return match self
                    .store
                    .stored_answer(&context, &key, &request_sha256)
                    .await?
                {
                    Some(answer) => Ok(answer),
                    None => Err(refusal),
                };
            }
        };
        let mut job = PurchaseJob {
            counter_id: context.counter_id.clone(),
            key,
            request_sha256,
            nonce: context.nonce,
            pieces,
            card: None,
            lane: self.pool.select(),
        };
        if let Some(card) = &request.card {
            // A revoked or locked counter's card is not charged only to be refunded.
            self.store.counter(&job.counter_id).await?.check_active()?;
            let total = total_postage(&job.pieces)?;
            if card.holder.trim().is_empty() {
                return Err(VendorError::new(
                    RefusalKind::PaymentDeclined,
                    "the card holder's name is missing",
                ));
            }
            let charge_id = format!("{}:{}", job.counter_id, job.key);
            job.card = Some(self.charge_card(charge_id, card, total).await?);
        }
        let charge = job.card.clone();
        let answer = self.committer.submit(job).await;
        if let (Err(refusal), Some(approval)) = (&answer, charge)
            && refusal_returns_card_payment(refusal.kind())
            && let Some(gateway) = &self.gateway
        {
            // Refused after the card was charged: give the money back, once.
            let refund_id = format!("{}-refund", approval.charge_id);
            if let Err(e) = gateway
                .refund(&approval.charge_id, &refund_id, approval.amount)
                .await
            {
                log::error!("refund of charge {} failed: {e}", approval.charge_id);
            }
        }
        answer
    }

    /// Validates `card` and has the gateway charge it `total` under `charge_id` (the same id
    /// retried is charged once): for a purchase paid by card, and for a counter's card payment.
    pub(crate) async fn charge_card(
        &self,
        charge_id: String,
        card: &CardDetails,
        total: Money,
    ) -> Result<crate::payment::Approval, VendorError> {
        let gateway = self.gateway.as_ref().ok_or_else(|| {
            VendorError::new(
                RefusalKind::PaymentDeclined,
                "this vendor takes no card payments",
            )
        })?;
        let declined = |e: PaymentError| {
            let kind = match e.kind() {
                crate::payment::PaymentErrorKind::Unavailable => RefusalKind::Unavailable,
                crate::payment::PaymentErrorKind::Conflict => RefusalKind::Conflict,
                _ => RefusalKind::PaymentDeclined,
            };
            VendorError::new(kind, e.to_string())
        };
        let number =
            CardNumber::parse(&card.number).map_err(|e| declined(PaymentError::InvalidCard(e)))?;
        let expiry =
            Expiry::parse(&card.expiry).map_err(|e| declined(PaymentError::InvalidCard(e)))?;
        expiry
            .check(self.clock.today())
            .map_err(|e| declined(PaymentError::InvalidCard(e)))?;
        let charge = CardCharge {
            id: charge_id,
            card: number,
            expiry,
            amount: total,
        };
        gateway.charge(&charge).await.map_err(declined)
    }

    /// `POST /postage/v1/voids`.
    pub async fn void(
        &self,
        context: RequestContext,
        key: String,
        body: &[u8],
    ) -> Result<Answer, VendorError> {
        let request: VoidRequest = parse_body(body, "{\"psd_id\": 20000001, \"piece_serial\": 1}")?;
        self.store
            .void_piece(
                &context,
                &key,
                &digest("void", body),
                request.psd_id,
                request.piece_serial,
                self.settings.void_window_days,
            )
            .await
    }
}
