//! `postcounter lottery` as a script runs it, with the in-process data centre: a ticket whose
//! printer fails is recorded all the same (the data centre's ledger holds it), and selling
//! again under the same request id prints that same ticket marked as a reprint; a ticket is
//! cancelled with its slip; screens show only the last four digits of an unpaid ticket.

use std::process::Command;

use crate::common::cli::text;
use postcounter::vendor_system::store::VendorStore;

fn lottery(
    data_dir: &std::path::Path,
    receipt_transport: &str,
    args: &[&str],
) -> (bool, String, String) {
    let output = Command::new(env!("CARGO_BIN_EXE_postcounter"))
        .arg("--data-dir")
        .arg(data_dir)
        .arg("lottery")
        .args(args)
        .env_remove("POSTCOUNTER_CONFIG")
        .env("POSTCOUNTER_PRINTER__RECEIPT__TRANSPORT", receipt_transport)
        .output()
        .unwrap();
    (
        output.status.success(),
        text(&output.stdout),
        text(&output.stderr),
    )
}

/// The wagers the in-process data centre recorded: (validation, status, reprints).
async fn recorded(data_dir: &std::path::Path) -> Vec<(String, String, i64)> {
    let path = postcounter::vendor_system::from_config::default_store_path(data_dir);
    let store = VendorStore::open(&path.display().to_string(), 1)
        .await
        .unwrap();
    let rows: Vec<(String, String, i64)> =
        sqlx::query_as("SELECT validation, status, reprints FROM lottery_wager ORDER BY serial")
            .fetch_all(store.pool())
            .await
            .unwrap();
    store.close().await;
    rows
}

#[test]
fn a_wager_is_recorded_before_its_ticket_prints_and_a_retry_prints_it_as_a_reprint() {
    let dir = tempfile::tempdir().unwrap();
    let sell = [
        "sell",
        "--game",
        "pick3",
        "--numbers",
        "4,0,7",
        "--request-id",
        "lottery-test-1",
    ];
    // /dev/full takes the open and refuses the write: the printer fails mid-job.
    let (ok, stdout, stderr) = lottery(dir.path(), "file:/dev/full", &sell);
    assert!(!ok, "{stdout}");
    assert!(
        stderr.contains("recorded at the data centre but its ticket did not print"),
        "{stderr}"
    );
    assert!(stderr.contains("--request-id lottery-test-1"), "{stderr}");
    let rows = crate::common::runtime().block_on(recorded(dir.path()));
    assert_eq!(
        rows.len(),
        1,
        "the ledger holds the wager whose print failed"
    );
    let (validation, status, reprints) = rows[0].clone();
    assert_eq!((status.as_str(), reprints), ("sold", 0));
    let last4 = &validation[11..];
    assert!(
        stdout.contains(&format!("***{}-{}", &last4[..1], &last4[1..])),
        "{stdout}"
    );
    assert!(
        !stdout.contains(&validation) && !stderr.contains(&validation),
        "the full number is never shown"
    );
    // Its check digit, by the README's rule alone (Python, not the project's code).
    let tool = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tools/check_ticket.py");
    let checked = Command::new("python3")
        .arg(&tool)
        .args(["lottery", &validation])
        .output()
        .unwrap();
    assert!(
        checked.status.success() && text(&checked.stdout).starts_with("VALID"),
        "{checked:?}"
    );
    let mut typo: Vec<char> = validation.chars().collect();
    typo.swap(0, 1);
    if typo[0] != typo[1] {
        let typo: String = typo.into_iter().collect();
        let checked = Command::new("python3")
            .arg(&tool)
            .args(["lottery", &typo])
            .output()
            .unwrap();
        assert!(
            !checked.status.success(),
            "a transposition passes: {checked:?}"
        );
    }
    // Again under the same id, on a working printer: the same ticket, marked.
    let (ok, stdout, stderr) = lottery(dir.path(), "virtual", &sell);
    assert!(ok, "{stderr}");
    assert!(stdout.contains("reprint 1"), "{stdout}");
    let rows = crate::common::runtime().block_on(recorded(dir.path()));
    assert_eq!(rows, vec![(validation.clone(), "sold".to_string(), 1)]);
    let job = std::fs::read(dir.path().join("jobs/receipt/job-000001.escpos")).unwrap();
    let printed = String::from_utf8_lossy(&job);
    assert!(
        printed.contains("REPRINT 1") && printed.contains("PICK 3"),
        "{printed}"
    );
    assert!(
        printed.contains(&validation),
        "the ticket's barcode carries the number"
    );
    // Cancelled here, today, before the cut-off: the slip prints, the record stays.
    let (ok, stdout, stderr) = lottery(dir.path(), "virtual", &["cancel", &validation]);
    assert!(ok, "{stderr}");
    assert!(
        stdout.contains("refund $1.00") && !stdout.contains(&validation),
        "{stdout}"
    );
    let slip = std::fs::read(dir.path().join("jobs/receipt/job-000003.escpos")).unwrap();
    let slip = String::from_utf8_lossy(&slip);
    assert!(
        slip.contains("CANCELLED - REFUND") && !slip.contains(&validation),
        "{slip}"
    );
    let rows = crate::common::runtime().block_on(recorded(dir.path()));
    assert_eq!(rows[0].1, "cancelled");
    // A mistyped number is refused before anything is asked, quoting it.
    let mut typo: Vec<char> = validation.chars().collect();
    typo[0] = if typo[0] == '1' { '2' } else { '1' };
    let typo: String = typo.into_iter().collect();
    let (ok, _, stderr) = lottery(dir.path(), "virtual", &["claim", &typo]);
    assert!(!ok && stderr.contains("does not check"), "{stderr}");
}

#[test]
fn a_ticket_above_the_confirmation_amount_needs_the_customers_yes() {
    let dir = tempfile::tempdir().unwrap();
    let sell = [
        "sell",
        "--game",
        "pick3",
        "--quick-pick",
        "--plays",
        "5",
        "--draws",
        "7",
    ];
    let (ok, stdout, stderr) = lottery(dir.path(), "virtual", &sell);
    assert!(!ok, "{stdout}");
    assert!(
        stderr.contains("$35.00, above $25.00") && stderr.contains("--yes"),
        "{stderr}"
    );
    assert!(
        crate::common::runtime()
            .block_on(recorded(dir.path()))
            .is_empty(),
        "nothing sold"
    );
    let mut confirmed = sell.to_vec();
    confirmed.push("--yes");
    let (ok, stdout, stderr) = lottery(dir.path(), "virtual", &confirmed);
    assert!(ok, "{stderr}");
    assert!(stdout.contains("sold Pick 3"), "{stdout}");
}
