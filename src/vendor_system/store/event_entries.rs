//! After a ticket is sold: its refund (it goes on the revocation list and its place back on
//! sale) and the central redemption record the gates redeem against. Each ticket has at most
//! one entry, keyed on its id; every later scan of it (a copy at the same or another gate, an
//! offline gate's scan reported at sync) is recorded beside it and answered as a duplicate
//! with the first entry's gate and time, the first being the earliest scanned.

use sqlx::AnyConnection;
use sqlx::any::AnyRow;

use super::event_redeem::{Scan, redeem};
use super::void_refill::{Answer, Begun, RequestContext, finish};
use super::{Dialect, VendorStore, int, text};
use crate::protocol::events::{
    EntriesResponse, EntryResult, EventTicket, FirstEntry, RevokedTicket,
};
use crate::tickets::event::Event;
use crate::tickets::event_code::EventTicketCode;
use crate::vendor_system::error::{RefusalKind, VendorError};

/// A ticket as the store holds it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredEventTicket {
    pub ticket: EventTicket,
    pub account_id: String,
    /// `valid` or `refunded`.
    pub status: String,
    pub entry: Option<FirstEntry>,
}

/// A gate's scan, its signature checked by the service.
pub enum ScanCheck {
    /// Not a ticket this data centre signed: the reason.
    Invalid(String),
    Signed {
        fields: EventTicketCode,
        /// The event the gate admits to.
        event: String,
        gate: String,
        scanned_unix_ms: i64,
    },
}

/// What a refund was judged to be: the answer to store.
pub struct RefundDecision {
    pub answer: serde_json::Value,
}

fn ticket_of(row: &AnyRow, event: &Event) -> Result<EventTicket, VendorError> {
    Ok(EventTicket {
        ticket_id: u64::try_from(int(row, "ticket_id")?).map_err(VendorError::storage)?,
        version: u32::try_from(int(row, "version")?).map_err(VendorError::storage)?,
        event: event.event_id.clone(),
        event_name: event.name.clone(),
        venue: event.venue.clone(),
        starts_unix_ms: event.starts_unix_ms,
        time_zone: event.time_zone.clone(),
        seat: text(row, "seat")?,
        price_class: text(row, "price_class")?,
        price_mills: int(row, "price_mills")?,
        issued_unix_ms: int(row, "issued_unix_ms")?,
        counter_id: text(row, "counter_id")?,
        retailer: text(row, "account_id")?,
        // Written in the booking's own transaction: a committed ticket has its code.
        code: sqlx::Row::try_get::<Option<String>, _>(row, "code")?
            .ok_or_else(|| VendorError::storage("a sold ticket has no code"))?,
    })
}

async fn entry_of(
    conn: &mut AnyConnection,
    ticket_id: i64,
) -> Result<Option<FirstEntry>, VendorError> {
    let row = sqlx::query("SELECT gate, scanned_unix_ms FROM event_entry WHERE ticket_id = $1")
        .bind(ticket_id)
        .fetch_optional(&mut *conn)
        .await?;
    row.map(|row| {
        Ok(FirstEntry {
            gate: text(&row, "gate")?,
            scanned_unix_ms: int(&row, "scanned_unix_ms")?,
        })
    })
    .transpose()
}

/// Ticket `ticket_id` with its event, locked on PostgreSQL when `lock`.
pub(super) async fn stored_ticket(
    conn: &mut AnyConnection,
    ticket_id: u64,
    lock: bool,
) -> Result<Option<StoredEventTicket>, VendorError> {
    let lock = match (lock, Dialect::of(conn)) {
        (true, Dialect::Postgres) => " FOR UPDATE OF t",
        _ => "",
    };
    let id =
        i64::try_from(ticket_id).map_err(|_| VendorError::not_found("there is no such ticket"))?;
    let row = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT t.ticket_id, t.version, t.seat, t.price_class, t.price_mills, t.issued_unix_ms, t.counter_id, t.account_id, \
         t.code, t.status, e.definition FROM event_ticket t JOIN event e ON e.event_id = t.event_id WHERE t.ticket_id = $1{lock}"
    )))
    .bind(id)
    .fetch_optional(&mut *conn)
    .await?;
    let Some(row) = row else { return Ok(None) };
    let event: Event =
        serde_json::from_str(&text(&row, "definition")?).map_err(VendorError::storage)?;
    Ok(Some(StoredEventTicket {
        ticket: ticket_of(&row, &event)?,
        account_id: text(&row, "account_id")?,
        status: text(&row, "status")?,
        entry: entry_of(conn, id).await?,
    }))
}

impl VendorStore {
    pub async fn event_ticket(
        &self,
        ticket_id: u64,
    ) -> Result<Option<StoredEventTicket>, VendorError> {
        let mut conn = self.pool().acquire().await?;
        stored_ticket(&mut conn, ticket_id, false).await
    }

    /// Refunds ticket `ticket_id` as `decide` judges it for the asking station (given the
    /// station's account): revoked, and its place back on sale.
    pub async fn refund_event_ticket<D>(
        &self,
        context: &RequestContext,
        (key, request_sha256): (&str, &[u8; 32]),
        ticket_id: u64,
        decide: D,
    ) -> Result<Answer, VendorError>
    where
        D: FnOnce(&StoredEventTicket, &str) -> Result<RefundDecision, VendorError>,
    {
        let (mut tx, account_id) = match self.begin_keyed(context, key, request_sha256).await? {
            Begun::Replay(answer) => return Ok(answer),
            Begun::Fresh { tx, account_id } => (tx, account_id),
        };
        let stored = stored_ticket(&mut tx, ticket_id, true)
            .await?
            .ok_or_else(|| VendorError::not_found(format!("there is no ticket {ticket_id}")))?;
        let decision = decide(&stored, &account_id)?;
        let id = i64::try_from(ticket_id).map_err(VendorError::storage)?;
        let changed = sqlx::query("UPDATE event_ticket SET status = 'refunded', refunded_unix_ms = $1 WHERE ticket_id = $2 AND status = 'valid'")
            .bind(context.now_unix_ms)
            .bind(id)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        if changed != 1 {
            return Err(VendorError::new(
                RefusalKind::Conflict,
                "the ticket changed while the refund was judged; ask again",
            ));
        }
        sqlx::query("UPDATE event_seat SET status = 'free', hold_id = NULL, hold_expires_unix_ms = NULL WHERE event_id = $1 AND seat = $2 AND status = 'sold'")
            .bind(&stored.ticket.event)
            .bind(&stored.ticket.seat)
            .execute(&mut *tx)
            .await?;
        finish(tx, context, key, 200, &decision.answer).await
    }

    /// Redeems `scans` against the central record, in order, and stores the answer under
    /// the gate's key.
    pub async fn record_entries(
        &self,
        context: &RequestContext,
        (key, request_sha256): (&str, &[u8; 32]),
        scans: Vec<ScanCheck>,
    ) -> Result<Answer, VendorError> {
        let mut tx = match self.begin_keyed(context, key, request_sha256).await? {
            Begun::Replay(answer) => return Ok(answer),
            Begun::Fresh { tx, .. } => tx,
        };
        // Redeemed in ticket order, so two gates syncing overlapping queues lock the
        // tickets in the same order (no deadlock on PostgreSQL); answered in the scans' order.
        let mut order: Vec<usize> = (0..scans.len()).collect();
        order.sort_by_key(|&at| match &scans[at] {
            ScanCheck::Invalid(_) => 0,
            ScanCheck::Signed { fields, .. } => fields.ticket_id,
        });
        let mut answered: Vec<Option<EntryResult>> = vec![None; scans.len()];
        for at in order {
            answered[at] = Some(match &scans[at] {
                ScanCheck::Invalid(message) => EntryResult {
                    outcome: "invalid".into(),
                    ticket_id: None,
                    seat: None,
                    first_entry: None,
                    message: message.clone(),
                },
                ScanCheck::Signed {
                    fields,
                    event,
                    gate,
                    scanned_unix_ms,
                } => {
                    let scan = Scan {
                        gate: gate.clone(),
                        counter_id: context.counter_id.clone(),
                        scanned_unix_ms: *scanned_unix_ms,
                    };
                    redeem(&mut tx, context.now_unix_ms, (fields, event), scan).await?
                }
            });
        }
        let results = answered.into_iter().flatten().collect();
        finish(tx, context, key, 200, &EntriesResponse { results }).await
    }

    /// Every revoked ticket: refunded ones, up to their version.
    pub async fn revoked_tickets(&self) -> Result<Vec<RevokedTicket>, VendorError> {
        let rows = sqlx::query("SELECT ticket_id, version FROM event_ticket WHERE status = 'refunded' ORDER BY ticket_id")
            .fetch_all(self.pool())
            .await?;
        rows.iter()
            .map(|row| {
                Ok(RevokedTicket {
                    ticket_id: u64::try_from(int(row, "ticket_id")?)
                        .map_err(VendorError::storage)?,
                    version: u32::try_from(int(row, "version")?).map_err(VendorError::storage)?,
                })
            })
            .collect()
    }
}
