-- The PSD ledger: registers, and every entry that moved them.
-- Registers are kept as columns for a cheap read, and re-derived from the entries at open
-- (an audit): sum(piece.postage) = ascending, sum(refill) + sum(void) = control total.
CREATE TABLE psd (
    device_id            INTEGER PRIMARY KEY,
    certificate_serial   INTEGER NOT NULL,
    license_number       INTEGER NOT NULL,
    ascending_mills      INTEGER NOT NULL CHECK (ascending_mills >= 0),
    descending_mills     INTEGER NOT NULL CHECK (descending_mills >= 0),
    control_total_mills  INTEGER NOT NULL CHECK (control_total_mills >= 0),
    piece_count          INTEGER NOT NULL CHECK (piece_count >= 0),
    locked_reason        TEXT,
    created_unix_ms      INTEGER NOT NULL
) STRICT;

CREATE TABLE refill (
    device_id            INTEGER NOT NULL REFERENCES psd (device_id),
    refill_id            TEXT NOT NULL,
    amount_mills         INTEGER NOT NULL CHECK (amount_mills > 0),
    control_total_after_mills INTEGER NOT NULL,
    applied_unix_ms      INTEGER NOT NULL,
    PRIMARY KEY (device_id, refill_id)
) STRICT;

CREATE TABLE piece (
    device_id            INTEGER NOT NULL REFERENCES psd (device_id),
    piece_serial         INTEGER NOT NULL CHECK (piece_serial > 0),
    request_id           TEXT NOT NULL,
    request_digest       BLOB NOT NULL,
    postage_mills        INTEGER NOT NULL CHECK (postage_mills > 0),
    mailing_day          INTEGER NOT NULL,
    indicium             BLOB NOT NULL,
    issued_unix_ms       INTEGER NOT NULL,
    PRIMARY KEY (device_id, piece_serial),
    UNIQUE (device_id, request_id)
) STRICT;

CREATE TABLE void (
    device_id            INTEGER NOT NULL,
    piece_serial         INTEGER NOT NULL,
    amount_mills         INTEGER NOT NULL CHECK (amount_mills > 0),
    voided_day           INTEGER NOT NULL,
    voided_unix_ms       INTEGER NOT NULL,
    PRIMARY KEY (device_id, piece_serial),
    FOREIGN KEY (device_id, piece_serial) REFERENCES piece (device_id, piece_serial)
) STRICT;
