-- A counter's registered location: the origin ZIP of every piece it buys, set by the
-- administrator with the enrollment code and copied to the counter when it registers. The
-- vendor prices from it and never from a request. Empty for a counter enrolled before this
-- migration: such a counter buys nothing until it is enrolled again with a location.
ALTER TABLE enrollment ADD COLUMN location_zip TEXT NOT NULL DEFAULT '';
ALTER TABLE counter ADD COLUMN location_zip TEXT NOT NULL DEFAULT '';
