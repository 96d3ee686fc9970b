//! The edge's supervisor effects: one reading of the PSD and the day's pieces, refills and
//! voids, each answered as an action. Linked, the PSD shown is the vendor's central PSD
//! (the embedded one when the vendor cannot be reached), the day is the embedded PSD's
//! pieces and the vendor pieces the counter journaled, and a refill moves account funds
//! into the central PSD.
//!
//! The day is the ledger's UTC day: its own clock decides which pieces count, as it decides
//! the void window.

use super::Edge;
use crate::indicium::Indicium;
use crate::indicium::layout::indicium_serial_text;
use crate::kiosk::action::{Action, RemoteFailure};
use crate::kiosk::pin::SupervisorPin;
use crate::kiosk::pin_gate;
use crate::kiosk::state::{DayTotal, RecentPiece, SupervisorData};
use crate::money::Money;
use crate::protocol::RegistersResponse;
use crate::psd::Registers;
use crate::psd::ledger::{JournalPiece, PieceRecord, start_of_day_unix_ms};
use crate::rates::Product;

/// Pieces listed for a void, newest first.
const RECENT_MAX: usize = 50;

impl Edge {
    pub(super) fn load_supervisor(&self) {
        let edge = self.clone();
        tokio::spawn(async move {
            let result = edge
                .supervisor_data()
                .await
                .map_err(|detail| RemoteFailure::fault("reading the PSD", detail));
            edge.send(Action::SupervisorLoaded(result.map(Box::new)));
        });
    }

    /// Rewrites the supervisor PIN's file as Argon2id; a failure only leaves the old hash,
    /// which still opens the screen, so it is logged rather than shown.
    pub(super) fn rehash_supervisor_pin(&self, pin: &str) {
        let data_dir = self.station.config.data_dir.clone();
        let saved = SupervisorPin::new(pin).and_then(|hash| hash.save(&data_dir));
        match saved {
            Ok(path) => log::info!(
                "the supervisor PIN in {} is an Argon2id hash now",
                path.display()
            ),
            Err(e) => log::warn!("the supervisor PIN was not rehashed: {e}"),
        }
    }

    /// Keeps the PIN gate on disk (see [`crate::kiosk::pin_gate`]). A gate that cannot be
    /// kept is logged as an error: the running counter still holds it.
    pub(super) fn keep_pin_gate(&self, wrong_pins: u32, locked_for_ms: u64) {
        let data_dir = &self.station.config.data_dir;
        let now_unix_ms = crate::clock::Clock::system().now_unix_ms();
        if let Err(e) = pin_gate::save(data_dir, wrong_pins, locked_for_ms, now_unix_ms) {
            log::error!("the supervisor PIN gate was not kept: {e}");
        }
    }

    async fn supervisor_data(&self) -> Result<SupervisorData, String> {
        let psd = &self.station.psd;
        let state = psd.state().await.map_err(|e| e.to_string())?;
        let ledger = psd.ledger();
        let since = start_of_day_unix_ms(ledger.today());
        let mut pieces: Vec<JournalPiece> = ledger
            .pieces_issued_since(psd.device_id(), since)
            .await
            .map_err(|e| e.to_string())?
            .into_iter()
            .map(|record| JournalPiece {
                device_id: state.device_id,
                record,
            })
            .collect();
        let mut reading = PsdReading {
            device_id: state.device_id,
            registers: state.registers,
            locked_reason: state.locked_reason,
            last_contact: format!("embedded PSD, ledger {}", ledger.path()),
            account_balance: None,
            fallback: None,
        };
        if let Some(link) = &self.station.link {
            pieces.extend(
                ledger
                    .vendor_pieces_since(since)
                    .await
                    .map_err(|e| e.to_string())?,
            );
            pieces.sort_by_key(|piece| piece.record.issued_unix_ms);
            reading = match link.central_registers().await {
                Ok(answer) => central_reading(&answer, &reading, link.endpoints()),
                Err(error) => {
                    log::warn!("reading the central PSD: {error}");
                    PsdReading {
                        last_contact:
                            "the data centre did not answer: showing the embedded fallback PSD"
                                .into(),
                        ..reading
                    }
                }
            };
        }
        let printers = &self.station.config.printer;
        Ok(SupervisorData {
            device_id: reading.device_id,
            registers: reading.registers,
            locked_reason: reading.locked_reason,
            last_contact: reading.last_contact,
            account_balance: reading.account_balance,
            fallback: reading.fallback,
            day: day_totals(&pieces),
            recent: recent_pieces(&pieces),
            label_printer: format!("{} on {}", printers.label.profile, printers.label.transport),
            receipt_printer: format!(
                "{} on {}",
                printers.receipt.profile, printers.receipt.transport
            ),
        })
    }

    /// Refills the central PSD from the account, through the data centre (a station without
    /// its link refills nothing: every refill is the data centre's).
    pub(super) fn refill(&self, refill_id: String, amount: Money) {
        let edge = self.clone();
        tokio::spawn(async move {
            let result = match &edge.station.link {
                Some(link) => link
                    .refill_central(&refill_id, amount)
                    .await
                    .map(|answer| Money::from_mills(answer.registers.control_total_mills))
                    .map_err(|e| RemoteFailure::from_link(&e, &format!("refill {refill_id}"))),
                None => Err(RemoteFailure::Refused(
                    "refills come only through the data centre, and this station has no link to it"
                        .to_string(),
                )),
            };
            if let Ok(total) = &result {
                log::info!("refill {refill_id}: {amount}, control total {total}");
            }
            edge.send(Action::Refilled(result));
        });
    }

    pub(super) fn void_recent(&self, device_id: u32, piece_serial: u32) {
        let edge = self.clone();
        tokio::spawn(async move {
            let result = edge.void_piece(device_id, piece_serial).await;
            let serial = indicium_serial_text(device_id, piece_serial);
            if let Ok(refund) = &result {
                log::info!("supervisor void of {serial}: {refund}");
            }
            edge.send(Action::RecentVoided(result));
        });
    }
}

/// The PSD the supervisor screen shows, and where its registers were read.
struct PsdReading {
    device_id: u32,
    registers: Registers,
    locked_reason: Option<String>,
    last_contact: String,
    account_balance: Option<Money>,
    fallback: Option<String>,
}

/// The vendor's answer for the central PSD, with the embedded fallback's funds beside it.
fn central_reading(
    answer: &RegistersResponse,
    embedded: &PsdReading,
    endpoints: &[String],
) -> PsdReading {
    let view = &answer.registers;
    PsdReading {
        device_id: view.psd_id,
        registers: Registers {
            ascending: Money::from_mills(view.ascending_mills),
            descending: Money::from_mills(view.descending_mills),
            control_total: Money::from_mills(view.control_total_mills),
            piece_count: u64::try_from(view.piece_count).unwrap_or(0),
        },
        locked_reason: view.locked_reason.clone(),
        last_contact: format!("vendor {}", endpoints.join(", ")),
        account_balance: Some(Money::from_mills(answer.account_balance_mills)),
        fallback: Some(format!(
            "PSD {:08}, {} available",
            embedded.device_id, embedded.registers.descending
        )),
    }
}

fn product_name(record: &PieceRecord) -> String {
    Indicium::from_bytes(&record.indicium)
        .ok()
        .and_then(|indicium| Product::from_code(indicium.data.rate_category))
        .map_or_else(|| "unknown product".to_string(), |p| p.name().to_string())
}

/// Pieces and postage by product, voided pieces left out, largest postage first.
pub fn day_totals(pieces: &[JournalPiece]) -> Vec<DayTotal> {
    let mut totals: Vec<DayTotal> = Vec::new();
    for record in pieces
        .iter()
        .map(|piece| &piece.record)
        .filter(|record| record.voided_on.is_none())
    {
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

fn recent_pieces(pieces: &[JournalPiece]) -> Vec<RecentPiece> {
    pieces
        .iter()
        .rev()
        .take(RECENT_MAX)
        .map(
            |&JournalPiece {
                 device_id,
                 ref record,
             }| {
                let of_day_s = record.issued_unix_ms.rem_euclid(86_400_000) / 1000;
                RecentPiece {
                    device_id,
                    piece_serial: record.piece_serial,
                    serial: indicium_serial_text(device_id, record.piece_serial),
                    product: product_name(record),
                    postage: record.postage,
                    issued_at: format!("{:02}:{:02}", of_day_s / 3600, of_day_s % 3600 / 60),
                    voided: record.voided_on.is_some(),
                }
            },
        )
        .collect()
}
