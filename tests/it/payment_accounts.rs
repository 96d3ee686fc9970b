//! Prepaid postage accounts against a real SQLite store: charges, PINs and locks, refunds,
//! retries across reopening, and concurrent charges that never overdraw.

use crate::common;

use std::path::Path;

use common::payment::*;
use postcounter::money::Money;
use postcounter::payment::*;

async fn funded_account(accounts: &PostageAccounts, dollars: &str) -> AccountNumber {
    let account = AccountNumber::parse("12345678-2").unwrap();
    accounts
        .open_account(&account, "Grace Hopper", "2468")
        .await
        .unwrap();
    accounts
        .credit(&account, "top-up", Money::parse(dollars).unwrap())
        .await
        .unwrap();
    account
}

#[tokio::test]
async fn an_account_charge_debits_once_and_insufficient_funds_quote_both_amounts() {
    let fixture = Fixture::new();
    let accounts = fixture.accounts().await;
    let account = funded_account(&accounts, "10").await;
    let charge = accounts
        .charge(&account, "2468", "c1", Money::parse("7.30").unwrap())
        .await
        .unwrap();
    assert_eq!(charge.balance_after, Money::parse("2.70").unwrap());
    let short = accounts
        .charge(&account, "2468", "c2", Money::parse("3").unwrap())
        .await
        .unwrap_err();
    assert_eq!(short.kind(), PaymentErrorKind::InsufficientFunds);
    assert!(
        short.to_string().contains("$2.70") && short.to_string().contains("$3.00"),
        "{short}"
    );
    assert_eq!(
        accounts.balance(&account).await.unwrap(),
        Money::parse("2.70").unwrap()
    );
    let unknown = AccountNumber::generate(7).unwrap();
    let error = accounts
        .charge(&unknown, "2468", "c3", Money::parse("1").unwrap())
        .await
        .unwrap_err();
    assert_eq!(error.kind(), PaymentErrorKind::UnknownAccount);
}

#[tokio::test]
async fn five_wrong_pins_in_a_row_lock_the_account_and_a_right_pin_resets_the_count() {
    let fixture = Fixture::new();
    let accounts = fixture.accounts().await;
    let account = funded_account(&accounts, "10").await;
    let one = Money::parse("1").unwrap();
    for _ in 0..4 {
        let error = accounts
            .charge(&account, "1111", "c", one)
            .await
            .unwrap_err();
        assert_eq!(error.kind(), PaymentErrorKind::WrongPin);
    }
    accounts.charge(&account, "2468", "c", one).await.unwrap();
    let kinds: Vec<_> = five_wrong_pins_then_the_right_one(&accounts, &account, one).await;
    assert_eq!(kinds[..4], [PaymentErrorKind::WrongPin; 4]);
    assert_eq!(kinds[4..], [PaymentErrorKind::Locked; 2]);
    assert_eq!(
        accounts.balance(&account).await.unwrap(),
        Money::parse("9").unwrap()
    );
    let reopened = fixture.accounts().await;
    let still = reopened
        .charge(&account, "2468", "after-reopen", one)
        .await
        .unwrap_err();
    assert_eq!(still.kind(), PaymentErrorKind::Locked);
    assert_eq!(
        reopened
            .charge(&account, "0000", "c", one)
            .await
            .unwrap()
            .amount,
        one
    );
}

async fn five_wrong_pins_then_the_right_one(
    accounts: &PostageAccounts,
    account: &AccountNumber,
    one: Money,
) -> Vec<PaymentErrorKind> {
    let mut kinds = Vec::new();
    for (pin, id) in [
        ("9", "d1"),
        ("1234", "d2"),
        ("1234", "d3"),
        ("1234", "d4"),
        ("1234", "d5"),
        ("2468", "d6"),
    ] {
        kinds.push(
            accounts
                .charge(account, pin, id, one)
                .await
                .unwrap_err()
                .kind(),
        );
    }
    kinds
}

#[tokio::test]
async fn account_refunds_are_idempotent_and_never_exceed_the_charge() {
    let fixture = Fixture::new();
    let accounts = fixture.accounts().await;
    let account = funded_account(&accounts, "10").await;
    let four = Money::parse("4").unwrap();
    accounts
        .charge(&account, "2468", "sale", Money::parse("6").unwrap())
        .await
        .unwrap();
    accounts.refund("sale", "void-1", four).await.unwrap();
    accounts.refund("sale", "void-1", four).await.unwrap();
    assert_eq!(
        accounts.balance(&account).await.unwrap(),
        Money::parse("8").unwrap()
    );
    let error = accounts.refund("sale", "void-2", four).await.unwrap_err();
    assert_eq!(error.kind(), PaymentErrorKind::RefundTooLarge);
    let conflict = accounts
        .refund("sale", "void-1", Money::parse("1").unwrap())
        .await
        .unwrap_err();
    assert_eq!(conflict.kind(), PaymentErrorKind::Conflict);
    let last = accounts
        .refund("sale", "void-2", Money::parse("2").unwrap())
        .await
        .unwrap();
    assert_eq!(last.refunded_total, Money::parse("6").unwrap());
    assert_eq!(
        accounts.balance(&account).await.unwrap(),
        Money::parse("10").unwrap()
    );
    let kinds: Vec<_> = accounts
        .statement(&account)
        .await
        .unwrap()
        .iter()
        .map(|e| e.kind)
        .collect();
    assert_eq!(
        kinds,
        [
            EntryKind::Credit,
            EntryKind::Charge,
            EntryKind::Refund,
            EntryKind::Refund
        ]
    );
}

#[tokio::test]
async fn a_charge_retried_after_reopening_the_file_returns_the_first_result_and_debits_once() {
    let fixture = Fixture::new();
    let amount = Money::parse("3.25").unwrap();
    let (account, first) = {
        let accounts = fixture.accounts().await;
        let account = funded_account(&accounts, "10").await;
        let first = accounts
            .charge(&account, "2468", "sale-9", amount)
            .await
            .unwrap();
        accounts.store().close().await;
        (account, first)
    };
    let accounts = fixture.accounts().await;
    assert_eq!(
        accounts
            .charge(&account, "2468", "sale-9", amount)
            .await
            .unwrap(),
        first
    );
    assert_eq!(
        accounts.balance(&account).await.unwrap(),
        Money::parse("6.75").unwrap()
    );
    let conflict = accounts
        .charge(&account, "2468", "sale-9", Money::parse("1").unwrap())
        .await;
    assert_eq!(conflict.unwrap_err().kind(), PaymentErrorKind::Conflict);
    let top_up_again = accounts
        .credit(&account, "top-up", Money::parse("10").unwrap())
        .await
        .unwrap();
    assert_eq!(
        top_up_again.balance_after,
        Money::parse("10").unwrap(),
        "the first credit's entry"
    );
    assert_eq!(accounts.statement(&account).await.unwrap().len(), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_charges_on_one_account_never_overdraw_it() {
    let fixture = Fixture::new();
    let accounts = fixture.accounts().await;
    let account = funded_account(&accounts, "10").await;
    let price = Money::parse("0.37").unwrap();
    let tasks: Vec<_> = (0..60)
        .map(|task| {
            let (accounts, account) = (accounts.clone(), account.clone());
            tokio::spawn(async move {
                accounts
                    .charge(&account, "2468", &format!("c{}", task % 30), price)
                    .await
            })
        })
        .collect();
    let mut approved_ids = std::collections::BTreeSet::new();
    for task in tasks {
        match task.await.unwrap() {
            Ok(charge) => _ = approved_ids.insert(charge.charge_id),
            Err(error) => assert_eq!(error.kind(), PaymentErrorKind::InsufficientFunds, "{error}"),
        }
    }
    let balance = accounts.balance(&account).await.unwrap();
    let spent = price.checked_mul(approved_ids.len() as i64).unwrap();
    assert_eq!(approved_ids.len(), 27, "10.00 / 0.37 fits 27 charges");
    assert_eq!(
        Money::parse("10").unwrap().checked_sub(spent),
        Some(balance)
    );
    assert!(!balance.is_negative());
    accounts.audit().await.unwrap();
}

#[tokio::test]
async fn a_balance_edited_behind_the_stores_back_makes_it_refuse_to_open() {
    let fixture = Fixture::new();
    let accounts = fixture.accounts().await;
    funded_account(&accounts, "10").await;
    sqlx::query("UPDATE account SET balance_mills = balance_mills + 1000")
        .execute(&raw_pool(&fixture.path).await)
        .await
        .unwrap();
    let error = PostageAccounts::from_store(fixture.store().await)
        .await
        .err()
        .unwrap();
    assert_eq!(error.kind(), PaymentErrorKind::Inconsistent);
    assert!(
        error.to_string().contains("123456782 holds 11000 mills"),
        "{error}"
    );
}

async fn raw_pool(path: &Path) -> sqlx::SqlitePool {
    let options = sqlx::sqlite::SqliteConnectOptions::new().filename(path);
    sqlx::SqlitePool::connect_with(options).await.unwrap()
}

#[tokio::test]
async fn bad_account_input_is_refused_before_anything_is_stored() {
    let fixture = Fixture::new();
    let accounts = fixture.accounts().await;
    let account = AccountNumber::generate(42).unwrap();
    let typo = AccountNumber::parse("12345678-3").unwrap_err().to_string();
    assert!(
        typo.contains("\"12345678-3\"") && typo.contains("check digit"),
        "{typo}"
    );
    for (holder, pin) in [
        ("", "1234"),
        ("Ada\u{1b}[2J", "1234"),
        ("Ada", "12a4"),
        ("Ada", "123"),
    ] {
        let error = accounts
            .open_account(&account, holder, pin)
            .await
            .unwrap_err();
        assert_eq!(
            error.kind(),
            PaymentErrorKind::InvalidInput,
            "{holder:?} {pin:?}"
        );
    }
    accounts
        .open_account(&account, "Ada", "1234")
        .await
        .unwrap();
    let twice = accounts
        .open_account(&account, "Ada", "1234")
        .await
        .unwrap_err();
    assert_eq!(twice.kind(), PaymentErrorKind::AccountExists);
    let zero = accounts
        .credit(&account, "z", Money::ZERO)
        .await
        .unwrap_err();
    assert_eq!(zero.kind(), PaymentErrorKind::InvalidInput);
    assert_eq!(accounts.statement(&account).await.unwrap(), []);
}

/// The hole: PINs were one salted SHA-256, and another local user recovered an 8-digit PIN
/// from `payments.sqlite` in 58 s. A PIN is an Argon2id PHC string now, and one stored the
/// old way still works once, at which it becomes Argon2id.
#[tokio::test]
async fn an_old_sha256_pin_still_charges_once_and_is_kept_as_argon2id_from_then_on() {
    let fixture = Fixture::new();
    let accounts = fixture.accounts().await;
    let account = funded_account(&accounts, "10").await;
    let stored = || async {
        sqlx::query_scalar::<_, String>("SELECT pin_hash FROM account")
            .fetch_one(&raw_pool(&fixture.path).await)
            .await
            .unwrap()
    };
    assert!(stored().await.starts_with("$argon2id$v=19$"));
    // As an account opened before Argon2id kept "2468": SHA-256 over the salt, then the PIN.
    let salt = [9u8; 16];
    let digest = {
        use sha2::{Digest, Sha256};
        let mut hasher = Sha256::new();
        hasher.update(salt);
        hasher.update(b"2468");
        hasher.finalize()
    };
    let legacy = format!(
        "sha256${}${}",
        postcounter::hex::encode(&salt),
        postcounter::hex::encode(&digest)
    );
    sqlx::query("UPDATE account SET pin_hash = ?")
        .bind(&legacy)
        .execute(&raw_pool(&fixture.path).await)
        .await
        .unwrap();
    let one = Money::parse("1").unwrap();
    let wrong = accounts.charge(&account, "1357", "c-1", one).await;
    assert_eq!(wrong.unwrap_err().kind(), PaymentErrorKind::WrongPin);
    assert_eq!(stored().await, legacy, "a wrong PIN upgrades nothing");
    accounts.charge(&account, "2468", "c-2", one).await.unwrap();
    let upgraded = stored().await;
    assert!(upgraded.starts_with("$argon2id$v=19$"), "{upgraded}");
    accounts.charge(&account, "2468", "c-3", one).await.unwrap();
    assert!(accounts.charge(&account, "1357", "c-4", one).await.is_err());
}
