"""Streaming writers: rows go out as they come, so memory stays flat however large the export."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import orjson
import pyarrow as pa
import pyarrow.parquet as pq

ROW_GROUP = 5000
FORMATS = ("jsonl", "parquet", "hf")


def schema(conversational: bool) -> pa.Schema:
    text = pa.string()
    if conversational:
        text = pa.list_(pa.struct([("role", pa.string()), ("content", pa.string())]))
    return pa.schema([
        ("prompt", text), ("chosen", text), ("rejected", text), ("pair_id", pa.int64()),
        ("source_pair_id", pa.string()),
        ("prompt_id", pa.string()), ("chosen_model", pa.string()),
        ("rejected_model", pa.string()), ("arm", pa.string()), ("strategy", pa.string()),
        ("n_labels", pa.int32()), ("agreement", pa.float64()), ("label_source", pa.string()),
        ("confidence", pa.float64()), ("smoothing_weight", pa.float64()),
    ])  # fmt: skip


class JsonlSink:
    def __init__(self, path: Path, conversational: bool) -> None:
        self.path, self.handle = path, path.open("wb")

    def write(self, rows: list[dict]) -> None:
        # orjson encodes straight to UTF-8 bytes, far faster than the standard library, and
        # every exported row passes through here.
        self.handle.writelines(orjson.dumps(r, option=orjson.OPT_APPEND_NEWLINE) for r in rows)

    def close(self) -> None:
        self.handle.close()


class ParquetSink:
    def __init__(self, path: Path, conversational: bool) -> None:
        self.path, self.schema = path, schema(conversational)
        self.writer = pq.ParquetWriter(path, self.schema, compression="zstd")
        self.buffer: list[dict] = []

    def write(self, rows: list[dict]) -> None:
        self.buffer += rows
        if len(self.buffer) >= ROW_GROUP:
            self._flush()

    def _flush(self) -> None:
        if self.buffer:
            columns = {name: [r[name] for r in self.buffer] for name in self.schema.names}
            self.writer.write_table(pa.Table.from_pydict(columns, schema=self.schema))
            self.buffer = []

    def close(self) -> None:
        self._flush()
        self.writer.close()


class SplitSinks:
    """One sink per split, opened on the split's first row (an empty split writes no file)."""

    def __init__(self, folder: Path, fmt: str, conversational: bool) -> None:
        self.folder, self.conversational = folder, conversational
        self.kind = JsonlSink if fmt == "jsonl" else ParquetSink
        self.suffix = "jsonl" if fmt == "jsonl" else "parquet"
        self.sinks: dict[str, JsonlSink | ParquetSink] = {}

    def write(self, split: str, rows: list[dict]) -> None:
        if not rows:
            return
        if split not in self.sinks:
            path = self.folder / f"{split}.{self.suffix}"
            self.sinks[split] = self.kind(path, self.conversational)
        self.sinks[split].write(rows)

    def close(self) -> dict[str, Path]:
        for sink in self.sinks.values():
            sink.close()
        return {split: sink.path for split, sink in self.sinks.items()}


def hf_dataset(parquet_files: dict[str, Path], out_dir: Path) -> None:
    """A `datasets` DatasetDict saved with save_to_disk, built from the Parquet files (Arrow
    memory-maps them; nothing is loaded whole)."""
    from datasets import Dataset, DatasetDict

    cache = Path(tempfile.mkdtemp(prefix="pairsmith-hf-"))
    try:
        splits = {
            split: Dataset.from_parquet(str(path), cache_dir=str(cache), keep_in_memory=False)
            for split, path in parquet_files.items()
        }
        DatasetDict(splits).save_to_disk(str(out_dir))
    finally:
        shutil.rmtree(cache, ignore_errors=True)
