"""Helpers for the few statements written as SQL (annotation/queue_sql.py, workbench.py): the
same parameters and timestamps on PostgreSQL and SQLite."""

from __future__ import annotations

from datetime import UTC, datetime

from django.db import connection
from django.utils import timezone
from django.utils.dateparse import parse_datetime


def run(sql: str, params: dict | list) -> list[tuple]:
    """Execute a statement that returns rows through Django's cursor (query logging, error
    translation); its rows. (Asking the cursor whether there are rows costs psycopg a new
    description of every column: a statement without rows goes through `execute`.)"""
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def execute(sql: str, params: dict | list) -> None:
    """Execute a statement that returns no rows, as `run` does."""
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def db_time(value: datetime):
    """A datetime as a parameter, stored the way the ORM stores it on this backend."""
    return connection.ops.adapt_datetimefield_value(value)


def py_time(value) -> datetime:
    """A timestamp read back by a raw query (SQLite returns text) as an aware datetime."""
    if isinstance(value, str):
        value = parse_datetime(value)
    return value if timezone.is_aware(value) else timezone.make_aware(value, UTC)


def id_params(prefix: str, ids: list[int]) -> tuple[str, dict]:
    """`%(x0)s, %(x1)s, ...` and their values: an id list both backends take as parameters."""
    names = [f"{prefix}{i}" for i in range(len(ids))]
    return ", ".join(f"%({name})s" for name in names), dict(zip(names, ids, strict=True))
