//! Issuing and voiding as every front end of the station does it (the counter screen and
//! `postcounter sell`): through the vendor link when the station has one, which falls back
//! to the embedded PSD by itself, else from the embedded PSD of a stand-alone counter.

use super::Station;
use crate::indicium::layout::indicium_serial_text;
use crate::link::{Issued, LinkError};
use crate::money::Money;
use crate::psd::IssueRequest;
use crate::rates::PricedPiece;

impl Station {
    /// Issues `priced` under the idempotency key `request_id`: from the vendor (the embedded
    /// PSD when none answers, within the offline limits), or from the embedded PSD when the
    /// station has no link.
    pub async fn issue(&self, priced: &PricedPiece, request_id: &str) -> Result<Issued, LinkError> {
        if let Some(link) = &self.link {
            return link.issue(&self.psd, priced, request_id).await;
        }
        let request = IssueRequest::for_piece(priced, request_id);
        let issued = self.psd.issue(&request).await.map_err(local)?;
        let data = &issued.indicium.data;
        Ok(Issued {
            serial_text: data.serial_text(),
            device_id: data.device_id,
            piece_serial: data.piece_serial,
            bytes: issued.bytes,
            replayed: issued.replayed,
            offline: false,
        })
    }

    /// Voids piece `piece_serial` of PSD `device_id` at the data centre that issued it;
    /// the refund. See [`CounterLink::void_piece`](crate::link::counter_link::CounterLink::void_piece).
    pub async fn void_piece(&self, device_id: u32, piece_serial: u32) -> Result<Money, LinkError> {
        let link = self.link.as_ref().ok_or_else(|| {
            LinkError::Local(format!(
                "{} can be voided only through the data centre, and this counter was opened without its link",
                indicium_serial_text(device_id, piece_serial)
            ))
        })?;
        link.void_piece(&self.psd, device_id, piece_serial).await
    }
}

fn local(error: crate::psd::PsdError) -> LinkError {
    LinkError::Local(error.to_string())
}
