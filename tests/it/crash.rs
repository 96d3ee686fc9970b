//! The crash test: the real binary issues in a loop while this test kills it with SIGKILL
//! at random moments. After every kill the ledger must be sound: AR + DR = control total,
//! the audit agrees with the entries, piece serials are unique and gapless, and every
//! indicium the binary reported as issued is in the ledger, byte for byte.

use crate::common;

use std::collections::HashMap;
use std::io::{BufRead, BufReader};
use std::process::Stdio;
use std::sync::mpsc;
use std::time::{Duration, Instant};

use common::offline_counter::OfflineCounter;
use postcounter::psd::Ledger;
use rand::RngExt;

const KILLS: usize = 200;

fn spawn_selling(counter: &OfflineCounter, data_dir: &std::path::Path) -> std::process::Child {
    counter
        .command(data_dir)
        .args([
            "sell", "--weight", "1oz", "--shape", "letter", "--to", "90210",
        ])
        .args([
            "--product",
            "fcm-letter",
            "--quantity",
            "100000",
            "--json",
            "--no-receipt",
        ])
        .env("POSTCOUNTER_PRINTER__LABEL__TRANSPORT", "file:/dev/null")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("the postcounter binary starts")
}

/// Lines of `{"serial":..,"piece_serial":N,"indicium_hex":..}` as the binary reports issues.
fn reported_issues(child: &mut std::process::Child) -> mpsc::Receiver<(u32, String)> {
    let (sender, receiver) = mpsc::channel();
    let stdout = child.stdout.take().expect("piped stdout");
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            let Ok(value) = serde_json::from_str::<serde_json::Value>(&line) else {
                continue;
            };
            if let (Some(serial), Some(hex)) = (
                value["piece_serial"].as_u64(),
                value["indicium_hex"].as_str(),
            ) {
                let _ = sender.send((u32::try_from(serial).expect("u32 serial"), hex.to_string()));
            }
        }
    });
    receiver
}

#[test]
fn sigkill_at_random_moments_never_loses_or_duplicates_an_indicium() {
    let dir = tempfile::tempdir().unwrap();
    let runtime = common::runtime();
    // The embedded PSD's own crash safety: a counter whose data centre is gone.
    let counter = OfflineCounter::prepare(&runtime, dir.path(), "100000.00");
    let mut reported: HashMap<u32, String> = HashMap::new();
    let mut rng = rand::rng();
    // Three runs timed to their first issue aim the kills; their median, so that one run
    // slowed by a busy machine does not set the window for all 200.
    let mut to_first_issue = Vec::new();
    for _ in 0..3 {
        let started = Instant::now();
        let mut child = spawn_selling(&counter, dir.path());
        let issues = reported_issues(&mut child);
        let first = issues
            .recv_timeout(Duration::from_secs(60))
            .expect("the first sale completes");
        to_first_issue.push(started.elapsed());
        reported.insert(first.0, first.1);
        child.kill().unwrap();
        child.wait().unwrap();
        reported.extend(issues.try_iter());
    }
    to_first_issue.sort();

    // Kills land anywhere from the start to four times that: most after the first issue,
    // the rest while the PSD opens, even if later runs start slower than these did.
    let window_ms = u64::try_from(to_first_issue[1].as_millis())
        .unwrap_or(1000)
        .max(20)
        * 4;
    let mut kills_while_issuing = 0;
    for _ in 0..KILLS {
        let mut child = spawn_selling(&counter, dir.path());
        let issues = reported_issues(&mut child);
        std::thread::sleep(Duration::from_millis(rng.random_range(0..window_ms)));
        child.kill().unwrap();
        child.wait().unwrap();
        std::thread::sleep(Duration::from_millis(5)); // let the reader drain the pipe
        let before = reported.len();
        for (serial, hex) in issues.try_iter() {
            assert!(
                reported.insert(serial, hex).is_none(),
                "piece serial {serial} was reported twice"
            );
        }
        kills_while_issuing += usize::from(reported.len() > before);

        runtime.block_on(async {
            let ledger = Ledger::open(&dir.path().join("psd/ledger.sqlite"))
                .await
                .unwrap();
            let audit = ledger.audit(common::DEVICE_ID).await.unwrap();
            assert!(audit.discrepancies.is_empty(), "{:?}", audit.discrepancies);
            audit.registers.check().unwrap();
            let pieces = ledger.pieces(common::DEVICE_ID).await.unwrap();
            for (index, piece) in pieces.iter().enumerate() {
                assert_eq!(
                    piece.piece_serial as usize,
                    index + 1,
                    "serials are unique and gapless"
                );
            }
            let in_ledger: HashMap<u32, String> = pieces
                .iter()
                .map(|p| (p.piece_serial, hex(&p.indicium)))
                .collect();
            for (serial, hex) in &reported {
                assert_eq!(
                    in_ledger.get(serial),
                    Some(hex),
                    "reported piece {serial} is in the ledger as printed"
                );
            }
        });
    }
    eprintln!(
        "{KILLS} kills, {} indicia reported, {kills_while_issuing} runs killed after issuing at least one",
        reported.len()
    );
    assert!(
        kills_while_issuing > KILLS / 4,
        "too few kills landed while issuing: {kills_while_issuing}"
    );
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
