//! The payment store: one SQLite file for postage accounts and test-processor charges.
//!
//! Payments move value, so durability is checked rather than assumed, as in the PSD
//! ledger: WAL with `synchronous=FULL`, both read back at open, and every operation that
//! moves value is one `BEGIN IMMEDIATE` transaction committed before the caller hears of
//! it. `BEGIN IMMEDIATE` takes the write lock before the balance is read, so two charges on
//! one account serialize even across connections and processes. The store is its own file
//! (not the PSD ledger's), because each keeps its own migration history.

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use crate::migrations::{Change, Step};
use sqlx::sqlite::SqlitePool;
use sqlx::{Sqlite, Transaction};

use super::error::PaymentError;
pub use crate::clock::Clock;
/// Connections in the pool: readers run alongside; writers queue on SQLite's lock.
const CONNECTIONS_MAX: u32 = 4;
/// How long a writer waits for another's transaction before giving up.
const BUSY_TIMEOUT_MS: u64 = 10_000;

/// An open payment store; cheap to clone (the clones share one pool).
#[derive(Clone)]
pub struct PaymentStore {
    pool: SqlitePool,
    path: Arc<str>,
    clock: Clock,
}

/// The store's migrations, in order (see [`crate::migrations`]). The PIN hash one drops the
/// salted-SHA-256 columns builds before it read: a contract migration, which only builds
/// that know it read past.
pub const MIGRATIONS: [Step; 2] = [
    Step::expand(
        "accounts",
        include_str!("../../migrations/accounts/0001_accounts.sql"),
    ),
    Step {
        name: "pin hash",
        sql: include_str!("../../migrations/accounts/0002_pin_hash.sql"),
        change: Change::Contract { readers_know: 2 },
    },
];

impl PaymentStore {
    /// Opens (creating the file and its folders if needed) the store at `path`.
    pub async fn open(path: &Path) -> Result<PaymentStore, PaymentError> {
        PaymentStore::open_with_clock(path, Clock::system()).await
    }

    /// [`PaymentStore::open`] with another clock.
    pub async fn open_with_clock(path: &Path, clock: Clock) -> Result<PaymentStore, PaymentError> {
        let path_text: Arc<str> = path.display().to_string().into();
        let storage = |reason: String| PaymentError::Storage {
            path: path_text.to_string(),
            reason,
        };
        let pool = crate::durable_sqlite::connect(
            path,
            CONNECTIONS_MAX,
            Duration::from_millis(BUSY_TIMEOUT_MS),
        )
        .await
        .map_err(|e| storage(e.to_string()))?;
        let store = PaymentStore {
            pool,
            path: path_text.clone(),
            clock,
        };
        store.check_durability().await?;
        crate::migrations::run(&store.pool, &MIGRATIONS)
            .await
            .map_err(|e| store.storage(e))?;
        Ok(store)
    }

    async fn check_durability(&self) -> Result<(), PaymentError> {
        match crate::durable_sqlite::durability_problem(&self.pool)
            .await
            .map_err(|e| self.storage(e))?
        {
            None => Ok(()),
            Some(problem) => Err(self.storage(format!("the payment store's {problem}"))),
        }
    }

    /// Starts a write transaction that holds SQLite's write lock from its first statement.
    pub(crate) async fn begin_immediate(
        &self,
    ) -> Result<Transaction<'static, Sqlite>, PaymentError> {
        self.pool
            .begin_with("BEGIN IMMEDIATE")
            .await
            .map_err(|e| self.storage(e))
    }

    pub(crate) fn pool(&self) -> &SqlitePool {
        &self.pool
    }

    pub(crate) fn storage(&self, error: impl std::fmt::Display) -> PaymentError {
        PaymentError::Storage {
            path: self.path.to_string(),
            reason: error.to_string(),
        }
    }

    pub fn path(&self) -> &str {
        &self.path
    }

    pub fn clock(&self) -> &Clock {
        &self.clock
    }

    /// Closes the pool, waiting for its connections to finish (a test's "crash and reopen").
    pub async fn close(&self) {
        self.pool.close().await;
    }
}
