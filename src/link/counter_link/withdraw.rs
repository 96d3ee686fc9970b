//! Retiring the embedded PSD and giving its descending register back to the account, from
//! the counter's side: every piece is reported first, the data centre's authorization is
//! applied once by the PSD, and the PSD's signed confirmation has the account credited. An
//! interrupted withdrawal is finished by running it again: the PSD answers its withdrawal
//! again and the data centre its first answer.

use reqwest::Method;

use super::{CounterLink, json_body, local};
use crate::link::LinkError;
use crate::protocol::{
    ReportedRegisters, WithdrawalConfirmation, WithdrawalConfirmed, WithdrawalRequest,
    WithdrawalResponse,
};
use crate::psd::Psd;
use crate::psd::ledger::Withdrawn;

impl CounterLink {
    /// Withdraws the embedded PSD's descending register to the account and retires it.
    pub async fn withdraw_embedded(&self, psd: &Psd) -> Result<WithdrawalConfirmed, LinkError> {
        let psd_id = psd.device_id();
        let withdrawn = match psd.ledger().withdrawn(psd_id).await.map_err(local)? {
            Some(withdrawn) => withdrawn,
            None => self.authorized_withdrawal(psd).await?,
        };
        let signature = psd.sign_withdrawal(&withdrawn);
        let body = json_body(&WithdrawalConfirmation {
            control_total_mills: withdrawn.control_total_before.mills(),
            amount_mills: withdrawn.amount.mills(),
            piece_count: withdrawn.piece_count,
            signature: crate::hex::encode(&signature),
        })?;
        self.signed(
            Method::POST,
            &format!("/funds/v1/embedded-psds/{psd_id}/withdrawals/confirmation"),
            Some(&format!("withdrawal-confirmation-{psd_id}")),
            &body,
        )
        .await
    }

    /// Reports every piece, has the withdrawal authorized at the PSD's registers, and
    /// applies it.
    async fn authorized_withdrawal(&self, psd: &Psd) -> Result<Withdrawn, LinkError> {
        self.reconcile(psd).await?;
        let psd_id = psd.device_id();
        let registers = psd.state().await.map_err(local)?.registers;
        let body = json_body(&WithdrawalRequest {
            registers: ReportedRegisters {
                ascending_mills: registers.ascending.mills(),
                descending_mills: registers.descending.mills(),
                control_total_mills: registers.control_total.mills(),
                piece_count: registers.piece_count,
            },
        })?;
        let key = format!(
            "withdrawal-{psd_id}-{}-{}",
            registers.control_total.mills(),
            registers.piece_count
        );
        let answer: WithdrawalResponse = self
            .signed(
                Method::POST,
                &format!("/funds/v1/embedded-psds/{psd_id}/withdrawals"),
                Some(&key),
                &body,
            )
            .await?;
        let bytes = crate::hex::decode(&answer.authorization)
            .ok_or_else(|| LinkError::Protocol("an authorization that is not hex".into()))?;
        let trust = self.trust_reaching(&bytes).await?;
        psd.apply_withdrawal(&bytes, &trust).await.map_err(local)
    }
}
