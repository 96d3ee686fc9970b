//! The station's store migrations, kept readable by the release before (expand, then
//! contract). A station that rolls a failed release back runs the previous build on the
//! ledger and payment store the failed one already migrated, so:
//! - a migration that only adds (a table, a column with a default, an index) is an
//!   [`Change::Expand`]: a build that does not know it still reads and writes the store;
//! - one that removes, renames or changes what older code reads is a [`Change::Contract`],
//!   shipped only once no release in use needs the old shape. The store records (SQLite's
//!   `user_version`) the newest contract migration applied, and a build that does not know
//!   that one refuses the store with a message, rather than misreading it.

use sqlx::migrate::{Migration, MigrationType, Migrator};
use sqlx::{AssertSqlSafe, SqlSafeStr, SqlitePool};

/// Whether a build that does not know a migration can still use the store after it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Change {
    /// Only adds: older builds read the store as before.
    Expand,
    /// Removes or reshapes: older builds must not open the store.
    Contract,
}

/// One migration of a store, numbered by its place in the store's list (from 1).
#[derive(Clone, Copy, Debug)]
pub struct Step {
    pub name: &'static str,
    pub sql: &'static str,
    pub change: Change,
}

/// Why a store's migrations did not run.
#[derive(Debug, thiserror::Error)]
pub enum MigrationError {
    #[error(
        "it was changed by a newer release: its migration {needed}, which this build does not know, removed or reshaped what this build reads (run a release that knows it)"
    )]
    TooNew { needed: i64 },
    #[error("{0}")]
    Database(#[from] sqlx::Error),
    #[error("{0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
}

/// Runs `steps` on `pool`: applies the ones not yet applied, accepts migrations a newer build
/// applied as long as they were all expand ones, and records the newest contract migration.
pub async fn run(pool: &SqlitePool, steps: &[Step]) -> Result<(), MigrationError> {
    let known = i64::try_from(steps.len()).unwrap_or(i64::MAX);
    let needed: i64 = sqlx::query_scalar("PRAGMA user_version")
        .fetch_one(pool)
        .await?;
    if needed > known {
        return Err(MigrationError::TooNew { needed });
    }
    let mut migrator = Migrator::with_migrations(
        (1..)
            .zip(steps)
            .map(|(version, step)| {
                Migration::new(
                    version,
                    step.name.into(),
                    MigrationType::Simple,
                    step.sql.into_sql_str(),
                    false,
                )
            })
            .collect(),
    );
    // A newer build's migrations (expand ones, checked above) stay applied.
    migrator.set_ignore_missing(true);
    migrator.run(pool).await?;
    let newest_contract = (1..)
        .zip(steps)
        .filter(|(_, step)| step.change == Change::Contract)
        .map(|(version, _)| version)
        .max()
        .unwrap_or(0);
    if newest_contract > needed {
        // A pragma takes no bound parameter; the value is a number this code made.
        sqlx::query(AssertSqlSafe(format!(
            "PRAGMA user_version = {newest_contract}"
        )))
        .execute(pool)
        .await?;
    }
    Ok(())
}
