//! The words a clerk or a customer reads for a device failure, chosen from its kind.
//!
//! Drivers and transports report a typed kind and log their detail (device path, bytes,
//! OS error); the screen never shows that text, only a refusal's own words for the clerk. A clerk is told what to check; a customer
//! at a kiosk is told to ask staff, since only staff can open a printer or plug a scale in.

use super::action::RemoteFailure;
use super::state::Mode;
use crate::print::printer::PrinterErrorKind;
use crate::scale::ScaleErrorKind;

/// What went wrong with a printer, and what to do.
pub fn printer_failure(kind: PrinterErrorKind, mode: Mode) -> &'static str {
    if mode == Mode::Kiosk {
        return "the printer needs attention: please ask a member of staff";
    }
    match kind {
        PrinterErrorKind::Offline => "the printer is off or unplugged: check its power and cable",
        PrinterErrorKind::Timeout => "the printer did not take the job: check its paper and cover",
        PrinterErrorKind::Denied => {
            "the counter may not use the printer's device: check its permissions (see the log)"
        }
        PrinterErrorKind::BadJob => {
            "the job could not be laid out for this printer's profile (see the log)"
        }
        PrinterErrorKind::Io => "the printer failed while printing (see the log)",
    }
}

/// Why the scale gives no reading, for its line on the weigh screen.
pub fn scale_failure(kind: ScaleErrorKind, mode: Mode) -> &'static str {
    match (kind, mode) {
        (_, Mode::Kiosk) => "the scale is not working: please ask a member of staff",
        (ScaleErrorKind::Offline, _) => "scale not connected: type the weight",
        (ScaleErrorKind::Timeout, _) => "the scale does not answer: type the weight",
        (ScaleErrorKind::Protocol, _) => "the scale's answer is unreadable (see the log)",
        (ScaleErrorKind::Refused, _) => "the scale refused the command",
    }
}

/// Why a request to the data centre (or a processor) did not go through.
pub fn remote_failure(failure: &RemoteFailure, mode: Mode) -> String {
    match (failure, mode) {
        (_, Mode::Kiosk) => "it did not go through: please ask a member of staff".into(),
        (RemoteFailure::Unreachable, _) => {
            "the data centre did not answer: try again in a moment".into()
        }
        (RemoteFailure::Refused(words), _) => words.clone(),
        (RemoteFailure::Fault, _) => {
            "the answer could not be used (the log says why): try again, or call support".into()
        }
    }
}
