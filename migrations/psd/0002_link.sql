-- The counter's link to its vendor, as the embedded PSD's fallback needs it: the head of
-- the ledger's hash chain the vendor has acknowledged, when it did, and when the vendor was
-- last reached. No row: the counter has never reached a vendor.
CREATE TABLE link_state (
    device_id            INTEGER PRIMARY KEY REFERENCES psd (device_id),
    through_serial       INTEGER NOT NULL CHECK (through_serial >= 0),
    head_hash            BLOB NOT NULL,
    reconciled_unix_ms   INTEGER NOT NULL,
    last_contact_unix_ms INTEGER NOT NULL
) STRICT;

-- Purchases sent to the vendor whose answer never came: the vendor may have issued them.
-- Once it is reachable again each is asked for again under its key and, if it was issued,
-- voided, so postage the customer never received goes back to the PSD.
CREATE TABLE link_in_doubt (
    request_key          TEXT PRIMARY KEY,
    request_body         TEXT NOT NULL,
    created_unix_ms      INTEGER NOT NULL
) STRICT;
