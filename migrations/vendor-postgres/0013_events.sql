-- Events (each definition as JSON), every place of each (a seat or a general-admission
-- place: sold once, held for a while by one station), the holds, the tickets (a place has at
-- most one valid ticket: the partial unique index is the last word whatever the
-- concurrency), the central redemption record (one entry per ticket) and the scans that
-- came after it: copies, and offline gates' duplicates reported at sync.
CREATE TABLE event (
    event_id             TEXT PRIMARY KEY,
    definition           TEXT NOT NULL,
    created_unix_ms      BIGINT NOT NULL
);

CREATE TABLE event_seat (
    event_id             TEXT NOT NULL REFERENCES event (event_id),
    seat                 TEXT NOT NULL,
    price_class          TEXT NOT NULL,
    price_mills          BIGINT NOT NULL CHECK (price_mills > 0),
    status               TEXT NOT NULL CHECK (status IN ('free', 'held', 'sold')),
    hold_id              TEXT,
    hold_expires_unix_ms BIGINT,
    PRIMARY KEY (event_id, seat)
);

CREATE INDEX event_seat_by_hold ON event_seat (hold_id);

CREATE TABLE event_hold (
    hold_id              TEXT PRIMARY KEY,
    event_id             TEXT NOT NULL REFERENCES event (event_id),
    counter_id           TEXT NOT NULL,
    seat_count           BIGINT NOT NULL,
    expires_unix_ms      BIGINT NOT NULL,
    created_unix_ms      BIGINT NOT NULL
);

CREATE TABLE event_ticket (
    ticket_id            BIGSERIAL PRIMARY KEY,
    event_id             TEXT NOT NULL,
    seat                 TEXT NOT NULL,
    price_class          TEXT NOT NULL,
    price_mills          BIGINT NOT NULL,
    version              BIGINT NOT NULL,
    counter_id           TEXT NOT NULL,
    account_id           TEXT NOT NULL,
    hold_id              TEXT NOT NULL,
    issued_unix_ms       BIGINT NOT NULL,
    code                 TEXT,
    status               TEXT NOT NULL CHECK (status IN ('valid', 'refunded')),
    refunded_unix_ms     BIGINT,
    FOREIGN KEY (event_id, seat) REFERENCES event_seat (event_id, seat)
);

CREATE UNIQUE INDEX event_ticket_one_valid_per_seat ON event_ticket (event_id, seat) WHERE status = 'valid';

CREATE TABLE event_entry (
    ticket_id            BIGINT PRIMARY KEY REFERENCES event_ticket (ticket_id),
    gate                 TEXT NOT NULL,
    counter_id           TEXT NOT NULL,
    scanned_unix_ms      BIGINT NOT NULL,
    recorded_unix_ms     BIGINT NOT NULL
);

CREATE TABLE event_duplicate_scan (
    ticket_id            BIGINT NOT NULL REFERENCES event_ticket (ticket_id),
    gate                 TEXT NOT NULL,
    counter_id           TEXT NOT NULL,
    scanned_unix_ms      BIGINT NOT NULL,
    recorded_unix_ms     BIGINT NOT NULL
);

CREATE UNIQUE INDEX event_duplicate_scan_once ON event_duplicate_scan (ticket_id, counter_id, gate, scanned_unix_ms);
