-- Whose store this is: 'data-centre' once `vendor serve` or `admin` opened it, 'in-process'
-- when a counter's own in-process data centre made it. A counter never starts its
-- in-process data centre on a data centre's store (it would create its demo account and
-- PSDs among the real ones).
CREATE TABLE store_role (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    role TEXT NOT NULL CHECK (role IN ('data-centre', 'in-process')),
    claimed_unix_ms BIGINT NOT NULL
);
