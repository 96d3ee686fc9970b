-- The payment store: prepaid postage accounts, and the card charges of the built-in test
-- processor. Money is INTEGER mills. Every row that moves value carries the caller's id
-- (UNIQUE), so a retried request finds its first answer instead of moving value twice.
-- No card number is ever stored: only its last four digits and brand.
CREATE TABLE account (
    account_number      TEXT PRIMARY KEY
                        CHECK (length(account_number) = 9 AND account_number NOT GLOB '*[^0-9]*'),
    holder              TEXT NOT NULL CHECK (length(holder) BETWEEN 1 AND 80),
    pin_salt            BLOB NOT NULL CHECK (length(pin_salt) = 16),
    pin_sha256          BLOB NOT NULL CHECK (length(pin_sha256) = 32),
    balance_mills       INTEGER NOT NULL CHECK (balance_mills >= 0),
    wrong_pin_count     INTEGER NOT NULL CHECK (wrong_pin_count >= 0),
    locked              INTEGER NOT NULL CHECK (locked IN (0, 1)),
    opened_unix_ms      INTEGER NOT NULL
) STRICT;

-- The account's statement, and the evidence its balance is re-derived from:
-- balance = sum(credit) - sum(charge) + sum(refund).
CREATE TABLE account_entry (
    entry_seq           INTEGER PRIMARY KEY,
    account_number      TEXT NOT NULL REFERENCES account (account_number),
    kind                TEXT NOT NULL CHECK (kind IN ('credit', 'charge', 'refund')),
    entry_id            TEXT NOT NULL CHECK (length(entry_id) BETWEEN 1 AND 100),
    refunded_charge_id  TEXT,
    amount_mills        INTEGER NOT NULL CHECK (amount_mills > 0),
    balance_after_mills INTEGER NOT NULL CHECK (balance_after_mills >= 0),
    created_unix_ms     INTEGER NOT NULL,
    UNIQUE (kind, entry_id),
    CHECK ((kind = 'refund') = (refunded_charge_id IS NOT NULL))
) STRICT;

CREATE INDEX account_entry_by_account ON account_entry (account_number, entry_seq);
CREATE INDEX account_entry_by_refunded_charge ON account_entry (refunded_charge_id)
    WHERE refunded_charge_id IS NOT NULL;

-- Every answer of the test processor except "unavailable" (which answered nothing).
CREATE TABLE card_charge (
    charge_id           TEXT PRIMARY KEY CHECK (length(charge_id) BETWEEN 1 AND 100),
    last4               TEXT NOT NULL CHECK (length(last4) = 4 AND last4 NOT GLOB '*[^0-9]*'),
    brand               TEXT NOT NULL
                        CHECK (brand IN ('Visa', 'Mastercard', 'Amex', 'Discover', 'Other')),
    amount_mills        INTEGER NOT NULL CHECK (amount_mills > 0),
    outcome             TEXT NOT NULL
                        CHECK (outcome IN ('approved', 'declined', 'insufficient_funds', 'expired')),
    approval_code       TEXT,
    decline_reason      TEXT,
    created_unix_ms     INTEGER NOT NULL,
    CHECK ((outcome = 'approved') = (approval_code IS NOT NULL))
) STRICT;

CREATE TABLE card_refund (
    refund_id           TEXT PRIMARY KEY CHECK (length(refund_id) BETWEEN 1 AND 100),
    charge_id           TEXT NOT NULL REFERENCES card_charge (charge_id),
    amount_mills        INTEGER NOT NULL CHECK (amount_mills > 0),
    created_unix_ms     INTEGER NOT NULL
) STRICT;
