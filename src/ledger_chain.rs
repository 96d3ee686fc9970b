//! The hash chain over an embedded PSD's issued pieces, shared by the counter that reports
//! its ledger and the vendor that checks it.
//!
//! A counter that issued offline hands its pieces to the vendor later. Each entry's hash
//! covers the hash before it, so the vendor, which keeps the head of every counter's chain,
//! notices a piece left out (a gap: the serials do not follow on) or a history rewritten
//! after the fact (a fork: an entry or its predecessor differs from what was reported
//! before), and refuses both. The chain starts from [`GENESIS`] at the PSD's first piece.

use sha2::{Digest, Sha256};

/// The hash "before" piece 1.
pub const GENESIS: [u8; 32] = [0; 32];

/// What the chain commits to of one issued piece.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChainEntry {
    pub psd_id: u32,
    pub piece_serial: u32,
    pub postage_mills: i64,
    /// The date of mailing, days since 2000-01-01.
    pub mailing_day: i32,
    pub issued_unix_ms: i64,
    pub indicium: Vec<u8>,
}

impl ChainEntry {
    /// This entry's hash, following `previous`.
    pub fn hash(&self, previous: &[u8; 32]) -> [u8; 32] {
        let mut hasher = Sha256::new();
        hasher.update(b"postcounter ledger chain v1\0");
        hasher.update(previous);
        hasher.update(self.psd_id.to_be_bytes());
        hasher.update(self.piece_serial.to_be_bytes());
        hasher.update(self.postage_mills.to_be_bytes());
        hasher.update(self.mailing_day.to_be_bytes());
        hasher.update(self.issued_unix_ms.to_be_bytes());
        hasher.update(Sha256::digest(&self.indicium));
        hasher.finalize().into()
    }
}

/// Why a report does not continue the chain the vendor holds.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ChainBreak {
    #[error("a gap: piece {expected} was expected next, the report goes on with piece {found}")]
    Gap { expected: u32, found: u32 },
    #[error("a fork at piece {piece_serial}: it does not follow from the chain reported before")]
    Fork { piece_serial: u32 },
}

/// The head of a chain: the last piece it covers (0 for none) and that piece's hash.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ChainHead {
    pub through_serial: u32,
    pub hash: [u8; 32],
}

impl ChainHead {
    pub const EMPTY: ChainHead = ChainHead {
        through_serial: 0,
        hash: GENESIS,
    };

    /// Extends the chain by `entries`, each with the hash its sender claims for it; the
    /// entries must start right after this head. Returns the new head.
    pub fn extend(&self, entries: &[(ChainEntry, [u8; 32])]) -> Result<ChainHead, ChainBreak> {
        let mut head = *self;
        for (entry, claimed) in entries {
            let expected = head.through_serial.saturating_add(1);
            if entry.piece_serial != expected {
                return Err(ChainBreak::Gap {
                    expected,
                    found: entry.piece_serial,
                });
            }
            let hash = entry.hash(&head.hash);
            if &hash != claimed {
                return Err(ChainBreak::Fork {
                    piece_serial: entry.piece_serial,
                });
            }
            head = ChainHead {
                through_serial: entry.piece_serial,
                hash,
            };
        }
        Ok(head)
    }
}

/// Entries with their hashes, chained from `head`: what a counter sends.
pub fn chained(head: ChainHead, entries: Vec<ChainEntry>) -> Vec<(ChainEntry, [u8; 32])> {
    let mut previous = head.hash;
    entries
        .into_iter()
        .map(|entry| {
            let hash = entry.hash(&previous);
            previous = hash;
            (entry, hash)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(piece_serial: u32) -> ChainEntry {
        ChainEntry {
            psd_id: 10_000_001,
            piece_serial,
            postage_mills: 780,
            mailing_day: 9_821,
            issued_unix_ms: 1_795_000_000_000 + i64::from(piece_serial),
            indicium: vec![u8::try_from(piece_serial % 251).unwrap_or(0); 112],
        }
    }

    #[test]
    fn a_chain_extends_in_one_report_or_in_several() {
        let all = chained(ChainHead::EMPTY, (1..=5).map(entry).collect());
        let whole = ChainHead::EMPTY.extend(&all).unwrap();
        let first = ChainHead::EMPTY.extend(&all[..2]).unwrap();
        let then = first.extend(&all[2..]).unwrap();
        assert_eq!(whole, then);
        assert_eq!(whole.through_serial, 5);
    }

    #[test]
    fn a_missing_piece_is_a_gap() {
        let mut entries = chained(ChainHead::EMPTY, (1..=4).map(entry).collect());
        entries.remove(2);
        assert_eq!(
            ChainHead::EMPTY.extend(&entries),
            Err(ChainBreak::Gap {
                expected: 3,
                found: 4
            })
        );
    }

    #[test]
    fn a_changed_piece_or_a_rewritten_past_is_a_fork() {
        let mut entries = chained(ChainHead::EMPTY, (1..=3).map(entry).collect());
        entries[1].0.postage_mills = 1;
        assert_eq!(
            ChainHead::EMPTY.extend(&entries),
            Err(ChainBreak::Fork { piece_serial: 2 })
        );
        // A report that follows another history than the one the vendor holds.
        let held = ChainHead::EMPTY
            .extend(&chained(ChainHead::EMPTY, vec![entry(1)]))
            .unwrap();
        let mut other = entry(1);
        other.indicium[0] ^= 1;
        let other_head = ChainHead::EMPTY
            .extend(&chained(ChainHead::EMPTY, vec![other]))
            .unwrap();
        let next = chained(other_head, vec![entry(2)]);
        assert_eq!(
            held.extend(&next),
            Err(ChainBreak::Fork { piece_serial: 2 })
        );
    }
}
