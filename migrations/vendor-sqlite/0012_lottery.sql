-- Draw games (each definition as JSON, never changed once sold: a new definition is a new
-- game), their draws with the results the administrator entered, every wager sold (never
-- deleted: a cancellation is a status), and the one payment of each winning wager, keyed on
-- the wager's serial so a second payment cannot be written.
CREATE TABLE lottery_game (
    game_id              TEXT PRIMARY KEY,
    definition           TEXT NOT NULL,
    created_unix_ms      INTEGER NOT NULL
) STRICT;

CREATE TABLE lottery_draw (
    game_id              TEXT NOT NULL REFERENCES lottery_game (game_id),
    draw_date            TEXT NOT NULL,
    draw_unix_ms         INTEGER NOT NULL,
    cutoff_unix_ms       INTEGER NOT NULL,
    winning_numbers      TEXT,
    entered_unix_ms      INTEGER,
    PRIMARY KEY (game_id, draw_date)
) STRICT;

CREATE TABLE lottery_wager (
    serial               INTEGER PRIMARY KEY,
    validation           TEXT UNIQUE,
    game_id              TEXT NOT NULL REFERENCES lottery_game (game_id),
    counter_id           TEXT NOT NULL,
    account_id           TEXT NOT NULL,
    plays                TEXT NOT NULL,
    draws                TEXT NOT NULL,
    price_mills          INTEGER NOT NULL CHECK (price_mills > 0),
    issued_unix_ms       INTEGER NOT NULL,
    cutoff_unix_ms       INTEGER NOT NULL,
    status               TEXT NOT NULL CHECK (status IN ('sold', 'cancelled', 'paid')),
    cancelled_unix_ms    INTEGER,
    reprints             INTEGER NOT NULL DEFAULT 0
) STRICT;

CREATE INDEX lottery_wager_by_counter ON lottery_wager (counter_id, issued_unix_ms);

-- Which wagers play in which draw: the draw's report of winners reads it.
CREATE TABLE lottery_wager_draw (
    game_id              TEXT NOT NULL,
    draw_date            TEXT NOT NULL,
    serial               INTEGER NOT NULL REFERENCES lottery_wager (serial),
    PRIMARY KEY (game_id, draw_date, serial),
    FOREIGN KEY (game_id, draw_date) REFERENCES lottery_draw (game_id, draw_date)
) STRICT;

CREATE TABLE lottery_claim (
    serial               INTEGER PRIMARY KEY REFERENCES lottery_wager (serial),
    counter_id           TEXT NOT NULL,
    account_id           TEXT NOT NULL,
    prize_mills          INTEGER NOT NULL CHECK (prize_mills > 0),
    paid_unix_ms         INTEGER NOT NULL
) STRICT;
