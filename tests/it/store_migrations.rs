//! The station's stores stay readable by the release before (expand, then contract): a
//! rolled-back release opens the ledger and payment store the failed one migrated. The
//! previous build is played by the same migration list without its newest steps, run by
//! the same code on the real store files.

use crate::common;

use std::time::Duration;

use postcounter::migrations::{self, Change, MigrationError, Step};
use postcounter::payment::PaymentStore;
use postcounter::psd::ledger::{self, Ledger};

async fn pool(path: &std::path::Path) -> sqlx::SqlitePool {
    postcounter::durable_sqlite::connect(path, 1, Duration::from_secs(5))
        .await
        .unwrap()
}

#[test]
fn a_ledger_migrated_by_a_newer_release_opens_in_the_one_before() {
    let runtime = common::runtime();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("psd.sqlite");
    runtime.block_on(async {
        drop(Ledger::open(&path).await.unwrap());
        // Every ledger migration so far only adds: the build before the newest one reads it.
        assert!(
            ledger::MIGRATIONS
                .iter()
                .all(|step| step.change == Change::Expand)
        );
        let previous = &ledger::MIGRATIONS[..ledger::MIGRATIONS.len() - 1];
        let pool = pool(&path).await;
        migrations::run(&pool, previous).await.unwrap();
        pool.close().await;
        // And the newer one opens it again after.
        drop(Ledger::open(&path).await.unwrap());
    });
}

#[test]
fn a_store_past_a_contract_migration_is_refused_by_a_build_before_it() {
    let runtime = common::runtime();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("payments.sqlite");
    runtime.block_on(async {
        drop(PaymentStore::open(&path).await.unwrap());
        let store_steps = &postcounter::payment::store::MIGRATIONS;
        assert_eq!(
            store_steps[1].change,
            Change::Contract { readers_know: 2 },
            "the PIN hash one drops columns"
        );
        let pool = pool(&path).await;
        let error = migrations::run(&pool, &store_steps[..1]).await.unwrap_err();
        assert!(
            matches!(error, MigrationError::TooNew { needed: 2 }),
            "{error:?}"
        );
        assert!(error.to_string().contains("migration 2"), "{error}");
        pool.close().await;
        // The build that knows it opens the store as before.
        drop(PaymentStore::open(&path).await.unwrap());
    });
}

#[test]
fn expand_steps_of_a_newer_build_are_kept_and_contract_ones_recorded() {
    // Two brings in y, which replaces x; three drops x, once a release knows two.
    const STEPS: [Step; 4] = [
        Step {
            name: "one",
            sql: "CREATE TABLE a (x INTEGER);",
            change: Change::Expand,
        },
        Step {
            name: "two",
            sql: "ALTER TABLE a ADD COLUMN y INTEGER NOT NULL DEFAULT 0;",
            change: Change::Expand,
        },
        Step {
            name: "three",
            sql: "ALTER TABLE a DROP COLUMN x;",
            change: Change::Contract { readers_know: 2 },
        },
        Step {
            name: "four",
            sql: "ALTER TABLE a RENAME COLUMN y TO z;",
            change: Change::Contract { readers_know: 4 },
        },
    ];
    let runtime = common::runtime();
    let dir = tempfile::tempdir().unwrap();
    runtime.block_on(async {
        let pool = pool(&dir.path().join("s.sqlite")).await;
        migrations::run(&pool, &STEPS[..2]).await.unwrap();
        // The build before two writes and reads as it did.
        migrations::run(&pool, &STEPS[..1]).await.unwrap();
        sqlx::query("INSERT INTO a (x, y) VALUES (1, 1)")
            .execute(&pool)
            .await
            .unwrap();
        // Three drops x: the release before it (which knows two, and reads y) still opens
        // the store, as a rollback needs; one that knows only one does not.
        migrations::run(&pool, &STEPS[..3]).await.unwrap();
        migrations::run(&pool, &STEPS[..2]).await.unwrap();
        let error = migrations::run(&pool, &STEPS[..1]).await.unwrap_err();
        assert!(
            matches!(error, MigrationError::TooNew { needed: 2 }),
            "{error:?}"
        );
        assert_eq!(error.kind(), migrations::MigrationErrorKind::TooNew);
        // Four renames what two and three read: only builds that know four open it after.
        migrations::run(&pool, &STEPS).await.unwrap();
        for known in [3, 2, 1] {
            let error = migrations::run(&pool, &STEPS[..known]).await.unwrap_err();
            assert!(
                matches!(error, MigrationError::TooNew { needed: 4 }),
                "{error:?}"
            );
        }
        migrations::run(&pool, &STEPS).await.unwrap();
        let rows: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM a")
            .fetch_one(&pool)
            .await
            .unwrap();
        assert_eq!(rows, 1);
    });
}

#[test]
fn every_contract_migration_names_readers_a_rollback_still_has() {
    let lists: [(&str, &[Step]); 2] = [
        ("ledger", &ledger::MIGRATIONS),
        ("payment store", &postcounter::payment::store::MIGRATIONS),
    ];
    for (store, steps) in lists {
        for (number, step) in (1_i64..).zip(steps) {
            if let Change::Contract { readers_know } = step.change {
                // Readers must know a migration no later than this one; from now on, an
                // earlier one (shipped a release before), so the release a rollback returns
                // to reads the store. The PIN hash one predates the rule.
                let grandfathered = store == "payment store" && step.name == "pin hash";
                assert!(
                    readers_know >= 1 && readers_know <= number,
                    "{store} {number}: {readers_know}"
                );
                assert!(grandfathered || readers_know < number, "{store} {number}");
            }
        }
    }
}
