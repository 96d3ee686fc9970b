//! Whether an embedded PSD's offline pieces were paid for. The data centre alone funds an
//! embedded PSD (refill authorizations, `embedded_psd.authorized_mills` in all), and each
//! indicium carries the registers after its piece, signed. So every reported piece must
//! show an ascending register equal to the postage of every piece reported before it plus
//! its own (no piece left out), and a control total (AR + DR) within what the data centre
//! authorized: a ledger whose descending register was raised at the counter, by a forged
//! refill or an edited row, shows more than was ever funded and is refused.

use sqlx::AnyConnection;

use super::int;
use crate::indicium::Indicium;
use crate::ledger_chain::ChainEntry;
use crate::money::Money;
use crate::vendor_system::error::VendorError;

/// What the data centre funded embedded PSD `psd_id` with (every refill it authorized), and
/// the postage of the offline pieces reported for it.
pub(super) async fn funded_and_reported(
    conn: &mut AnyConnection,
    psd_id: u32,
) -> Result<(Money, Money), VendorError> {
    let row = sqlx::query(
        "SELECT e.authorized_mills, \
         (SELECT CAST(COALESCE(SUM(p.postage_mills), 0) AS BIGINT) FROM offline_piece p WHERE p.psd_id = e.psd_id) AS reported_mills \
         FROM embedded_psd e WHERE e.psd_id = $1",
    )
    .bind(i64::from(psd_id))
    .fetch_optional(&mut *conn)
    .await?
    .ok_or_else(|| VendorError::forbidden(format!("PSD {psd_id} is not an embedded PSD")))?;
    Ok((
        Money::from_mills(int(&row, "authorized_mills")?),
        Money::from_mills(int(&row, "reported_mills")?),
    ))
}

/// Why `new_entries` (continuing what the data centre holds of `psd_id`) were not paid for,
/// if they were not.
pub(super) async fn unfunded_piece(
    conn: &mut AnyConnection,
    psd_id: u32,
    new_entries: &[(ChainEntry, [u8; 32])],
) -> Result<Option<String>, VendorError> {
    if new_entries.is_empty() {
        return Ok(None);
    }
    let (authorized, reported) = funded_and_reported(conn, psd_id).await?;
    let authorized_mills = authorized.mills();
    let mut ascending_mills = reported.mills();
    for (entry, _) in new_entries {
        let piece = entry.piece_serial;
        let indicium = Indicium::from_bytes(&entry.indicium)
            .map_err(|e| VendorError::bad_request(format!("piece {piece}: {e}")))?;
        let data = &indicium.data;
        ascending_mills = ascending_mills.saturating_add(entry.postage_mills);
        if data.ascending_register.mills() != ascending_mills {
            return Ok(Some(format!(
                "piece {piece} shows an ascending register of {}, but the pieces reported through it add up to {}",
                data.ascending_register,
                Money::from_mills(ascending_mills)
            )));
        }
        let control_total_mills = data
            .ascending_register
            .mills()
            .saturating_add(data.descending_register.mills());
        if control_total_mills > authorized_mills {
            return Ok(Some(format!(
                "piece {piece} shows a control total of {}, above the {} the data centre ever funded",
                Money::from_mills(control_total_mills),
                Money::from_mills(authorized_mills)
            )));
        }
    }
    Ok(None)
}
