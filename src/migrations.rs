//! The station's store migrations, kept readable by the release before (expand, then
//! contract). A station that rolls a failed release back runs the previous build on the
//! ledger and payment store the failed one already migrated, so:
//! - a migration that only adds (a table, a column with a default, an index) is an
//!   [`Change::Expand`]: a build that does not know it still reads and writes the store;
//! - one that removes, renames or changes what older code reads is a [`Change::Contract`]. It
//!   names the migration a build must know to read the store after it (`readers_know`): the
//!   expand step that brought in what replaces the old shape, shipped at least one release
//!   earlier, so that the release a rollback returns to still reads the store. The store
//!   records the highest such number (SQLite's `user_version`), written before the migration
//!   runs, so a crash between the two leaves the store refused by older builds rather than
//!   misread; a build that does not know that migration refuses the store with a sentence.
//!
//! A migration, once released, is never edited: its checksum is checked at every open.

use sqlx::migrate::{Migration, MigrationType, Migrator};
use sqlx::{AssertSqlSafe, SqlSafeStr, SqlitePool};

/// Whether a build that does not know a migration can still use the store after it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Change {
    /// Only adds: older builds read the store as before.
    Expand,
    /// Removes or reshapes: only builds that know migration `readers_know` (numbered from 1)
    /// may open the store after it.
    Contract { readers_know: i64 },
}

/// One migration of a store, numbered by its place in the store's list (from 1).
#[derive(Clone, Copy, Debug)]
pub struct Step {
    pub name: &'static str,
    pub sql: &'static str,
    pub change: Change,
}

impl Step {
    /// A migration that only adds.
    pub const fn expand(name: &'static str, sql: &'static str) -> Step {
        Step {
            name,
            sql,
            change: Change::Expand,
        }
    }
}

/// Why a store's migrations did not run.
#[derive(Debug, thiserror::Error)]
pub enum MigrationError {
    /// A newer build changed the store in a way this one cannot read.
    #[error(
        "it was changed by a newer release: its migration {needed}, which this build does not know, removed or reshaped what this build reads (run a release that knows it)"
    )]
    TooNew { needed: i64 },
    #[error("{0}")]
    Database(#[from] sqlx::Error),
    #[error("{0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
}

/// What went wrong, for the code that decides.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MigrationErrorKind {
    /// The store needs a newer build.
    TooNew,
    /// The database could not be read or written.
    Storage,
}

impl MigrationError {
    pub fn kind(&self) -> MigrationErrorKind {
        match self {
            MigrationError::TooNew { .. } => MigrationErrorKind::TooNew,
            MigrationError::Database(_) | MigrationError::Migrate(_) => MigrationErrorKind::Storage,
        }
    }
}

/// Runs `steps` on `pool`: refuses a store a newer build contracted past what this one
/// knows, records what readers the contract steps here need, then applies the steps not
/// yet applied (migrations a newer build applied beyond these stay).
pub async fn run(pool: &SqlitePool, steps: &[Step]) -> Result<(), MigrationError> {
    let known = i64::try_from(steps.len()).unwrap_or(i64::MAX);
    let needed: i64 = sqlx::query_scalar("PRAGMA user_version")
        .fetch_one(pool)
        .await?;
    if needed > known {
        return Err(MigrationError::TooNew { needed });
    }
    let readers_know = steps
        .iter()
        .filter_map(|step| match step.change {
            Change::Contract { readers_know } => Some(readers_know),
            Change::Expand => None,
        })
        .max()
        .unwrap_or(0);
    if readers_know > needed {
        // A pragma takes no bound parameter; the value is a number from this build's list.
        sqlx::query(AssertSqlSafe(format!(
            "PRAGMA user_version = {readers_know}"
        )))
        .execute(pool)
        .await?;
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
    Ok(())
}
