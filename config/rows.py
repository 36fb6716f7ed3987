"""Model instances from fixed SQL statements, as the ORM itself would build them.

Two reads run on nearly every request: the signed-in user (config/auth.py) and the project with
the user's role in it (annotation/access.py). Building them through the ORM's query compiler, or
a RawQuerySet, costs more CPU than the statement itself; a fixed statement plus the ORM's own
converters gives the same instance for less.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from django.db.models import Model


@dataclass(frozen=True)
class Columns:
    """A model's concrete columns as a select list (`select`), their attribute names, and, per
    column that needs one, the converters the ORM applies to its value on this database."""

    select: str
    names: list[str]
    converters: list[tuple]


# Per thread's connection: the converters are methods of that connection's operations.
@lru_cache(maxsize=256)
def columns(model: type[Model], connection, table_alias: str) -> Columns:
    quote = connection.ops.quote_name
    fields = model._meta.concrete_fields
    select = ", ".join(f"{table_alias}.{quote(field.column)}" for field in fields)
    converters = []
    for index, field in enumerate(fields):
        column = field.get_col(model._meta.db_table)
        steps = connection.ops.get_db_converters(column) + column.get_db_converters(connection)
        if steps:
            converters.append((index, column, steps))
    return Columns(select, [field.attname for field in fields], converters)


def instance(model: type[Model], alias: str, connection, cols: Columns, row) -> Model:
    """The instance for the model's columns at the start of `row` (values after them are the
    caller's)."""
    values = list(row[: len(cols.names)])
    for index, column, steps in cols.converters:
        for step in steps:
            values[index] = step(values[index], column, connection)
    return model.from_db(alias, cols.names, values)
