//! The operations that move value: refill, issue, void. Each is one `BEGIN IMMEDIATE`
//! transaction that is committed (and so, with `synchronous=FULL`, on disk) before the caller
//! hears of it, and each is keyed by an id so that a retry returns the first outcome instead
//! of moving value twice.

use sqlx::Row;
use sqlx::sqlite::{SqliteConnection, SqliteRow};

use super::{Ledger, PsdState, money_column};
use crate::date::Date;
use crate::money::Money;
use crate::psd::error::PsdError;
use crate::psd::registers::{RegisterError, Registers};

/// What the ledger records of an issue request.
#[derive(Clone, Debug)]
pub struct IssueEntry {
    /// The caller's idempotency key.
    pub request_id: String,
    /// SHA-256 of the request's content: the same id with another content is refused.
    pub request_digest: [u8; 32],
    pub postage: Money,
    pub mailing_date: Date,
    /// The label-stock serial (or sheet position) the piece is printed on, if any.
    pub label_serial: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IssueOutcome {
    pub piece_serial: u32,
    pub indicium: Vec<u8>,
    /// The registers right after this piece was debited.
    pub registers: Registers,
    /// True when this is the answer to a retry: nothing moved this time.
    pub replayed: bool,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RefillOutcome {
    pub amount: Money,
    pub registers: Registers,
    pub replayed: bool,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VoidOutcome {
    pub piece_serial: u32,
    pub refunded: Money,
    pub registers: Registers,
    pub replayed: bool,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PieceRecord {
    pub piece_serial: u32,
    pub request_id: String,
    pub postage: Money,
    pub mailing_date: Date,
    pub indicium: Vec<u8>,
    /// When the ledger committed the piece, by its own clock.
    pub issued_unix_ms: i64,
    pub voided_on: Option<Date>,
}

fn u32_column(row: &SqliteRow, column: &str) -> Result<u32, sqlx::Error> {
    let value: i64 = row.try_get(column)?;
    u32::try_from(value).map_err(|e| sqlx::Error::Decode(Box::new(e)))
}

pub(super) fn day_column(row: &SqliteRow, column: &str) -> Result<Date, sqlx::Error> {
    let day: i64 = row.try_get(column)?;
    Ok(Date::from_days_since_2000(
        i32::try_from(day).map_err(|e| sqlx::Error::Decode(Box::new(e)))?,
    ))
}

pub(super) fn piece_record(row: &SqliteRow) -> Result<PieceRecord, sqlx::Error> {
    let voided: Option<i64> = row.try_get("voided_day")?;
    Ok(PieceRecord {
        piece_serial: u32_column(row, "piece_serial")?,
        request_id: row.try_get("request_id")?,
        postage: money_column(row, "postage_mills")?,
        mailing_date: day_column(row, "mailing_day")?,
        indicium: row.try_get("indicium")?,
        issued_unix_ms: row.try_get("issued_unix_ms")?,
        voided_on: voided
            .and_then(|d| i32::try_from(d).ok())
            .map(Date::from_days_since_2000),
    })
}

pub(super) async fn read_state(
    connection: &mut SqliteConnection,
    device_id: u32,
) -> Result<Option<PsdState>, sqlx::Error> {
    let row = sqlx::query(
        "SELECT device_id, certificate_serial, license_number, ascending_mills, descending_mills, \
         control_total_mills, piece_count, locked_reason FROM psd WHERE device_id = ?",
    )
    .bind(i64::from(device_id))
    .fetch_optional(&mut *connection)
    .await?;
    let Some(row) = row else { return Ok(None) };
    let piece_count: i64 = row.try_get("piece_count")?;
    Ok(Some(PsdState {
        device_id: u32_column(&row, "device_id")?,
        certificate_serial: u32_column(&row, "certificate_serial")?,
        license_number: u32_column(&row, "license_number")?,
        registers: Registers {
            ascending: money_column(&row, "ascending_mills")?,
            descending: money_column(&row, "descending_mills")?,
            control_total: money_column(&row, "control_total_mills")?,
            piece_count: u64::try_from(piece_count)
                .map_err(|e| sqlx::Error::Decode(Box::new(e)))?,
        },
        locked_reason: row.try_get("locked_reason")?,
    }))
}

pub(super) async fn write_registers(
    connection: &mut SqliteConnection,
    device_id: u32,
    before: &Registers,
    after: &Registers,
) -> Result<(), sqlx::Error> {
    // The WHERE on the old values makes a lost update impossible even if a second writer
    // slipped past the IMMEDIATE lock.
    let result = sqlx::query(
        "UPDATE psd SET ascending_mills = ?, descending_mills = ?, control_total_mills = ?, piece_count = ? \
         WHERE device_id = ? AND ascending_mills = ? AND descending_mills = ? AND piece_count = ?",
    )
    .bind(after.ascending.mills())
    .bind(after.descending.mills())
    .bind(after.control_total.mills())
    .bind(i64::try_from(after.piece_count).unwrap_or(i64::MAX))
    .bind(i64::from(device_id))
    .bind(before.ascending.mills())
    .bind(before.descending.mills())
    .bind(i64::try_from(before.piece_count).unwrap_or(i64::MAX))
    .execute(&mut *connection)
    .await?;
    if result.rows_affected() == 1 {
        Ok(())
    } else {
        Err(sqlx::Error::Protocol(
            "the registers changed under this transaction".into(),
        ))
    }
}

/// Writes the new registers and commits: the last step of every operation.
pub(super) async fn commit_registers(
    ledger: &Ledger,
    mut tx: sqlx::Transaction<'static, sqlx::Sqlite>,
    device_id: u32,
    before: &Registers,
    after: &Registers,
) -> Result<(), PsdError> {
    write_registers(&mut tx, device_id, before, after)
        .await
        .map_err(|e| ledger.storage(e))?;
    tx.commit().await.map_err(|e| ledger.storage(e))
}

/// The registers right after a stored piece was debited, as its indicium recorded them.
fn registers_after(indicium: &[u8], piece_serial: u32) -> Result<Registers, PsdError> {
    let data = crate::indicium::Indicium::from_bytes(indicium)
        .map_err(|e| PsdError::Locked(format!("the ledger holds an unreadable indicium: {e}")))?
        .data;
    Ok(Registers {
        ascending: data.ascending_register,
        descending: data.descending_register,
        control_total: data
            .ascending_register
            .checked_add(data.descending_register)
            .unwrap_or(data.ascending_register),
        piece_count: u64::from(piece_serial),
    })
}

impl Ledger {
    /// Reads the PSD inside a transaction, refusing a missing or locked one.
    pub(super) async fn usable_state(
        &self,
        connection: &mut SqliteConnection,
        device_id: u32,
    ) -> Result<PsdState, PsdError> {
        let state = read_state(connection, device_id)
            .await
            .map_err(|e| self.storage(e))?
            .ok_or_else(|| {
                PsdError::NotFound(format!("no PSD {device_id} in the ledger {}", self.path))
            })?;
        match &state.locked_reason {
            Some(reason) => Err(PsdError::Locked(reason.clone())),
            None => Ok(state),
        }
    }

    /// A register error that means the ledger is broken locks the PSD (after the
    /// transaction has been rolled back by the drop).
    pub(super) async fn register_failure(&self, device_id: u32, error: RegisterError) -> PsdError {
        let error = PsdError::from_register(error);
        if let PsdError::Locked(reason) = &error
            && let Err(lock_error) = self.lock(device_id, reason).await
        {
            return lock_error;
        }
        error
    }

    /// Debits the postage, allocates the piece serial and records the signed indicium, in one
    /// transaction. `sign` receives the registers after the debit (the piece serial is their
    /// `piece_count`) and returns the indicium bytes; it runs inside the transaction so that
    /// the ledger holds every indicium it ever let out.
    pub async fn issue<F>(
        &self,
        device_id: u32,
        entry: &IssueEntry,
        sign: F,
    ) -> Result<IssueOutcome, PsdError>
    where
        F: FnOnce(&Registers) -> Result<Vec<u8>, PsdError>,
    {
        let mut tx = self
            .pool()
            .begin_with("BEGIN IMMEDIATE")
            .await
            .map_err(|e| self.storage(e))?;
        if let Some(outcome) = self.replayed_issue(&mut tx, device_id, entry).await? {
            return Ok(outcome);
        }
        let state = self.usable_state(&mut tx, device_id).await?;
        let next = match state.registers.debit(entry.postage) {
            Ok(next) => next,
            Err(error) => {
                drop(tx);
                return Err(self.register_failure(device_id, error).await);
            }
        };
        let Ok(piece_serial) = u32::try_from(next.piece_count) else {
            drop(tx);
            let reason = "the piece serial would exceed 4294967295: the PSD is full";
            self.lock(device_id, reason).await?;
            return Err(PsdError::Locked(reason.into()));
        };
        let indicium = sign(&next)?;
        let now = self.now_unix_ms();
        sqlx::query(
            "INSERT INTO piece (device_id, piece_serial, request_id, request_digest, postage_mills, mailing_day, indicium, issued_unix_ms, label_serial) \
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(i64::from(device_id))
        .bind(i64::from(piece_serial))
        .bind(&entry.request_id)
        .bind(entry.request_digest.as_slice())
        .bind(entry.postage.mills())
        .bind(i64::from(entry.mailing_date.days_since_2000()))
        .bind(indicium.as_slice())
        .bind(now)
        .bind(entry.label_serial.as_deref())
        .execute(&mut *tx)
        .await
        .map_err(|e| self.storage(e))?;
        commit_registers(self, tx, device_id, &state.registers, &next).await?;
        self.note_time(now);
        Ok(IssueOutcome {
            piece_serial,
            indicium,
            registers: next,
            replayed: false,
        })
    }

    async fn replayed_issue(
        &self,
        tx: &mut SqliteConnection,
        device_id: u32,
        entry: &IssueEntry,
    ) -> Result<Option<IssueOutcome>, PsdError> {
        let row = sqlx::query(
            "SELECT p.piece_serial, p.request_digest, p.indicium, v.voided_day \
             FROM piece p LEFT JOIN void v USING (device_id, piece_serial) \
             WHERE p.device_id = ? AND p.request_id = ?",
        )
        .bind(i64::from(device_id))
        .bind(&entry.request_id)
        .fetch_optional(&mut *tx)
        .await
        .map_err(|e| self.storage(e))?;
        let Some(row) = row else { return Ok(None) };
        let storage = |e| self.storage(e);
        let digest: Vec<u8> = row.try_get("request_digest").map_err(storage)?;
        if digest != entry.request_digest {
            return Err(PsdError::Refused(format!(
                "request id {:?} was already used for a different sale",
                entry.request_id
            )));
        }
        let piece_serial = u32_column(&row, "piece_serial").map_err(storage)?;
        // A voided piece's postage is back in the descending register: printing its
        // indicium again would spend it twice.
        if let Some(voided) = row
            .try_get::<Option<i64>, _>("voided_day")
            .map_err(storage)?
        {
            let voided_on = Date::from_days_since_2000(i32::try_from(voided).unwrap_or(0));
            return Err(PsdError::Refused(format!(
                "request id {:?} was issued as piece {piece_serial}, which was voided on {voided_on}; start a new sale",
                entry.request_id
            )));
        }
        let indicium: Vec<u8> = row.try_get("indicium").map_err(storage)?;
        Ok(Some(IssueOutcome {
            registers: registers_after(&indicium, piece_serial)?,
            piece_serial,
            indicium,
            replayed: true,
        }))
    }
}
