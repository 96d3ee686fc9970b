//! The edge's payment effects: card charges through the gateway, postage-account charges,
//! and refunds of voided pieces, each answered as an action.
//!
//! Only what the sale may keep comes back: the brand and last four digits of a card, the
//! account's printed number, the approval code. A log line records each outcome by its
//! charge id and last four digits, never the number.

use super::Edge;
use super::charge_journal::{ChargeJournal, OpenCharge};
use crate::kiosk::action::{Action, RemoteFailure};
use crate::kiosk::state::{ChargeRefusal, PaidBy, PaymentMethod};
use crate::money::Money;
use std::sync::Arc;

use crate::payment::{
    AccountNumber, Approval, CardCharge, CardNumber, Expiry, GatewayFuture, PaymentError,
    PaymentErrorKind, PaymentGateway, PostageAccounts, Refund,
};
use crate::print::card::CardLast4;
use crate::station::Station;

/// The data centre as the counter's card gateway (claim 6): through the station's link.
pub struct DataCentreCards(pub Arc<Station>);

impl DataCentreCards {
    fn link(&self) -> Result<&crate::link::CounterLink, PaymentError> {
        self.0
            .link
            .as_ref()
            .ok_or_else(|| PaymentError::Unavailable {
                reason: "this station has no link to a data centre, and card payments need one"
                    .into(),
            })
    }
}

impl PaymentGateway for DataCentreCards {
    fn charge<'a>(&'a self, charge: &'a CardCharge) -> GatewayFuture<'a, Approval> {
        match self.link() {
            Ok(link) => link.charge(charge),
            Err(error) => Box::pin(async move { Err(error) }),
        }
    }

    fn refund<'a>(
        &'a self,
        charge_id: &'a str,
        refund_id: &'a str,
        amount: Money,
    ) -> GatewayFuture<'a, Refund> {
        match self.link() {
            Ok(link) => link.refund(charge_id, refund_id, amount),
            Err(error) => Box::pin(async move { Err(error) }),
        }
    }
}

/// Where card and account payments go.
pub struct Payments {
    pub gateway: Box<dyn PaymentGateway>,
    pub accounts: PostageAccounts,
    /// Every charge is written here before it is sent (see [`ChargeJournal`]).
    pub journal: ChargeJournal,
}

/// A refused payment as the flow shows it: the processor's or account's own words, except
/// where they would carry an address or a file path (logged instead).
fn refusal(error: &PaymentError) -> ChargeRefusal {
    let reason = match error.kind() {
        PaymentErrorKind::Unavailable => {
            log::warn!("payment: {error}");
            "the card processor did not answer; nothing was charged, try again".to_string()
        }
        PaymentErrorKind::Storage | PaymentErrorKind::Inconsistent => {
            log::error!("payment: {error}");
            "the payment store failed (the log says why); nothing was charged".to_string()
        }
        _ => error.to_string(),
    };
    ChargeRefusal {
        reason,
        retryable: error.kind().is_retryable(),
    }
}

impl Edge {
    /// A card or account is charged only when the label printer can print what it pays
    /// for: out of paper, nothing is charged (a crash between a charge and its issue would
    /// otherwise leave a customer paying for postage nobody printed).
    async fn printer_ready_to_charge(&self) -> Result<(), ChargeRefusal> {
        self.label_printer_ready()
            .await
            .map_err(|failure| ChargeRefusal {
                reason: format!("{}; nothing was charged", failure.message),
                retryable: true,
            })
    }

    /// Writes the charge to the journal before it is sent; a counter that cannot keep the
    /// record does not charge.
    fn record_charge(&self, charge: &OpenCharge) -> Result<(), ChargeRefusal> {
        self.payments.journal.record(charge).map_err(|error| {
            log::error!("charge {} not recorded: {error}", charge.charge_id);
            ChargeRefusal {
                reason: "the counter cannot record the payment on its disk (the log says why); nothing was charged".into(),
                retryable: true,
            }
        })
    }

    /// A charge refused for good was never made: its record goes (a retry after "no
    /// answer" keeps it, since that charge may have been made).
    fn close_declined(&self, charge_id: &str, error: &PaymentError) {
        if error.kind().is_retryable() {
            return;
        }
        if let Err(close) = self.payments.journal.close(charge_id) {
            log::warn!("the record of declined charge {charge_id} stays: {close}");
        }
    }

    pub(super) fn charge_card(&self, open: OpenCharge, card: CardNumber, expiry: Expiry) {
        let edge = self.clone();
        tokio::spawn(async move {
            if let Err(refusal) = edge.printer_ready_to_charge().await {
                edge.send(Action::Charged(Err(refusal)));
                return;
            }
            if let Err(refusal) = edge.record_charge(&open) {
                edge.send(Action::Charged(Err(refusal)));
                return;
            }
            let amount = open.amount();
            let charge_id = open.charge_id;
            let charge = CardCharge {
                id: charge_id,
                card,
                expiry,
                amount,
            };
            let answer = edge.payments.gateway.charge(&charge).await;
            let result = match answer {
                Ok(approval) => {
                    log::info!(
                        "card charge {} approved: {} {} •••• {}, code {}",
                        approval.charge_id,
                        approval.amount,
                        approval.brand.name(),
                        approval.last4,
                        approval.approval_code
                    );
                    Ok(PaidBy {
                        method: PaymentMethod::Card,
                        reference: format!(
                            "{} •••• {}",
                            approval.brand.name().to_uppercase(),
                            approval.last4
                        ),
                        card_last4: CardLast4::parse(&approval.last4).ok(),
                        charge_id: approval.charge_id,
                        approval_code: approval.approval_code,
                        amount: approval.amount,
                        card_brand: Some(approval.brand.name().to_uppercase()),
                        balance_after: None,
                    })
                }
                Err(error) => {
                    log::warn!(
                        "card charge {} ({}) not taken: {error}",
                        charge.id,
                        charge.card.masked()
                    );
                    edge.close_declined(&charge.id, &error);
                    Err(refusal(&error))
                }
            };
            edge.send(Action::Charged(result));
        });
    }

    pub(super) fn charge_account(&self, open: OpenCharge, account: AccountNumber, pin: String) {
        let edge = self.clone();
        tokio::spawn(async move {
            if let Err(refusal) = edge.printer_ready_to_charge().await {
                edge.send(Action::Charged(Err(refusal)));
                return;
            }
            if let Err(refusal) = edge.record_charge(&open) {
                edge.send(Action::Charged(Err(refusal)));
                return;
            }
            let amount = open.amount();
            let charge_id = open.charge_id;
            let answer = edge
                .payments
                .accounts
                .charge(&account, &pin, &charge_id, amount)
                .await;
            let result = match answer {
                Ok(charge) => {
                    log::info!(
                        "account charge {charge_id}: {} from {account}, balance {}",
                        charge.amount,
                        charge.balance_after
                    );
                    Ok(PaidBy {
                        method: PaymentMethod::Account,
                        reference: format!("account {account}"),
                        card_last4: None,
                        approval_code: charge_id.clone(),
                        charge_id,
                        amount: charge.amount,
                        card_brand: None,
                        balance_after: Some(charge.balance_after),
                    })
                }
                Err(error) => {
                    log::warn!("account charge {charge_id} on {account} not taken: {error}");
                    edge.close_declined(&charge_id, &error);
                    Err(refusal(&error))
                }
            };
            edge.send(Action::Charged(result));
        });
    }

    pub(super) fn refund(&self, paid_by: PaidBy, refund_id: String, amount: Money) {
        let edge = self.clone();
        tokio::spawn(async move {
            let payments = &edge.payments;
            let answer = match paid_by.method {
                PaymentMethod::Account => {
                    payments
                        .accounts
                        .refund(&paid_by.charge_id, &refund_id, amount)
                        .await
                }
                _ => {
                    payments
                        .gateway
                        .refund(&paid_by.charge_id, &refund_id, amount)
                        .await
                }
            };
            let result = answer.map(|refund| refund.amount).map_err(|e| {
                log::warn!("refund {refund_id} of {amount} failed: {e}");
                match e.kind() {
                    PaymentErrorKind::Unavailable => RemoteFailure::Unreachable,
                    PaymentErrorKind::Storage | PaymentErrorKind::Inconsistent => {
                        RemoteFailure::Fault
                    }
                    // A refusal's own words (a refund larger than the charge, a locked
                    // account) are for the clerk.
                    _ => RemoteFailure::Refused(e.to_string()),
                }
            });
            if let Ok(refunded) = &result {
                log::info!("refund {refund_id}: {refunded} to {}", paid_by.reference);
            }
            edge.send(Action::Refunded(result));
        });
    }
}
