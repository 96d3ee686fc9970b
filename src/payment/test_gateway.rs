//! `TestGateway`: a built-in simulated card processor, so a fresh counter can take a card
//! payment end to end and every unhappy path can be shown on purpose.
//!
//! It answers by the card number, in the style of the well-known processor test cards:
//!
//! | card number            | brand      | answer                                                  |
//! |------------------------|------------|---------------------------------------------------------|
//! | `4242 4242 4242 4242`  | Visa       | approved                                                |
//! | `5555 5555 5555 4444`  | Mastercard | approved                                                |
//! | `3782 822463 10005`    | Amex       | approved                                                |
//! | `6011 1111 1111 1117`  | Discover   | approved                                                |
//! | `4000 0000 0000 0002`  | Visa       | declined by the issuer (`Declined`)                     |
//! | `4000 0000 0000 9995`  | Visa       | insufficient funds (`InsufficientFunds`)                |
//! | `4000 0000 0000 0069`  | Visa       | issuer says expired (`Expired`), whatever the expiry    |
//! | `4000 0000 0000 0119`  | Visa       | processor unavailable (`Unavailable`), every time       |
//! | any other valid number | any        | declined: "not a test card" (`Declined`)                |
//!
//! Any expiry that [`Expiry::check`] accepts on the store's clock's day works; an expired
//! one is refused locally (`Expired`) without an answer being recorded.
//!
//! Answers are durable: every answer except "unavailable" is kept in the `card_charge`
//! table of the payment store before it is returned, so a charge retried after a crash of
//! the counter gets the first answer (the same approval code) and is never taken twice.
//! "Unavailable" models a processor that answered nothing, so nothing is recorded and a
//! retry is evaluated afresh (and, for that number, is unavailable again). A replay is
//! looked up before the expiry is checked, so an approval retried just after midnight at
//! the end of the expiry month still returns the approval rather than losing the payment.
//! The table keeps only the last four digits and the brand, never the number; so "the same
//! id with another card" is detected only when the last four digits or brand differ.

use sqlx::Row;
use sqlx::sqlite::SqliteRow;

use super::card::{CardBrand, CardNumber};
use super::error::{PaymentError, require_positive};
use super::gateway::{Approval, CardCharge, GatewayFuture, PaymentGateway, check_id};
use super::refund::{Refund, check_refund_cap, replay_refund};
use super::store::PaymentStore;
use crate::money::Money;

/// The simulated processor's answer for a card.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Answer {
    Approved,
    Declined(&'static str),
    InsufficientFunds,
    Expired,
    Unavailable,
}

impl Answer {
    fn for_card(card: &CardNumber) -> Answer {
        match card.digits() {
            "4242424242424242" | "5555555555554444" | "378282246310005" | "6011111111111117" => {
                Answer::Approved
            }
            "4000000000000002" => Answer::Declined("generic decline"),
            "4000000000009995" => Answer::InsufficientFunds,
            "4000000000000069" => Answer::Expired,
            "4000000000000119" => Answer::Unavailable,
            _ => Answer::Declined("not a test card"),
        }
    }
}

/// The built-in processor, keeping its answers in a [`PaymentStore`].
#[derive(Clone)]
pub struct TestGateway {
    store: PaymentStore,
}

impl TestGateway {
    pub fn new(store: PaymentStore) -> TestGateway {
        TestGateway { store }
    }

    async fn charge_once(&self, charge: &CardCharge) -> Result<Approval, PaymentError> {
        check_id("charge id", &charge.id)?;
        require_positive("a card charge", charge.amount)?;
        let mut tx = self.store.begin_immediate().await?;
        let first = sqlx::query("SELECT * FROM card_charge WHERE charge_id = ?")
            .bind(&charge.id)
            .fetch_optional(&mut *tx)
            .await
            .map_err(|e| self.store.storage(e))?;
        if let Some(row) = first {
            return replay(&row, charge).map_err(|e| self.store.storage(e))?;
        }
        charge.expiry.check(self.store.clock().today())?;
        let Some(recorded) = Recorded::of(Answer::for_card(&charge.card)) else {
            return Err(PaymentError::Unavailable {
                reason: "the test card 4000 0000 0000 0119 simulates an unreachable processor"
                    .to_string(),
            });
        };
        sqlx::query(
            "INSERT INTO card_charge (charge_id, last4, brand, amount_mills, outcome, approval_code, \
             decline_reason, created_unix_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(&charge.id)
        .bind(charge.card.last4())
        .bind(charge.card.brand().name())
        .bind(charge.amount.mills())
        .bind(&recorded.outcome)
        .bind(&recorded.approval_code)
        .bind(&recorded.decline_reason)
        .bind(self.store.clock().now_unix_ms())
        .execute(&mut *tx)
        .await
        .map_err(|e| self.store.storage(e))?;
        tx.commit().await.map_err(|e| self.store.storage(e))?;
        recorded.answer_to(charge)
    }

    async fn refund_once(
        &self,
        charge_id: &str,
        refund_id: &str,
        amount: Money,
    ) -> Result<Refund, PaymentError> {
        check_id("refund id", refund_id)?;
        require_positive("a card refund", amount)?;
        let storage = |e: sqlx::Error| self.store.storage(e);
        let mut tx = self.store.begin_immediate().await?;
        let first: Option<(String, i64)> =
            sqlx::query_as("SELECT charge_id, amount_mills FROM card_refund WHERE refund_id = ?")
                .bind(refund_id)
                .fetch_optional(&mut *tx)
                .await
                .map_err(storage)?;
        let charged: Option<i64> = sqlx::query_scalar(
            "SELECT amount_mills FROM card_charge WHERE charge_id = ? AND outcome = 'approved'",
        )
        .bind(charge_id)
        .fetch_optional(&mut *tx)
        .await
        .map_err(storage)?;
        let refunded_mills: i64 = sqlx::query_scalar(
            "SELECT COALESCE(SUM(amount_mills), 0) FROM card_refund WHERE charge_id = ?",
        )
        .bind(charge_id)
        .fetch_one(&mut *tx)
        .await
        .map_err(storage)?;
        let refund = Refund {
            refund_id: refund_id.to_string(),
            charge_id: charge_id.to_string(),
            amount,
            refunded_total: Money::from_mills(refunded_mills),
        };
        if let Some((first_charge_id, first_mills)) = first {
            return replay_refund(refund, &first_charge_id, Money::from_mills(first_mills));
        }
        let Some(charged_mills) = charged else {
            return Err(PaymentError::UnknownCharge {
                charge_id: charge_id.to_string(),
            });
        };
        let refunded_total = check_refund_cap(refund, Money::from_mills(charged_mills))?;
        sqlx::query(
            "INSERT INTO card_refund (refund_id, charge_id, amount_mills, created_unix_ms) VALUES (?, ?, ?, ?)",
        )
        .bind(refund_id)
        .bind(charge_id)
        .bind(amount.mills())
        .bind(self.store.clock().now_unix_ms())
        .execute(&mut *tx)
        .await
        .map_err(storage)?;
        tx.commit().await.map_err(storage)?;
        Ok(refunded_total)
    }
}

impl PaymentGateway for TestGateway {
    fn charge<'a>(&'a self, charge: &'a CardCharge) -> GatewayFuture<'a, Approval> {
        Box::pin(self.charge_once(charge))
    }

    fn refund<'a>(
        &'a self,
        charge_id: &'a str,
        refund_id: &'a str,
        amount: Money,
    ) -> GatewayFuture<'a, Refund> {
        Box::pin(self.refund_once(charge_id, refund_id, amount))
    }
}

/// An answer as the `card_charge` table keeps it.
struct Recorded {
    outcome: String,
    approval_code: Option<String>,
    decline_reason: Option<String>,
}

impl Recorded {
    /// A fresh answer to record, with a random approval code (so that a retry given a new
    /// approval instead of the recorded one would show); `None` for "unavailable", which
    /// answered nothing and so records nothing.
    fn of(answer: Answer) -> Option<Recorded> {
        let (outcome, decline_reason) = match answer {
            Answer::Approved => ("approved", None),
            Answer::Declined(reason) => ("declined", Some(reason.to_string())),
            Answer::InsufficientFunds => ("insufficient_funds", None),
            Answer::Expired => ("expired", None),
            Answer::Unavailable => return None,
        };
        Some(Recorded {
            outcome: outcome.to_string(),
            approval_code: (answer == Answer::Approved)
                .then(|| format!("{:06}", rand::random_range(0..1_000_000u32))),
            decline_reason,
        })
    }

    /// What the counter is told for `charge` (whose card and amount match the record).
    fn answer_to(self, charge: &CardCharge) -> Result<Approval, PaymentError> {
        let last4 = charge.card.last4();
        match (self.outcome.as_str(), self.approval_code) {
            ("approved", Some(approval_code)) => Ok(Approval {
                charge_id: charge.id.clone(),
                approval_code,
                last4,
                brand: charge.card.brand(),
                amount: charge.amount,
            }),
            ("declined", _) => Err(PaymentError::Declined {
                last4,
                reason: self.decline_reason.unwrap_or_default(),
            }),
            ("insufficient_funds", _) => Err(PaymentError::CardInsufficientFunds { last4 }),
            _ => Err(PaymentError::CardExpired { last4 }),
        }
    }
}

/// The first answer to `charge.id` (the inner result), or `Conflict` when the retry is not
/// the same request. The outer error is a row that could not be read.
fn replay(
    row: &SqliteRow,
    charge: &CardCharge,
) -> Result<Result<Approval, PaymentError>, sqlx::Error> {
    let last4: String = row.try_get("last4")?;
    let brand = CardBrand::from_name(&row.try_get::<String, _>("brand")?);
    let amount = Money::from_mills(row.try_get("amount_mills")?);
    if amount != charge.amount || last4 != charge.card.last4() || brand != charge.card.brand() {
        return Ok(Err(PaymentError::Conflict {
            id: charge.id.clone(),
            first: format!("a charge of {amount} to the {brand} card ending {last4}"),
        }));
    }
    let recorded = Recorded {
        outcome: row.try_get("outcome")?,
        approval_code: row.try_get("approval_code")?,
        decline_reason: row.try_get("decline_reason")?,
    };
    Ok(recorded.answer_to(charge))
}
