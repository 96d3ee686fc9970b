-- What the data centre granted this station's embedded PSD, and the station's time floor.

-- The newest offline lease for each PSD: the grant's bytes (signed by the data centre) and
-- the terms read from them. Without an unexpired lease the PSD issues nothing offline.
CREATE TABLE lease (
    device_id            INTEGER PRIMARY KEY REFERENCES psd (device_id),
    lease_bytes          BLOB NOT NULL,
    issued_unix_ms       INTEGER NOT NULL,
    not_after_unix_ms    INTEGER NOT NULL,
    max_value_mills      INTEGER NOT NULL CHECK (max_value_mills >= 0)
) STRICT;

-- The latest time the station has reason to believe it is: the data centre's clock as last
-- seen. The ledger's clock never reads earlier than this or than its own latest entry, so a
-- clock set back reopens no limit.
CREATE TABLE time_floor (
    id                   INTEGER PRIMARY KEY CHECK (id = 1),
    floor_unix_ms        INTEGER NOT NULL
) STRICT;

-- A refill asked of the data centre and not yet credited: shown as a pending credit, asked
-- again under the same refill id at the next contact, cleared when its authorization is
-- applied.
CREATE TABLE pending_credit (
    device_id            INTEGER NOT NULL REFERENCES psd (device_id),
    refill_id            TEXT NOT NULL,
    amount_mills         INTEGER NOT NULL CHECK (amount_mills > 0),
    requested_unix_ms    INTEGER NOT NULL,
    PRIMARY KEY (device_id, refill_id)
) STRICT;
