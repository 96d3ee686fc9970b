//! Two `vendor serve` processes on one store, 64 counters buying from the same PSD until its
//! funds run out: no overspend, AR + DR = control total, the postage the counters received
//! adds up to the AR increase, and no serial is issued twice. Runs on SQLite (two processes
//! on one file) and on PostgreSQL.

use crate::common;

use std::collections::BTreeSet;

use common::vendor::{PSD_A2, StoreKind, TestCounter, VendorFixture, enroll, letter, letter_mills};
use common::vendor_process::VendorProcess;
use postcounter::indicium::{Indicium, verify};
use postcounter::money::Money;

const COUNTERS: usize = 64;
/// Account A2's funds: some hundreds of letters, with less than one left over.
const FUNDS_MILLS: i64 = 200_000;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_vendors_on_sqlite_never_overspend_one_psd() {
    two_vendors_never_overspend(StoreKind::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_vendors_on_postgres_never_overspend_one_psd() {
    two_vendors_never_overspend(StoreKind::Postgres).await;
}

/// Buys one piece at a time until the vendor says the funds are gone; retries a purchase
/// the vendor could not answer under the same key.
async fn buy_until_empty(counter: TestCounter) -> Vec<Vec<u8>> {
    let mut indicia = Vec::new();
    for sale in 0.. {
        let key = format!("sale-{sale}");
        loop {
            let (status, answer) = counter.buy(&key, vec![letter()]).await;
            match status {
                201 => {
                    indicia.push(common::vendor::indicium(&answer, 0));
                    break;
                }
                422 if answer["error"]["kind"] == "insufficient_funds" => return indicia,
                503 => continue,
                other => panic!("unexpected answer {other}: {answer}"),
            }
        }
    }
    indicia
}

async fn two_vendors_never_overspend(kind: StoreKind) {
    let Some(fixture) = VendorFixture::create(kind).await else {
        common::postgres::skip_note("two_vendors_never_overspend");
        return;
    };
    let store = &fixture.store;
    store
        .credit_account("A2", "funds", Money::from_mills(FUNDS_MILLS), 0)
        .await
        .unwrap();
    let vendors = [
        VendorProcess::spawn(fixture.dir.path(), &fixture.location),
        VendorProcess::spawn(fixture.dir.path(), &fixture.location),
    ];
    let mut counters = Vec::new();
    for index in 0..COUNTERS {
        counters.push(enroll(store, &vendors[index % 2].url, "A2").await);
    }
    let tasks: Vec<_> = counters
        .into_iter()
        .map(|c| tokio::spawn(buy_until_empty(c)))
        .collect();
    let mut received = Vec::new();
    for task in tasks {
        received.extend(task.await.unwrap());
    }

    let trust = common::vendor::central_trust(&fixture.keys);
    let mut serials = BTreeSet::new();
    let mut postage = 0;
    for bytes in &received {
        let indicium = verify(bytes, &trust).unwrap().indicium;
        assert_eq!(indicium.data.device_id, PSD_A2);
        assert!(
            serials.insert(indicium.data.piece_serial),
            "serial {} twice",
            indicium.data.piece_serial
        );
        postage += indicium.data.postage.mills();
        let stored: Vec<u8> = sqlx::query_scalar(
            "SELECT indicium FROM piece WHERE psd_id = $1 AND piece_serial = $2",
        )
        .bind(i64::from(PSD_A2))
        .bind(i64::from(indicium.data.piece_serial))
        .fetch_one(store.pool())
        .await
        .unwrap();
        assert_eq!(
            &stored, bytes,
            "what a counter received is what the ledger holds"
        );
        assert_eq!(Indicium::from_bytes(&stored).unwrap(), indicium);
    }
    let psd = store.psd(PSD_A2).await.unwrap();
    let registers = psd.registers;
    assert_eq!(
        received.len() as i64,
        FUNDS_MILLS / letter_mills(),
        "every cent that could buy a piece did"
    );
    assert_eq!(
        registers.ascending.mills(),
        postage,
        "AR rose by exactly the postage received"
    );
    assert_eq!(registers.piece_count, received.len() as u64);
    assert_eq!(
        serials.iter().copied().collect::<Vec<_>>(),
        (1..=received.len() as u32).collect::<Vec<_>>()
    );
    assert_eq!(
        registers.ascending.mills() + registers.descending.mills(),
        registers.control_total.mills()
    );
    let balance = store.account("A2").await.unwrap().balance.mills();
    assert_eq!(
        registers.control_total.mills() + balance,
        FUNDS_MILLS,
        "no funds created or lost"
    );
    assert!(
        registers.descending.mills() + balance < letter_mills(),
        "left over: less than one piece"
    );
    assert!(store.audit_psd(PSD_A2).await.unwrap().is_empty());
}
