"""Stream raw records out of JSON Lines, CSV and Parquet files, each with its line (or row) number.

Files are read piece by piece, never whole, so memory stays flat however large the file is.
Bytes are decoded line by line, so bad UTF-8 is reported with the line it is on.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from annotation.importing.errors import FileError, RecordError, type_name

BOM = b"\xef\xbb\xbf"
JSONL_SUFFIXES = {".jsonl", ".ndjson", ".json"}
CSV_SUFFIXES = {".csv"}
PARQUET_SUFFIXES = {".parquet", ".pq"}
PARQUET_BATCH_ROWS = 2048


@dataclass(slots=True)
class RawRecord:
    line: int
    data: dict | None
    error: RecordError | None = None


class Source:
    """A file of records. `bytes_done` says how far reading has got, for progress bars."""

    kind = ""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.bytes_total = path.stat().st_size
        self.bytes_done = 0
        self.columns: list[str] | None = None

    def records(self) -> Iterator[RawRecord]:
        raise NotImplementedError


class JsonlSource(Source):
    kind = "jsonl"

    def records(self) -> Iterator[RawRecord]:
        with self.path.open("rb") as fh:
            for number, raw in enumerate(fh, start=1):
                self.bytes_done += len(raw)
                if number == 1 and raw.startswith(BOM):
                    raw = raw[len(BOM) :]
                if raw.strip():
                    yield _parse_json_line(number, raw)


def _parse_json_line(number: int, raw: bytes) -> RawRecord:
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        return RawRecord(number, None, RecordError(None, _encoding_reason(exc)))
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        return RawRecord(
            number, None, RecordError(None, f"malformed JSON: {exc.msg} at column {exc.colno}")
        )
    except RecursionError:
        return RawRecord(number, None, RecordError(None, "malformed JSON: nested too deeply"))
    if not isinstance(data, dict):
        reason = f"expected a JSON object on each line, got {type_name(data)}"
        return RawRecord(number, None, RecordError(None, reason))
    return RawRecord(number, data)


def _encoding_reason(exc: UnicodeDecodeError) -> str:
    return f"bad encoding: not valid UTF-8 ({exc.reason} at byte {exc.start} of the line)"


class CsvSource(Source):
    """CSV with a header row; line numbers are physical lines, the header being line 1."""

    kind = "csv"

    def records(self) -> Iterator[RawRecord]:
        with self.path.open("rb") as fh:
            lines = _DecodedLines(fh, self)
            reader = csv.reader(lines)
            header = next(reader, None)
            if header is None:
                return
            if lines.bad:
                yield RawRecord(1, None, RecordError(None, next(iter(lines.bad.values()))))
                return
            self.columns = [name.strip() for name in header]
            yield from self._rows(reader, lines)

    def _rows(self, reader, lines: _DecodedLines) -> Iterator[RawRecord]:
        while True:
            start = lines.number + 1
            lines.bad.clear()
            try:
                row = next(reader, None)
            except csv.Error as exc:
                yield RawRecord(start, None, RecordError(None, f"malformed CSV: {exc}"))
                continue
            if row is None:
                return
            if lines.bad:
                line, reason = next(iter(lines.bad.items()))
                yield RawRecord(line, None, RecordError(None, reason))
            elif any(cell.strip() for cell in row):
                yield self._record(start, row)

    def _record(self, line: int, row: list[str]) -> RawRecord:
        assert self.columns is not None
        if len(row) != len(self.columns):
            reason = f"expected {len(self.columns)} columns as in the header, got {len(row)}"
            return RawRecord(line, None, RecordError(None, reason))
        return RawRecord(line, dict(zip(self.columns, row, strict=True)))


class _DecodedLines:
    """Yields decoded lines to the csv module; remembers which lines were not valid UTF-8."""

    def __init__(self, fh, source: Source) -> None:
        self.fh = fh
        self.source = source
        self.number = 0
        self.bad: dict[int, str] = {}

    def __iter__(self) -> Iterator[str]:
        for raw in self.fh:
            self.number += 1
            self.source.bytes_done += len(raw)
            if self.number == 1 and raw.startswith(BOM):
                raw = raw[len(BOM) :]
            try:
                yield raw.decode("utf-8")
            except UnicodeDecodeError as exc:
                self.bad[self.number] = _encoding_reason(exc)
                yield raw.decode("utf-8", errors="replace")


class ParquetSource(Source):
    """Parquet read batch by batch; "line" numbers are 1-based row numbers."""

    kind = "parquet"

    def records(self) -> Iterator[RawRecord]:
        import pyarrow.parquet as pq

        try:
            parquet = pq.ParquetFile(self.path)
        except Exception as exc:  # pyarrow raises several types for a file that is not Parquet
            raise FileError(f"not a readable Parquet file: {exc}") from None
        self.columns = list(parquet.schema_arrow.names)
        rows_total = max(parquet.metadata.num_rows, 1)
        row = 0
        for batch in parquet.iter_batches(batch_size=PARQUET_BATCH_ROWS):
            for data in batch.to_pylist():
                row += 1
                yield RawRecord(row, data)
            self.bytes_done = self.bytes_total * row // rows_total


SOURCES: dict[str, type[Source]] = {
    "jsonl": JsonlSource,
    "csv": CsvSource,
    "parquet": ParquetSource,
}


def source_kind(path: Path, name: str) -> str:
    suffix = Path(name).suffix.lower()
    for kind, suffixes in (
        ("jsonl", JSONL_SUFFIXES),
        ("csv", CSV_SUFFIXES),
        ("parquet", PARQUET_SUFFIXES),
    ):
        if suffix in suffixes:
            return kind
    with path.open("rb") as fh:
        if fh.read(4) == b"PAR1":
            return "parquet"
    shown = suffix or "no extension"
    raise FileError(f"unknown file type ({shown}): use .jsonl, .csv or .parquet")


def open_source(path: Path, name: str) -> Source:
    if not path.is_file():
        raise FileError("no such file")
    return SOURCES[source_kind(path, name)](path)
