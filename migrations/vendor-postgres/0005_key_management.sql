-- Key management and funds telemetering (PostgreSQL). The data centre is the only root: it
-- numbers every PSD and certificate, certifies every PSD key, refills embedded PSDs against
-- an account, and lists the certificates it revoked.

-- Every PSD certificate the data centre issued, central and embedded; renewals add rows.
CREATE TABLE psd_certificate (
    certificate_serial   BIGINT PRIMARY KEY CHECK (certificate_serial BETWEEN 1 AND 16777215),
    psd_id               BIGINT NOT NULL,
    certificate          BYTEA NOT NULL,
    issued_unix_ms       BIGINT NOT NULL,
    -- Revoked for mail from this day (days since 2000-01-01) on; NULL while valid.
    revoked_from_day     BIGINT,
    revoked_reason       TEXT
);
CREATE INDEX psd_certificate_by_psd ON psd_certificate (psd_id);

-- A counter's embedded PSD: its id is the data centre's to give. `authorized_mills` is the
-- sum of the refills the data centre authorized: the PSD's control total as known here.
CREATE TABLE embedded_psd (
    psd_id               BIGINT PRIMARY KEY,
    counter_id           TEXT NOT NULL UNIQUE REFERENCES counter (counter_id),
    account_id           TEXT NOT NULL REFERENCES account (account_id),
    status               TEXT NOT NULL CHECK (status IN ('active', 'retiring', 'retired')),
    authorized_mills     BIGINT NOT NULL CHECK (authorized_mills >= 0),
    withdrawn_mills      BIGINT NOT NULL CHECK (withdrawn_mills >= 0),
    created_unix_ms      BIGINT NOT NULL
);

-- Each refill of an embedded PSD, charged once per refill id (the counter's).
CREATE TABLE embedded_refill (
    psd_id               BIGINT NOT NULL REFERENCES embedded_psd (psd_id),
    refill_id            TEXT NOT NULL,
    amount_mills         BIGINT NOT NULL CHECK (amount_mills > 0),
    paid_by              TEXT NOT NULL CHECK (paid_by IN ('account', 'card')),
    card_token           TEXT,
    created_unix_ms      BIGINT NOT NULL,
    PRIMARY KEY (psd_id, refill_id)
);

-- Each certificate status list the data centre signed; the highest number is in force.
CREATE TABLE status_list (
    list_number          BIGINT PRIMARY KEY,
    list                 BYTEA NOT NULL,
    issued_unix_ms       BIGINT NOT NULL
);

-- The next number of each of the data centre's series.
CREATE TABLE id_sequence (
    name                 TEXT PRIMARY KEY,
    next_value           BIGINT NOT NULL
);
INSERT INTO id_sequence (name, next_value) VALUES ('embedded_psd_id', 10000001);
INSERT INTO id_sequence (name, next_value)
    SELECT 'certificate_serial', COALESCE(MAX(certificate_serial), 0) + 1 FROM psd;
