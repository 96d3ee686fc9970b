//! The PSD's part of a withdrawal: it applies the data centre's signed withdrawal
//! authorization once (its descending register goes to zero and it issues nothing more),
//! and signs, with its own key, the confirmation the data centre credits the account on.

use super::Psd;
use super::error::PsdError;
use super::ledger::Withdrawn;
use crate::grants::WithdrawalAuthorization;
use crate::keys::Trust;
use crate::protocol::funds::withdrawal_text;

impl Psd {
    /// Applies the withdrawal authorization in `bytes`, which a root the trust holds signed
    /// for this PSD; applied before, the same withdrawal is answered again.
    pub async fn apply_withdrawal(
        &self,
        bytes: &[u8],
        trust: &Trust,
    ) -> Result<Withdrawn, PsdError> {
        let granted = WithdrawalAuthorization::open(bytes, trust)
            .map_err(|e| PsdError::Refused(e.to_string()))?;
        if granted.psd_id != self.device_id() {
            return Err(PsdError::Refused(format!(
                "the withdrawal authorization is for PSD {}, not {}",
                granted.psd_id,
                self.device_id()
            )));
        }
        self.ledger()
            .withdraw(self.device_id(), granted.descending, granted.control_total)
            .await
    }

    /// The PSD's signature over the confirmation of `withdrawn` (r‖s).
    pub fn sign_withdrawal(&self, withdrawn: &Withdrawn) -> [u8; 64] {
        let text = withdrawal_text(
            self.device_id(),
            withdrawn.control_total_before.mills(),
            withdrawn.amount.mills(),
            withdrawn.piece_count,
        );
        self.signer().sign(text.as_bytes())
    }
}
