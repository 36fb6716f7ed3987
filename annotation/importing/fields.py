"""Checks for single fields of a record; each raises RecordError naming the field."""

from __future__ import annotations

import hashlib
import math

from annotation.importing.errors import RecordError, describe, type_name

MAX_ID_LENGTH = 200


NUL = "\x00"
# How deep lists and objects may nest in a record: deeper is no metadata a person wrote, and
# walking (or storing) it would run out of stack.
MAX_NESTING = 100


def storable(value: object, field: str | None = None, depth: int = 0) -> None:
    """Refuse what PostgreSQL cannot store as text or JSON, in a string or anywhere in a list or
    object (keys included): a NUL character (a person cannot see one either), a lone surrogate
    (half of a UTF-16 pair, which JSON's \\ud800 escapes can spell), and nesting deeper than
    MAX_NESTING."""
    if isinstance(value, str):
        _text_storable(value, field)
        return
    if not isinstance(value, dict | list):
        return
    if depth >= MAX_NESTING:
        raise RecordError(field, f"nested more than {MAX_NESTING} levels deep")
    if isinstance(value, list):
        for i, item in enumerate(value):
            storable(item, f"{field}[{i}]", depth + 1)
        return
    for key, item in value.items():
        where = str(key) if field is None else f"{field}.{key}"
        storable(key, where)
        storable(item, where, depth + 1)


def _text_storable(value: str, field: str | None) -> None:
    if NUL in value:
        raise RecordError(
            field, f"contains a NUL character (\\u0000) at character {value.index(NUL) + 1}"
        )
    if value.isascii():
        return
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as exc:
        code = ord(value[exc.start])
        reason = f"contains a lone surrogate (\\u{code:04x}) at character {exc.start + 1}"
        raise RecordError(field, f"{reason}, which is not valid Unicode text") from None


def require(data: dict, key: str, field: str | None = None) -> object:
    if key not in data:
        raise RecordError(field or key, "missing")
    return data[key]


def string(value: object, field: str) -> str:
    if not isinstance(value, str):
        raise RecordError(field, f"expected a string, got {describe(value)}")
    storable(value, field)
    return value


def text_not_empty(value: object, field: str) -> str:
    text = string(value, field)
    if not text.strip():
        raise RecordError(field, "empty")
    return text


def identifier(value: object, field: str) -> str:
    """Ids may be strings or whole numbers in the file; they are stored as strings."""
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise RecordError(field, f"expected a string or a whole number, got {describe(value)}")
    storable(value, field)
    ident = str(value).strip()
    if not ident:
        raise RecordError(field, "empty")
    if len(ident) > MAX_ID_LENGTH:
        raise RecordError(field, f"longer than {MAX_ID_LENGTH} characters")
    return ident


def optional_number(value: object, field: str) -> float | None:
    """A number, or null / an empty CSV cell; numeric strings are accepted for CSV files."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise RecordError(field, f"expected a number, got {describe(value)}")
    if isinstance(value, str):
        try:
            value = float(value)
        except ValueError:
            raise RecordError(field, f"expected a number, got {describe(value)}") from None
    if not isinstance(value, int | float):
        raise RecordError(field, f"expected a number, got {type_name(value)}")
    if not math.isfinite(value):
        raise RecordError(field, f"expected a finite number, got {value}")
    return float(value)


def model_name(value: object, field: str) -> str:
    name = text_not_empty(value, field).strip()
    if len(name) > MAX_ID_LENGTH:
        raise RecordError(field, f"longer than {MAX_ID_LENGTH} characters")
    return name


def text_hash(text: str) -> str:
    """A short stable id for a text, so importing the same text again finds the same row."""
    return "sha256:" + hashlib.sha256(text.encode("utf-8")).hexdigest()[:24]
