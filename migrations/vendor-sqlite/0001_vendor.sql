-- The postage vendor system's store (SQLite). The PostgreSQL schema in
-- ../vendor-postgres/ is the same tables with that engine's types; the code uses one set of
-- portable statements ($n placeholders, ON CONFLICT, RETURNING) against both.

-- A customer account: the licensee's user whose counters buy postage. Its balance tops up
-- its PSDs when they run short (claim 11).
CREATE TABLE account (
    account_id           TEXT PRIMARY KEY,
    name                 TEXT NOT NULL,
    balance_mills        INTEGER NOT NULL CHECK (balance_mills >= 0),
    created_unix_ms      INTEGER NOT NULL
) STRICT;

-- Every movement of an account's balance, keyed by the caller's id so a retry applies once.
CREATE TABLE account_entry (
    account_id           TEXT NOT NULL REFERENCES account (account_id),
    entry_id             TEXT NOT NULL,
    kind                 TEXT NOT NULL,
    amount_mills         INTEGER NOT NULL,
    psd_id               INTEGER,
    created_unix_ms      INTEGER NOT NULL,
    PRIMARY KEY (account_id, entry_id)
) STRICT;

-- One-time codes with which a counter registers its public key (stored as a digest).
CREATE TABLE enrollment (
    code_sha256          BLOB PRIMARY KEY,
    account_id           TEXT NOT NULL REFERENCES account (account_id),
    expires_unix_ms      INTEGER NOT NULL,
    counter_id           TEXT
) STRICT;

CREATE TABLE counter (
    counter_id           TEXT PRIMARY KEY,
    account_id           TEXT NOT NULL REFERENCES account (account_id),
    name                 TEXT NOT NULL,
    public_key           BLOB NOT NULL,
    status               TEXT NOT NULL CHECK (status IN ('active', 'revoked', 'locked')),
    status_reason        TEXT,
    registered_unix_ms   INTEGER NOT NULL,
    last_contact_unix_ms INTEGER NOT NULL
) STRICT;

-- The processing servers that sign (claims 7-10), chosen per request by the selection
-- procedure from the enabled rows.
CREATE TABLE processing_server (
    server_id            INTEGER PRIMARY KEY,
    name                 TEXT NOT NULL UNIQUE,
    enabled              INTEGER NOT NULL CHECK (enabled IN (0, 1)),
    created_unix_ms      INTEGER NOT NULL
) STRICT;

-- Central PSD resources: registers per PSD, owned by one account.
CREATE TABLE psd (
    psd_id               INTEGER PRIMARY KEY,
    account_id           TEXT NOT NULL REFERENCES account (account_id),
    certificate_serial   INTEGER NOT NULL UNIQUE,
    ascending_mills      INTEGER NOT NULL CHECK (ascending_mills >= 0),
    descending_mills     INTEGER NOT NULL CHECK (descending_mills >= 0),
    control_total_mills  INTEGER NOT NULL,
    piece_count          INTEGER NOT NULL CHECK (piece_count >= 0),
    locked_reason        TEXT,
    created_unix_ms      INTEGER NOT NULL,
    CHECK (ascending_mills + descending_mills = control_total_mills)
) STRICT;

CREATE TABLE piece (
    psd_id               INTEGER NOT NULL REFERENCES psd (psd_id),
    piece_serial         INTEGER NOT NULL CHECK (piece_serial > 0),
    counter_id           TEXT NOT NULL,
    purchase_key         TEXT NOT NULL,
    postage_mills        INTEGER NOT NULL CHECK (postage_mills > 0),
    mailing_day          INTEGER NOT NULL,
    label_serial         TEXT,
    server_id            INTEGER NOT NULL,
    indicium             BLOB NOT NULL,
    issued_unix_ms       INTEGER NOT NULL,
    voided_unix_ms       INTEGER,
    PRIMARY KEY (psd_id, piece_serial)
) STRICT;

-- Serialized label stock issued to an account: sequences first..=last.
CREATE TABLE label_stock (
    first_sequence       INTEGER PRIMARY KEY,
    last_sequence        INTEGER NOT NULL,
    account_id           TEXT NOT NULL REFERENCES account (account_id),
    issued_unix_ms       INTEGER NOT NULL,
    CHECK (last_sequence >= first_sequence)
) STRICT;

-- Each label-stock serial prints one indicium, ever.
CREATE TABLE label_use (
    label_serial         TEXT PRIMARY KEY,
    psd_id               INTEGER NOT NULL,
    piece_serial         INTEGER NOT NULL,
    counter_id           TEXT NOT NULL,
    used_unix_ms         INTEGER NOT NULL
) STRICT;

-- The first answer to each value-moving request, by the counter's idempotency key.
CREATE TABLE idempotency (
    counter_id           TEXT NOT NULL,
    idempotency_key      TEXT NOT NULL,
    request_sha256       BLOB NOT NULL,
    status_code          INTEGER NOT NULL,
    response             TEXT NOT NULL,
    created_unix_ms      INTEGER NOT NULL,
    PRIMARY KEY (counter_id, idempotency_key)
) STRICT;

-- Nonces of accepted signed requests, kept past the timestamp window so a replay is refused.
CREATE TABLE nonce (
    counter_id           TEXT NOT NULL,
    nonce                TEXT NOT NULL,
    expires_unix_ms      INTEGER NOT NULL,
    PRIMARY KEY (counter_id, nonce)
) STRICT;
CREATE INDEX nonce_expiry ON nonce (expires_unix_ms);

-- Card payments validated through the gateway: a token and the last 4 digits, never the number.
CREATE TABLE card_payment (
    payment_id           TEXT PRIMARY KEY,
    counter_id           TEXT NOT NULL,
    token                TEXT NOT NULL,
    brand                TEXT NOT NULL,
    last4                TEXT NOT NULL,
    amount_mills         INTEGER NOT NULL,
    status               TEXT NOT NULL,
    created_unix_ms      INTEGER NOT NULL
) STRICT;
