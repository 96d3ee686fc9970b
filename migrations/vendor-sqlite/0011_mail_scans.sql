-- Indicia the postal service saw in the mail stream, as its scan files reached the data
-- centre: each indicium once (by the SHA-256 of its bytes), how often it was seen, and what
-- the data centre found it to be (paid, awaiting report, refunded, unpaid, invalid, not
-- issued). Scans awaiting their counter's report are looked at again at every run.
CREATE TABLE mail_scan (
    fingerprint          BLOB PRIMARY KEY,
    psd_id               INTEGER NOT NULL,
    piece_serial         INTEGER NOT NULL,
    postage_mills        INTEGER NOT NULL,
    indicium             BLOB NOT NULL,
    facility             TEXT NOT NULL,
    first_seen_unix_ms   INTEGER NOT NULL,
    seen_count           INTEGER NOT NULL CHECK (seen_count > 0),
    finding              TEXT NOT NULL,
    detail               TEXT NOT NULL
) STRICT;

CREATE INDEX mail_scan_by_finding ON mail_scan (finding);
