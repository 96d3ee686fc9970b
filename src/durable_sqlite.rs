//! Opening a SQLite file that moves value: write-ahead log, `synchronous=FULL`, foreign keys,
//! a busy timeout, and both durability settings read back, because a file that silently
//! fell back to another journal mode would acknowledge commits it could lose.
//!
//! The PSD ledger and the payment store both open their files here; each maps the errors to
//! its own error type.

use std::path::Path;
use std::time::Duration;

use sqlx::SqlitePool;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};

/// `PRAGMA synchronous` reads 2 for FULL.
const SYNCHRONOUS_FULL: i64 = 2;

/// A pool on `path` (created owner-only if missing, tightened if not) with the durable
/// settings.
pub async fn connect(
    path: &Path,
    max_connections: u32,
    busy_timeout: Duration,
) -> Result<SqlitePool, sqlx::Error> {
    crate::private_files::private_database(path)?;
    let options = SqliteConnectOptions::new()
        .filename(path)
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(SqliteSynchronous::Full)
        .foreign_keys(true)
        .busy_timeout(busy_timeout);
    SqlitePoolOptions::new()
        .max_connections(max_connections)
        .connect_with(options)
        .await
}

/// `Ok(None)` when the file is in WAL mode with `synchronous=FULL`, otherwise what it is in.
pub async fn durability_problem(pool: &SqlitePool) -> Result<Option<String>, sqlx::Error> {
    let mode: String = sqlx::query_scalar("PRAGMA journal_mode")
        .fetch_one(pool)
        .await?;
    let synchronous: i64 = sqlx::query_scalar("PRAGMA synchronous")
        .fetch_one(pool)
        .await?;
    Ok(
        (!mode.eq_ignore_ascii_case("wal") || synchronous != SYNCHRONOUS_FULL).then(|| {
            format!(
                "journal_mode is {mode} and synchronous is {synchronous}; it needs wal and 2 (FULL) to be durable"
            )
        }),
    )
}
