//! Charges taken for sales not yet settled, kept on disk so that a counter that dies between
//! charging a card (or an account) and issuing the postage it pays for gives the money back
//! when it starts again.
//!
//! A charge is written (0600, in a 0700 folder, fsynced, then renamed into place) before it
//! is sent to the processor, so no approved charge can exist without its record; a decline
//! removes it. At the next start every record is settled: the postage issued under the
//! sale's request ids is summed from the ledger, and what the charge paid beyond it is
//! refunded under the same refund id the screen uses (`CHARGE-refund-unissued`), so a
//! refund that already went through is answered again, never made twice. A charge the
//! processor does not know was never made. A record whose refund cannot be made now (the
//! data centre down) stays for the start after.

use std::fs;
use std::io::{self, Write};
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::money::Money;
use crate::private_files::{PRIVATE_FILE_MODE, private_dir, sync_dir};

/// Who took the charge, and so refunds it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ChargedTo {
    Card,
    Account,
}

/// One charge of a sale, as written before it is sent.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OpenCharge {
    pub charge_id: String,
    pub method: ChargedTo,
    pub amount_mills: i64,
    /// The sale whose pieces it pays for: their request ids start with `SALE-item`.
    pub sale_id: String,
    /// When it was written, by the counter's clock: the ledger is searched from here.
    pub taken_unix_ms: i64,
}

/// The folder of open charges, `charges/` in the data directory.
impl OpenCharge {
    /// A charge of `amount` for sale `sale_id`, taken now by the counter's clock.
    pub fn new(sale_id: String, charge_id: String, method: ChargedTo, amount: Money) -> OpenCharge {
        OpenCharge {
            charge_id,
            method,
            amount_mills: amount.mills(),
            sale_id,
            taken_unix_ms: crate::clock::Clock::system().now_unix_ms(),
        }
    }

    pub fn amount(&self) -> Money {
        Money::from_mills(self.amount_mills)
    }
}

#[derive(Clone, Debug)]
pub struct ChargeJournal {
    dir: PathBuf,
}

impl ChargeJournal {
    pub fn open(data_dir: &Path) -> io::Result<ChargeJournal> {
        let dir = data_dir.join("charges");
        private_dir(&dir)?;
        Ok(ChargeJournal { dir })
    }

    /// Writes `charge` durably; only then may it be sent.
    pub fn record(&self, charge: &OpenCharge) -> io::Result<()> {
        let path = self.path(&charge.charge_id);
        let partial = path.with_extension("partial");
        let text = serde_json::to_vec_pretty(charge).map_err(io::Error::other)?;
        let mut file = fs::OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(true)
            .mode(PRIVATE_FILE_MODE)
            .open(&partial)?;
        file.write_all(&text)?;
        file.sync_all()?;
        fs::rename(&partial, &path)?;
        sync_dir(&self.dir)
    }

    /// Removes the record of a charge that is settled (declined, or refunded as owed).
    pub fn close(&self, charge_id: &str) -> io::Result<()> {
        match fs::remove_file(self.path(charge_id)) {
            Err(error) if error.kind() != io::ErrorKind::NotFound => Err(error),
            _ => sync_dir(&self.dir),
        }
    }

    /// Every open charge; a record that does not read is an error that names its file.
    pub fn open_charges(&self) -> io::Result<Vec<OpenCharge>> {
        let mut charges = Vec::new();
        for entry in fs::read_dir(&self.dir)? {
            let path = entry?.path();
            if path.extension().is_none_or(|ext| ext != "json") {
                continue;
            }
            let text = fs::read(&path)?;
            let charge = serde_json::from_slice(&text).map_err(|error| {
                io::Error::new(
                    io::ErrorKind::InvalidData,
                    format!("{}: {error}", path.display()),
                )
            })?;
            charges.push(charge);
        }
        charges.sort_by_key(|charge: &OpenCharge| charge.taken_unix_ms);
        Ok(charges)
    }

    fn path(&self, charge_id: &str) -> PathBuf {
        // Charge ids are the counter's own (letters, digits, dashes): safe as file names.
        let name: String = charge_id
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || c == '-' {
                    c
                } else {
                    '_'
                }
            })
            .collect();
        self.dir.join(format!("{name}.json"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_recorded_charge_reads_back_until_it_is_closed() {
        let dir = tempfile::tempdir().unwrap();
        let journal = ChargeJournal::open(dir.path()).unwrap();
        let charge = OpenCharge {
            charge_id: "c1-sale1-charge1".into(),
            method: ChargedTo::Card,
            amount_mills: 780,
            sale_id: "c1-sale1".into(),
            taken_unix_ms: 1,
        };
        journal.record(&charge).unwrap();
        assert_eq!(
            journal.open_charges().unwrap(),
            std::slice::from_ref(&charge)
        );
        journal.close(&charge.charge_id).unwrap();
        journal.close(&charge.charge_id).unwrap();
        assert!(journal.open_charges().unwrap().is_empty());
    }
}
