//! What an administrator reads of accounts and counters: every counter with its status,
//! location, last contact, PSDs and reconciliation state, and an account's statement (every
//! movement of its balance, and what each of its PSDs issued, voided and reported), checked
//! against the balance, with the labels of offline pieces reconciliation refused. Reads
//! only.

use sqlx::any::AnyRow;

use super::{VendorStore, int, optional_text, text};
use crate::money::Money;
use crate::vendor_system::error::VendorError;

/// A counter as `admin counter-list` shows it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CounterSummary {
    pub counter_id: String,
    pub account_id: String,
    pub name: String,
    pub status: String,
    pub status_reason: Option<String>,
    pub location_zip: String,
    pub last_contact_unix_ms: i64,
    /// Its embedded PSD, that PSD's status and lock, if it was certified one.
    pub embedded_psd: Option<(u32, String, Option<String>)>,
    /// The last offline piece reconciled, and when (none before the first report).
    pub reconciled: Option<(u32, i64)>,
}

/// One movement of an account's balance.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StatementLine {
    pub created_unix_ms: i64,
    pub kind: String,
    pub entry_id: String,
    pub amount: Money,
    pub psd_id: Option<u32>,
}

/// What one PSD of the account did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PsdActivity {
    pub psd_id: u32,
    pub embedded: bool,
    pub pieces: i64,
    pub postage: Money,
    pub voided: i64,
    pub voided_postage: Money,
}

/// An offline piece's label reconciliation did not accept.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LabelException {
    pub psd_id: u32,
    pub piece_serial: u32,
    pub label_serial: String,
    pub reason: String,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Statement {
    pub account_id: String,
    pub name: String,
    pub balance: Money,
    pub lines: Vec<StatementLine>,
    pub psds: Vec<PsdActivity>,
    pub label_exceptions: Vec<LabelException>,
}

impl Statement {
    /// The balance the lines add up to (an account starts at zero).
    pub fn lines_total(&self) -> Money {
        Money::from_mills(self.lines.iter().map(|line| line.amount.mills()).sum())
    }
}

fn psd_id(value: i64) -> Result<u32, VendorError> {
    u32::try_from(value).map_err(VendorError::storage)
}

impl VendorStore {
    /// Every counter (of `account`, if given), by account and name.
    pub async fn counter_summaries(
        &self,
        account: Option<&str>,
    ) -> Result<Vec<CounterSummary>, VendorError> {
        let rows = sqlx::query(
            "SELECT c.counter_id, c.account_id, c.name, c.status, c.status_reason, c.location_zip, \
                    c.last_contact_unix_ms, e.psd_id AS embedded_psd_id, e.status AS embedded_status, \
                    e.locked_reason AS embedded_lock, l.through_serial, l.reconciled_unix_ms \
             FROM counter c \
             LEFT JOIN embedded_psd e ON e.counter_id = c.counter_id \
             LEFT JOIN counter_ledger l ON l.counter_id = c.counter_id \
             WHERE $1 = '' OR c.account_id = $1 \
             ORDER BY c.account_id, c.name, c.counter_id",
        )
        .bind(account.unwrap_or(""))
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(counter_summary).collect()
    }

    /// `account_id`'s statement: its balance, every entry in order, and its PSDs' activity.
    pub async fn statement(&self, account_id: &str) -> Result<Statement, VendorError> {
        let account = self.account(account_id).await?;
        let lines = sqlx::query(
            "SELECT created_unix_ms, kind, entry_id, amount_mills, psd_id FROM account_entry \
             WHERE account_id = $1 ORDER BY created_unix_ms, entry_id",
        )
        .bind(account_id)
        .fetch_all(self.pool())
        .await?
        .iter()
        .map(|row| {
            let psd = sqlx::Row::try_get::<Option<i64>, _>(row, "psd_id")?;
            Ok(StatementLine {
                created_unix_ms: int(row, "created_unix_ms")?,
                kind: text(row, "kind")?,
                entry_id: text(row, "entry_id")?,
                amount: Money::from_mills(int(row, "amount_mills")?),
                psd_id: psd.map(psd_id).transpose()?,
            })
        })
        .collect::<Result<Vec<_>, VendorError>>()?;
        let psds = sqlx::query(
            "SELECT p.psd_id, 0 AS embedded, \
                    CAST(COUNT(x.piece_serial) AS BIGINT) AS pieces, \
                    CAST(COALESCE(SUM(x.postage_mills), 0) AS BIGINT) AS postage, \
                    CAST(COUNT(x.voided_unix_ms) AS BIGINT) AS voided, \
                    CAST(COALESCE(SUM(CASE WHEN x.voided_unix_ms IS NULL THEN 0 ELSE x.postage_mills END), 0) AS BIGINT) AS voided_postage \
             FROM psd p LEFT JOIN piece x ON x.psd_id = p.psd_id WHERE p.account_id = $1 GROUP BY p.psd_id \
             UNION ALL \
             SELECT e.psd_id, 1 AS embedded, \
                    CAST(COUNT(o.piece_serial) AS BIGINT) AS pieces, \
                    CAST(COALESCE(SUM(o.postage_mills), 0) AS BIGINT) AS postage, \
                    CAST(0 AS BIGINT) AS voided, CAST(0 AS BIGINT) AS voided_postage \
             FROM embedded_psd e LEFT JOIN offline_piece o ON o.psd_id = e.psd_id WHERE e.account_id = $1 GROUP BY e.psd_id \
             ORDER BY 1",
        )
        .bind(account_id)
        .fetch_all(self.pool())
        .await?
        .iter()
        .map(|row| {
            Ok(PsdActivity {
                psd_id: psd_id(int(row, "psd_id")?)?,
                embedded: int(row, "embedded")? == 1,
                pieces: int(row, "pieces")?,
                postage: Money::from_mills(int(row, "postage")?),
                voided: int(row, "voided")?,
                voided_postage: Money::from_mills(int(row, "voided_postage")?),
            })
        })
        .collect::<Result<Vec<_>, VendorError>>()?;
        let label_exceptions = sqlx::query(
            "SELECT x.psd_id, x.piece_serial, x.label_serial, x.reason FROM label_exception x \
             JOIN counter c ON c.counter_id = x.counter_id WHERE c.account_id = $1 \
             ORDER BY x.psd_id, x.piece_serial",
        )
        .bind(account_id)
        .fetch_all(self.pool())
        .await?
        .iter()
        .map(|row| {
            Ok(LabelException {
                psd_id: psd_id(int(row, "psd_id")?)?,
                piece_serial: psd_id(int(row, "piece_serial")?)?,
                label_serial: text(row, "label_serial")?,
                reason: text(row, "reason")?,
            })
        })
        .collect::<Result<Vec<_>, VendorError>>()?;
        Ok(Statement {
            account_id: account.account_id,
            name: account.name,
            balance: account.balance,
            lines,
            psds,
            label_exceptions,
        })
    }

    /// Locks (`Some(reason)`) or unlocks a counter's embedded PSD.
    pub async fn set_embedded_lock(
        &self,
        psd_id: u32,
        reason: Option<&str>,
    ) -> Result<(), VendorError> {
        let updated = sqlx::query("UPDATE embedded_psd SET locked_reason = $1 WHERE psd_id = $2")
            .bind(reason)
            .bind(i64::from(psd_id))
            .execute(self.pool())
            .await?
            .rows_affected();
        if updated == 0 {
            return Err(VendorError::not_found(format!(
                "no embedded PSD {psd_id} at this data centre"
            )));
        }
        Ok(())
    }

    /// Why counter `counter_id`'s embedded PSD is locked, if it is.
    pub async fn embedded_lock_of(&self, counter_id: &str) -> Result<Option<String>, VendorError> {
        let reason: Option<Option<String>> =
            sqlx::query_scalar("SELECT locked_reason FROM embedded_psd WHERE counter_id = $1")
                .bind(counter_id)
                .fetch_optional(self.pool())
                .await?;
        Ok(reason.flatten())
    }
}

fn counter_summary(row: &AnyRow) -> Result<CounterSummary, VendorError> {
    let optional_int = |column: &str| sqlx::Row::try_get::<Option<i64>, _>(row, column);
    let embedded = match optional_int("embedded_psd_id")? {
        Some(id) => Some((
            psd_id(id)?,
            text(row, "embedded_status")?,
            optional_text(row, "embedded_lock")?,
        )),
        None => None,
    };
    let reconciled = match (
        optional_int("through_serial")?,
        optional_int("reconciled_unix_ms")?,
    ) {
        (Some(serial), Some(at)) => Some((psd_id(serial)?, at)),
        _ => None,
    };
    Ok(CounterSummary {
        counter_id: text(row, "counter_id")?,
        account_id: text(row, "account_id")?,
        name: text(row, "name")?,
        status: text(row, "status")?,
        status_reason: optional_text(row, "status_reason")?,
        location_zip: text(row, "location_zip")?,
        last_contact_unix_ms: int(row, "last_contact_unix_ms")?,
        embedded_psd: embedded,
        reconciled,
    })
}
