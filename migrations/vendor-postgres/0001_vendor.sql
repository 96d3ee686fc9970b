-- The postage vendor system's store (PostgreSQL). The SQLite schema in
-- ../vendor-sqlite/ is the same tables with that engine's types; the code uses one set of
-- portable statements ($n placeholders, ON CONFLICT, RETURNING) against both.

-- A customer account: the licensee's user whose counters buy postage. Its balance tops up
-- its PSDs when they run short (claim 11).
CREATE TABLE account (
    account_id           TEXT PRIMARY KEY,
    name                 TEXT NOT NULL,
    balance_mills        BIGINT NOT NULL CHECK (balance_mills >= 0),
    created_unix_ms      BIGINT NOT NULL
);

-- Every movement of an account's balance, keyed by the caller's id so a retry applies once.
CREATE TABLE account_entry (
    account_id           TEXT NOT NULL REFERENCES account (account_id),
    entry_id             TEXT NOT NULL,
    kind                 TEXT NOT NULL,
    amount_mills         BIGINT NOT NULL,
    psd_id               BIGINT,
    created_unix_ms      BIGINT NOT NULL,
    PRIMARY KEY (account_id, entry_id)
);

-- One-time codes with which a counter registers its public key (stored as a digest).
CREATE TABLE enrollment (
    code_sha256          BYTEA PRIMARY KEY,
    account_id           TEXT NOT NULL REFERENCES account (account_id),
    expires_unix_ms      BIGINT NOT NULL,
    counter_id           TEXT
);

CREATE TABLE counter (
    counter_id           TEXT PRIMARY KEY,
    account_id           TEXT NOT NULL REFERENCES account (account_id),
    name                 TEXT NOT NULL,
    public_key           BYTEA NOT NULL,
    status               TEXT NOT NULL CHECK (status IN ('active', 'revoked', 'locked')),
    status_reason        TEXT,
    registered_unix_ms   BIGINT NOT NULL,
    last_contact_unix_ms BIGINT NOT NULL
);

-- The processing servers that sign (claims 7-10), chosen per request by the selection
-- procedure from the enabled rows.
CREATE TABLE processing_server (
    server_id            BIGINT PRIMARY KEY,
    name                 TEXT NOT NULL UNIQUE,
    enabled              BIGINT NOT NULL CHECK (enabled IN (0, 1)),
    created_unix_ms      BIGINT NOT NULL
);

-- Central PSD resources: registers per PSD, owned by one account.
CREATE TABLE psd (
    psd_id               BIGINT PRIMARY KEY,
    account_id           TEXT NOT NULL REFERENCES account (account_id),
    certificate_serial   BIGINT NOT NULL UNIQUE,
    ascending_mills      BIGINT NOT NULL CHECK (ascending_mills >= 0),
    descending_mills     BIGINT NOT NULL CHECK (descending_mills >= 0),
    control_total_mills  BIGINT NOT NULL,
    piece_count          BIGINT NOT NULL CHECK (piece_count >= 0),
    locked_reason        TEXT,
    created_unix_ms      BIGINT NOT NULL,
    CHECK (ascending_mills + descending_mills = control_total_mills)
);

CREATE TABLE piece (
    psd_id               BIGINT NOT NULL REFERENCES psd (psd_id),
    piece_serial         BIGINT NOT NULL CHECK (piece_serial > 0),
    counter_id           TEXT NOT NULL,
    purchase_key         TEXT NOT NULL,
    postage_mills        BIGINT NOT NULL CHECK (postage_mills > 0),
    mailing_day          BIGINT NOT NULL,
    label_serial         TEXT,
    server_id            BIGINT NOT NULL,
    indicium             BYTEA NOT NULL,
    issued_unix_ms       BIGINT NOT NULL,
    voided_unix_ms       BIGINT,
    PRIMARY KEY (psd_id, piece_serial)
);

-- Serialized label stock issued to an account: sequences first..=last.
CREATE TABLE label_stock (
    first_sequence       BIGINT PRIMARY KEY,
    last_sequence        BIGINT NOT NULL,
    account_id           TEXT NOT NULL REFERENCES account (account_id),
    issued_unix_ms       BIGINT NOT NULL,
    CHECK (last_sequence >= first_sequence)
);

-- Each label-stock serial prints one indicium, ever.
CREATE TABLE label_use (
    label_serial         TEXT PRIMARY KEY,
    psd_id               BIGINT NOT NULL,
    piece_serial         BIGINT NOT NULL,
    counter_id           TEXT NOT NULL,
    used_unix_ms         BIGINT NOT NULL
);

-- The first answer to each value-moving request, by the counter's idempotency key.
CREATE TABLE idempotency (
    counter_id           TEXT NOT NULL,
    idempotency_key      TEXT NOT NULL,
    request_sha256       BYTEA NOT NULL,
    status_code          BIGINT NOT NULL,
    response             TEXT NOT NULL,
    created_unix_ms      BIGINT NOT NULL,
    PRIMARY KEY (counter_id, idempotency_key)
);

-- Nonces of accepted signed requests, kept past the timestamp window so a replay is refused.
CREATE TABLE nonce (
    counter_id           TEXT NOT NULL,
    nonce                TEXT NOT NULL,
    expires_unix_ms      BIGINT NOT NULL,
    PRIMARY KEY (counter_id, nonce)
);
CREATE INDEX nonce_expiry ON nonce (expires_unix_ms);

-- Card payments validated through the gateway: a token and the last 4 digits, never the number.
CREATE TABLE card_payment (
    payment_id           TEXT PRIMARY KEY,
    counter_id           TEXT NOT NULL,
    token                TEXT NOT NULL,
    brand                TEXT NOT NULL,
    last4                TEXT NOT NULL,
    amount_mills         BIGINT NOT NULL,
    status               TEXT NOT NULL,
    created_unix_ms      BIGINT NOT NULL
);
