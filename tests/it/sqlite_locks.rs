//! SQLite's locks on a live store are process-wide POSIX locks, dropped when the process
//! closes any descriptor of the file. A vendor that did so (opening the file to check its
//! mode while its pool was open) lost them, and the next process to close its last
//! connection to the store (the `sqlite3` shell an operator reads it with, found by an
//! attacker pass) deleted the live `-wal` and `-shm`: every purchase the vendor committed
//! after that went into a deleted file, lost at its next start. With a separate `vendor
//! serve`, the `sqlite3` shell beside it (`.ci/run` installs it), a sale and a SIGKILL,
//! nothing is lost.

use crate::common;

use std::path::Path;
use std::process::Command;

use common::data_centre::DataCentre;
use postcounter::vendor_system::store::VendorStore;

#[test]
fn a_sqlite3_shell_beside_a_live_vendor_loses_none_of_its_commits() {
    if !common::tool_or_skip("sqlite3", "sqlite_locks") {
        return;
    }
    let runtime = common::runtime();
    let mut centre = DataCentre::start(&runtime, &["code-one"]);
    // Only the vendor holds the store open now, as on a data centre's machine.
    runtime.block_on(centre.fixture.store.pool().close());
    let location = centre.fixture.location.clone();
    let read = Command::new("sqlite3")
        .args([location.as_str(), "SELECT COUNT(*) FROM account"])
        .output()
        .unwrap();
    assert!(read.status.success(), "{read:?}");
    assert!(
        Path::new(&format!("{location}-wal")).exists(),
        "the shell deleted the live vendor's write-ahead log"
    );

    let dir = tempfile::tempdir().unwrap();
    let counter = centre.counter(dir.path().join("one"), "code-one");
    let sold = counter.command(&centre.process.url, common::SELL_ONE_LETTER_JSON);
    assert!(sold.status.success(), "{sold:?}");
    let sold: serde_json::Value = serde_json::from_slice(&sold.stdout).unwrap();
    assert_eq!(sold["offline"], false, "{sold}");
    centre.process.kill();

    let pieces: i64 = runtime.block_on(async {
        let store = VendorStore::open(&location, 1).await.unwrap();
        sqlx::query_scalar("SELECT CAST(COUNT(*) AS BIGINT) FROM piece")
            .fetch_one(store.pool())
            .await
            .unwrap()
    });
    assert_eq!(
        pieces, 1,
        "the piece sold after the admin command survives the kill"
    );
}
