//! Label stock at purchase time and at reconciliation (claims 3-5, 25, 45): the serial must
//! be of stock issued to the buying account, a sheet's label must name one of the sheet's
//! positions (a single label none), and each label carries one indicium, ever.
//!
//! A label is claimed with an insert that does nothing on conflict, so on PostgreSQL a
//! second vendor process claiming the same label waits for the first one's commit and then
//! finds it used. A purchase refused after some of its labels were claimed gives them back.

use sqlx::AnyConnection;

use crate::vendor_system::error::VendorError;
use crate::vendor_system::postage::label_ref::LabelRef;

/// Where a label is going: the piece it will carry.
pub(in crate::vendor_system::store) struct LabelUse<'a> {
    pub serial: LabelRef,
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

/// The label must be of stock issued to the account, name a position of its sheet (or none
/// for a single label), and be unused.
pub(in crate::vendor_system::store) async fn claim_label(
    conn: &mut AnyConnection,
    account_id: &str,
    label_use: &LabelUse<'_>,
    now_unix_ms: i64,
) -> Result<(), VendorError> {
    let label = label_use.serial.to_string();
    let stock: Option<(String, i64)> = sqlx::query_as(
        "SELECT account_id, CAST(positions AS BIGINT) FROM label_stock WHERE first_sequence <= $1 AND last_sequence >= $1",
    )
    .bind(i64::try_from(label_use.serial.serial.sequence()).unwrap_or(i64::MAX))
    .fetch_optional(&mut *conn)
    .await?;
    let positions = match stock {
        Some((owner, positions)) if owner == account_id => positions,
        _ => {
            return Err(VendorError::refused(format!(
                "label serial {label} is not from stock issued to account {account_id}"
            )));
        }
    };
    match (positions, label_use.serial.position) {
        (1, None) => {}
        (1, Some(_)) => {
            return Err(VendorError::refused(format!(
                "label {label} names a sheet position, but {} is a single label",
                label_use.serial.serial
            )));
        }
        (_, None) => {
            return Err(VendorError::refused(format!(
                "label serial {label} is a sheet of {positions} labels: name the position, like {label}-P1"
            )));
        }
        (_, Some(position)) if i64::from(position) > positions => {
            return Err(VendorError::refused(format!(
                "label {label}: the sheet has positions 1 to {positions}"
            )));
        }
        _ => {}
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
