//! Label stock used offline, checked at reconciliation (claims 5, 25, 45): a label of the
//! account's stock is claimed once; one of another account's stock, one used twice, a
//! sheet's serial without its position or with a position the sheet does not have is
//! refused and reported back, while the pieces themselves are recorded and the counter goes
//! on reconciling.

use crate::common;

use common::link_relay::{BehindRelay, Relay, behind_relay, count};
use common::priced_letter;
use postcounter::clock::Clock;
use postcounter::vendor_system::postage::label_ref::LabelRef;
use postcounter::vendor_system::postage::label_serial::LabelSerial;

fn label(sequence: u64, position: Option<u16>) -> String {
    LabelRef {
        serial: LabelSerial::new(sequence).unwrap(),
        position,
    }
    .to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn offline_labels_are_claimed_once_and_a_refused_one_is_reported_without_blocking() {
    let BehindRelay {
        vendor,
        network,
        dir: _dir,
        link,
        psd,
    } = behind_relay(Clock::system()).await;
    // A1 holds single labels 1..=100 (the fixture) and two sheets of four, 5000 and 5001.
    vendor
        .store
        .issue_label_stock("A1", (5000, 5001), 4, Clock::system().now_unix_ms())
        .await
        .unwrap();
    let cases: [(String, Option<&str>); 7] = [
        (label(1, None), None),
        (
            label(1000, None),
            Some("not from stock issued to account A1"),
        ),
        (label(1, None), Some("has been used before")),
        (label(5000, Some(2)), None),
        (label(5000, Some(2)), Some("has been used before")),
        (label(5001, None), Some("is a sheet of 4 labels")),
        (label(5001, Some(5)), Some("the sheet has positions 1 to 4")),
    ];
    network.set(Relay::Down);
    for (index, (serial, _)) in cases.iter().enumerate() {
        let mut piece = priced_letter("1oz");
        piece.request.label_serial = Some(serial.clone());
        let issued = link
            .issue(&psd, &piece, &format!("offline-{index}"))
            .await
            .unwrap();
        assert!(issued.offline);
    }
    network.set(Relay::Up);
    let settled = link.reconcile(&psd).await.unwrap();
    assert_eq!(settled.reported_pieces, 7);
    let refused: Vec<(u32, &str)> = settled
        .refused_labels
        .iter()
        .map(|r| (r.piece_serial, r.reason.as_str()))
        .collect();
    let expected: Vec<(u32, &str)> = cases
        .iter()
        .enumerate()
        .filter_map(|(index, (_, reason))| reason.map(|r| (index as u32 + 1, r)))
        .collect();
    assert_eq!(refused.len(), expected.len(), "{refused:?}");
    for ((serial, reason), (want_serial, want)) in refused.iter().zip(&expected) {
        assert_eq!(serial, want_serial);
        assert!(
            reason.contains(want),
            "piece {serial}: {reason:?} lacks {want:?}"
        );
    }
    let claimed = count(
        &vendor,
        "SELECT CAST(COUNT(*) AS BIGINT) FROM label_use WHERE psd_id < 20000000",
    )
    .await;
    assert_eq!(claimed, 2, "label 1 and sheet 5000 position 2, once each");
    let exceptions = count(
        &vendor,
        "SELECT CAST(COUNT(*) AS BIGINT) FROM label_exception",
    )
    .await;
    assert_eq!(exceptions, 5);
    let statement = vendor.store.statement("A1").await.unwrap();
    let listed: Vec<u32> = statement
        .label_exceptions
        .iter()
        .map(|e| e.piece_serial)
        .collect();
    assert_eq!(
        listed,
        [2, 3, 5, 6, 7],
        "the administrator's statement lists them"
    );

    // The counter is not stuck: the next offline piece is reported as usual.
    network.set(Relay::Down);
    link.issue(&psd, &priced_letter("1oz"), "offline-8")
        .await
        .unwrap();
    network.set(Relay::Up);
    let next = link.reconcile(&psd).await.unwrap();
    assert_eq!((next.reported_pieces, next.refused_labels.len()), (1, 0));
}
