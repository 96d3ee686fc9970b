-- Indicia the postal service saw in the mail stream, as its scan files reached the data
-- centre: each indicium once (by the SHA-256 of its bytes), on how many mail pieces it was
-- seen, and what the data centre found it to be (paid, awaiting report, refunded, unpaid,
-- invalid, not issued). Scans awaiting their counter's report are judged again every run.
CREATE TABLE mail_scan (
    fingerprint          BYTEA PRIMARY KEY,
    psd_id               BIGINT NOT NULL,
    piece_serial         BIGINT NOT NULL,
    postage_mills        BIGINT NOT NULL,
    indicium             BYTEA NOT NULL,
    facility             TEXT NOT NULL,
    first_seen_unix_ms   BIGINT NOT NULL,
    seen_count           BIGINT NOT NULL CHECK (seen_count >= 0),
    finding              TEXT NOT NULL,
    detail               TEXT NOT NULL
);

CREATE INDEX mail_scan_by_finding ON mail_scan (finding);

-- Each sighting once: by the mail piece's id where the scan file gives one, else by the
-- file's digest and line, so a file judged twice counts nothing twice.
CREATE TABLE mail_scan_sighting (
    fingerprint          BYTEA NOT NULL REFERENCES mail_scan (fingerprint),
    sighting             TEXT NOT NULL,
    facility             TEXT NOT NULL,
    seen_unix_ms         BIGINT NOT NULL,
    PRIMARY KEY (fingerprint, sighting)
);
