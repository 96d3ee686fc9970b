-- The counter's own journal of the indicia its vendor issued to it. The vendor's ledger is
-- the record of value; this copy lets the supervisor count the day's sales, list them and
-- void one without asking the vendor for a list. Written in the same transaction that
-- clears the purchase's doubt, so a piece is either here or still in doubt, never neither.
CREATE TABLE vendor_piece (
    device_id            INTEGER NOT NULL CHECK (device_id > 0),
    piece_serial         INTEGER NOT NULL CHECK (piece_serial > 0),
    request_key          TEXT NOT NULL,
    postage_mills        INTEGER NOT NULL CHECK (postage_mills >= 0),
    mailing_day          INTEGER NOT NULL,
    indicium             BLOB NOT NULL,
    received_unix_ms     INTEGER NOT NULL,
    voided_day           INTEGER,
    PRIMARY KEY (device_id, piece_serial)
) STRICT;

CREATE INDEX vendor_piece_received ON vendor_piece (received_unix_ms);
