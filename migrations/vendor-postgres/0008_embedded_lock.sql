-- An administrator's lock on a counter's embedded PSD, with the reason: a locked embedded PSD
-- takes no refills and its counter gets no offline lease (its reports are still recorded).
ALTER TABLE embedded_psd ADD COLUMN locked_reason TEXT;
