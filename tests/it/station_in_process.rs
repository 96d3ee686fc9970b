//! The station on its embedded defaults: no `[link]` endpoints, so it starts the vendor
//! in-process on loopback over SQLite, enrolls with it, and buys every indicium from the
//! central PSD. Checks what the counter keeps (its journal of vendor pieces), what the
//! supervisor asks through the link (registers, refill, void where the piece was issued),
//! and that a second start finds everything in place and credits nothing twice.

use crate::common;

use std::path::Path;

use common::{letter, priced_letter, runtime};
use postcounter::config::Config;
use postcounter::date::Date;
use postcounter::money::Money;
use postcounter::station::Station;
use postcounter::vendor_system::store::VendorStore;

const CENTRAL_PSD: u32 = 20_000_001;
const EMBEDDED_PSD: u32 = 10_000_001;

fn config(data_dir: &Path) -> Config {
    Config::load(None, &[("data_dir", data_dir.display().to_string())]).unwrap()
}

#[test]
fn the_default_station_buys_from_its_in_process_vendor_and_journals_each_piece() {
    runtime().block_on(async {
        let dir = tempfile::tempdir().unwrap();
        let config = config(dir.path());
        assert!(config.link.endpoints.is_empty() && config.vendor.in_process);
        let station = Station::open(config.clone(), Date::today_utc())
            .await
            .unwrap();
        let link = station
            .link
            .as_ref()
            .expect("linked to the in-process vendor");
        assert!(link.endpoints()[0].starts_with("http://127.0.0.1:"));
        let ledger = station.psd.ledger();

        // A sale, and its retry under the same request id.
        let request = priced_letter("1oz");
        let first = link.issue(&station.psd, &request, "sale-1").await.unwrap();
        assert_eq!((first.device_id, first.piece_serial), (CENTRAL_PSD, 1));
        assert!(!first.offline && !first.replayed);
        let again = link.issue(&station.psd, &request, "sale-1").await.unwrap();
        assert_eq!(again.bytes, first.bytes);
        assert!(again.replayed);
        let journal = ledger.vendor_pieces_since(0).await.unwrap();
        assert_eq!(journal.len(), 1, "{journal:?}");
        assert_eq!(journal[0].device_id, CENTRAL_PSD);
        assert_eq!(journal[0].record.postage, Money::from_mills(780));
        assert_eq!(journal[0].record.indicium, first.bytes);
        assert!(ledger.doubts().await.unwrap().is_empty());

        // The central PSD was topped up from the account's demo funds (claim 11).
        let read = link.central_registers().await.unwrap();
        assert_eq!(read.registers.piece_count, 1);
        assert_eq!(read.registers.descending_mills, 99_220);
        assert_eq!(read.account_balance_mills, 400_000);

        // Voided where it was issued: at the vendor, and marked in the journal.
        let refund = link
            .void_piece(&station.psd, CENTRAL_PSD, 1, config.void_window_days)
            .await
            .unwrap();
        assert_eq!(refund, Money::from_mills(780));
        let journal = ledger.vendor_pieces_since(0).await.unwrap();
        assert_eq!(journal[0].record.voided_on, Some(ledger.today()));
        let read = link.central_registers().await.unwrap();
        assert_eq!(read.registers.descending_mills, 100_000);

        // A refill moves account funds into the central PSD, once per refill id.
        for _ in 0..2 {
            let refill = link
                .refill_central("refill-1", Money::parse("50.00").unwrap())
                .await
                .unwrap();
            assert_eq!(refill.account_balance_mills, 350_000);
            assert_eq!(refill.registers.descending_mills, 150_000);
        }

        // A piece of the embedded PSD (as an offline sale leaves) is voided in it.
        let offline = station.psd.issue(&letter("offline-1", 500)).await.unwrap();
        let refund = link
            .void_piece(
                &station.psd,
                EMBEDDED_PSD,
                offline.indicium.data.piece_serial,
                config.void_window_days,
            )
            .await
            .unwrap();
        assert_eq!(refund, Money::from_mills(500));
        drop(station);

        // A second start: the same account and registration, nothing credited again.
        let station = Station::open(config.clone(), Date::today_utc())
            .await
            .unwrap();
        assert!(
            station.notes.iter().all(|n| !n.starts_with("first run")),
            "{:?}",
            station.notes
        );
        let link = station.link.as_ref().unwrap();
        let read = link.central_registers().await.unwrap();
        assert_eq!(read.account_balance_mills, 350_000);
        let second = link
            .issue(&station.psd, &priced_letter("1oz"), "sale-2")
            .await
            .unwrap();
        assert_eq!((second.device_id, second.piece_serial), (CENTRAL_PSD, 2));

        // The vendor's own audit agrees with its registers.
        let store_path = dir.path().join("vendor/vendor.sqlite");
        let store = VendorStore::open(&store_path.display().to_string(), 1)
            .await
            .unwrap();
        assert_eq!(
            store.audit_psd(CENTRAL_PSD).await.unwrap(),
            Vec::<String>::new()
        );
    });
}

#[test]
fn a_stand_alone_station_has_no_link_and_the_central_psd_must_differ_from_the_embedded() {
    runtime().block_on(async {
        let dir = tempfile::tempdir().unwrap();
        let mut config = config(dir.path());
        config.vendor.in_process = false;
        let station = Station::open(config.clone(), Date::today_utc())
            .await
            .unwrap();
        assert!(station.link.is_none() && station.in_process.is_none());
        assert!(!dir.path().join("vendor").exists(), "no vendor store made");
        drop(station);

        config.vendor.in_process = true;
        config.vendor.local_psd_id = config.psd_id;
        let refused = Station::open(config, Date::today_utc())
            .await
            .err()
            .unwrap();
        assert!(
            refused.to_string().contains("vendor.local_psd_id 10000001"),
            "{refused}"
        );
    });
}

#[test]
fn a_damaged_vendor_store_stops_the_start_with_its_path_and_the_reason() {
    runtime().block_on(async {
        let dir = tempfile::tempdir().unwrap();
        let store = dir.path().join("vendor/vendor.sqlite");
        std::fs::create_dir_all(store.parent().unwrap()).unwrap();
        std::fs::write(&store, vec![0x5a_u8; 8192]).unwrap();
        let refused = Station::open(config(dir.path()), Date::today_utc())
            .await
            .err()
            .unwrap()
            .to_string();
        assert!(refused.contains(&store.display().to_string()), "{refused}");
        assert!(refused.contains("not a database"), "{refused}");
    });
}

#[test]
fn a_demo_refill_changed_after_the_first_run_is_not_credited_again() {
    runtime().block_on(async {
        let dir = tempfile::tempdir().unwrap();
        let mut config = config(dir.path());
        drop(
            Station::open(config.clone(), Date::today_utc())
                .await
                .unwrap(),
        );
        config.demo_refill = Money::parse("1000.00").unwrap();
        let station = Station::open(config, Date::today_utc()).await.unwrap();
        let read = station
            .link
            .as_ref()
            .unwrap()
            .central_registers()
            .await
            .unwrap();
        assert_eq!(read.account_balance_mills, 500_000);
    });
}
