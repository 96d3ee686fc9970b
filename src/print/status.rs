//! A printer's real-time status, asked with ESC/POS `DLE EOT n` before a job is sent.
//!
//! A sale must not issue postage that cannot print: paper out, an open cover or an offline
//! printer is reported to the clerk before anything is issued. `DLE EOT 1` (printer), `2`
//! (offline cause) and `4` (roll paper sensor) each answer one byte whose fixed bits (bit 1
//! and bit 4 set, bits 0 and 7 clear) identify it as a status byte; a byte that does not
//! has come from something that is not an ESC/POS printer, and is refused rather than read
//! as "ready". Paper near its end is a warning: the sale goes on and the clerk is told.

use std::fmt;

/// `DLE EOT 1`, `DLE EOT 2`, `DLE EOT 4`: the queries, in the order their answers come.
pub const STATUS_QUERIES: [u8; 9] = [0x10, 0x04, 1, 0x10, 0x04, 2, 0x10, 0x04, 4];

/// What the printer answered.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct PrinterStatus {
    pub offline: bool,
    pub cover_open: bool,
    pub paper_out: bool,
    pub paper_near_end: bool,
}

/// The one thing that stops a job, worst first.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PrinterProblem {
    PaperOut,
    CoverOpen,
    Offline,
}

impl fmt::Display for PrinterProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(match self {
            PrinterProblem::PaperOut => "is out of paper: load a roll",
            PrinterProblem::CoverOpen => "has its cover open: close it",
            PrinterProblem::Offline => "is offline: check it is on and not in an error",
        })
    }
}

/// A status answer that is not ESC/POS status bytes.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "the printer's status answer {bytes:02x?} is not ESC/POS status (expected 3 bytes with bits 1 and 4 set and bits 0 and 7 clear)"
)]
pub struct StatusAnswerError {
    pub bytes: Vec<u8>,
}

impl PrinterStatus {
    /// Reads the three answers to [`STATUS_QUERIES`].
    pub fn parse(answer: &[u8]) -> Result<PrinterStatus, StatusAnswerError> {
        let refused = || StatusAnswerError {
            bytes: answer.to_vec(),
        };
        let [printer, offline_cause, paper] = answer else {
            return Err(refused());
        };
        let is_status = |byte: u8| byte & 0b1001_0011 == 0b0001_0010;
        if ![printer, offline_cause, paper]
            .iter()
            .all(|b| is_status(**b))
        {
            return Err(refused());
        }
        let bit = |byte: u8, n: u8| byte & (1 << n) != 0;
        Ok(PrinterStatus {
            offline: bit(*printer, 3),
            cover_open: bit(*offline_cause, 2),
            paper_out: bit(*offline_cause, 5) || (bit(*paper, 5) && bit(*paper, 6)),
            paper_near_end: bit(*paper, 2) && bit(*paper, 3),
        })
    }

    /// The answer bytes a printer in this state gives to [`STATUS_QUERIES`] (for the
    /// simulators, which answer as a real printer does).
    pub fn answer(&self) -> [u8; 3] {
        let base = 0b0001_0010u8;
        let set = |on: bool, bits: u8| if on { bits } else { 0 };
        [
            base | set(self.offline || self.cover_open || self.paper_out, 1 << 3),
            base | set(self.cover_open, 1 << 2) | set(self.paper_out, 1 << 5),
            base | set(self.paper_near_end || self.paper_out, 0b1100)
                | set(self.paper_out, 0b0110_0000),
        ]
    }

    /// The byte a printer in this state answers to `DLE EOT n` (n = 3, the error cause,
    /// answers "no error").
    pub fn answer_to(&self, n: u8) -> u8 {
        let [printer, offline_cause, paper] = self.answer();
        match n {
            1 => printer,
            2 => offline_cause,
            4 => paper,
            _ => 0x12,
        }
    }

    /// What stops a job, if anything.
    pub fn problem(&self) -> Option<PrinterProblem> {
        if self.paper_out {
            Some(PrinterProblem::PaperOut)
        } else if self.cover_open {
            Some(PrinterProblem::CoverOpen)
        } else if self.offline {
            Some(PrinterProblem::Offline)
        } else {
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_state_answers_and_reads_back_as_itself() {
        let states = [
            PrinterStatus::default(),
            PrinterStatus {
                paper_near_end: true,
                ..PrinterStatus::default()
            },
            PrinterStatus {
                paper_out: true,
                offline: true,
                paper_near_end: true,
                ..PrinterStatus::default()
            },
            PrinterStatus {
                cover_open: true,
                offline: true,
                ..PrinterStatus::default()
            },
        ];
        for state in states {
            assert_eq!(PrinterStatus::parse(&state.answer()), Ok(state));
        }
        assert_eq!(PrinterStatus::default().answer(), [0x12, 0x12, 0x12]);
    }

    #[test]
    fn paper_out_is_the_problem_named_first_and_near_end_is_no_problem() {
        let out = PrinterStatus {
            paper_out: true,
            cover_open: true,
            offline: true,
            ..PrinterStatus::default()
        };
        assert_eq!(out.problem(), Some(PrinterProblem::PaperOut));
        let low = PrinterStatus {
            paper_near_end: true,
            ..PrinterStatus::default()
        };
        assert_eq!(low.problem(), None);
    }

    #[test]
    fn bytes_that_are_not_status_are_refused() {
        for answer in [
            &[0x12, 0x12][..],
            &[0x12, 0x12, 0x12, 0x12],
            &[0x00, 0x12, 0x12],
            b"OK!",
        ] {
            assert!(PrinterStatus::parse(answer).is_err(), "{answer:?}");
        }
    }
}
