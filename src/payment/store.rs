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
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use sqlx::migrate::{Migration, MigrationType, Migrator};
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};
use sqlx::{SqlSafeStr, Sqlite, Transaction};

use super::error::PaymentError;
use crate::date::Date;

/// `PRAGMA synchronous` reads back 2 for FULL.
const SYNCHRONOUS_FULL: i64 = 2;
/// Connections in the pool: readers run alongside; writers queue on SQLite's lock.
const CONNECTIONS_MAX: u32 = 4;
/// How long a writer waits for another's transaction before giving up.
const BUSY_TIMEOUT_MS: u64 = 10_000;

/// Where the store reads the time (entry times, the day an expiry is checked against):
/// the system clock in service, a fixed one in tests.
#[derive(Clone)]
pub struct Clock(Arc<dyn Fn() -> i64 + Send + Sync>);

impl Clock {
    pub fn system() -> Clock {
        Clock(Arc::new(|| {
            SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
                .unwrap_or(0)
        }))
    }

    /// A clock that reads milliseconds since 1970 from `now_unix_ms`.
    pub fn from_fn(now_unix_ms: impl Fn() -> i64 + Send + Sync + 'static) -> Clock {
        Clock(Arc::new(now_unix_ms))
    }

    pub fn now_unix_ms(&self) -> i64 {
        (self.0)()
    }

    /// The UTC day of now.
    pub fn today(&self) -> Date {
        const DAYS_FROM_1970_TO_2000: i64 = 10_957;
        let days = self.now_unix_ms().div_euclid(86_400_000) - DAYS_FROM_1970_TO_2000;
        Date::from_days_since_2000(i32::try_from(days).unwrap_or(0))
    }
}

/// An open payment store; cheap to clone (the clones share one pool).
#[derive(Clone)]
pub struct PaymentStore {
    pool: SqlitePool,
    path: Arc<str>,
    clock: Clock,
}

fn migrator() -> Migrator {
    Migrator::with_migrations(vec![Migration::new(
        1,
        "accounts".into(),
        MigrationType::Simple,
        include_str!("../../migrations/accounts/0001_accounts.sql").into_sql_str(),
        false,
    )])
}

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
        if let Some(folder) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(folder)
                .map_err(|e| storage(format!("cannot create {}: {e}", folder.display())))?;
        }
        let options = SqliteConnectOptions::new()
            .filename(path)
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Full)
            .foreign_keys(true)
            .busy_timeout(Duration::from_millis(BUSY_TIMEOUT_MS));
        let pool = SqlitePoolOptions::new()
            .max_connections(CONNECTIONS_MAX)
            .connect_with(options)
            .await
            .map_err(|e| storage(e.to_string()))?;
        let store = PaymentStore {
            pool,
            path: path_text.clone(),
            clock,
        };
        store.check_durability().await?;
        migrator()
            .run(&store.pool)
            .await
            .map_err(|e| store.storage(e))?;
        Ok(store)
    }

    async fn check_durability(&self) -> Result<(), PaymentError> {
        let mode: String = sqlx::query_scalar("PRAGMA journal_mode")
            .fetch_one(&self.pool)
            .await
            .map_err(|e| self.storage(e))?;
        let synchronous: i64 = sqlx::query_scalar("PRAGMA synchronous")
            .fetch_one(&self.pool)
            .await
            .map_err(|e| self.storage(e))?;
        if !mode.eq_ignore_ascii_case("wal") || synchronous != SYNCHRONOUS_FULL {
            return Err(self.storage(format!(
                "journal_mode is {mode} and synchronous is {synchronous}; payments need wal and 2 (FULL) to be durable"
            )));
        }
        Ok(())
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
