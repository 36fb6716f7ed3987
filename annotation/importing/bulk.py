"""Multi-row INSERT ... ON CONFLICT DO NOTHING, for loading many rows at once.

The statements go to the driver's cursor directly. With DEBUG on, Django would render and keep
the text of every statement (every response text in it), which took most of an import's time
and made memory grow with the file.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Iterator, Sequence

import psycopg
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection
from django.db.models import Model
from django.utils import timezone

# Parameters per statement; SQLite may be built with a lower limit, which is then used.
PARAMS_PER_STATEMENT = 30_000
ROWS_PER_ARRAY_STATEMENT = 5_000


class BulkInsert:
    """Insert rows of `columns` (attribute names); NOT NULL fields left out get their default."""

    def __init__(self, model: type[Model], columns: Sequence[str], constants: dict | None = None):
        by_attname = {f.attname: f for f in model._meta.concrete_fields}
        fixed = _fixed_values(model, set(columns), constants or {})
        self.fields = [by_attname[name] for name in [*columns, *fixed]]
        self.fixed = list(fixed.values())
        self.table = connection.ops.quote_name(model._meta.db_table)
        self.column_sql = ", ".join(connection.ops.quote_name(f.column) for f in self.fields)
        self.width = len(self.fields)

    @staticmethod
    def json(value: object) -> str:
        """A JSON field's value as the text both backends store."""
        return json.dumps(value, cls=DjangoJSONEncoder)

    def insert(self, rows: Iterable[Sequence]) -> None:
        with connection.cursor() as cursor, connection.wrap_database_errors:
            if connection.vendor == "postgresql":
                # Server-side binding: Django's default client-side cursor would quote every
                # value into the SQL text, which cost more than the insert itself.
                self._insert_arrays(psycopg.Cursor(cursor.cursor.connection), rows)
            else:
                self._insert_values(cursor.cursor, rows)

    def _insert_values(self, cursor, rows: Iterable[Sequence]) -> None:
        per_statement = max(1, _param_limit() // self.width)
        one = "(" + ", ".join(["%s"] * self.width) + ")"
        for batch in _batches(rows, per_statement):
            values = ", ".join([one] * len(batch))
            # Names come from model metadata; every value is a query parameter.
            sql = f"INSERT INTO {self.table} ({self.column_sql}) VALUES {values} "  # noqa: S608
            params = [v for row in batch for v in (*row, *self.fixed)]
            cursor.execute(sql + "ON CONFLICT DO NOTHING", params)

    def _insert_arrays(self, cursor, rows: Iterable[Sequence]) -> None:
        """PostgreSQL: one array per column and unnest(), so the statement stays a few bytes."""
        variable = self.fields[: self.width - len(self.fixed)]
        arrays = ", ".join(f"%s::{f.db_type(connection)}[]" for f in variable)
        constants = "".join(f", %s::{f.db_type(connection)}" for f in self.fields[len(variable) :])
        sql = (
            f"INSERT INTO {self.table} ({self.column_sql}) "  # noqa: S608
            f"SELECT *{constants} FROM unnest({arrays}) ON CONFLICT DO NOTHING"
        )
        for batch in _batches(rows, ROWS_PER_ARRAY_STATEMENT):
            columns = [list(column) for column in zip(*batch, strict=True)]
            cursor.execute(sql, [*self.fixed, *columns], binary=True)


def _fixed_values(model: type[Model], variable: set[str], constants: dict) -> dict[str, object]:
    now = timezone.now()
    fixed: dict[str, object] = {}
    for field in model._meta.concrete_fields:
        name = field.attname
        if field.primary_key or name in variable:
            continue
        if name in constants:
            value = constants[name]
        elif getattr(field, "auto_now_add", False) or getattr(field, "auto_now", False):
            value = now
        elif field.null:
            continue
        else:
            value = field.get_default()
        fixed[name] = field.get_db_prep_save(value, connection)
    return fixed


def _param_limit() -> int:
    if connection.vendor != "sqlite":
        return PARAMS_PER_STATEMENT
    connection.ensure_connection()
    limit = connection.connection.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)
    return min(PARAMS_PER_STATEMENT, limit)


def _batches(rows: Iterable[Sequence], size: int) -> Iterator[list[Sequence]]:
    batch: list[Sequence] = []
    for row in rows:
        batch.append(row)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch
