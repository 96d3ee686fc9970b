//! Card payments through the data centre (claim 6): the counter sends the card there, and
//! the data centre validates the counter and the card and charges it before the counter
//! issues anything for the sale; the payment is credited to the counter's account, whose
//! postage the sale then buys. So the link is the counter's card gateway: the same charge
//! id retried is charged once, and a refund id refunds once. With the data centre out of
//! reach no card can be taken (cash or a postage account can).

use reqwest::Method;

use super::{CounterLink, json_body};
use crate::link::LinkError;
use crate::money::Money;
use crate::payment::{
    Approval, CardBrand, CardCharge, GatewayFuture, PaymentError, PaymentGateway, Refund,
};
use crate::protocol::{
    CardDetails, CardPaymentRequest, CardPaymentResponse, CardRefundRequest, CardRefundResponse,
    RefusalKind,
};

/// The payment error a link failure is, for the counter's payment screen.
fn payment_error(error: LinkError, id: &str) -> PaymentError {
    match &error {
        LinkError::Unreachable { .. } => PaymentError::Unavailable {
            reason: format!("card payments need the data centre, which cannot be reached: {error}"),
        },
        LinkError::Refused { kind, message, .. } => match RefusalKind::from_name(kind) {
            Some(RefusalKind::Conflict) => PaymentError::Conflict {
                id: id.to_string(),
                first: message.clone(),
            },
            Some(RefusalKind::Unavailable) => PaymentError::Unavailable {
                reason: message.clone(),
            },
            _ => PaymentError::RefusedByDataCentre(message.clone()),
        },
        LinkError::Protocol(_) | LinkError::Local(_) => PaymentError::Unavailable {
            reason: error.to_string(),
        },
    }
}

impl CounterLink {
    async fn card_payment(&self, charge: &CardCharge) -> Result<Approval, LinkError> {
        let body = json_body(&CardPaymentRequest {
            charge_id: charge.id.clone(),
            card: CardDetails {
                number: charge.card.digits().to_string(),
                expiry: charge.expiry.to_string(),
                holder: String::new(),
            },
            amount_mills: charge.amount.mills(),
        })?;
        let key = format!("card-{}", charge.id);
        let answer: CardPaymentResponse = self
            .signed(
                Method::POST,
                "/accounts/v1/card-payments",
                Some(&key),
                &body,
            )
            .await?;
        Ok(Approval {
            charge_id: answer.charge_id,
            approval_code: answer.approval_code,
            last4: answer.last4,
            brand: CardBrand::from_name(&answer.brand),
            amount: Money::from_mills(answer.amount_mills),
        })
    }

    async fn card_refund(
        &self,
        charge_id: &str,
        refund_id: &str,
        amount: Money,
    ) -> Result<Refund, LinkError> {
        let body = json_body(&CardRefundRequest {
            refund_id: refund_id.to_string(),
            amount_mills: amount.mills(),
        })?;
        let key = format!("card-refund-{refund_id}");
        let path = format!("/accounts/v1/card-payments/{charge_id}/refunds");
        let answer: CardRefundResponse =
            self.signed(Method::POST, &path, Some(&key), &body).await?;
        Ok(Refund {
            refund_id: answer.refund_id,
            charge_id: answer.charge_id,
            amount: Money::from_mills(answer.amount_mills),
            refunded_total: Money::from_mills(answer.refunded_total_mills),
        })
    }
}

impl PaymentGateway for CounterLink {
    fn charge<'a>(&'a self, charge: &'a CardCharge) -> GatewayFuture<'a, Approval> {
        Box::pin(async move {
            self.card_payment(charge)
                .await
                .map_err(|e| payment_error(e, &charge.id))
        })
    }

    fn refund<'a>(
        &'a self,
        charge_id: &'a str,
        refund_id: &'a str,
        amount: Money,
    ) -> GatewayFuture<'a, Refund> {
        Box::pin(async move {
            self.card_refund(charge_id, refund_id, amount)
                .await
                .map_err(|e| payment_error(e, refund_id))
        })
    }
}
