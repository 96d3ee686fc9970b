//! Rate tables from the data centre's update repository at the counter: a table published
//! ahead of its date is installed beside the one in force, announced ("New prices from"),
//! and priced with from its midnight (an injected date), in a counter that installed it
//! while running; tables whose signature ran out price nothing, with the reason.

use std::sync::Arc;

use crate::common::kiosk::{add_letter, context, new_state, send};
use crate::common::screen::draw;
use crate::common::vendor::{StoreKind, TestVendor};
use postcounter::clock::Clock;
use postcounter::date::Date;
use postcounter::kiosk::action::Action;
use postcounter::kiosk::state::Notice;
use postcounter::link::updates::{installed_rates_dir, installed_signed_until};
use postcounter::money::Money;
use postcounter::protocol::updates::Published;
use postcounter::rates::book::EMBEDDED_FILES;
use postcounter::rates::{PostageKind, Product, RateBook};

/// The current rate file moved to 2027-01-18, with a metered 1 oz letter at 80 cents.
fn staged_file() -> String {
    let (_, text) = EMBEDDED_FILES
        .iter()
        .find(|(name, _)| name.contains("2026-07-12"))
        .unwrap();
    let staged = text
        .replace("effective = 2026-07-12", "effective = 2027-01-18")
        .replacen(
            r#"{ max = "1oz", price = 780 }"#,
            r#"{ max = "1oz", price = 800 }"#,
            1,
        );
    assert_ne!(&staged, text);
    staged
}

fn header(state: &postcounter::kiosk::state::State) -> String {
    let terminal = draw(state, 120, 40);
    let buffer = terminal.backend().buffer();
    (0..buffer.area.width)
        .map(|x| buffer[(x, 0)].symbol().to_string())
        .collect()
}

#[tokio::test]
async fn a_staged_table_is_announced_then_priced_from_its_midnight_and_expired_tables_price_nothing()
 {
    let vendor = TestVendor::start(StoreKind::Sqlite).await.unwrap();
    let published = Published::Rates {
        effective: String::new(),
    };
    let staged = staged_file();
    let clock = Clock::system();
    vendor
        .update_repository()
        .publish(
            "usps-retail-2027-01-18.toml",
            staged.as_bytes(),
            published,
            clock.now_unix_ms(),
        )
        .await
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let link = vendor.station(dir.path(), clock).await;
    let report = link.check_updates(None).await.unwrap();
    let effective = Date::parse("2027-01-18").unwrap();
    assert!(
        report
            .rates_listed
            .contains(&("usps-retail-2027-01-18.toml".into(), effective)),
        "{report:?}"
    );

    // The tables as the counter loads them: the installed set, good until its signature's
    // last day.
    let installed = installed_rates_dir(dir.path()).unwrap().unwrap();
    let last_day = installed_signed_until(&installed).unwrap();
    let book = RateBook::load_dir(&installed)
        .unwrap()
        .signed_until(last_day);
    // The day before, a counter running on the tables it started with.
    let mut context = context();
    let mut state = new_state();
    let eve = effective.add_days(-1);
    send(&mut state, &context, [Action::DateChanged(eve)]);
    add_letter(&mut state, &context, "1oz", "90210");
    assert_eq!(state.price_change, None);
    // Its monitor's update installs the staged table: the counter prices with the new set
    // from now on, still at the old price today, and the header announces the new one.
    context.rates = Arc::new(book.clone());
    send(&mut state, &context, [Action::RatesChanged]);
    assert_eq!(state.price_change, Some(effective));
    let shown = header(&state);
    assert!(shown.contains("New prices from 2027-01-18"), "{shown}");
    // With the clerk's link shown and an update waiting too, 120 columns hold not all of it:
    // the price change gives way, the clerk's update stays.
    let online = postcounter::link::LinkStatus {
        online: true,
        interface: postcounter::link::client::Interface::Internet,
        detail: String::new(),
    };
    let mut crowded = state.clone();
    let due = Action::ReleaseDue(Some("0.2.0".into()));
    send(&mut crowded, &context, [Action::LinkChanged(online), due]);
    let shown = header(&crowded);
    assert!(
        shown.contains("vendor online · Update 0.2.0 waiting"),
        "{shown}"
    );
    assert_eq!(state.basket[0].priced.offer.postage, Money::from_mills(780));

    // Midnight: the unpaid basket is priced again with the staged table, no restart.
    send(&mut state, &context, [Action::DateChanged(effective)]);
    assert_eq!(state.basket[0].priced.offer.postage, Money::from_mills(800));
    assert_eq!(state.price_change, None);
    assert!(!header(&state).contains("New prices"));

    // The signature's last day still prices; the day after, nothing does, with the reason.
    let table = book.price_table(Product::FcmLetter, PostageKind::Metered, last_day);
    assert!(table.is_ok(), "{table:?}");
    let after = last_day.add_days(1);
    let refused = book
        .price_table(Product::FcmLetter, PostageKind::Metered, after)
        .unwrap_err();
    assert!(refused.contains("signature"), "{refused}");
    send(&mut state, &context, [Action::DateChanged(after)]);
    assert!(state.basket.is_empty(), "{:?}", state.basket);
    match &state.notice {
        Some(Notice::Error(text)) => assert!(text.contains("ran out"), "{text}"),
        other => panic!("{other:?}"),
    }
}
