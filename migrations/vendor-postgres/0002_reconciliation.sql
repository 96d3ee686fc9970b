-- The embedded PSDs of counters, as their ledgers were reported after offline issuing:
-- the head of each chain, and every piece recorded. One embedded PSD per counter.
CREATE TABLE counter_ledger (
    counter_id           TEXT PRIMARY KEY REFERENCES counter (counter_id),
    psd_id               BIGINT NOT NULL UNIQUE,
    through_serial       BIGINT NOT NULL CHECK (through_serial >= 0),
    head_hash            BYTEA NOT NULL,
    reconciled_unix_ms   BIGINT NOT NULL
);

CREATE TABLE offline_piece (
    psd_id               BIGINT NOT NULL,
    piece_serial         BIGINT NOT NULL CHECK (piece_serial > 0),
    counter_id           TEXT NOT NULL REFERENCES counter (counter_id),
    postage_mills        BIGINT NOT NULL CHECK (postage_mills > 0),
    mailing_day          BIGINT NOT NULL,
    issued_unix_ms       BIGINT NOT NULL,
    indicium             BYTEA NOT NULL,
    entry_hash           BYTEA NOT NULL,
    recorded_unix_ms     BIGINT NOT NULL,
    PRIMARY KEY (psd_id, piece_serial)
);
