//! The edge's supervisor effects: one consistent reading of the PSD and the day's pieces,
//! refills and voids, each answered as an action.
//!
//! The day is the ledger's UTC day: its own clock decides which pieces count, as it decides
//! the void window.

use super::Edge;
use crate::indicium::Indicium;
use crate::indicium::layout::indicium_serial_text;
use crate::kiosk::action::Action;
use crate::kiosk::state::{DayTotal, RecentPiece, SupervisorData};
use crate::money::Money;
use crate::psd::ledger::{PieceRecord, start_of_day_unix_ms};
use crate::rates::Product;

/// Pieces listed for a void, newest first.
const RECENT_MAX: usize = 50;

impl Edge {
    pub(super) fn load_supervisor(&self) {
        let edge = self.clone();
        tokio::spawn(async move {
            let result = edge.supervisor_data().await;
            edge.send(Action::SupervisorLoaded(result.map(Box::new)));
        });
    }

    async fn supervisor_data(&self) -> Result<SupervisorData, String> {
        let psd = &self.station.psd;
        let state = psd.state().await.map_err(|e| e.to_string())?;
        let ledger = psd.ledger();
        let since = start_of_day_unix_ms(ledger.today());
        let pieces = ledger
            .pieces_issued_since(psd.device_id(), since)
            .await
            .map_err(|e| e.to_string())?;
        let printers = &self.station.config.printer;
        Ok(SupervisorData {
            device_id: state.device_id,
            registers: state.registers,
            locked_reason: state.locked_reason,
            last_contact: format!("embedded PSD, ledger {}", ledger.path()),
            day: day_totals(&pieces),
            recent: recent_pieces(state.device_id, &pieces),
            label_printer: format!("{} on {}", printers.label.profile, printers.label.transport),
            receipt_printer: format!(
                "{} on {}",
                printers.receipt.profile, printers.receipt.transport
            ),
        })
    }

    pub(super) fn refill(&self, refill_id: String, amount: Money) {
        let edge = self.clone();
        tokio::spawn(async move {
            let result = edge
                .station
                .psd
                .refill(&refill_id, amount)
                .await
                .map(|outcome| outcome.registers.control_total)
                .map_err(|e| e.to_string());
            match &result {
                Ok(total) => log::info!("refill {refill_id}: {amount}, control total {total}"),
                Err(reason) => log::warn!("refill {refill_id} of {amount} refused: {reason}"),
            }
            edge.send(Action::Refilled(result));
        });
    }

    pub(super) fn void_recent(&self, piece_serial: u32) {
        let edge = self.clone();
        tokio::spawn(async move {
            let window_days = edge.station.config.void_window_days;
            let result = edge
                .station
                .psd
                .void(piece_serial, window_days)
                .await
                .map(|outcome| outcome.refunded)
                .map_err(|e| e.to_string());
            match &result {
                Ok(refund) => log::info!("supervisor void of piece {piece_serial}: {refund}"),
                Err(reason) => log::warn!("void of piece {piece_serial} refused: {reason}"),
            }
            edge.send(Action::RecentVoided(result));
        });
    }
}

fn product_name(record: &PieceRecord) -> String {
    Indicium::from_bytes(&record.indicium)
        .ok()
        .and_then(|indicium| Product::from_code(indicium.data.rate_category))
        .map_or_else(|| "unknown product".to_string(), |p| p.name().to_string())
}

/// Pieces and postage by product, voided pieces left out, largest postage first.
pub fn day_totals(pieces: &[PieceRecord]) -> Vec<DayTotal> {
    let mut totals: Vec<DayTotal> = Vec::new();
    for record in pieces.iter().filter(|p| p.voided_on.is_none()) {
        let product = product_name(record);
        match totals.iter_mut().find(|t| t.product == product) {
            Some(total) => {
                total.pieces += 1;
                total.postage = total
                    .postage
                    .checked_add(record.postage)
                    .unwrap_or(total.postage);
            }
            None => totals.push(DayTotal {
                product,
                pieces: 1,
                postage: record.postage,
            }),
        }
    }
    totals.sort_by(|a, b| b.postage.cmp(&a.postage).then(a.product.cmp(&b.product)));
    totals
}

fn recent_pieces(device_id: u32, pieces: &[PieceRecord]) -> Vec<RecentPiece> {
    pieces
        .iter()
        .rev()
        .take(RECENT_MAX)
        .map(|record| {
            let of_day_s = record.issued_unix_ms.rem_euclid(86_400_000) / 1000;
            RecentPiece {
                piece_serial: record.piece_serial,
                serial: indicium_serial_text(device_id, record.piece_serial),
                product: product_name(record),
                postage: record.postage,
                issued_at: format!("{:02}:{:02}", of_day_s / 3600, of_day_s % 3600 / 60),
                voided: record.voided_on.is_some(),
            }
        })
        .collect()
}
