//! The edge: runs the flow's effects against the station (PSD, printers, ZIP directory) in
//! tokio tasks and sends each result back as an action. Blocking work (printing, the first
//! ZIP lookup, which builds the directory's index) runs on blocking threads so the screen
//! keeps drawing. Payments (`payment`) and the supervisor's ledger work (`supervisor`) have
//! their own files.

mod charge_journal;
mod payment;
mod printing;
mod recovery;
mod release;
mod supervisor;

pub use charge_journal::{ChargeJournal, ChargedTo, OpenCharge};
pub use payment::{DataCentreCards, Payments};
pub use supervisor::day_totals;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::mpsc::UnboundedSender;

use super::action::{Action, Effect, IssueFailure, IssueFailureKind, RemoteFailure};
use crate::address::ZipCode;
use crate::indicium::layout::parse_indicium_serial_text;
use crate::link::{LinkError, LinkErrorKind};
use crate::money::Money;
use crate::print::document::Document;
use crate::print::printer::Printer;
use crate::rates::{PricedPiece, RateBook};

use crate::scale::{Scale, ScaleError, ScaleErrorKind};
use crate::station::Station;

/// The station's printers, one job at a time each.
pub struct Printers {
    pub label: Mutex<Printer>,
    pub receipt: Mutex<Printer>,
    /// When the label printer last said it can print (see `label_printer_ready`).
    label_ready_at: Mutex<Option<std::time::Instant>>,
}

impl Printers {
    pub fn new(label: Printer, receipt: Printer) -> Printers {
        Printers {
            label: Mutex::new(label),
            receipt: Mutex::new(receipt),
            label_ready_at: Mutex::new(None),
        }
    }
}

#[derive(Clone)]
pub struct Edge {
    station: Arc<Station>,
    printers: Arc<Printers>,
    payments: Arc<Payments>,
    actions: UnboundedSender<Action>,
}

impl Edge {
    pub fn new(
        station: Arc<Station>,
        printers: Arc<Printers>,
        payments: Arc<Payments>,
        actions: UnboundedSender<Action>,
    ) -> Edge {
        Edge {
            station,
            printers,
            payments,
            actions,
        }
    }

    /// Starts `effect`; its result arrives later as an action.
    pub fn run(&self, effect: Effect) {
        let edge = self.clone();
        match effect {
            Effect::LookupZip(text) => {
                tokio::task::spawn_blocking(move || edge.send(lookup_zip(&text)));
            }
            Effect::Issue {
                item_id,
                piece,
                request_id,
                priced,
            } => {
                tokio::spawn(async move {
                    let result = match edge.label_printer_ready().await {
                        Ok(()) => edge.issue(&priced, &request_id).await,
                        Err(failure) => Err(failure),
                    };
                    match &result {
                        Ok((serial, _)) => {
                            log::info!("issued {serial} for {request_id} ({})", priced.total)
                        }
                        Err(failure) => {
                            log::warn!("issue {request_id} failed: {}", failure.message)
                        }
                    }
                    edge.send(Action::Issued {
                        item_id,
                        piece,
                        result,
                    });
                });
            }
            Effect::PrintLabel {
                item_id,
                piece,
                priced,
                recipient_lines,
                indicium,
            } => {
                tokio::task::spawn_blocking(move || {
                    let result = edge.print_label(&priced, &recipient_lines, &indicium);
                    edge.send(Action::Printed {
                        item_id,
                        piece,
                        result,
                    });
                });
            }
            Effect::Void {
                item_id,
                piece,
                serial,
            } => {
                tokio::spawn(async move {
                    let result = edge.void(&serial).await;
                    edge.send(Action::Voided {
                        item_id,
                        piece,
                        result,
                    });
                });
            }
            Effect::PrintReceipt(content) => {
                // The flow has no clock: the time of the sale is read here, in local time.
                let mut content = *content;
                let now_unix_ms = crate::clock::Clock::system().now_unix_ms();
                content.issued_at = Some(edge.station.config.time_zone.date_time_text(now_unix_ms));
                tokio::task::spawn_blocking(move || {
                    let result = edge.print_receipt(&content);
                    edge.send(Action::ReceiptPrinted(result));
                });
            }
            Effect::OpenDrawer => {
                tokio::task::spawn_blocking(move || {
                    let drawer = Document::new().open_drawer();
                    // A drawer that does not open is the clerk's to notice; the sale goes on.
                    let _ = edge.receipt_printer().print(&drawer);
                });
            }
            Effect::ChargeCard {
                sale_id,
                charge_id,
                card,
                expiry,
                amount,
            } => self.charge_card(
                OpenCharge::new(sale_id, charge_id, ChargedTo::Card, amount),
                card,
                expiry,
            ),
            Effect::ChargeAccount {
                sale_id,
                charge_id,
                account,
                pin,
                amount,
            } => self.charge_account(
                OpenCharge::new(sale_id, charge_id, ChargedTo::Account, amount),
                account,
                pin,
            ),
            Effect::Refund {
                paid_by,
                refund_id,
                amount,
            } => self.refund(*paid_by, refund_id, amount),
            Effect::LoadSupervisor => self.load_supervisor(),
            Effect::RehashSupervisorPin { pin } => self.rehash_supervisor_pin(&pin),
            Effect::KeepPinGate {
                wrong_pins,
                locked_for_ms,
            } => self.keep_pin_gate(wrong_pins, locked_for_ms),
            Effect::Refill { refill_id, amount } => self.refill(refill_id, amount),
            Effect::VoidRecent {
                device_id,
                piece_serial,
            } => self.void_recent(device_id, piece_serial),
            Effect::PostponeRelease => self.postpone_release(),
        }
    }

    /// Reads the NCI scale on `device` every `interval_ms` for the live display, reopening
    /// it after an error; stops when the app has closed.
    pub fn poll_scale<S, F>(&self, open: F, interval_ms: u64)
    where
        S: Scale,
        F: Fn() -> Result<S, ScaleError> + Send + 'static,
    {
        let actions = self.actions.clone();
        let interval = Duration::from_millis(interval_ms.clamp(50, 5_000));
        tokio::task::spawn_blocking(move || {
            loop {
                let mut scale = match open() {
                    Ok(scale) => scale,
                    Err(error) => {
                        log::warn!("scale: {error}");
                        if actions.send(Action::ScaleRead(Err(error.kind()))).is_err() {
                            return;
                        }
                        std::thread::sleep(Duration::from_secs(1));
                        continue;
                    }
                };
                loop {
                    let reading = scale.read();
                    let reopen = reading
                        .as_ref()
                        .is_err_and(|e| e.kind() == ScaleErrorKind::Offline);
                    let reading = reading.map_err(|error| {
                        log::warn!("scale: {error}");
                        error.kind()
                    });
                    if actions.send(Action::ScaleRead(reading)).is_err() {
                        return;
                    }
                    if reopen {
                        break;
                    }
                    std::thread::sleep(interval);
                }
            }
        });
    }

    fn send(&self, action: Action) {
        // The receiver is gone only when the app is closing.
        let _ = self.actions.send(action);
    }

    /// Issues through the station (the vendor link, or the embedded PSD); the link's status
    /// goes to the screen when there is one.
    async fn issue(
        &self,
        priced: &PricedPiece,
        request_id: &str,
    ) -> Result<(String, Vec<u8>), IssueFailure> {
        let result = self.station.issue(priced, request_id).await;
        if let Some(link) = &self.station.link {
            self.send(Action::LinkChanged(link.status()));
        }
        result
            .map(|issued| (issued.serial_text, issued.bytes))
            .map_err(|error| {
                log::warn!("issue {request_id}: {error}");
                let kind = error.kind();
                // The clerk reads the refuser's own words; addresses and codes stay in the log.
                let message = match error {
                    LinkError::Refused { message, .. } | LinkError::Local(message) => message,
                    LinkError::Unreachable { .. } => {
                        "the data centre did not answer, and the embedded PSD could not issue in its place".into()
                    }
                    LinkError::Protocol(_) => {
                        "the data centre's answer could not be used (the log says why)".into()
                    }
                };
                IssueFailure {
                    kind: match kind {
                        LinkErrorKind::Refused => IssueFailureKind::Refused,
                        LinkErrorKind::Unreachable | LinkErrorKind::Protocol | LinkErrorKind::Local => {
                            IssueFailureKind::NotNow
                        }
                    },
                    message,
                }
            })
    }

    /// The station's monitor while the app runs: carries out each agenda the data centre's
    /// answers bring (sending the tables an update installed to `rates`), and polls (with the station's own pending work) only when nothing was
    /// heard from the data centre for `poll_after`, or the link was offline; shows whether
    /// the data centre answered.
    pub fn watch_link(&self, poll_after: Duration, rates: UnboundedSender<Arc<RateBook>>) {
        let edge = self.clone();
        tokio::spawn(async move {
            let Some(link) = &edge.station.link else {
                return;
            };
            let psd = &edge.station.psd;
            let poll_after_ms = i64::try_from(poll_after.as_millis()).unwrap_or(i64::MAX);
            // A release on trial reaches its data centre at once: its health check.
            let mut on_trial = crate::release::running_release().is_some();
            loop {
                let outcome = if std::mem::take(&mut on_trial) || link.poll_due(poll_after_ms) {
                    let polled = match link.poll(psd).await {
                        Ok(received) => link.carry_out(psd, &received, true).await,
                        Err(error) => Err(error),
                    };
                    if polled.is_err() {
                        // Offline (or refused): the next poll after a pause, not at once.
                        tokio::time::sleep(poll_after).await;
                    }
                    polled
                } else {
                    tokio::select! {
                        received = link.next_agenda() => link.carry_out(psd, &received, false).await,
                        () = tokio::time::sleep(poll_after) => continue,
                    }
                };
                match outcome {
                    Ok(items) => {
                        let data_dir = edge.station.config.data_dir.clone();
                        tokio::task::spawn_blocking(move || release::contact_made(&data_dir));
                        for item in items.iter().filter(|item| item.result.is_err()) {
                            log::warn!("agenda item {}: {:?}", item.work, item.result);
                        }
                        let updated = items
                            .iter()
                            .any(|item| item.work == "update" && item.result.is_ok());
                        if updated {
                            // The tables installed (or those in hand, when nothing changed).
                            match edge.station.config.rate_book() {
                                Ok(book) => {
                                    if rates.send(Arc::new(book)).is_err() {
                                        return;
                                    }
                                }
                                Err(error) => log::error!("the installed rate tables: {error}"),
                            }
                        }
                    }
                    Err(error) => log::warn!("the contact with the data centre: {error}"),
                }
                if edge
                    .actions
                    .send(Action::LinkChanged(link.status()))
                    .is_err()
                {
                    return;
                }
            }
        });
    }

    async fn void(&self, serial: &str) -> Result<(), RemoteFailure> {
        // The flow only voids what the station issued: a serial that does not read is a bug.
        let (device_id, piece_serial) = parse_indicium_serial_text(serial).ok_or_else(|| {
            RemoteFailure::fault("void", format!("{serial:?} is not an indicium serial"))
        })?;
        self.void_piece(device_id, piece_serial).await.map(|_| ())
    }

    /// Voids a piece where it was issued (see [`Station::void_piece`]).
    async fn void_piece(&self, device_id: u32, piece_serial: u32) -> Result<Money, RemoteFailure> {
        self.station
            .void_piece(device_id, piece_serial)
            .await
            .map_err(|e| {
                let serial = crate::indicium::layout::indicium_serial_text(device_id, piece_serial);
                RemoteFailure::from_link(&e, &format!("void of {serial}"))
            })
    }
}

fn lookup_zip(text: &str) -> Action {
    match ZipCode::parse(text) {
        Ok(zip) => Action::ZipLooked {
            place: zip.place(),
            zip,
        },
        Err(error) => Action::ZipRefused(error.to_string()),
    }
}
