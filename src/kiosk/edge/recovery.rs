//! At start-up, the charges a previous run left open are settled (see [`super::charge_journal`]):
//! what a charge paid beyond the postage issued for its sale goes back to the card or
//! account, and the screen says so.

use super::Edge;
use super::charge_journal::{ChargedTo, OpenCharge};
use crate::kiosk::action::Action;
use crate::money::Money;
use crate::payment::PaymentErrorKind;

/// The ledger is searched from a minute before a charge was written, for clock steps.
const CLOCK_MARGIN_MS: i64 = 60_000;

impl Edge {
    /// Settles every open charge in the background; one that cannot be settled now stays
    /// open for the next start, and the log says why.
    pub fn settle_open_charges(&self) {
        let edge = self.clone();
        tokio::spawn(async move {
            let journal = &edge.payments.journal;
            let charges = match journal.open_charges() {
                Ok(charges) => charges,
                Err(error) => {
                    log::error!("the open charges cannot be read: {error}");
                    return;
                }
            };
            for charge in charges {
                match edge.settle_charge(&charge).await {
                    Ok(refunded) => {
                        if let Some(amount) = refunded {
                            log::info!(
                                "charge {} of an unfinished sale: {amount} refunded",
                                charge.charge_id
                            );
                            edge.send(Action::UnfinishedSaleRefunded(amount));
                        }
                        if let Err(error) = journal.close(&charge.charge_id) {
                            log::error!("charge {} stays open: {error}", charge.charge_id);
                        }
                    }
                    Err(error) => log::warn!(
                        "charge {} of an unfinished sale is not settled yet (next start): {error}",
                        charge.charge_id
                    ),
                }
            }
        });
    }

    /// The refund a charge was owed and got now (`None` when nothing was owed, or the
    /// charge was never made).
    async fn settle_charge(&self, charge: &OpenCharge) -> Result<Option<Money>, String> {
        let issued = self.postage_issued_for(charge).await?;
        let owed = charge
            .amount()
            .checked_sub(issued)
            .filter(|owed| *owed > Money::ZERO);
        let Some(owed) = owed else {
            return Ok(None);
        };
        // The screen's own refund id: a refund it made before the crash is answered again.
        let refund_id = format!("{}-refund-unissued", charge.charge_id);
        let payments = &self.payments;
        let answer = match charge.method {
            ChargedTo::Account => {
                payments
                    .accounts
                    .refund(&charge.charge_id, &refund_id, owed)
                    .await
            }
            ChargedTo::Card => {
                payments
                    .gateway
                    .refund(&charge.charge_id, &refund_id, owed)
                    .await
            }
        };
        match answer {
            Ok(refund) => Ok(Some(refund.amount)),
            Err(error) if error.kind() == PaymentErrorKind::UnknownCharge => Ok(None),
            Err(error) => Err(error.to_string()),
        }
    }

    /// The postage of every piece issued under the charge's sale (voided ones too: their
    /// refund went to the PSD, and the customer was refunded by staff).
    async fn postage_issued_for(&self, charge: &OpenCharge) -> Result<Money, String> {
        let prefix = format!("{}-item", charge.sale_id);
        let since = charge.taken_unix_ms.saturating_sub(CLOCK_MARGIN_MS);
        let psd = &self.station.psd;
        let ledger = psd.ledger();
        let mut postage: Vec<Money> = ledger
            .pieces_issued_since(psd.device_id(), since)
            .await
            .map_err(|e| e.to_string())?
            .into_iter()
            .filter(|record| record.request_id.starts_with(&prefix))
            .map(|record| record.postage)
            .collect();
        if self.station.link.is_some() {
            let central = ledger
                .vendor_pieces_since(since)
                .await
                .map_err(|e| e.to_string())?;
            postage.extend(
                central
                    .into_iter()
                    .filter(|piece| piece.record.request_id.starts_with(&prefix))
                    .map(|piece| piece.record.postage),
            );
        }
        Money::checked_sum(postage).ok_or_else(|| "the postage overflows".to_string())
    }
}
