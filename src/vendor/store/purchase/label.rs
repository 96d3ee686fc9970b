//! Label stock at purchase time (claims 3-5): the serial must be of stock issued to the
//! buying account, and each serial carries one indicium, ever.

use sqlx::AnyConnection;

use super::{PurchaseJob, PurchaseRules};
use crate::vendor::error::VendorError;
use crate::vendor::label_serial::LabelSerial;

/// The label must be of stock issued to the account, and unused.
pub(super) async fn claim_label(
    conn: &mut AnyConnection,
    account_id: &str,
    serial: LabelSerial,
    psd_id: u32,
    piece_serial: u32,
    job: &PurchaseJob,
    rules: &PurchaseRules,
) -> Result<(), VendorError> {
    let label = serial.to_string();
    let owner: Option<String> = sqlx::query_scalar(
        "SELECT account_id FROM label_stock WHERE first_sequence <= $1 AND last_sequence >= $1",
    )
    .bind(i64::try_from(serial.sequence()).unwrap_or(i64::MAX))
    .fetch_optional(&mut *conn)
    .await?;
    if owner.as_deref() != Some(account_id) {
        return Err(VendorError::refused(format!(
            "label serial {label} is not from stock issued to account {account_id}"
        )));
    }
    let inserted = sqlx::query(
        "INSERT INTO label_use (label_serial, psd_id, piece_serial, counter_id, used_unix_ms) VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING",
    )
    .bind(&label)
    .bind(i64::from(psd_id))
    .bind(i64::from(piece_serial))
    .bind(&job.counter_id)
    .bind(rules.now_unix_ms)
    .execute(&mut *conn)
    .await?
    .rows_affected();
    if inserted == 0 {
        return Err(VendorError::refused(format!(
            "label serial {label} has been used before; each label carries one indicium"
        )));
    }
    Ok(())
}
