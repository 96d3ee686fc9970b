//! A refund of (part of) a charge, and the two rules every refund obeys.
//!
//! Card and account refunds share them: a refund id is pinned to one charge and amount (a
//! retry returns the first refund, anything else is a `Conflict`), and the refunds of a
//! charge never add up to more than the charge, however they are split or retried.

use super::error::PaymentError;
use crate::money::Money;

/// A refund applied to a charge (card or postage account).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Refund {
    pub refund_id: String,
    pub charge_id: String,
    pub amount: Money,
    /// All refunds of the charge so far, this one included.
    pub refunded_total: Money,
}

/// The first answer to a refund id, or `Conflict` when the retry is not the same refund.
pub(crate) fn replay_refund(
    asked: Refund,
    first_charge_id: &str,
    first_amount: Money,
) -> Result<Refund, PaymentError> {
    if first_charge_id != asked.charge_id || first_amount != asked.amount {
        return Err(PaymentError::Conflict {
            id: asked.refund_id,
            first: format!("a refund of {first_amount} of charge {first_charge_id:?}"),
        });
    }
    Ok(asked)
}

/// `asked` with its refunded total, unless it would take the refunds past `charged`.
/// `asked.refunded_total` holds the refunds so far, before this one.
pub(crate) fn check_refund_cap(asked: Refund, charged: Money) -> Result<Refund, PaymentError> {
    let refundable = charged
        .checked_sub(asked.refunded_total)
        .unwrap_or(Money::ZERO);
    if asked.amount > refundable {
        return Err(PaymentError::RefundTooLarge {
            charge_id: asked.charge_id,
            amount: asked.amount,
            refundable,
        });
    }
    Ok(Refund {
        refunded_total: asked
            .refunded_total
            .checked_add(asked.amount)
            .unwrap_or(charged),
        ..asked
    })
}
