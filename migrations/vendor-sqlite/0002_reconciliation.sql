-- The embedded PSDs of counters, as their ledgers were reported after offline issuing:
-- the head of each chain, and every piece recorded. One embedded PSD per counter.
CREATE TABLE counter_ledger (
    counter_id           TEXT PRIMARY KEY REFERENCES counter (counter_id),
    psd_id               INTEGER NOT NULL UNIQUE,
    through_serial       INTEGER NOT NULL CHECK (through_serial >= 0),
    head_hash            BLOB NOT NULL,
    reconciled_unix_ms   INTEGER NOT NULL
) STRICT;

CREATE TABLE offline_piece (
    psd_id               INTEGER NOT NULL,
    piece_serial         INTEGER NOT NULL CHECK (piece_serial > 0),
    counter_id           TEXT NOT NULL REFERENCES counter (counter_id),
    postage_mills        INTEGER NOT NULL CHECK (postage_mills > 0),
    mailing_day          INTEGER NOT NULL,
    issued_unix_ms       INTEGER NOT NULL,
    indicium             BLOB NOT NULL,
    entry_hash           BLOB NOT NULL,
    recorded_unix_ms     INTEGER NOT NULL,
    PRIMARY KEY (psd_id, piece_serial)
) STRICT;
