-- The certificate of each counter's embedded PSD, kept from its first report: every offline
-- indicium the counter reports after it must verify under this certificate's key. NULL for
-- a ledger reported before this migration; its next report fills it.
ALTER TABLE counter_ledger ADD COLUMN psd_certificate BLOB;
