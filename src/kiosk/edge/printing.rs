//! The edge's printing: the label and receipt jobs of a sale, and the label printer's
//! status asked before a piece is issued for it. Failures reach the flow as their kind;
//! the detail goes to the log.

use std::sync::{Arc, PoisonError};
use std::time::{Duration, Instant};

use super::Edge;
use crate::indicium::Indicium;
use crate::kiosk::action::{IssueFailure, IssueFailureKind};
use crate::print::label::label_document;
use crate::print::printer::{PrintedJob, Printer, PrinterError, PrinterErrorKind};
use crate::print::receipt::{ReceiptContent, receipt_document};
use crate::print::status::PrinterProblem;
use crate::rates::PricedPiece;
use crate::sale::documents::label_content;

/// How long a label printer's "ready" stands for the pieces issued after it.
const READY_FRESH: Duration = Duration::from_secs(2);

impl Edge {
    pub(super) fn receipt_printer(&self) -> std::sync::MutexGuard<'_, Printer> {
        self.printers
            .receipt
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }

    pub(super) fn print_label(
        &self,
        priced: &PricedPiece,
        recipient_lines: &[String],
        indicium_bytes: &[u8],
    ) -> Result<(), PrinterErrorKind> {
        // The flow only sends what the station issued: a failure here is a bug, logged.
        let bad_job = |error: String| {
            log::error!("the label cannot be laid out: {error}");
            PrinterErrorKind::BadJob
        };
        let indicium = Indicium::from_bytes(indicium_bytes).map_err(|e| bad_job(e.to_string()))?;
        let settings = &self.station.config.label;
        let content = label_content(
            priced,
            recipient_lines,
            (&indicium, indicium_bytes),
            settings,
        )
        .map_err(|e| bad_job(e.to_string()))?;
        let mut printer = self
            .printers
            .label
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        let document = label_document(&content, &printer.profile);
        printed(printer.print(&document))
    }

    pub(super) fn print_receipt(&self, content: &ReceiptContent) -> Result<(), PrinterErrorKind> {
        let mut printer = self.receipt_printer();
        let document = receipt_document(content, &printer.profile);
        printed(printer.print(&document))
    }

    /// Asks the label printer's real-time status before a piece is issued for it, as `sell`
    /// does: out of paper, cover open, offline or not answering at all stops the issue (the
    /// flow offers a retry); a printer that cannot tell lets it go on. A basket's pieces are
    /// issued together: a printer that said "ready" in the last [`READY_FRESH`] is not asked
    /// again for each (a silent one would cost its whole status timeout per piece).
    pub(super) async fn label_printer_ready(&self) -> Result<(), IssueFailure> {
        let printers = Arc::clone(&self.printers);
        let asked = tokio::task::spawn_blocking(move || {
            let mut printer = printers
                .label
                .lock()
                .unwrap_or_else(PoisonError::into_inner);
            let mut ready_at = printers
                .label_ready_at
                .lock()
                .unwrap_or_else(PoisonError::into_inner);
            if ready_at.is_some_and(|at| at.elapsed() < READY_FRESH) {
                return (printer.description().to_string(), Ok(None));
            }
            let status = printer.status();
            let ready = matches!(&status, Ok(None))
                || matches!(&status, Ok(Some(status)) if status.problem().is_none());
            *ready_at = ready.then(Instant::now);
            (printer.description().to_string(), status)
        })
        .await;
        let (printer, status) = asked.map_err(|e| IssueFailure::not_now(e.to_string()))?;
        let problem = match status {
            Ok(None) => return Ok(()),
            Ok(Some(status)) => {
                if status.paper_near_end {
                    log::warn!("the label printer ({printer}) is near the end of its paper");
                }
                match status.problem() {
                    None => return Ok(()),
                    Some(problem) => problem,
                }
            }
            Err(error) => {
                log::warn!("the label printer ({printer}) did not answer its status: {error}");
                PrinterProblem::Offline
            }
        };
        Err(IssueFailure {
            kind: IssueFailureKind::PrinterNotReady(problem),
            message: format!("the label printer ({printer}) {problem}"),
        })
    }
}

/// A job's outcome as the flow takes it: its kind, the detail logged.
fn printed(result: Result<PrintedJob, PrinterError>) -> Result<(), PrinterErrorKind> {
    result.map(|_| ()).map_err(|error| {
        log::warn!("printing: {error}");
        error.kind()
    })
}
