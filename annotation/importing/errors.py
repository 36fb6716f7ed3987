"""What went wrong with an input file, said precisely enough to fix it."""

from __future__ import annotations

from dataclasses import asdict, dataclass


@dataclass(frozen=True)
class ImportIssue:
    """One problem: the file, the line (row for Parquet, None for the whole file), the field."""

    file: str
    line: int | None
    field: str | None
    reason: str

    def __str__(self) -> str:
        where = self.file if self.line is None else f"{self.file}:{self.line}"
        if self.field:
            return f"{where}: field '{self.field}': {self.reason}"
        return f"{where}: {self.reason}"

    def to_dict(self) -> dict:
        return asdict(self)


class RecordError(ValueError):
    """A record breaks a rule of its format; the reader or validator turns it into an issue."""

    def __init__(self, field: str | None, reason: str) -> None:
        super().__init__(reason)
        self.field = field
        self.reason = reason


class FileError(ValueError):
    """The whole file cannot be read as any known format."""


def type_name(value: object) -> str:
    """JSON's name for a value's type, as a person writing the file would say it."""
    names = {dict: "an object", list: "a list", str: "a string", bool: "a boolean"}
    names.update({int: "a number", float: "a number", type(None): "null"})
    return names.get(type(value), type(value).__name__)


def describe(value: object) -> str:
    text = repr(value) if isinstance(value, str) else _json_repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _json_repr(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, list):
        return "a list"
    return str(value)
