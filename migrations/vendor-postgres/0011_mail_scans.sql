-- Indicia the postal service saw in the mail stream, as its scan files reached the data
-- centre: each indicium once (by the SHA-256 of its bytes), how often it was seen, and what
-- the data centre found it to be (paid, awaiting report, refunded, unpaid, invalid, not
-- issued). Scans awaiting their counter's report are looked at again at every run.
CREATE TABLE mail_scan (
    fingerprint          BYTEA PRIMARY KEY,
    psd_id               BIGINT NOT NULL,
    piece_serial         BIGINT NOT NULL,
    postage_mills        BIGINT NOT NULL,
    indicium             BYTEA NOT NULL,
    facility             TEXT NOT NULL,
    first_seen_unix_ms   BIGINT NOT NULL,
    seen_count           BIGINT NOT NULL CHECK (seen_count > 0),
    finding              TEXT NOT NULL,
    detail               TEXT NOT NULL
);

CREATE INDEX mail_scan_by_finding ON mail_scan (finding);
