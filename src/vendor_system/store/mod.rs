//! The vendor's store: SQLite (the embedded default) or PostgreSQL (several vendor
//! processes sharing one database), behind one set of statements.
//!
//! sqlx's `Any` driver runs the same SQL on both, so the rules that keep value safe are
//! written once: every statement is portable (`$n` placeholders, `ON CONFLICT`, `RETURNING`,
//! `CAST`), every debit is a conditional `UPDATE ... WHERE descending_mills >= $n`, and each
//! engine gets its own migration folder for its types. SQLite opens in WAL mode with
//! `synchronous=FULL` and both are read back; a write transaction starts with
//! `BEGIN IMMEDIATE` there (a reader cannot later fail to upgrade), while PostgreSQL
//! serializes debits of one PSD through its row lock.

mod accounts;
pub mod card_payments;
pub mod counters;
mod dialect;
pub mod embedded;
pub mod event_entries;
mod event_redeem;
pub mod events;
mod funds;
pub(crate) mod idempotency;
pub mod keys;
pub mod lottery;
pub mod lottery_wagers;
pub mod mail_scans;
mod psds;
pub mod purchase;
pub mod reconcile;
mod reconcile_funds;
mod reconcile_labels;
pub mod role;
pub mod standing;
pub mod statement;
pub mod void_refill;
pub mod withdrawal;

use std::sync::Once;
use std::time::Duration;

use sqlx::AnyPool;
use sqlx::any::{AnyPoolOptions, AnyRow};
use sqlx::migrate::{Migration, MigrationType, Migrator};
use sqlx::{Any, AnyConnection, Connection, Executor, Row, SqlSafeStr, Transaction};

use super::error::VendorError;

pub use accounts::AccountRow;
pub use counters::CounterRow;
pub(crate) use dialect::Dialect;
pub use idempotency::KeyClaim;
pub use psds::{PsdRow, registers_view};

/// Which engine a store runs on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    pub fn name(self) -> &'static str {
        match self {
            Backend::Sqlite => "sqlite",
            Backend::Postgres => "postgres",
        }
    }
}

#[derive(Clone)]
pub struct VendorStore {
    pool: AnyPool,
    backend: Backend,
    /// Where the store is, without any password: for messages.
    location: String,
    /// Where the store is, as given: to open another pool on it.
    given_location: String,
}

/// `PRAGMA synchronous` reads 2 for FULL.
const SYNCHRONOUS_FULL: i64 = 2;

fn migrator(backend: Backend) -> Migrator {
    let steps = match backend {
        Backend::Sqlite => [
            include_str!("../../../migrations/vendor-sqlite/0001_vendor.sql"),
            include_str!("../../../migrations/vendor-sqlite/0002_reconciliation.sql"),
            include_str!("../../../migrations/vendor-sqlite/0003_psd_certificate.sql"),
            include_str!("../../../migrations/vendor-sqlite/0004_counter_location.sql"),
            include_str!("../../../migrations/vendor-sqlite/0005_key_management.sql"),
            include_str!("../../../migrations/vendor-sqlite/0006_store_role.sql"),
            include_str!("../../../migrations/vendor-sqlite/0007_card_refund.sql"),
            include_str!("../../../migrations/vendor-sqlite/0008_embedded_lock.sql"),
            include_str!("../../../migrations/vendor-sqlite/0009_label_sheets.sql"),
            include_str!("../../../migrations/vendor-sqlite/0010_withdrawal.sql"),
            include_str!("../../../migrations/vendor-sqlite/0011_mail_scans.sql"),
            include_str!("../../../migrations/vendor-sqlite/0012_lottery.sql"),
            include_str!("../../../migrations/vendor-sqlite/0013_events.sql"),
        ],
        Backend::Postgres => [
            include_str!("../../../migrations/vendor-postgres/0001_vendor.sql"),
            include_str!("../../../migrations/vendor-postgres/0002_reconciliation.sql"),
            include_str!("../../../migrations/vendor-postgres/0003_psd_certificate.sql"),
            include_str!("../../../migrations/vendor-postgres/0004_counter_location.sql"),
            include_str!("../../../migrations/vendor-postgres/0005_key_management.sql"),
            include_str!("../../../migrations/vendor-postgres/0006_store_role.sql"),
            include_str!("../../../migrations/vendor-postgres/0007_card_refund.sql"),
            include_str!("../../../migrations/vendor-postgres/0008_embedded_lock.sql"),
            include_str!("../../../migrations/vendor-postgres/0009_label_sheets.sql"),
            include_str!("../../../migrations/vendor-postgres/0010_withdrawal.sql"),
            include_str!("../../../migrations/vendor-postgres/0011_mail_scans.sql"),
            include_str!("../../../migrations/vendor-postgres/0012_lottery.sql"),
            include_str!("../../../migrations/vendor-postgres/0013_events.sql"),
        ],
    };
    let names = [
        "vendor",
        "reconciliation",
        "psd certificate",
        "counter location",
        "key management",
        "store role",
        "card refund",
        "embedded lock",
        "label sheets",
        "withdrawal",
        "mail scans",
        "lottery",
        "events",
    ];
    let mut migrator = Migrator::with_migrations(
        (1..)
            .zip(names.into_iter().zip(steps))
            .map(|(version, (name, sql))| {
                Migration::new(
                    version,
                    name.into(),
                    MigrationType::Simple,
                    sql.into_sql_str(),
                    false,
                )
            })
            .collect(),
    );
    // Every vendor migration so far only adds (see `crate::migrations`): a build that does
    // not know the newest ones (a counter's in-process data centre after its release was
    // rolled back, or a vendor process not yet upgraded beside one that is) uses the store
    // as before.
    migrator.set_ignore_missing(true);
    migrator
}

/// Every SQLite connection: WAL with full sync (checked at open), foreign keys, and a
/// writer that waits for another rather than failing at once.
const SQLITE_SETUP: &str = "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; \
                            PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 30000;";

impl VendorStore {
    /// Opens the store at `location`: a `postgres://` URL, or a SQLite file path (created if
    /// missing). Runs the migrations and, on SQLite, checks durability and integrity.
    pub async fn open(location: &str, max_connections: u32) -> Result<VendorStore, VendorError> {
        let store = VendorStore::connect(location, max_connections).await?;
        if store.backend == Backend::Sqlite {
            store.check_sqlite().await?;
        }
        migrator(store.backend)
            .run(&store.pool)
            .await
            .map_err(|e| store.cannot_start(format!("migrating it failed: {e}")))?;
        Ok(store)
    }

    /// A failure at open: for the operator starting the vendor, so it keeps its reason
    /// (unlike [`VendorError::storage`], which answers a client while serving).
    fn cannot_start(&self, reason: impl std::fmt::Display) -> VendorError {
        VendorError::new(
            super::error::RefusalKind::Unavailable,
            format!("the vendor store {}: {reason}", self.location),
        )
    }

    /// A pool on `location`, its connections set up for durability; no checks, no
    /// migrations.
    async fn connect(location: &str, max_connections: u32) -> Result<VendorStore, VendorError> {
        static DRIVERS: Once = Once::new();
        DRIVERS.call_once(sqlx::any::install_default_drivers);
        let (backend, url) =
            if location.starts_with("postgres://") || location.starts_with("postgresql://") {
                (Backend::Postgres, location.to_string())
            } else {
                let path = location.strip_prefix("sqlite://").unwrap_or(location);
                (Backend::Sqlite, format!("sqlite://{path}?mode=rwc"))
            };
        let shown = redact_password(location);
        let unavailable = |e: sqlx::Error| {
            VendorError::new(
                super::error::RefusalKind::Unavailable,
                format!("the vendor store {shown} cannot be opened: {e}"),
            )
        };
        if backend == Backend::Sqlite {
            // Owner-only before SQLite makes the file (and its -wal and -shm, which take
            // the file's mode); tightened if an earlier version left it wider.
            let path = location.strip_prefix("sqlite://").unwrap_or(location);
            crate::private_files::private_database(std::path::Path::new(path))
                .map_err(|e| unavailable(sqlx::Error::Io(e)))?;
        }
        // One connection first, set up as the pool's will be: the pool retries a failing
        // connection until its timeout and then reports only that it timed out, so a
        // damaged file or a refused login would cost 30 s and lose its reason.
        let mut probe = AnyConnection::connect(&url).await.map_err(unavailable)?;
        if backend == Backend::Sqlite {
            probe.execute(SQLITE_SETUP).await.map_err(unavailable)?;
        }
        probe.close().await.map_err(unavailable)?;
        // No ping before each use: on PostgreSQL it is a round trip more for every batch,
        // and a connection that died is found by the statement that uses it, which fails
        // as `unavailable` with nothing done, so the counter retries under its key.
        let mut options = AnyPoolOptions::new()
            .max_connections(max_connections)
            .acquire_timeout(Duration::from_secs(30))
            .test_before_acquire(false);
        if backend == Backend::Sqlite {
            options = options.after_connect(|connection, _| {
                Box::pin(async move {
                    connection.execute(SQLITE_SETUP).await?;
                    Ok(())
                })
            });
        }
        let pool = options.connect(&url).await.map_err(unavailable)?;
        Ok(VendorStore {
            pool,
            backend,
            location: shown,
            given_location: location.to_string(),
        })
    }

    async fn check_sqlite(&self) -> Result<(), VendorError> {
        let failed = |e: sqlx::Error| self.cannot_start(format!("checking it failed: {e}"));
        let mode: String = sqlx::query_scalar("PRAGMA journal_mode")
            .fetch_one(&self.pool)
            .await
            .map_err(failed)?;
        let synchronous: i64 = sqlx::query_scalar("PRAGMA synchronous")
            .fetch_one(&self.pool)
            .await
            .map_err(failed)?;
        if !mode.eq_ignore_ascii_case("wal") || synchronous != SYNCHRONOUS_FULL {
            return Err(self.cannot_start(format!(
                "journal_mode {mode} and synchronous {synchronous}; it needs wal and 2 (FULL) to be durable"
            )));
        }
        let check: Vec<String> = sqlx::query_scalar("PRAGMA quick_check")
            .fetch_all(&self.pool)
            .await
            .map_err(failed)?;
        if check != ["ok"] {
            return Err(self.cannot_start(format!("it is corrupt: {}", check.join("; "))));
        }
        Ok(())
    }

    /// A pool of its own on this open store, for a task on another runtime: a PostgreSQL
    /// connection belongs to the runtime that opened it. The store was checked and migrated
    /// when it was opened, so this only connects.
    pub async fn open_another(&self, max_connections: u32) -> Result<VendorStore, VendorError> {
        VendorStore::connect(&self.given_location, max_connections).await
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    pub fn location(&self) -> &str {
        &self.location
    }

    pub fn pool(&self) -> &AnyPool {
        &self.pool
    }

    /// A transaction that will write: `BEGIN IMMEDIATE` on SQLite, so it holds the write
    /// lock from the start; a plain `BEGIN` on PostgreSQL, where row locks serialize.
    pub async fn begin_write(&self) -> Result<Transaction<'static, Any>, VendorError> {
        Ok(self.pool.begin_with(self.begin_statement()).await?)
    }

    /// [`begin_write`](Self::begin_write) on a connection the caller holds: for the
    /// committer, whose batches follow one another on one connection. A connection given
    /// back to the pool is pinged (a round trip) before the pool takes it again.
    pub async fn begin_write_on<'c>(
        &self,
        conn: &'c mut AnyConnection,
    ) -> Result<Transaction<'c, Any>, VendorError> {
        Ok(conn.begin_with(self.begin_statement()).await?)
    }

    fn begin_statement(&self) -> &'static str {
        match self.backend {
            Backend::Sqlite => "BEGIN IMMEDIATE",
            Backend::Postgres => "BEGIN",
        }
    }

    pub async fn close(&self) {
        self.pool.close().await;
    }
}

/// `postgres://user:secret@host/db` shown as `postgres://user:***@host/db`.
fn redact_password(location: &str) -> String {
    let Some((scheme, rest)) = location.split_once("://") else {
        return location.to_string();
    };
    match rest.split_once('@') {
        Some((user_info, host)) if user_info.contains(':') => {
            let user = user_info.split(':').next().unwrap_or("");
            format!("{scheme}://{user}:***@{host}")
        }
        _ => location.to_string(),
    }
}

pub(crate) fn int(row: &AnyRow, column: &str) -> Result<i64, VendorError> {
    Ok(row.try_get::<i64, _>(column)?)
}

pub(crate) fn text(row: &AnyRow, column: &str) -> Result<String, VendorError> {
    Ok(row.try_get::<String, _>(column)?)
}

pub(crate) fn optional_text(row: &AnyRow, column: &str) -> Result<Option<String>, VendorError> {
    Ok(row.try_get::<Option<String>, _>(column)?)
}

pub(crate) fn blob(row: &AnyRow, column: &str) -> Result<Vec<u8>, VendorError> {
    Ok(row.try_get::<Vec<u8>, _>(column)?)
}

/// A u32 id column (PSD ids, serials); a value outside u32 means the store was edited.
pub(crate) fn id32(row: &AnyRow, column: &str) -> Result<u32, VendorError> {
    let value = int(row, column)?;
    u32::try_from(value)
        .map_err(|_| VendorError::storage(format!("column {column} holds {value}, not a u32")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_are_not_shown() {
        assert_eq!(
            redact_password("postgres://pc:hunter2@127.0.0.1:5432/vendor"),
            "postgres://pc:***@127.0.0.1:5432/vendor"
        );
        assert_eq!(redact_password("/var/lib/v.sqlite"), "/var/lib/v.sqlite");
    }
}
