//! What the supervisor asks of the vendor through the link: the central PSD's registers and
//! the account's balance, a refill of the central PSD from that balance, and a void sent to
//! whichever PSD issued the piece (the vendor's, or the embedded one for an offline sale).

use reqwest::Method;

use super::{CounterLink, json_body, local};
use crate::link::LinkError;
use crate::money::Money;
use crate::protocol::{
    RefillRequest, RefillResponse, RegistersResponse, VoidRequest, VoidResponse,
};
use crate::psd::Psd;

impl CounterLink {
    /// The central PSD this counter buys from: the first its registration names.
    pub async fn central_psd_id(&self) -> Result<u32, LinkError> {
        self.registration()
            .await?
            .psd_ids
            .first()
            .copied()
            .ok_or_else(|| {
                LinkError::Local("the vendor registered this counter with no PSD".into())
            })
    }

    /// The central PSD's registers and the account's balance, as the vendor has them now.
    pub async fn central_registers(&self) -> Result<RegistersResponse, LinkError> {
        let psd_id = self.central_psd_id().await?;
        let answer = self
            .signed(
                Method::GET,
                &format!("/postage/v1/psds/{psd_id}/registers"),
                None,
                "",
            )
            .await;
        if answer.is_ok() {
            self.set_online();
        }
        answer
    }

    /// Moves `amount` from the account's balance into the central PSD, once per `refill_id`.
    pub async fn refill_central(
        &self,
        refill_id: &str,
        amount: Money,
    ) -> Result<RefillResponse, LinkError> {
        let psd_id = self.central_psd_id().await?;
        let body = json_body(&RefillRequest {
            amount_mills: amount.mills(),
        })?;
        self.signed(
            Method::POST,
            &format!("/funds/v1/psds/{psd_id}/refills"),
            Some(refill_id),
            &body,
        )
        .await
    }

    /// Voids piece `piece_serial` of central PSD `device_id` at the vendor, whose void the
    /// journal then records. A piece the embedded PSD issued offline is not voided here: its
    /// postage was funded by the data centre, and giving it back to the descending register
    /// at the counter would be the station funding itself (the data centre would find the
    /// registers above what it funded, and refuse the PSD's next report).
    pub async fn void_piece(
        &self,
        psd: &Psd,
        device_id: u32,
        piece_serial: u32,
    ) -> Result<Money, LinkError> {
        if device_id == psd.device_id() {
            return Err(LinkError::Local(format!(
                "{} was issued offline by the embedded PSD: its postage is not given back at the counter (only pieces bought from the data centre are voided)",
                crate::indicium::layout::indicium_serial_text(device_id, piece_serial)
            )));
        }
        let answer = self.void(device_id, piece_serial).await?;
        psd.ledger()
            .record_vendor_void(device_id, piece_serial, psd.ledger().today())
            .await
            .map_err(local)?;
        Ok(Money::from_mills(answer.refunded_mills))
    }

    /// Voids piece `piece_serial` of central PSD `psd_id` at the vendor.
    pub async fn void(&self, psd_id: u32, piece_serial: u32) -> Result<VoidResponse, LinkError> {
        let body = json_body(&VoidRequest {
            psd_id,
            piece_serial,
        })?;
        let key = format!("void-{psd_id}-{piece_serial}");
        self.signed(Method::POST, "/postage/v1/voids", Some(&key), &body)
            .await
    }
}
