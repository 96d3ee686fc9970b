//! The central redemption record: one entry per ticket, keyed on its id, the earliest scan
//! of it; every other scan (a copy, an offline gate's scan reported at sync) is kept once
//! beside it, so the same scan sent again (an offline queue after a lost answer) is answered
//! as it was the first time and counted once.

use sqlx::AnyConnection;

use super::event_entries::stored_ticket;
use super::{int, text};
use crate::protocol::events::{EntryResult, FirstEntry};
use crate::tickets::event_code::EventTicketCode;
use crate::vendor_system::error::VendorError;

/// One scan: where, by which station, and when by that gate's clock.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Scan {
    pub gate: String,
    pub counter_id: String,
    pub scanned_unix_ms: i64,
}

impl Scan {
    fn shown(&self) -> String {
        format!(
            "gate {} at {}",
            self.gate,
            crate::clock::format_unix_ms(self.scanned_unix_ms)
        )
    }

    fn as_entry(&self) -> FirstEntry {
        FirstEntry {
            gate: self.gate.clone(),
            scanned_unix_ms: self.scanned_unix_ms,
        }
    }
}

fn result(
    outcome: &str,
    fields: &EventTicketCode,
    first: Option<&Scan>,
    message: String,
) -> EntryResult {
    EntryResult {
        outcome: outcome.into(),
        ticket_id: Some(fields.ticket_id),
        seat: Some(fields.seat.clone()),
        first_entry: first.map(Scan::as_entry),
        message,
    }
}

async fn entry(conn: &mut AnyConnection, ticket_id: i64) -> Result<Option<Scan>, VendorError> {
    let row = sqlx::query(
        "SELECT gate, counter_id, scanned_unix_ms FROM event_entry WHERE ticket_id = $1",
    )
    .bind(ticket_id)
    .fetch_optional(&mut *conn)
    .await?;
    row.map(|row| {
        Ok(Scan {
            gate: text(&row, "gate")?,
            counter_id: text(&row, "counter_id")?,
            scanned_unix_ms: int(&row, "scanned_unix_ms")?,
        })
    })
    .transpose()
}

/// The scans of ticket `ticket_id` kept beside its entry, earliest first.
async fn duplicates(conn: &mut AnyConnection, ticket_id: i64) -> Result<Vec<Scan>, VendorError> {
    let rows = sqlx::query(
        "SELECT gate, counter_id, scanned_unix_ms FROM event_duplicate_scan WHERE ticket_id = $1 ORDER BY scanned_unix_ms",
    )
    .bind(ticket_id)
    .fetch_all(&mut *conn)
    .await?;
    rows.iter()
        .map(|row| {
            Ok(Scan {
                gate: text(row, "gate")?,
                counter_id: text(row, "counter_id")?,
                scanned_unix_ms: int(row, "scanned_unix_ms")?,
            })
        })
        .collect()
}

async fn keep_duplicate(
    conn: &mut AnyConnection,
    ticket_id: i64,
    scan: &Scan,
    now_unix_ms: i64,
) -> Result<(), VendorError> {
    sqlx::query(
        "INSERT INTO event_duplicate_scan (ticket_id, gate, counter_id, scanned_unix_ms, recorded_unix_ms) VALUES ($1, $2, $3, $4, $5) \
         ON CONFLICT (ticket_id, counter_id, gate, scanned_unix_ms) DO NOTHING",
    )
    .bind(ticket_id)
    .bind(&scan.gate)
    .bind(&scan.counter_id)
    .bind(scan.scanned_unix_ms)
    .bind(now_unix_ms)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Why `fields`' ticket is not admitted at a gate admitting to `event`, if it is not: the
/// refusal's outcome and message.
async fn refusal(
    conn: &mut AnyConnection,
    (fields, event): (&EventTicketCode, &str),
) -> Result<Option<(&'static str, String)>, VendorError> {
    let (id, seat) = (fields.ticket_id, &fields.seat);
    if fields.event_id != event {
        let found = &fields.event_id;
        let message = format!(
            "ticket {id} is for event {found}, and this gate admits to {event}: not admitted"
        );
        return Ok(Some(("invalid", message)));
    }
    let Some(stored) = stored_ticket(conn, id, true).await? else {
        return Ok(Some(("invalid", format!("ticket {id} was never sold"))));
    };
    if stored.ticket.event != fields.event_id || stored.ticket.seat != *seat {
        return Ok(Some((
            "invalid",
            "the code does not match the ticket sold under its id".into(),
        )));
    }
    if stored.status != "valid" || stored.ticket.version != fields.version {
        return Ok(Some((
            "revoked",
            format!("ticket {id} ({seat}) is refunded or reissued: not admitted"),
        )));
    }
    Ok(None)
}

/// What the record makes of `scan` of the ticket `fields` names, at a gate admitting to
/// `event`: refused when it is not this event's or not valid, else entered, or answered as a
/// duplicate with the first entry (the earliest scan).
pub async fn redeem(
    conn: &mut AnyConnection,
    now_unix_ms: i64,
    (fields, event): (&EventTicketCode, &str),
    scan: Scan,
) -> Result<EntryResult, VendorError> {
    if let Some((outcome, message)) = refusal(conn, (fields, event)).await? {
        return Ok(result(outcome, fields, None, message));
    }
    let id = i64::try_from(fields.ticket_id).map_err(VendorError::storage)?;
    let inserted = sqlx::query(
        "INSERT INTO event_entry (ticket_id, gate, counter_id, scanned_unix_ms, recorded_unix_ms) VALUES ($1, $2, $3, $4, $5) \
         ON CONFLICT (ticket_id) DO NOTHING",
    )
    .bind(id)
    .bind(&scan.gate)
    .bind(&scan.counter_id)
    .bind(scan.scanned_unix_ms)
    .bind(now_unix_ms)
    .execute(&mut *conn)
    .await?
    .rows_affected();
    let admitted = || {
        let message = format!("admitted: {} {}", fields.event_id, fields.seat);
        Ok(result("admitted", fields, None, message))
    };
    if inserted == 1 {
        return admitted();
    }
    let first = entry(conn, id)
        .await?
        .ok_or_else(|| VendorError::storage("an entry vanished"))?;
    let others = duplicates(conn, id).await?;
    if first == scan && others.is_empty() {
        // The entry's own scan sent again: answered as the first time.
        return admitted();
    }
    let (first, second) = both_scans(conn, (id, now_unix_ms), first, others, scan).await?;
    let message = format!(
        "ticket {} ({}) entered twice: first at {}, again at {}",
        fields.ticket_id,
        fields.seat,
        first.shown(),
        second.shown()
    );
    Ok(result("duplicate", fields, Some(&first), message))
}

/// The entry and a second scan of a ticket entered twice, with `scan` recorded: as the entry
/// when it came earlier than the one held (an offline gate's scan reported late), else kept
/// beside it once.
async fn both_scans(
    conn: &mut AnyConnection,
    (id, now_unix_ms): (i64, i64),
    first: Scan,
    others: Vec<Scan>,
    scan: Scan,
) -> Result<(Scan, Scan), VendorError> {
    if first == scan {
        let second = others
            .into_iter()
            .next()
            .ok_or_else(|| VendorError::storage("a duplicate vanished"))?;
        return Ok((first, second));
    }
    if scan.scanned_unix_ms < first.scanned_unix_ms && !others.contains(&scan) {
        sqlx::query("UPDATE event_entry SET gate = $1, counter_id = $2, scanned_unix_ms = $3 WHERE ticket_id = $4")
            .bind(&scan.gate)
            .bind(&scan.counter_id)
            .bind(scan.scanned_unix_ms)
            .bind(id)
            .execute(&mut *conn)
            .await?;
        keep_duplicate(conn, id, &first, now_unix_ms).await?;
        return Ok((scan, first));
    }
    keep_duplicate(conn, id, &scan, now_unix_ms).await?;
    Ok((first, scan))
}
