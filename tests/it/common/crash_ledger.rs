//! The vendor's store as the crash test (`tests/vendor_crash.rs`) reads it between kills:
//! how the killed vendor processes open it, when a killed vendor has stopped writing to it,
//! and the pieces it holds. Kept apart so the test itself reads as the rounds and the checks.

use std::time::{Duration, Instant};

use sqlx::Row;

use super::crash_counter::PurchaseId;
use super::vendor::PSD_A2;
use postcounter::vendor_system::store::{Backend, VendorStore};

/// The application name of the vendor processes' PostgreSQL sessions.
pub const VENDOR_APPLICATION: &str = "postcounter-vendor-crash";
/// How long a killed vendor's PostgreSQL sessions may take to end.
pub const SESSIONS_END_TIMEOUT_MS: u64 = 10_000;

/// The store as the vendor processes open it. On PostgreSQL their sessions carry
/// [`VENDOR_APPLICATION`], and go without TLS unless the URL names an `sslmode`: the test
/// server is on loopback, and with TLS a debug vendor took about 250 ms to start instead of
/// 20 and the counters completed half as many purchases. What is under test is the ledger,
/// not the transport.
pub fn vendor_store(location: &str) -> String {
    if !location.starts_with("postgres") {
        return location.to_string();
    }
    let mut url = location.to_string();
    let mut add = |parameter: &str| {
        url.push(if url.contains('?') { '&' } else { '?' });
        url.push_str(parameter);
    };
    add(&format!("application_name={VENDOR_APPLICATION}"));
    if !location.contains("sslmode=") {
        add("sslmode=disable");
    }
    url
}

/// Waits until the killed vendor's PostgreSQL sessions have ended, and returns how many
/// pieces were committed meanwhile. The server finishes a statement it is running when its
/// client dies, a COMMIT included, so the store is still only once those sessions are gone.
/// A killed SQLite vendor leaves nothing running.
pub async fn wait_for_the_vendor_sessions_to_end(store: &VendorStore) -> u32 {
    if store.backend() != Backend::Postgres {
        return 0;
    }
    let before = last_serial(store).await;
    let deadline = Instant::now() + Duration::from_millis(SESSIONS_END_TIMEOUT_MS);
    loop {
        let open: i64 = sqlx::query_scalar(
            "SELECT CAST(COUNT(*) AS BIGINT) FROM pg_stat_activity \
             WHERE datname = current_database() AND application_name = $1",
        )
        .bind(VENDOR_APPLICATION)
        .fetch_one(store.pool())
        .await
        .unwrap();
        if open == 0 {
            return last_serial(store).await - before;
        }
        assert!(
            Instant::now() < deadline,
            "{open} sessions of a killed vendor are still open"
        );
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

pub async fn last_serial(store: &VendorStore) -> u32 {
    let serial: i64 = sqlx::query_scalar(
        "SELECT CAST(COALESCE(MAX(piece_serial), 0) AS BIGINT) FROM piece WHERE psd_id = $1",
    )
    .bind(i64::from(PSD_A2))
    .fetch_one(store.pool())
    .await
    .unwrap();
    u32::try_from(serial).unwrap()
}

/// Pieces of A2's PSD with a serial above `after`, in serial order.
pub async fn pieces_after(store: &VendorStore, after: u32) -> Vec<(PurchaseId, u32, i64, Vec<u8>)> {
    sqlx::query(
        "SELECT counter_id, purchase_key, piece_serial, postage_mills, indicium FROM piece \
         WHERE psd_id = $1 AND piece_serial > $2 ORDER BY piece_serial",
    )
    .bind(i64::from(PSD_A2))
    .bind(i64::from(after))
    .fetch_all(store.pool())
    .await
    .unwrap()
    .iter()
    .map(|row| {
        let serial: i64 = row.get("piece_serial");
        (
            (row.get("counter_id"), row.get("purchase_key")),
            u32::try_from(serial).unwrap(),
            row.get("postage_mills"),
            row.get("indicium"),
        )
    })
    .collect()
}
