//! `postcounter psd void SERIAL` with the real binary against a separate `vendor serve`: a
//! piece bought from the data centre is voided there once (asked again, its first answer), by the serial on its label; a
//! piece the embedded PSD issued offline is not voided at the counter (that would be the
//! station giving itself back postage the data centre funded); and a serial that is not one
//! is quoted with what is accepted.

use crate::common;

use std::process::Output;

use common::data_centre::DataCentre;

fn stderr(output: &Output) -> String {
    assert!(!output.status.success(), "{output:?}");
    String::from_utf8_lossy(&output.stderr).into_owned()
}

#[test]
fn a_piece_is_voided_at_the_data_centre_once_and_an_offline_piece_not_at_all() {
    let runtime = common::runtime();
    let centre = DataCentre::start(&runtime, &["code-one"]);
    let dir = tempfile::tempdir().unwrap();
    let counter = centre.counter(dir.path().join("one"), "code-one");
    let url = &centre.process.url;
    counter.reconcile(&[("POSTCOUNTER_LINK__FIRST_REFILL", "20.00")]);
    let sold = counter.command(url, common::SELL_ONE_LETTER_JSON);
    assert!(sold.status.success(), "{sold:?}");
    let sold: serde_json::Value = serde_json::from_slice(&sold.stdout).unwrap();
    let serial = sold["serial"].as_str().unwrap().to_string();
    assert_eq!(sold["offline"], false, "{sold}");

    let voided = counter.command(url, &["psd", "void", &serial]);
    assert!(voided.status.success(), "{voided:?}");
    let voided = String::from_utf8_lossy(&voided.stdout).into_owned();
    assert!(
        voided.contains(&format!("voided {serial}: $0.78 back to PSD")),
        "{voided}"
    );
    let psd_id = serial.split('-').next().unwrap();
    let registers = || {
        let shown = centre.command(&["admin", "psd-show", psd_id]);
        assert!(shown.status.success(), "{shown:?}");
        String::from_utf8_lossy(&shown.stdout).into_owned()
    };
    let after_first = registers();
    // Asked again, the data centre answers its first void: nothing is refunded twice.
    let again = counter.command(url, &["psd", "void", &serial]);
    assert!(again.status.success(), "{again:?}");
    let again = String::from_utf8_lossy(&again.stdout);
    assert!(
        again.starts_with(&format!("{serial} was already voided on ")),
        "{again}"
    );
    assert!(again.contains("$0.78 went back to PSD") && again.contains("nothing more is refunded"));
    assert_eq!(registers(), after_first);

    let (offline_serial, _) = counter.sell_offline("http://127.0.0.1:9", "offline");
    let refused = stderr(&counter.command(url, &["psd", "void", &offline_serial]));
    assert!(
        refused.contains("issued offline by the embedded PSD"),
        "{refused}"
    );
    let bad = stderr(&counter.command(url, &["psd", "void", "12\u{1b}[2J"]));
    assert!(
        bad.contains("\"12?[2J\" is not accepted as a piece: give the serial printed on its label"),
        "{bad}"
    );
}
