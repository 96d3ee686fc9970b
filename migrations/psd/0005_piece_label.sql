-- The label-stock serial (or sheet position) an offline piece was printed on: reported at
-- reconciliation, where the data centre checks it was the account's and used once.
ALTER TABLE piece ADD COLUMN label_serial TEXT;
