-- Refunds of card payments a counter took through the data centre (claim 6): recorded with
-- the account's debit in one transaction, then sent to the card gateway (idempotent by the
-- refund key) and marked refunded; one still 'recorded' is sent again at the next start.
CREATE TABLE card_refund (
    refund_key           TEXT PRIMARY KEY,
    payment_id           TEXT NOT NULL REFERENCES card_payment (payment_id),
    amount_mills         INTEGER NOT NULL CHECK (amount_mills > 0),
    status               TEXT NOT NULL CHECK (status IN ('recorded', 'refunded')),
    created_unix_ms      INTEGER NOT NULL
) STRICT;
CREATE INDEX card_refund_payment ON card_refund (payment_id);
