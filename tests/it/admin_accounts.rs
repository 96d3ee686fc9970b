//! Accounts and counters as the data centre's administrator sees them, with the real binary
//! against a separate `vendor serve`: the counter list (status, location, last contact,
//! embedded PSD, reconciliation), an account's statement that adds up to its balance, and a
//! lock on a counter's embedded PSD that takes its refills and its offline lease away until
//! it is unlocked.

use crate::common;

use std::process::Output;

use common::data_centre::{Counter, DataCentre};

fn text(output: &Output) -> String {
    assert!(output.status.success(), "{output:?}");
    String::from_utf8_lossy(&output.stdout).into_owned()
}

#[test]
fn the_administrator_lists_counters_reads_statements_and_locks_an_embedded_psd() {
    let runtime = common::runtime();
    let centre = DataCentre::start(&runtime, &["code-one", "code-two"]);
    let dir = tempfile::tempdir().unwrap();
    let counters: Vec<Counter> = ["one", "two"]
        .iter()
        .map(|name| Counter {
            data_dir: dir.path().join(name),
            code: format!("code-{name}"),
            endpoint: centre.process.url.clone(),
        })
        .collect();
    for counter in &counters {
        counter.reconcile(&[("POSTCOUNTER_LINK__FIRST_REFILL", "20.00")]);
    }
    let dead = "http://127.0.0.1:9";
    counters[0].sell_offline(dead, "offline");
    counters[0].reconcile(&[]);

    let list = text(&centre.command(&["admin", "counter-list", "--account", "A1"]));
    let lines: Vec<&str> = list.lines().collect();
    assert_eq!(lines.len(), 2, "{list}");
    for line in &lines {
        assert!(
            line.contains("active") && line.contains("ZIP 02134"),
            "{line}"
        );
        assert!(line.contains("embedded PSD 1000000"), "{line}");
    }
    assert!(list.contains("reconciled through 1"), "{list}");
    // The reconciliation was a contact: no counter's last contact is older than its last
    // reconciliation.
    let behind: i64 = runtime
        .block_on(
            sqlx::query_scalar(
                "SELECT CAST(COUNT(*) AS BIGINT) FROM counter c JOIN counter_ledger l USING (counter_id) \
                 WHERE c.last_contact_unix_ms < l.reconciled_unix_ms",
            )
            .fetch_one(centre.fixture.store.pool()),
        )
        .unwrap();
    assert_eq!(behind, 0, "{list}");

    let statement = text(&centre.command(&["admin", "account-statement", "A1"]));
    assert!(
        statement.contains("(the entries add up to it)"),
        "{statement}"
    );
    assert_eq!(
        statement.matches("embedded_refill").count(),
        2,
        "each counter's first refill: {statement}"
    );
    assert!(
        statement.contains("1 offline pieces reported, $0.78"),
        "{statement}"
    );

    // A lock on counter one's embedded PSD: no refill, and its lease is taken away.
    let psd_id = list
        .lines()
        .find(|line| line.contains("reconciled through 1"))
        .and_then(|line| line.split("embedded PSD ").nth(1))
        .and_then(|rest| rest.split_whitespace().next())
        .unwrap()
        .to_string();
    let locked =
        text(&centre.command(&["admin", "psd-lock", &psd_id, "--reason", "meter inspection"]));
    assert!(locked.contains("embedded PSD"), "{locked}");
    let refill = counters[0].command(&centre.process.url, &["psd", "refill", "--amount", "5"]);
    assert!(!refill.status.success());
    assert!(
        String::from_utf8_lossy(&refill.stderr).contains("meter inspection"),
        "{refill:?}"
    );
    let reconciled = counters[0].reconcile(&[]);
    assert!(
        reconciled.contains("offline lease        none"),
        "{reconciled}"
    );
    let offline = counters[0].command(dead, common::SELL_ONE_LETTER_JSON);
    assert!(!offline.status.success(), "{offline:?}");

    text(&centre.command(&["admin", "psd-unlock", &psd_id]));
    let reconciled = counters[0].reconcile(&[]);
    assert!(
        reconciled.contains("offline lease        up to"),
        "{reconciled}"
    );
}
