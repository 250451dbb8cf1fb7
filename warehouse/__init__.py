"""The warehouse: DuckDB schema and load, Parquet staging and publishing. All SQL lives here."""
