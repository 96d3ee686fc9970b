-- PINs as Argon2id PHC strings (src/pin_hash.rs). A PIN hashed before keeps its salted
-- SHA-256, written as sha256$<salt hex>$<digest hex>, until the next correct entry replaces
-- it with an Argon2id hash.
ALTER TABLE account ADD COLUMN pin_hash TEXT NOT NULL DEFAULT '';
UPDATE account SET pin_hash = 'sha256$' || lower(hex(pin_salt)) || '$' || lower(hex(pin_sha256));
ALTER TABLE account DROP COLUMN pin_salt;
ALTER TABLE account DROP COLUMN pin_sha256;
