-- Label stock comes as single labels (1 position) or as sheets of several positions: a
-- sheet's serial validates each position once (claims 5, 25, 45). A label used offline that
-- reconciliation could not accept (not the account's stock, used before, or not the label the
-- indicium was printed for) is kept as an exception for the administrator.
ALTER TABLE label_stock ADD COLUMN positions INTEGER NOT NULL DEFAULT 1;
CREATE TABLE label_exception (
    psd_id               INTEGER NOT NULL,
    piece_serial         INTEGER NOT NULL,
    counter_id           TEXT NOT NULL,
    label_serial         TEXT NOT NULL,
    reason               TEXT NOT NULL,
    recorded_unix_ms     INTEGER NOT NULL,
    PRIMARY KEY (psd_id, piece_serial)
);
