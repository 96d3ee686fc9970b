//! Label stock at purchase time (claims 3-5): the serial must be of stock issued to the
//! buying account, and each serial carries one indicium, ever.
//!
//! A label is claimed with an insert that does nothing on conflict, so on PostgreSQL a
//! second vendor process claiming the same label waits for the first one's commit and then
//! finds it used. A purchase refused after some of its labels were claimed gives them back.

use sqlx::AnyConnection;

use crate::vendor_system::error::VendorError;
use crate::vendor_system::postage::label_serial::LabelSerial;

/// Where a label is going: the piece it will carry.
pub(super) struct LabelUse<'a> {
    pub serial: LabelSerial,
    pub psd_id: u32,
    pub piece_serial: u32,
    pub counter_id: &'a str,
}

/// Claims every label of one purchase, or none of them.
pub(super) async fn claim_labels(
    conn: &mut AnyConnection,
    account_id: &str,
    uses: &[LabelUse<'_>],
    now_unix_ms: i64,
) -> Result<(), VendorError> {
    for (claimed, label_use) in uses.iter().enumerate() {
        if let Err(refusal) = claim_label(conn, account_id, label_use, now_unix_ms).await {
            for earlier in &uses[..claimed] {
                sqlx::query("DELETE FROM label_use WHERE label_serial = $1")
                    .bind(earlier.serial.to_string())
                    .execute(&mut *conn)
                    .await?;
            }
            return Err(refusal);
        }
    }
    Ok(())
}

/// The label must be of stock issued to the account, and unused.
async fn claim_label(
    conn: &mut AnyConnection,
    account_id: &str,
    label_use: &LabelUse<'_>,
    now_unix_ms: i64,
) -> Result<(), VendorError> {
    let label = label_use.serial.to_string();
    let owner: Option<String> = sqlx::query_scalar(
        "SELECT account_id FROM label_stock WHERE first_sequence <= $1 AND last_sequence >= $1",
    )
    .bind(i64::try_from(label_use.serial.sequence()).unwrap_or(i64::MAX))
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
    .bind(i64::from(label_use.psd_id))
    .bind(i64::from(label_use.piece_serial))
    .bind(label_use.counter_id)
    .bind(now_unix_ms)
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
