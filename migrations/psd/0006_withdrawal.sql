-- A retired embedded PSD's descending register given back to the account (two phases): the
-- data centre's signed withdrawal authorization applied once, the PSD then locked for good.
CREATE TABLE withdrawal (
    device_id                   INTEGER PRIMARY KEY REFERENCES psd (device_id),
    amount_mills                INTEGER NOT NULL CHECK (amount_mills >= 0),
    control_total_before_mills  INTEGER NOT NULL,
    piece_count                 INTEGER NOT NULL,
    applied_unix_ms             INTEGER NOT NULL
) STRICT;
