-- A withdrawal of a retiring embedded PSD: authorized at the control total and descending
-- register its counter reported (all its pieces reconciled), credited to the account only
-- when the PSD's own signature confirms its descending register is zero.
ALTER TABLE embedded_psd ADD COLUMN withdrawal_control_total_mills INTEGER;
ALTER TABLE embedded_psd ADD COLUMN withdrawal_mills INTEGER;
