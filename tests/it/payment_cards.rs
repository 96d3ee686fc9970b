//! Card checks and the built-in test processor against a real SQLite store: the documented
//! test numbers, retries across restarts, refunds, and no card number in the file.

use crate::common;

use std::sync::atomic::Ordering;

use common::payment::*;
use postcounter::date::Date;
use postcounter::money::Money;
use postcounter::payment::*;
use proptest::prelude::*;

#[test]
fn documented_test_numbers_parse_with_spaces_or_dashes_and_know_their_brand() {
    let cases = [
        ("4242 4242 4242 4242", CardBrand::Visa, "4242"),
        ("5555-5555-5555-4444", CardBrand::Mastercard, "4444"),
        ("3782 822463 10005", CardBrand::Amex, "0005"),
        ("6011111111111117", CardBrand::Discover, "1117"),
        ("2223 0031 2200 3222", CardBrand::Mastercard, "3222"),
        ("3530 1113 3330 0000", CardBrand::Other, "0000"),
    ];
    for (number, brand, last4) in cases {
        let card = CardNumber::parse(number).unwrap();
        assert_eq!(
            (card.brand(), card.last4()),
            (brand, last4.to_string()),
            "{number}"
        );
        assert_eq!(card.masked(), format!("•••• {last4}"));
    }
}

#[test]
fn malformed_card_numbers_are_refused_masked_with_what_is_accepted() {
    let cases = [
        (
            "4242 4242 4242 4241",
            CardErrorKind::Checksum,
            "•••• •••• •••• 4241",
        ),
        ("4242 4242 42", CardErrorKind::Length, "•••• ••42 42"),
        (
            "4242 4242 4242 424x",
            CardErrorKind::NotDigits,
            "•••• •••• •••2 424x",
        ),
        (
            "4242 4242 4242 4242 4242",
            CardErrorKind::Length,
            "•••• •••• •••• •••• 4242",
        ),
    ];
    for (input, kind, masked) in cases {
        let error = CardNumber::parse(input).unwrap_err();
        let message = error.to_string();
        assert_eq!(error.kind(), kind, "{input}");
        assert!(message.contains(masked), "{message}");
        assert!(message.contains("12 to 19 digits"), "{message}");
        assert!(!message.contains("4242 4242"), "{message}");
    }
}

proptest! {
    #[test]
    fn luhn_catches_every_single_digit_typo(
        payload in proptest::collection::vec(0u8..10, 11..=18),
        place in any::<prop::sample::Index>(),
        shift in 1u8..10,
    ) {
        let number = with_check_digit(&payload);
        let mut digits: Vec<u8> = number.bytes().map(|b| b - b'0').collect();
        let at = place.index(digits.len());
        digits[at] = (digits[at] + shift) % 10;
        let error = CardNumber::parse(&digits_to_text(&digits)).unwrap_err();
        prop_assert_eq!(error.kind(), CardErrorKind::Checksum);
    }

    #[test]
    fn neither_debug_display_nor_errors_show_the_full_number(
        payload in proptest::collection::vec(0u8..10, 11..=18),
    ) {
        let number = with_check_digit(&payload);
        let card = CardNumber::parse(&number).unwrap();
        let shown = [format!("{card:?}"), format!("{card}"), card.masked(),
            format!("{:?}", card_charge("c", &number, "1"))];
        for text in shown {
            prop_assert!(!text.contains(&number[..number.len() - 4]), "{}", text);
            prop_assert!(text.contains(&number[number.len() - 4..]), "{}", text);
        }
        let mistyped = format!("{}{}", &number[..number.len() - 1], (number.as_bytes()[number.len() - 1] - b'0' + 1) % 10);
        let error = CardNumber::parse(&mistyped).unwrap_err().to_string();
        prop_assert!(!error.contains(&mistyped[..mistyped.len() - 4]), "{}", error);
    }

    #[test]
    fn generated_account_numbers_parse_back_and_catch_a_typo(seq in 0u32..100_000_000, at in 0usize..9, shift in 1u8..10) {
        let number = AccountNumber::generate(seq).unwrap();
        prop_assert_eq!(AccountNumber::parse(&number.to_string()).unwrap(), number.clone());
        let mut digits = number.digits().as_bytes().to_vec();
        digits[at] = b'0' + (digits[at] - b'0' + shift) % 10;
        let typo = String::from_utf8(digits).unwrap();
        prop_assert_eq!(AccountNumber::parse(&typo).unwrap_err().kind(), PaymentErrorKind::InvalidInput);
    }
}

#[test]
fn an_expiry_is_valid_through_the_last_day_of_its_month() {
    let expiry = Expiry::parse("02/28").unwrap();
    assert_eq!(Expiry::parse("022028").ok(), None);
    assert_eq!(Expiry::parse("0228").unwrap(), expiry);
    assert_eq!(Expiry::parse("02/2028").unwrap(), expiry);
    assert!(expiry.check(Date::parse("2028-02-29").unwrap()).is_ok());
    let expired = expiry
        .check(Date::parse("2028-03-01").unwrap())
        .unwrap_err();
    assert_eq!(expired.kind(), CardErrorKind::Expired);
    assert_eq!(
        PaymentError::from(expired).kind(),
        PaymentErrorKind::Expired
    );
    let december = Expiry::parse("12/27").unwrap();
    assert!(december.check(Date::parse("2027-12-31").unwrap()).is_ok());
    assert!(december.check(Date::parse("2028-01-01").unwrap()).is_err());
}

#[test]
fn impossible_months_and_far_future_expiries_are_refused() {
    for bad in ["00/28", "13/28", "1/28", "12-28", "12/2", "", "ab/cd"] {
        let error = Expiry::parse(bad).unwrap_err();
        assert_eq!(error.kind(), CardErrorKind::ExpiryFormat, "{bad}");
        assert!(error.to_string().contains(&format!("{bad:?}")), "{error}");
        assert!(error.to_string().contains("MM/YY"), "{error}");
    }
    let today = Date::parse("2026-07-12").unwrap();
    assert!(Expiry::parse("07/2046").unwrap().check(today).is_ok());
    let too_far = Expiry::parse("08/2046").unwrap().check(today).unwrap_err();
    assert_eq!(too_far.kind(), CardErrorKind::ExpiryTooFar);
}

#[tokio::test]
async fn each_documented_test_number_gets_its_documented_answer() {
    let fixture = Fixture::new();
    let gateway = TestGateway::new(fixture.store().await);
    let gateway: &dyn PaymentGateway = &gateway;
    let cases = [
        ("4242 4242 4242 4242", None),
        ("5555 5555 5555 4444", None),
        ("3782 822463 10005", None),
        ("6011 1111 1111 1117", None),
        ("4000 0000 0000 0002", Some(PaymentErrorKind::Declined)),
        (
            "4000 0000 0000 9995",
            Some(PaymentErrorKind::InsufficientFunds),
        ),
        ("4000 0000 0000 0069", Some(PaymentErrorKind::Expired)),
        ("4000 0000 0000 0119", Some(PaymentErrorKind::Unavailable)),
        ("4111 1111 1111 1111", Some(PaymentErrorKind::Declined)),
    ];
    for (index, (number, expected)) in cases.into_iter().enumerate() {
        let charge = card_charge(&format!("sale-{index}"), number, "4.155");
        let answer = gateway.charge(&charge).await;
        assert_eq!(
            answer.as_ref().err().map(PaymentError::kind),
            expected,
            "{number}: {answer:?}"
        );
        if let Ok(approval) = answer {
            assert_eq!(
                (approval.last4, approval.amount),
                (charge.card.last4(), charge.amount)
            );
            assert_eq!(approval.approval_code.len(), 6);
        }
    }
    let declined = gateway
        .charge(&card_charge("sale-x", "4111 1111 1111 1111", "1"))
        .await;
    assert!(
        declined
            .unwrap_err()
            .to_string()
            .contains("card ending 1111 was declined")
    );
}

#[tokio::test]
async fn a_retried_card_charge_returns_the_first_answer_even_after_a_restart() {
    let fixture = Fixture::new();
    let first = {
        let gateway = TestGateway::new(fixture.store().await);
        let approval = gateway
            .charge(&card_charge("sale-1", "4242424242424242", "7.30"))
            .await
            .unwrap();
        let decline = gateway
            .charge(&card_charge("sale-2", "4000000000000002", "1"))
            .await;
        assert_eq!(decline.unwrap_err().kind(), PaymentErrorKind::Declined);
        gateway
            .charge(&card_charge("sale-3", "4000000000000119", "1"))
            .await
            .unwrap_err();
        approval
    };
    let gateway = TestGateway::new(fixture.store().await);
    let again = gateway
        .charge(&card_charge("sale-1", "4242 4242 4242 4242", "7.30"))
        .await;
    assert_eq!(again.unwrap(), first);
    let decline = gateway
        .charge(&card_charge("sale-2", "4242424242424242", "1"))
        .await;
    assert_eq!(decline.unwrap_err().kind(), PaymentErrorKind::Conflict);
    let unavailable = gateway
        .charge(&card_charge("sale-3", "4242424242424242", "1"))
        .await;
    assert!(
        unavailable.is_ok(),
        "an unanswered attempt pins nothing: {unavailable:?}"
    );
    let other_amount = gateway
        .charge(&card_charge("sale-1", "4242424242424242", "7.31"))
        .await;
    let conflict = other_amount.unwrap_err();
    assert_eq!(conflict.kind(), PaymentErrorKind::Conflict);
    assert!(conflict.to_string().contains("$7.30"), "{conflict}");
}

#[tokio::test]
async fn an_approval_retried_after_the_expiry_month_ended_is_still_the_approval() {
    let fixture = Fixture::new();
    fixture.now_ms.store(day_ms("2028-12-31"), Ordering::SeqCst);
    let gateway = TestGateway::new(fixture.store().await);
    let first = gateway
        .charge(&card_charge("late", "4242424242424242", "2"))
        .await
        .unwrap();
    fixture.now_ms.store(day_ms("2029-01-01"), Ordering::SeqCst);
    assert_eq!(
        gateway
            .charge(&card_charge("late", "4242424242424242", "2"))
            .await
            .unwrap(),
        first
    );
    let fresh = gateway
        .charge(&card_charge("new", "4242424242424242", "2"))
        .await;
    assert_eq!(fresh.unwrap_err().kind(), PaymentErrorKind::Expired);
}

#[tokio::test]
async fn card_refunds_are_idempotent_and_capped_at_the_charge() {
    let fixture = Fixture::new();
    let gateway = TestGateway::new(fixture.store().await);
    gateway
        .charge(&card_charge("sale", "5555555555554444", "5"))
        .await
        .unwrap();
    let three = Money::parse("3").unwrap();
    let first = gateway.refund("sale", "void-1", three).await.unwrap();
    assert_eq!(
        gateway
            .refund("sale", "void-1", three)
            .await
            .unwrap()
            .amount,
        first.amount
    );
    let too_much = gateway.refund("sale", "void-2", three).await.unwrap_err();
    assert_eq!(too_much.kind(), PaymentErrorKind::RefundTooLarge);
    assert!(too_much.to_string().contains("$2.00"), "{too_much}");
    let rest = gateway
        .refund("sale", "void-2", Money::parse("2").unwrap())
        .await
        .unwrap();
    assert_eq!(rest.refunded_total, Money::parse("5").unwrap());
    gateway
        .charge(&card_charge("no", "4000000000000002", "5"))
        .await
        .unwrap_err();
    let declined = gateway.refund("no", "void-3", three).await.unwrap_err();
    assert_eq!(declined.kind(), PaymentErrorKind::UnknownCharge);
}

#[tokio::test]
async fn the_store_file_never_holds_a_card_number_or_a_pin() {
    let fixture = Fixture::new();
    let accounts = fixture.accounts().await;
    let gateway = TestGateway::new(accounts.store().clone());
    for (id, number) in [
        ("a", "4242424242424242"),
        ("b", "4000000000000002"),
        ("c", "378282246310005"),
    ] {
        let _ = gateway.charge(&card_charge(id, number, "1")).await;
    }
    let account = AccountNumber::generate(1).unwrap();
    accounts
        .open_account(&account, "Ada", "86420135")
        .await
        .unwrap();
    let bytes = fixture.file_bytes();
    assert!(
        contains(&bytes, "approved"),
        "the charges are in the files read"
    );
    for secret in [
        "4242424242424242",
        "4000000000000002",
        "378282246310005",
        "86420135",
    ] {
        assert!(!contains(&bytes, secret), "{secret} is in the store");
    }
}

/// Whatever the test gateway answers for each documented test card (approved, declined,
/// short of funds, expired, unavailable, a conflicting retry), no message and no approval
/// shows more of the card than its last four digits.
#[tokio::test]
async fn the_test_gateways_answers_never_show_a_full_card_number() {
    let fixture = Fixture::new();
    let gateway = TestGateway::new(fixture.store().await);
    let cards = [
        "4242424242424242",
        "5555555555554444",
        "378282246310005",
        "6011111111111117",
        "4000000000000002",
        "4000000000009995",
        "4000000000000069",
        "4000000000000119",
        "4111111111111111",
    ];
    for (index, number) in cards.iter().enumerate() {
        let id = format!("charge-{index}");
        let shown = match gateway.charge(&card_charge(&id, number, "1.00")).await {
            Ok(approval) => format!("{approval:?}"),
            Err(error) => format!("{error} {error:?}"),
        };
        let conflict = match gateway.charge(&card_charge(&id, number, "2.00")).await {
            Ok(approval) => format!("{approval:?}"),
            Err(error) => format!("{error} {error:?}"),
        };
        for text in [shown, conflict] {
            assert!(
                !text.contains(&number[..number.len() - 4]),
                "{number}: {text}"
            );
            assert!(!text.contains(number), "{number}: {text}");
        }
    }
}
