//! The station on its embedded defaults: no `[link]` endpoints, so it starts the data centre
//! in-process on loopback over SQLite, enrolls with it, has its embedded PSD numbered,
//! certified and refilled by it, and buys every indicium from the central PSD. Checks what
//! the counter keeps (its journal of vendor pieces, no root key), what the supervisor asks
//! through the link (registers, refill, void where the piece was issued), and that a second
//! start finds everything in place and credits nothing twice.

use crate::common;

use std::path::Path;

use common::{letter, priced_letter, runtime};
use postcounter::config::Config;
use postcounter::money::Money;
use postcounter::psd::Keyring;
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
        assert!(config.link.endpoints.is_empty());
        let station = Station::open(config.clone()).await.unwrap();
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

        // The demo funds ($500) paid the embedded PSD's first refill ($100) through the data
        // centre, then topped the central PSD up ($100) before its first piece (claim 11).
        let read = link.central_registers().await.unwrap();
        assert_eq!(read.registers.piece_count, 1);
        assert_eq!(read.registers.descending_mills, 99_220);
        assert_eq!(read.account_balance_mills, 300_000);
        let embedded = station.psd.state().await.unwrap().registers;
        assert_eq!(embedded.control_total, Money::parse("100.00").unwrap());

        // Voided where it was issued: at the vendor, and marked in the journal.
        let refund = link.void_piece(&station.psd, CENTRAL_PSD, 1).await.unwrap();
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
            assert_eq!(refill.account_balance_mills, 250_000);
            assert_eq!(refill.registers.descending_mills, 150_000);
        }

        // A piece of the embedded PSD (as an offline sale leaves) is not voided at the
        // counter: its postage goes back to no register, and the registers stay as funded.
        // Its own certificate certifies the key and covers no piece; the lease's does.
        let unleased = station
            .psd
            .issue(&letter("unleased", 500))
            .await
            .unwrap_err();
        assert!(
            unleased
                .to_string()
                .contains("no ascending register (key only)"),
            "{unleased}"
        );
        let lease_certificate = Keyring::open(dir.path())
            .unwrap()
            .lease_certificate(&station.psd.signer(), ledger.today())
            .unwrap()
            .expect("the first contact's lease brought its certificate");
        let offline = station
            .psd
            .issue_under(&letter("offline-1", 500), &lease_certificate)
            .await
            .unwrap();
        let serial = offline.indicium.data.piece_serial;
        let refused = link
            .void_piece(&station.psd, EMBEDDED_PSD, serial)
            .await
            .unwrap_err();
        assert!(
            refused
                .to_string()
                .contains("issued offline by the embedded PSD"),
            "{refused}"
        );
        let registers = station.psd.state().await.unwrap().registers;
        assert_eq!(registers.control_total, Money::parse("100.00").unwrap());
        assert_eq!(registers.descending, Money::from_mills(100_000 - 500));
        drop(station);

        // A second start: the same account and registration, nothing credited again.
        let station = Station::open(config.clone()).await.unwrap();
        assert!(
            station.notes.iter().all(|n| !n.starts_with("first run")),
            "{:?}",
            station.notes
        );
        let link = station.link.as_ref().unwrap();
        let read = link.central_registers().await.unwrap();
        assert_eq!(read.account_balance_mills, 250_000);
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

/// The holes: every counter made its own root key and its own embedded PSD 10000001
/// (certificate 1), so two counters' offline pieces shared serials and anyone holding a
/// counter's root could certify a forgery. Now the station holds no root: the data centre
/// numbers its embedded PSD (around the ids its central PSDs hold) and certifies a key the
/// station generated, and the station's trust is the data centre's.
#[test]
fn the_station_holds_no_root_and_its_embedded_psd_is_numbered_and_certified_by_the_data_centre() {
    runtime().block_on(async {
        let dir = tempfile::tempdir().unwrap();
        let mut config = config(dir.path());
        // A central PSD where the embedded PSDs' numbering starts: the data centre skips it.
        config.vendor.local_psd_id = EMBEDDED_PSD;
        let station = Station::open(config).await.unwrap();
        let keys = dir.path().join("keys");
        assert!(
            !keys.join("root.key.pem").exists(),
            "no root on the station"
        );
        let certificate = station.psd.certificate();
        assert_eq!(certificate.psd_id, EMBEDDED_PSD + 1);
        let trust = station.keyring.trust().unwrap().unwrap();
        let data_centre =
            postcounter::keys::KeyStore::open(&dir.path().join("vendor/keys")).unwrap();
        assert_eq!(trust.anchor, data_centre.root_public_key().unwrap());
        assert!(trust.vouches_for(&certificate).unwrap());
        assert!(trust.certificates.iter().any(|c| c.psd_id == EMBEDDED_PSD));
    });
}

#[test]
fn a_damaged_vendor_store_stops_the_start_with_its_path_and_the_reason() {
    runtime().block_on(async {
        let dir = tempfile::tempdir().unwrap();
        let store = dir.path().join("vendor/vendor.sqlite");
        std::fs::create_dir_all(store.parent().unwrap()).unwrap();
        std::fs::write(&store, vec![0x5a_u8; 8192]).unwrap();
        let refused = Station::open(config(dir.path()))
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
        drop(Station::open(config.clone()).await.unwrap());
        config.demo_refill = Money::parse("1000.00").unwrap();
        let station = Station::open(config).await.unwrap();
        let read = station
            .link
            .as_ref()
            .unwrap()
            .central_registers()
            .await
            .unwrap();
        // $500 of demo funds, less the embedded PSD's first refill of $100.
        assert_eq!(read.account_balance_mills, 400_000);
    });
}
