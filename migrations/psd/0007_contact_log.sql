-- Every agenda the data centre signed for this station, and what became of each item, as a
-- hash chain of its own: an auditor sees what the data centre asked, when, and what the
-- station did. Only added to: a previous version of the counter ignores the table.
CREATE TABLE contact_log (
    seq                 INTEGER PRIMARY KEY CHECK (seq > 0),
    recorded_unix_ms    INTEGER NOT NULL,
    -- 'agenda': `detail` holds the signed agenda; 'done' or 'failed': an item's outcome,
    -- `work` names it and `detail` says what was done (UTF-8).
    kind                TEXT NOT NULL CHECK (kind IN ('agenda', 'done', 'failed')),
    work                TEXT NOT NULL,
    detail              BLOB NOT NULL,
    -- SHA-256 over the previous entry's hash (32 zero bytes before the first) and this
    -- entry's fields: see psd::ledger::contact_log.
    entry_hash          BLOB NOT NULL CHECK (length(entry_hash) = 32)
) STRICT;
