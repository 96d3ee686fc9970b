//! The events service's records: events and every place of each, holds and bookings. A hold
//! takes each place with a conditional `UPDATE` (free, or held under a hold that ran out), all
//! or none; a booking turns a hold still running into tickets in the transaction that stores
//! the station's answer, and the partial unique index on valid tickets per place makes a
//! second sale of a place impossible whatever the concurrency or the number of processes.

use p256::ecdsa::SigningKey;
use sqlx::AnyConnection;

use super::void_refill::{Answer, Begun, RequestContext, finish};
use super::{Dialect, VendorStore, int, text};
use crate::protocol::events::{
    BookingResponse, EventTicket, HoldResponse, ReleaseResponse, SeatState,
};
use crate::tickets::event::Event;
use crate::tickets::event_code::EventTicketCode;
use crate::vendor_system::error::{RefusalKind, VendorError};

fn json_of<T: serde::de::DeserializeOwned>(text: &str) -> Result<T, VendorError> {
    serde_json::from_str(text).map_err(|e| VendorError::storage(format!("event definition: {e}")))
}

/// A place's status as a station sees it at `now_unix_ms`: a hold that ran out is free.
fn status_at(status: &str, expires: Option<i64>, now_unix_ms: i64) -> &'static str {
    match (status, expires) {
        ("sold", _) => "sold",
        ("held", Some(expires)) if expires > now_unix_ms => "held",
        _ => "free",
    }
}

impl VendorStore {
    /// Adds `event` and every one of its places; the same definition again is accepted,
    /// another under the same id refused. True when it was new.
    pub async fn put_event(&self, event: &Event, now_unix_ms: i64) -> Result<bool, VendorError> {
        let definition = serde_json::to_string(event).map_err(VendorError::storage)?;
        let mut tx = self.begin_write().await?;
        let inserted = sqlx::query(
            "INSERT INTO event (event_id, definition, created_unix_ms) VALUES ($1, $2, $3) ON CONFLICT (event_id) DO NOTHING",
        )
        .bind(&event.event_id)
        .bind(&definition)
        .bind(now_unix_ms)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if inserted == 0 {
            drop(tx);
            return match self.event(&event.event_id).await? {
                Some(existing) if existing == *event => Ok(false),
                _ => Err(VendorError::new(
                    RefusalKind::Conflict,
                    format!(
                        "event {:?} exists with another definition: tickets sold keep its places, so give the new definition another id",
                        event.event_id
                    ),
                )),
            };
        }
        for place in event.places() {
            sqlx::query(
                "INSERT INTO event_seat (event_id, seat, price_class, price_mills, status) VALUES ($1, $2, $3, $4, 'free')",
            )
            .bind(&event.event_id)
            .bind(&place.seat)
            .bind(&place.price_class)
            .bind(place.price_mills)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(true)
    }

    pub async fn event(&self, event_id: &str) -> Result<Option<Event>, VendorError> {
        let row = sqlx::query("SELECT definition FROM event WHERE event_id = $1")
            .bind(event_id)
            .fetch_optional(self.pool())
            .await?;
        row.map(|row| json_of(&text(&row, "definition")?))
            .transpose()
    }

    /// Whether the store holds any event (a first run's demo event is added only when not).
    pub async fn has_events(&self) -> Result<bool, VendorError> {
        let found: Option<String> = sqlx::query_scalar("SELECT event_id FROM event LIMIT 1")
            .fetch_optional(self.pool())
            .await?;
        Ok(found.is_some())
    }

    /// Every event, with how many of its places are available at `now_unix_ms`.
    pub async fn events(&self, now_unix_ms: i64) -> Result<Vec<(Event, u32)>, VendorError> {
        let rows = sqlx::query(
            "SELECT e.definition, (SELECT COUNT(*) FROM event_seat s WHERE s.event_id = e.event_id \
               AND (s.status = 'free' OR (s.status = 'held' AND s.hold_expires_unix_ms <= $1))) AS available \
             FROM event e ORDER BY e.event_id",
        )
        .bind(now_unix_ms)
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|row| {
                let available =
                    u32::try_from(int(row, "available")?).map_err(VendorError::storage)?;
                Ok((json_of(&text(row, "definition")?)?, available))
            })
            .collect()
    }

    /// The event hold `hold_id` is on, if there is such a hold.
    pub async fn hold_event(&self, hold_id: &str) -> Result<Option<String>, VendorError> {
        Ok(
            sqlx::query_scalar("SELECT event_id FROM event_hold WHERE hold_id = $1")
                .bind(hold_id)
                .fetch_optional(self.pool())
                .await?,
        )
    }

    /// Every place of `event_id` and its status at `now_unix_ms`.
    pub async fn seat_states(
        &self,
        event_id: &str,
        now_unix_ms: i64,
    ) -> Result<Vec<SeatState>, VendorError> {
        let rows = sqlx::query(
            "SELECT seat, price_class, price_mills, status, hold_expires_unix_ms FROM event_seat WHERE event_id = $1",
        )
        .bind(event_id)
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|row| {
                let status = text(row, "status")?;
                let expires: Option<i64> = sqlx::Row::try_get(row, "hold_expires_unix_ms")?;
                Ok(SeatState {
                    seat: text(row, "seat")?,
                    price_class: text(row, "price_class")?,
                    price_mills: int(row, "price_mills")?,
                    status: status_at(&status, expires, now_unix_ms).into(),
                })
            })
            .collect()
    }

    /// Holds `seats` of `event_id` for the asking station under `hold_id` until
    /// `expires_unix_ms`: every one, or none (the first taken one is named).
    pub async fn hold_seats(
        &self,
        context: &RequestContext,
        (key, request_sha256): (&str, &[u8; 32]),
        (event_id, seats): (&str, &[String]),
        (hold_id, expires_unix_ms): (&str, i64),
    ) -> Result<Answer, VendorError> {
        let mut tx = match self.begin_keyed(context, key, request_sha256).await? {
            Begun::Replay(answer) => return Ok(answer),
            Begun::Fresh { tx, .. } => tx,
        };
        sqlx::query(
            "INSERT INTO event_hold (hold_id, event_id, counter_id, seat_count, expires_unix_ms, created_unix_ms) VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(hold_id)
        .bind(event_id)
        .bind(&context.counter_id)
        .bind(i64::try_from(seats.len()).map_err(VendorError::storage)?)
        .bind(expires_unix_ms)
        .bind(context.now_unix_ms)
        .execute(&mut *tx)
        .await?;
        let mut held = Vec::with_capacity(seats.len());
        for seat in seats {
            let row = sqlx::query(
                "UPDATE event_seat SET status = 'held', hold_id = $1, hold_expires_unix_ms = $2 \
                 WHERE event_id = $3 AND seat = $4 AND (status = 'free' OR (status = 'held' AND hold_expires_unix_ms <= $5)) \
                 RETURNING price_class, price_mills",
            )
            .bind(hold_id)
            .bind(expires_unix_ms)
            .bind(event_id)
            .bind(seat)
            .bind(context.now_unix_ms)
            .fetch_optional(&mut *tx)
            .await?
            .ok_or_else(|| {
                VendorError::new(
                    RefusalKind::Conflict,
                    format!("seat {seat} of {event_id} is sold or held by another station: choose another; nothing was held"),
                )
            })?;
            held.push(SeatState {
                seat: seat.clone(),
                price_class: text(&row, "price_class")?,
                price_mills: int(&row, "price_mills")?,
                status: "held".into(),
            });
        }
        let answer = HoldResponse {
            hold_id: hold_id.to_string(),
            event: event_id.to_string(),
            total_mills: held.iter().map(|s| s.price_mills).sum(),
            seats: held,
            expires_unix_ms,
        };
        finish(tx, context, key, 200, &answer).await
    }

    /// Lets `hold_id` go: its places still held go back on sale.
    pub async fn release_hold(
        &self,
        context: &RequestContext,
        (key, request_sha256): (&str, &[u8; 32]),
        hold_id: &str,
    ) -> Result<Answer, VendorError> {
        let mut tx = match self.begin_keyed(context, key, request_sha256).await? {
            Begun::Replay(answer) => return Ok(answer),
            Begun::Fresh { tx, .. } => tx,
        };
        owned_hold(&mut tx, hold_id, &context.counter_id).await?;
        let released = sqlx::query(
            "UPDATE event_seat SET status = 'free', hold_id = NULL, hold_expires_unix_ms = NULL WHERE hold_id = $1 AND status = 'held'",
        )
        .bind(hold_id)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        let answer = ReleaseResponse {
            hold_id: hold_id.to_string(),
            released: u32::try_from(released).map_err(VendorError::storage)?,
        };
        finish(tx, context, key, 200, &answer).await
    }

    /// Books `hold_id`, still running by the data centre's clock, into tickets of `event`
    /// signed with `key`.
    pub async fn book_hold(
        &self,
        context: &RequestContext,
        (key, request_sha256): (&str, &[u8; 32]),
        hold_id: &str,
        (event, signing_key): (&Event, &SigningKey),
    ) -> Result<Answer, VendorError> {
        let (mut tx, account_id) = match self.begin_keyed(context, key, request_sha256).await? {
            Begun::Replay(answer) => return Ok(answer),
            Begun::Fresh { tx, account_id } => (tx, account_id),
        };
        let seat_count = owned_hold(&mut tx, hold_id, &context.counter_id).await?;
        let rows = sqlx::query(
            "UPDATE event_seat SET status = 'sold', hold_expires_unix_ms = NULL \
             WHERE hold_id = $1 AND status = 'held' AND hold_expires_unix_ms > $2 RETURNING seat, price_class, price_mills",
        )
        .bind(hold_id)
        .bind(context.now_unix_ms)
        .fetch_all(&mut *tx)
        .await?;
        if rows.len() as i64 != seat_count || rows.is_empty() {
            return Err(VendorError::refused(format!(
                "hold {hold_id} ran out (or was let go) before it was booked: its seats went back on sale; hold them again"
            )));
        }
        let mut tickets = Vec::with_capacity(rows.len());
        for row in &rows {
            let place = (
                text(row, "seat")?,
                text(row, "price_class")?,
                int(row, "price_mills")?,
            );
            tickets.push(
                issue_ticket(
                    &mut tx,
                    context,
                    (&account_id, hold_id),
                    place,
                    (event, signing_key),
                )
                .await?,
            );
        }
        let answer = BookingResponse {
            total_mills: tickets.iter().map(|t| t.price_mills).sum(),
            tickets,
        };
        finish(tx, context, key, 200, &answer).await
    }
}

/// The number of places of hold `hold_id`, if it is `counter_id`'s.
async fn owned_hold(
    conn: &mut AnyConnection,
    hold_id: &str,
    counter_id: &str,
) -> Result<i64, VendorError> {
    let lock = Dialect::of(conn).for_update();
    let row = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT counter_id, seat_count FROM event_hold WHERE hold_id = $1{lock}"
    )))
    .bind(hold_id)
    .fetch_optional(&mut *conn)
    .await?
    .ok_or_else(|| VendorError::not_found(format!("there is no hold {hold_id:?}")))?;
    if text(&row, "counter_id")? != counter_id {
        return Err(VendorError::forbidden(format!(
            "hold {hold_id} is another station's"
        )));
    }
    int(&row, "seat_count")
}

/// Writes one ticket for a place just sold, and signs its code.
async fn issue_ticket(
    conn: &mut AnyConnection,
    context: &RequestContext,
    (account_id, hold_id): (&str, &str),
    (seat, price_class, price_mills): (String, String, i64),
    (event, signing_key): (&Event, &SigningKey),
) -> Result<EventTicket, VendorError> {
    let row = sqlx::query(
        "INSERT INTO event_ticket (event_id, seat, price_class, price_mills, version, counter_id, account_id, hold_id, issued_unix_ms, status) \
         VALUES ($1, $2, $3, $4, 1, $5, $6, $7, $8, 'valid') RETURNING ticket_id",
    )
    .bind(&event.event_id)
    .bind(&seat)
    .bind(&price_class)
    .bind(price_mills)
    .bind(&context.counter_id)
    .bind(account_id)
    .bind(hold_id)
    .bind(context.now_unix_ms)
    .fetch_one(&mut *conn)
    .await?;
    let ticket_id = u64::try_from(int(&row, "ticket_id")?).map_err(VendorError::storage)?;
    let fields = EventTicketCode {
        ticket_id,
        version: 1,
        issued_unix_ms: context.now_unix_ms,
        event_id: event.event_id.clone(),
        seat: seat.clone(),
        price_class: price_class.clone(),
    };
    let code = fields.sign(signing_key).map_err(VendorError::storage)?;
    sqlx::query("UPDATE event_ticket SET code = $1 WHERE ticket_id = $2")
        .bind(&code)
        .bind(i64::try_from(ticket_id).map_err(VendorError::storage)?)
        .execute(&mut *conn)
        .await?;
    Ok(EventTicket {
        ticket_id,
        version: 1,
        event: event.event_id.clone(),
        event_name: event.name.clone(),
        venue: event.venue.clone(),
        starts_unix_ms: event.starts_unix_ms,
        time_zone: event.time_zone.clone(),
        seat,
        price_class,
        price_mills,
        issued_unix_ms: context.now_unix_ms,
        counter_id: context.counter_id.clone(),
        retailer: account_id.to_string(),
        code,
    })
}
