"""File import: stream records from JSONL / CSV / Parquet, validate them, write them in chunks."""
