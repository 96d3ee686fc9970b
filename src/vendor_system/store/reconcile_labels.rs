//! The labels of offline pieces, checked at reconciliation (claims 5, 25, 45): each must be
//! the label the indicium was printed for (its signed label binding), of stock issued to the
//! counter's account, a position of its sheet (or none for a single label), and unused. A
//! label that fails is not a reason to refuse the report (the piece was issued, its postage
//! is in the PSD's registers, and a refused report would leave the counter unable to report
//! anything again): it is recorded as an exception for the administrator and answered back.

use std::collections::BTreeMap;

use sqlx::AnyConnection;

use super::purchase::label::{LabelUse, claim_label};
use crate::indicium::{Indicium, label_binding};
use crate::ledger_chain::ChainEntry;
use crate::protocol::RefusedLabel;
use crate::vendor_system::error::VendorError;
use crate::vendor_system::postage::label_ref::LabelRef;

/// Why `label` cannot go with `entry`, or `None` when it was claimed for it.
async fn check_label(
    conn: &mut AnyConnection,
    account_id: &str,
    counter_id: &str,
    entry: &ChainEntry,
    label: &str,
    now_unix_ms: i64,
) -> Result<Option<String>, VendorError> {
    let printed_for = Indicium::from_bytes(&entry.indicium).map(|i| i.data.label_binding);
    if printed_for.ok() != Some(label_binding(Some(label))) {
        return Ok(Some(
            "it is not the label the indicium was printed for".to_string(),
        ));
    }
    let serial = match LabelRef::parse(label) {
        Ok(serial) => serial,
        Err(error) => return Ok(Some(error.to_string())),
    };
    if took_over_voided_claim(conn, &serial.to_string(), counter_id, entry).await? {
        return Ok(None);
    }
    let label_use = LabelUse {
        serial,
        psd_id: entry.psd_id,
        piece_serial: entry.piece_serial,
        counter_id,
    };
    match claim_label(conn, account_id, &label_use, now_unix_ms).await {
        Ok(()) => Ok(None),
        Err(error) if error.kind() == crate::vendor_system::RefusalKind::Refused => {
            Ok(Some(error.message().to_string()))
        }
        Err(error) => Err(error),
    }
}

/// A label this same counter claimed for a central piece that was then voided is its
/// offline piece's: a purchase whose answer was lost is asked again at the next contact,
/// issued and voided there, while the customer's label carries the embedded PSD's indicium.
async fn took_over_voided_claim(
    conn: &mut AnyConnection,
    label: &str,
    counter_id: &str,
    entry: &ChainEntry,
) -> Result<bool, VendorError> {
    let moved = sqlx::query(
        "UPDATE label_use SET psd_id = $1, piece_serial = $2 \
         WHERE label_serial = $3 AND counter_id = $4 AND EXISTS ( \
           SELECT 1 FROM piece p WHERE p.psd_id = label_use.psd_id \
             AND p.piece_serial = label_use.piece_serial AND p.voided_unix_ms IS NOT NULL)",
    )
    .bind(i64::from(entry.psd_id))
    .bind(i64::from(entry.piece_serial))
    .bind(label)
    .bind(counter_id)
    .execute(&mut *conn)
    .await?
    .rows_affected();
    Ok(moved > 0)
}

/// Claims the labels of `entries` (new pieces of one report) and records the ones refused.
pub(super) async fn claim_offline_labels(
    conn: &mut AnyConnection,
    (account_id, counter_id): (&str, &str),
    entries: &[(ChainEntry, [u8; 32])],
    labels: &BTreeMap<u32, String>,
    now_unix_ms: i64,
) -> Result<Vec<RefusedLabel>, VendorError> {
    let mut refused = Vec::new();
    for (entry, _) in entries {
        let Some(label) = labels.get(&entry.piece_serial) else {
            continue;
        };
        let Some(reason) =
            check_label(conn, account_id, counter_id, entry, label, now_unix_ms).await?
        else {
            continue;
        };
        sqlx::query(
            "INSERT INTO label_exception (psd_id, piece_serial, counter_id, label_serial, reason, recorded_unix_ms) \
             VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING",
        )
        .bind(i64::from(entry.psd_id))
        .bind(i64::from(entry.piece_serial))
        .bind(counter_id)
        .bind(label)
        .bind(&reason)
        .bind(now_unix_ms)
        .execute(&mut *conn)
        .await?;
        log::warn!(
            "label {label} of offline piece {}-{} of counter {counter_id} refused: {reason}",
            entry.psd_id,
            entry.piece_serial
        );
        refused.push(RefusedLabel {
            piece_serial: entry.piece_serial,
            label_serial: label.clone(),
            reason,
        });
    }
    Ok(refused)
}
