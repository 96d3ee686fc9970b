//! What a scan is, from what the data centre holds about it: a pure function, so every rule
//! is tested without a store.

use crate::indicium::Indicium;
use crate::vendor_system::store::mail_scans::{CentralPiece, EmbeddedOwner, RecordedScan};

/// What the data centre found a scanned indicium to be.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Finding {
    /// Issued and paid for: by a central PSD, or reported by its counter, byte for byte.
    Paid,
    /// An embedded PSD's piece its counter has not reported yet (and has not reported
    /// since the scan): judged again at the next run.
    AwaitingReport,
    /// Voided and refunded, then mailed all the same.
    Refunded,
    /// Postage never paid for: its counter reported other bytes under its serial, left it
    /// out of a later report, or signed it outside what the data centre certified.
    Unpaid,
    /// Does not verify, and no counter's key signed it (a forgery or a damaged label).
    Invalid,
    /// Verifies, but the data centre never issued it (a central PSD's serial it holds
    /// other bytes for, or none).
    NotIssued,
}

impl Finding {
    /// The name kept in the store.
    pub fn name(self) -> &'static str {
        match self {
            Finding::Paid => "paid",
            Finding::AwaitingReport => "awaiting_report",
            Finding::Refunded => "refunded",
            Finding::Unpaid => "unpaid",
            Finding::Invalid => "invalid",
            Finding::NotIssued => "not_issued",
        }
    }
}

/// What the data centre holds about a scanned indicium.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Facts {
    /// `verify` refused it; `key_signed` names the counter whose embedded PSD's key signed
    /// it all the same.
    Invalid {
        reason: String,
        key_signed: Option<String>,
    },
    /// A central PSD's piece: what the data centre issued under its serial, if anything.
    Central(Option<CentralPiece>),
    /// An embedded PSD's piece: its counter (with how far and when it last reported), and
    /// what that counter reported under the serial.
    Embedded {
        owner: EmbeddedOwner,
        reported: Option<Vec<u8>>,
    },
}

/// The finding, why, and the counter to lock (postage never paid for).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Verdict {
    pub finding: Finding,
    pub detail: String,
    pub locks: Option<String>,
}

fn verdict(finding: Finding, detail: String) -> Verdict {
    Verdict {
        finding,
        detail,
        locks: None,
    }
}

fn unpaid(counter_id: &str, detail: String) -> Verdict {
    Verdict {
        finding: Finding::Unpaid,
        detail,
        locks: Some(counter_id.to_string()),
    }
}

/// Judges `scan` (whose bytes read as `indicium`) from `facts`.
pub fn judge(indicium: &Indicium, scan: &RecordedScan, facts: Facts) -> Verdict {
    let (bytes, first_seen_unix_ms) = (&scan.indicium, scan.first_seen_unix_ms);
    let serial = indicium.data.piece_serial;
    match facts {
        Facts::Invalid {
            reason,
            key_signed: Some(counter_id),
        } => unpaid(
            &counter_id,
            format!(
                "signed with counter {counter_id}'s key, outside what the data centre certified: {reason}"
            ),
        ),
        Facts::Invalid { reason, .. } => verdict(Finding::Invalid, reason),
        Facts::Central(None) => verdict(
            Finding::NotIssued,
            "the data centre issued nothing under this serial".into(),
        ),
        Facts::Central(Some(piece)) if piece.indicium != *bytes => verdict(
            Finding::NotIssued,
            format!(
                "the data centre issued other bytes under this serial (to counter {})",
                piece.counter_id
            ),
        ),
        Facts::Central(Some(piece)) if piece.voided => verdict(
            Finding::Refunded,
            format!(
                "voided and refunded to counter {}'s account, then mailed",
                piece.counter_id
            ),
        ),
        Facts::Central(Some(_)) => verdict(Finding::Paid, String::new()),
        Facts::Embedded {
            owner,
            reported: Some(reported),
        } => {
            if reported == *bytes {
                verdict(Finding::Paid, String::new())
            } else {
                unpaid(
                    &owner.counter_id,
                    format!(
                        "counter {} reported another piece under serial {serial}: its ledger was rewritten",
                        owner.counter_id
                    ),
                )
            }
        }
        Facts::Embedded {
            owner,
            reported: None,
        } => match owner.head {
            Some(head)
                if head.reconciled_unix_ms > first_seen_unix_ms
                    || head.through_serial >= serial =>
            {
                unpaid(
                    &owner.counter_id,
                    format!(
                        "counter {} reported through piece {} after this piece was in the mail, without it",
                        owner.counter_id, head.through_serial
                    ),
                )
            }
            _ => verdict(Finding::AwaitingReport, awaiting(&owner)),
        },
    }
}

/// Why a scan still waits, so an administrator sees a counter that cannot or does not report.
fn awaiting(owner: &EmbeddedOwner) -> String {
    let last_contact = crate::clock::format_unix_ms(owner.last_contact_unix_ms);
    if owner.counter_status == "active" {
        format!(
            "counter {} has not reported since; its last contact {last_contact}",
            owner.counter_id
        )
    } else {
        format!(
            "counter {} is {}: it reports nothing until an administrator makes it active; its last contact {last_contact}",
            owner.counter_id, owner.counter_status
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::date::Date;
    use crate::indicium::specimen::specimen_bytes;
    use crate::vendor_system::store::mail_scans::ReportedHead;

    const SEEN: i64 = 1_800_000_000_000;

    /// Piece 5 of an embedded PSD (the specimen: it parses, and judging needs no signature).
    fn specimen_indicium() -> Indicium {
        let (_, bytes) = specimen_bytes(5, 780, Date::parse("2026-12-06").unwrap()).unwrap();
        Indicium::from_bytes(&bytes).unwrap()
    }

    /// `indicium` as the mail stream first showed it, at `SEEN`.
    fn seen(indicium: &Indicium) -> RecordedScan {
        RecordedScan {
            fingerprint: [0; 32],
            indicium: indicium.to_bytes().unwrap().to_vec(),
            first_seen_unix_ms: SEEN,
            seen_count: 1,
        }
    }

    fn embedded(reported: Option<Vec<u8>>, head: Option<(u32, i64)>) -> Facts {
        Facts::Embedded {
            owner: EmbeddedOwner {
                counter_id: "C0000000001".into(),
                counter_status: "active".into(),
                last_contact_unix_ms: SEEN - 1,
                head: head.map(|(through_serial, reconciled_unix_ms)| ReportedHead {
                    through_serial,
                    reconciled_unix_ms,
                }),
            },
            reported,
        }
    }

    #[test]
    fn an_embedded_piece_is_paid_awaited_or_unpaid_by_what_its_counter_reported_and_when() {
        let indicium = specimen_indicium();
        let bytes = indicium.to_bytes().unwrap().to_vec();
        let serial = indicium.data.piece_serial;
        let mut other = bytes.clone();
        other[60] ^= 1;
        let cases = [
            (
                embedded(Some(bytes.clone()), Some((serial, SEEN + 1))),
                Finding::Paid,
                false,
            ),
            (embedded(None, None), Finding::AwaitingReport, false),
            (
                embedded(None, Some((serial - 1, SEEN - 1))),
                Finding::AwaitingReport,
                false,
            ),
            (
                embedded(None, Some((serial - 1, SEEN + 1))),
                Finding::Unpaid,
                true,
            ),
            (
                embedded(Some(other), Some((serial, SEEN - 1))),
                Finding::Unpaid,
                true,
            ),
        ];
        for (facts, finding, locks) in cases {
            let found = judge(&indicium, &seen(&indicium), facts.clone());
            assert_eq!(found.finding, finding, "{facts:?}: {found:?}");
            assert_eq!(found.locks.is_some(), locks, "{facts:?}: {found:?}");
        }
        // A locked counter cannot report: the wait says so, for the administrator.
        let Facts::Embedded { mut owner, .. } = embedded(None, None) else {
            unreachable!("embedded() makes embedded facts")
        };
        owner.counter_status = "locked".into();
        let found = judge(
            &indicium,
            &seen(&indicium),
            Facts::Embedded {
                owner,
                reported: None,
            },
        );
        assert_eq!(found.finding, Finding::AwaitingReport);
        assert!(
            found.detail.contains("is locked: it reports nothing"),
            "{found:?}"
        );
    }

    #[test]
    fn a_central_piece_is_paid_refunded_or_not_issued_and_locks_nobody() {
        let indicium = specimen_indicium();
        let bytes = indicium.to_bytes().unwrap().to_vec();
        let piece = |indicium: Vec<u8>, voided| {
            Facts::Central(Some(CentralPiece {
                indicium,
                counter_id: "C0000000002".into(),
                voided,
            }))
        };
        let cases = [
            (piece(bytes.clone(), false), Finding::Paid),
            (piece(bytes.clone(), true), Finding::Refunded),
            (piece(vec![0; 112], false), Finding::NotIssued),
            (Facts::Central(None), Finding::NotIssued),
        ];
        for (facts, finding) in cases {
            let found = judge(&indicium, &seen(&indicium), facts);
            assert_eq!((found.finding, found.locks), (finding, None));
        }
        let forged = Facts::Invalid {
            reason: "the signature does not match".into(),
            key_signed: None,
        };
        assert_eq!(
            judge(&indicium, &seen(&indicium), forged).finding,
            Finding::Invalid
        );
        let key_signed = Facts::Invalid {
            reason: "outside the lease".into(),
            key_signed: Some("C0000000003".into()),
        };
        let found = judge(&indicium, &seen(&indicium), key_signed);
        assert_eq!(found.finding, Finding::Unpaid);
        assert_eq!(found.locks.as_deref(), Some("C0000000003"));
    }
}
