//! The PSD and its durable ledger, through the public API and a real SQLite file.

use crate::common;
use postcounter::local_time::mailing_date_window;

use common::{letter, open_psd, runtime};
use postcounter::money::Money;
use postcounter::psd::{Ledger, PsdErrorKind, Registers};
use proptest::prelude::*;

#[test]
fn registers_survive_a_restart_with_the_invariant_intact() {
    let dir = tempfile::tempdir().unwrap();
    runtime().block_on(async {
        let psd = open_psd(dir.path()).await;
        common::refill(&psd, dir.path(), "r-1", Money::from_mills(10_000))
            .await
            .unwrap();
        for n in 0..5 {
            psd.issue(&letter(&format!("sale-{n}"), 780)).await.unwrap();
        }
        drop(psd);
        let psd = open_psd(dir.path()).await;
        let registers = psd.state().await.unwrap().registers;
        assert_eq!(
            registers,
            Registers {
                ascending: Money::from_mills(3900),
                descending: Money::from_mills(6100),
                control_total: Money::from_mills(10_000),
                piece_count: 5,
            }
        );
        registers.check().unwrap();
    });
}

#[test]
fn a_refill_retried_ten_times_credits_once() {
    let dir = tempfile::tempdir().unwrap();
    runtime().block_on(async {
        let psd = open_psd(dir.path()).await;
        let first = common::refill(&psd, dir.path(), "refill-42", Money::from_mills(50_000))
            .await
            .unwrap();
        assert!(!first.replayed);
        for _ in 0..9 {
            let retry = common::refill(&psd, dir.path(), "refill-42", Money::from_mills(50_000))
                .await
                .unwrap();
            assert!(retry.replayed);
        }
        let registers = psd.state().await.unwrap().registers;
        assert_eq!(registers.descending, Money::from_mills(50_000));
        assert_eq!(registers.control_total, Money::from_mills(50_000));
        let reused = common::refill(&psd, dir.path(), "refill-42", Money::from_mills(60_000))
            .await
            .unwrap_err();
        assert_eq!(reused.kind(), PsdErrorKind::Refused);
        assert_eq!(
            reused.to_string(),
            "refill id \"refill-42\" was already applied for $50.00, not $60.00"
        );
    });
}

#[test]
fn an_issue_retried_returns_the_same_indicium_and_debits_once() {
    let dir = tempfile::tempdir().unwrap();
    runtime().block_on(async {
        let psd = open_psd(dir.path()).await;
        common::refill(&psd, dir.path(), "r", Money::from_mills(5000))
            .await
            .unwrap();
        let first = psd.issue(&letter("sale-1", 780)).await.unwrap();
        let again = psd.issue(&letter("sale-1", 780)).await.unwrap();
        assert!(again.replayed);
        assert_eq!(first.bytes, again.bytes);
        assert_eq!(psd.state().await.unwrap().registers.piece_count, 1);
        let other = psd.issue(&letter("sale-1", 1110)).await.unwrap_err();
        assert_eq!(
            other.to_string(),
            "request id \"sale-1\" was already used for a different sale"
        );
    });
}

#[test]
fn insufficient_funds_is_an_error_and_leaves_the_registers_alone() {
    let dir = tempfile::tempdir().unwrap();
    runtime().block_on(async {
        let psd = open_psd(dir.path()).await;
        common::refill(&psd, dir.path(), "r", Money::from_mills(1000))
            .await
            .unwrap();
        psd.issue(&letter("a", 780)).await.unwrap();
        let err = psd.issue(&letter("b", 780)).await.unwrap_err();
        assert_eq!(err.kind(), PsdErrorKind::InsufficientFunds);
        assert_eq!(
            err.to_string(),
            "insufficient funds: $0.78 needed, $0.22 available in the descending register"
        );
        let registers = psd.state().await.unwrap().registers;
        assert_eq!(
            (registers.descending, registers.piece_count),
            (Money::from_mills(220), 1)
        );
    });
}

const DAY_MS: i64 = 86_400_000;

#[test]
fn a_void_within_the_window_refunds_once_and_a_late_one_is_refused() {
    use std::sync::atomic::Ordering;
    let dir = tempfile::tempdir().unwrap();
    runtime().block_on(async {
        let (clock, now) = common::manual_clock();
        let psd = common::open_psd_with_clock(dir.path(), clock).await;
        let issued_on = psd.ledger().today();
        common::refill(&psd, dir.path(), "r", Money::from_mills(5000)).await.unwrap();
        let issued = psd.issue(&letter("a", 780)).await.unwrap();
        psd.issue(&letter("b", 780)).await.unwrap();
        let serial = issued.indicium.data.piece_serial;

        now.fetch_add(10 * DAY_MS, Ordering::SeqCst);
        let voided = psd.void(serial, 30).await.unwrap();
        assert!(!voided.replayed);
        assert_eq!(voided.registers.descending, Money::from_mills(5000 - 780));
        assert_eq!(
            voided.registers.ascending,
            Money::from_mills(1560),
            "the ascending register never goes back"
        );
        assert!(psd.void(serial, 30).await.unwrap().replayed);
        assert_eq!(
            psd.state().await.unwrap().registers.control_total,
            Money::from_mills(5780)
        );

        now.fetch_add(21 * DAY_MS, Ordering::SeqCst);
        let late = psd.void(2, 30).await.unwrap_err();
        assert_eq!(
            late.to_string(),
            format!(
                "piece 2 was issued on {issued_on}; voids are accepted within 30 days of issue, until {} (today is {})",
                issued_on.add_days(30),
                issued_on.add_days(31)
            )
        );
        assert_eq!(psd.void(99, 30).await.unwrap_err().kind(), PsdErrorKind::NotFound);
        assert!(psd.audit().await.unwrap().discrepancies.is_empty());
    });
}

/// A clock set back reopens nothing: the ledger's time never reads earlier than its latest
/// entry (nor than the data centre's time last seen), so a day, a lease or a void window
/// is not had again, across a restart too.
#[test]
fn a_clock_set_back_reads_as_the_ledgers_latest_entry() {
    use std::sync::atomic::Ordering;
    let dir = tempfile::tempdir().unwrap();
    runtime().block_on(async {
        let (clock, now) = common::manual_clock();
        let psd = common::open_psd_with_clock(dir.path(), clock.clone()).await;
        common::refill(&psd, dir.path(), "r", Money::from_mills(5000))
            .await
            .unwrap();
        let issued_at = now.load(Ordering::SeqCst);
        let issued_on = psd.ledger().today();
        psd.issue(&letter("a", 780)).await.unwrap();
        now.fetch_sub(40 * DAY_MS, Ordering::SeqCst);
        assert_eq!(psd.ledger().now_unix_ms(), issued_at);
        assert_eq!(psd.ledger().today(), issued_on);
        drop(psd);
        let psd = common::open_psd_with_clock(dir.path(), clock).await;
        assert_eq!(psd.ledger().now_unix_ms(), issued_at, "after a restart too");
        // The data centre's time, once seen, holds the floor up as well.
        let data_centre_time = issued_at + 5 * DAY_MS;
        psd.ledger()
            .raise_time_floor(data_centre_time)
            .await
            .unwrap();
        assert_eq!(psd.ledger().now_unix_ms(), data_centre_time);
        psd.ledger().raise_time_floor(issued_at).await.unwrap();
        assert_eq!(
            psd.ledger().now_unix_ms(),
            data_centre_time,
            "never lowered"
        );
    });
}

#[test]
fn a_retried_sale_whose_piece_was_voided_is_refused_not_reprinted() {
    let dir = tempfile::tempdir().unwrap();
    runtime().block_on(async {
        let psd = open_psd(dir.path()).await;
        common::refill(&psd, dir.path(), "r", Money::from_mills(5000))
            .await
            .unwrap();
        psd.issue(&letter("sale-1", 780)).await.unwrap();
        psd.void(1, 30).await.unwrap();
        let retry = psd.issue(&letter("sale-1", 780)).await.unwrap_err();
        assert_eq!(retry.kind(), PsdErrorKind::Refused);
        assert!(retry.to_string().contains("which was voided on"), "{retry}");
    });
}

#[test]
fn a_date_of_mailing_in_the_past_or_far_ahead_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    runtime().block_on(async {
        let psd = open_psd(dir.path()).await;
        common::refill(&psd, dir.path(), "r", Money::from_mills(5000))
            .await
            .unwrap();
        // Today is any date that is today somewhere on Earth (the counter's zone decides).
        let (earliest, latest) = mailing_date_window(psd.ledger().now_unix_ms());
        for date in [earliest.add_days(-1), latest.add_days(8)] {
            let mut request = letter(&format!("d{date}"), 780);
            request.mailing_date = date;
            assert_eq!(
                psd.issue(&request).await.unwrap_err().kind(),
                PsdErrorKind::Refused
            );
        }
        for (id, date) in [("earliest", earliest), ("ahead", latest.add_days(7))] {
            let mut request = letter(id, 780);
            request.mailing_date = date;
            psd.issue(&request).await.unwrap();
        }
    });
}

#[test]
fn a_refill_past_what_an_indicium_can_carry_is_refused_and_the_psd_still_issues() {
    let dir = tempfile::tempdir().unwrap();
    runtime().block_on(async {
        let psd = open_psd(dir.path()).await;
        let err = common::refill(
            &psd,
            dir.path(),
            "typo",
            Money::parse("5000000000.00").unwrap(),
        )
        .await
        .unwrap_err();
        assert_eq!(err.kind(), PsdErrorKind::Refused);
        common::refill(&psd, dir.path(), "r", Money::from_mills(5000))
            .await
            .unwrap();
        psd.issue(&letter("a", 780)).await.unwrap();
    });
}

#[test]
fn a_ledger_edited_behind_the_psds_back_locks_it() {
    let dir = tempfile::tempdir().unwrap();
    runtime().block_on(async {
        let psd = open_psd(dir.path()).await;
        common::refill(&psd, dir.path(), "r", Money::from_mills(5000)).await.unwrap();
        drop(psd);
        // Someone adds funds to the descending register directly.
        let raw = sqlx::SqlitePool::connect(&format!("sqlite:{}", dir.path().join("ledger.sqlite").display()))
            .await
            .unwrap();
        sqlx::query("UPDATE psd SET descending_mills = descending_mills + 100000, control_total_mills = control_total_mills + 100000")
            .execute(&raw)
            .await
            .unwrap();
        raw.close().await;
        let (_, signer) = common::signer(dir.path());
        let ledger = Ledger::open(&dir.path().join("ledger.sqlite")).await.unwrap();
        let (psd, audit) = postcounter::psd::Psd::open(ledger, signer, common::LICENSE).await.unwrap();
        assert_eq!(audit.discrepancies, vec!["control total $105.00 but the refills, voids and withdrawal add up to $5.00".to_string()]);
        let err = psd.issue(&letter("x", 780)).await.unwrap_err();
        assert_eq!(err.kind(), PsdErrorKind::Locked);
        assert!(err.to_string().contains("audit failed: control total $105.00"), "{err}");
        assert_eq!(common::refill(&psd, dir.path(), "r2", Money::from_mills(1)).await.unwrap_err().kind(), PsdErrorKind::Locked);
    });
}

#[test]
fn a_corrupt_ledger_file_locks_the_psd_with_the_reason() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("ledger.sqlite");
    std::fs::write(&path, vec![0x5a; 8192]).unwrap();
    runtime().block_on(async {
        let err = match Ledger::open(&path).await {
            Ok(_) => panic!("a corrupt ledger opened"),
            Err(err) => err,
        };
        assert_eq!(err.kind(), PsdErrorKind::Locked);
        assert!(err.to_string().contains("is corrupt"), "{err}");
    });
}

#[test]
fn the_ledger_runs_in_wal_mode_with_full_sync() {
    let dir = tempfile::tempdir().unwrap();
    runtime().block_on(async {
        let psd = open_psd(dir.path()).await;
        let mode: String = sqlx::query_scalar("PRAGMA journal_mode")
            .fetch_one(
                &sqlx::SqlitePool::connect(&format!("sqlite:{}", psd.ledger().path()))
                    .await
                    .unwrap(),
            )
            .await
            .unwrap();
        assert_eq!(
            mode, "wal",
            "WAL is a property of the file, seen by any connection"
        );
    });
}

#[derive(Debug, Clone)]
enum Op {
    Refill(u8, i64),
    Issue(u8, i64),
    Void(u32),
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        (0u8..6, 1i64..20_000).prop_map(|(id, m)| Op::Refill(id, m)),
        (0u8..12, 1i64..5_000).prop_map(|(id, m)| Op::Issue(id, m)),
        (1u32..10).prop_map(Op::Void),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    /// Random sequences (with retried ids) against the ledger: the registers always match a
    /// simple model, the invariant holds, and the audit agrees after a restart.
    #[test]
    fn random_register_operations_on_the_ledger_match_the_model(ops in proptest::collection::vec(op(), 1..40)) {
        let dir = tempfile::tempdir().unwrap();
        runtime().block_on(async {
            let psd = open_psd(dir.path()).await;
            let mut model = Registers::default();
            let mut refills = std::collections::HashMap::new();
            let mut issues = std::collections::HashMap::new();
            let mut voided = std::collections::HashSet::new();
            for op in &ops {
                match *op {
                    Op::Refill(id, m) => {
                        let result = common::refill(&psd, dir.path(), &format!("r{id}"), Money::from_mills(m)).await;
                        match refills.get(&id) {
                            None => { model = model.credit(Money::from_mills(m)).unwrap(); refills.insert(id, m); result.unwrap(); }
                            Some(&first) if first == m => assert!(result.unwrap().replayed),
                            Some(_) => assert_eq!(result.unwrap_err().kind(), PsdErrorKind::Refused),
                        }
                    }
                    Op::Issue(id, m) => {
                        let result = psd.issue(&letter(&format!("s{id}"), m)).await;
                        match issues.get(&id) {
                            // A voided piece's request is never answered again: a retry
                            // after a void is a new sale with a new id.
                            Some(&(_, serial)) if voided.contains(&serial) => assert_eq!(result.unwrap_err().kind(), PsdErrorKind::Refused),
                            Some(&(first, _)) if first == m => assert!(result.unwrap().replayed),
                            Some(_) => assert_eq!(result.unwrap_err().kind(), PsdErrorKind::Refused),
                            None => match model.debit(Money::from_mills(m)) {
                                Ok(next) => {
                                    model = next;
                                    let issued = result.unwrap();
                                    assert_eq!(u64::from(issued.indicium.data.piece_serial), model.piece_count);
                                    issues.insert(id, (m, issued.indicium.data.piece_serial));
                                }
                                Err(_) => assert_eq!(result.unwrap_err().kind(), PsdErrorKind::InsufficientFunds),
                            },
                        }
                    }
                    Op::Void(serial) => {
                        let result = psd.void(serial, 30).await;
                        let postage = issues.values().find(|(_, s)| *s == serial).map(|(m, _)| *m);
                        match postage {
                            None => assert_eq!(result.unwrap_err().kind(), PsdErrorKind::NotFound),
                            Some(m) => {
                                let outcome = result.unwrap();
                                if voided.insert(serial) { model = model.credit(Money::from_mills(m)).unwrap(); } else { assert!(outcome.replayed); }
                            }
                        }
                    }
                }
                assert_eq!(psd.state().await.unwrap().registers, model);
            }
            drop(psd);
            let psd = open_psd(dir.path()).await;
            assert_eq!(psd.state().await.unwrap().registers, model);
        });
    }
}
