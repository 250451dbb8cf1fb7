"""Pure transforms: bytes and text in, rows out. No database, no Prefect, no file writes."""
