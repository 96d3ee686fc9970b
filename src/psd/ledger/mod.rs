//! The durable ledger of the embedded PSD: SQLite through sqlx.
//!
//! Durability is the point of this module, so it is checked rather than assumed: the ledger
//! opens in WAL mode with `synchronous=FULL` and reads both settings back, refusing to run
//! without them, because with anything weaker a power cut could forget a debit whose indicium
//! was already printed. At open it also runs SQLite's `quick_check` and an audit that
//! re-derives the registers from the entries; a corrupt or inconsistent ledger locks the PSD
//! with the reason. One connection serializes the embedded PSD's writers; every operation is
//! one `BEGIN IMMEDIATE` transaction.

mod audit;
pub mod contact_log;
mod entries;
mod grants;
mod link_state;
mod refill;
mod vendor_pieces;
mod void;
mod withdrawal;

use std::path::Path;
use std::time::Duration;

use sqlx::Row;
use sqlx::sqlite::SqlitePool;

use super::error::PsdError;
use super::registers::Registers;
use crate::date::Date;
use crate::migrations::Step;
use crate::money::Money;

pub use audit::Audit;
pub use entries::{IssueEntry, IssueOutcome, PieceRecord, RefillOutcome, VoidOutcome};
pub use grants::{PendingCredit, StoredLease};
pub use link_state::{LinkState, Unreported};
pub use vendor_pieces::{JournalPiece, VendorPiece};
pub use withdrawal::{RETIRED, Withdrawn};

pub use crate::clock::{Clock, day_of_unix_ms, start_of_day_unix_ms};

pub struct Ledger {
    pool: SqlitePool,
    path: String,
    clock: Clock,
    /// The time floor (see `grants`): the ledger's clock never reads earlier.
    floor_unix_ms: std::sync::atomic::AtomicI64,
}

/// A PSD's row: its registers, identity and lock.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PsdState {
    pub device_id: u32,
    pub certificate_serial: u32,
    pub license_number: u32,
    pub registers: Registers,
    pub locked_reason: Option<String>,
}

/// The ledger's migrations, in order: every one so far only adds (see [`crate::migrations`]).
pub const MIGRATIONS: [Step; 7] = [
    Step::expand(
        "ledger",
        include_str!("../../../migrations/psd/0001_ledger.sql"),
    ),
    Step::expand(
        "link",
        include_str!("../../../migrations/psd/0002_link.sql"),
    ),
    Step::expand(
        "vendor pieces",
        include_str!("../../../migrations/psd/0003_vendor_pieces.sql"),
    ),
    Step::expand(
        "grants",
        include_str!("../../../migrations/psd/0004_grants.sql"),
    ),
    Step::expand(
        "piece label",
        include_str!("../../../migrations/psd/0005_piece_label.sql"),
    ),
    Step::expand(
        "withdrawal",
        include_str!("../../../migrations/psd/0006_withdrawal.sql"),
    ),
    Step::expand(
        "contact log",
        include_str!("../../../migrations/psd/0007_contact_log.sql"),
    ),
];

impl Ledger {
    /// Opens (creating if needed) the ledger at `path` and checks that it is durable and sound.
    pub async fn open(path: &Path) -> Result<Ledger, PsdError> {
        Ledger::open_with_clock(path, Clock::system()).await
    }

    /// [`Ledger::open`] with another clock (tests that need days to pass).
    pub async fn open_with_clock(path: &Path, clock: Clock) -> Result<Ledger, PsdError> {
        let path_text = path.display().to_string();
        // One connection serializes the embedded PSD's writers.
        let pool = crate::durable_sqlite::connect(path, 1, Duration::from_secs(10))
            .await
            .map_err(|e| corrupt_or_storage(&path_text, &e))?;
        let ledger = Ledger {
            pool,
            path: path_text,
            clock,
            floor_unix_ms: std::sync::atomic::AtomicI64::new(i64::MIN),
        };
        ledger.check_durability().await?;
        ledger.check_integrity().await?;
        crate::migrations::run(&ledger.pool, &MIGRATIONS)
            .await
            .map_err(|e| ledger.storage(e))?;
        ledger.load_time_floor().await?;
        Ok(ledger)
    }

    async fn check_durability(&self) -> Result<(), PsdError> {
        let problem = crate::durable_sqlite::durability_problem(&self.pool)
            .await
            .map_err(|e| corrupt_or_storage(&self.path, &e))?;
        match problem {
            None => Ok(()),
            Some(problem) => Err(PsdError::Storage {
                path: self.path.clone(),
                reason: format!("the ledger's {problem}"),
            }),
        }
    }

    async fn check_integrity(&self) -> Result<(), PsdError> {
        let rows: Vec<String> = sqlx::query_scalar("PRAGMA quick_check")
            .fetch_all(&self.pool)
            .await
            .map_err(|e| corrupt_or_storage(&self.path, &e))?;
        if rows.len() == 1 && rows[0] == "ok" {
            Ok(())
        } else {
            Err(PsdError::Locked(format!(
                "the ledger {} is corrupt: {}",
                self.path,
                rows.join("; ")
            )))
        }
    }

    pub(crate) fn storage(&self, error: impl std::fmt::Display) -> PsdError {
        PsdError::Storage {
            path: self.path.clone(),
            reason: error.to_string(),
        }
    }

    pub fn path(&self) -> &str {
        &self.path
    }

    /// Today, by the ledger's clock (never earlier than its time floor).
    pub fn today(&self) -> Date {
        day_of_unix_ms(self.now_unix_ms())
    }

    /// The ledger's time: the station's clock, or its time floor if the clock reads earlier
    /// (a clock set back reopens nothing the floor has closed).
    pub fn now_unix_ms(&self) -> i64 {
        self.clock
            .now_unix_ms()
            .max(self.floor_unix_ms.load(std::sync::atomic::Ordering::SeqCst))
    }

    /// Registers a PSD with empty registers; does nothing if it exists. Returns whether it
    /// was created.
    pub async fn create_psd(
        &self,
        device_id: u32,
        certificate_serial: u32,
        license_number: u32,
    ) -> Result<bool, PsdError> {
        let result = sqlx::query(
            "INSERT OR IGNORE INTO psd (device_id, certificate_serial, license_number, ascending_mills, \
             descending_mills, control_total_mills, piece_count, created_unix_ms) VALUES (?, ?, ?, 0, 0, 0, 0, ?)",
        )
        .bind(i64::from(device_id))
        .bind(i64::from(certificate_serial))
        .bind(i64::from(license_number))
        .bind(self.clock.now_unix_ms())
        .execute(&self.pool)
        .await
        .map_err(|e| self.storage(e))?;
        Ok(result.rows_affected() == 1)
    }

    pub async fn state(&self, device_id: u32) -> Result<PsdState, PsdError> {
        let mut connection = self.pool.acquire().await.map_err(|e| self.storage(e))?;
        entries::read_state(&mut connection, device_id)
            .await
            .map_err(|e| self.storage(e))?
            .ok_or_else(|| {
                PsdError::NotFound(format!("no PSD {device_id} in the ledger {}", self.path))
            })
    }

    /// Locks the PSD: it issues nothing more until an administrator clears the lock.
    pub async fn lock(&self, device_id: u32, reason: &str) -> Result<(), PsdError> {
        sqlx::query(
            "UPDATE psd SET locked_reason = ? WHERE device_id = ? AND locked_reason IS NULL",
        )
        .bind(reason)
        .bind(i64::from(device_id))
        .execute(&self.pool)
        .await
        .map_err(|e| self.storage(e))?;
        Ok(())
    }

    /// Whether the PSD issued a piece under `request_id` (a retry gets that piece back).
    pub async fn holds_request(&self, device_id: u32, request_id: &str) -> Result<bool, PsdError> {
        let found: Option<i64> = sqlx::query_scalar(
            "SELECT piece_serial FROM piece WHERE device_id = ? AND request_id = ?",
        )
        .bind(i64::from(device_id))
        .bind(request_id)
        .fetch_optional(&self.pool)
        .await
        .map_err(|e| self.storage(e))?;
        Ok(found.is_some())
    }

    /// Every request id this station holds a piece for (from any PSD) that is `base` or
    /// starts with `base-`: the pieces a sale under the idempotency key `base` issued.
    pub async fn requests_under(&self, base: &str) -> Result<Vec<String>, PsdError> {
        // LIKE's wildcards escaped: request ids may hold '_'.
        let pattern = format!(
            "{}-%",
            base.replace('\\', "\\\\")
                .replace('%', "\\%")
                .replace('_', "\\_")
        );
        sqlx::query_scalar(
            "SELECT request_id FROM piece WHERE request_id = ?1 OR request_id LIKE ?2 ESCAPE '\\' \
             UNION SELECT request_key FROM vendor_piece WHERE request_key = ?1 OR request_key LIKE ?2 ESCAPE '\\'",
        )
        .bind(base)
        .bind(pattern)
        .fetch_all(&self.pool)
        .await
        .map_err(|e| self.storage(e))
    }

    /// Every piece of the PSD, in serial order.
    pub async fn pieces(&self, device_id: u32) -> Result<Vec<PieceRecord>, PsdError> {
        self.pieces_issued_since(device_id, i64::MIN).await
    }

    /// The pieces the ledger committed at or after `since_unix_ms` (its own clock), in
    /// serial order: the day's sales for the supervisor.
    pub async fn pieces_issued_since(
        &self,
        device_id: u32,
        since_unix_ms: i64,
    ) -> Result<Vec<PieceRecord>, PsdError> {
        let rows = sqlx::query(
            "SELECT p.piece_serial, p.request_id, p.postage_mills, p.mailing_day, p.indicium, p.issued_unix_ms, v.voided_day \
             FROM piece p LEFT JOIN void v USING (device_id, piece_serial) \
             WHERE p.device_id = ? AND p.issued_unix_ms >= ? ORDER BY p.piece_serial",
        )
        .bind(i64::from(device_id))
        .bind(since_unix_ms)
        .fetch_all(&self.pool)
        .await
        .map_err(|e| self.storage(e))?;
        rows.iter()
            .map(|row| entries::piece_record(row).map_err(|e| self.storage(e)))
            .collect()
    }

    pub(crate) fn pool(&self) -> &SqlitePool {
        &self.pool
    }
}

/// "file is not a database" and its kin are a corrupt ledger, which locks the PSD.
fn corrupt_or_storage(path: &str, error: &sqlx::Error) -> PsdError {
    let text = error.to_string();
    if text.contains("not a database") || text.contains("malformed") || text.contains("corrupt") {
        PsdError::Locked(format!("the ledger {path} is corrupt: {text}"))
    } else {
        PsdError::Storage {
            path: path.to_string(),
            reason: text,
        }
    }
}

pub(crate) fn money_column(
    row: &sqlx::sqlite::SqliteRow,
    column: &str,
) -> Result<Money, sqlx::Error> {
    Ok(Money::from_mills(row.try_get::<i64, _>(column)?))
}
