"""One index per lookup: every foreign key is served by an index that leads with it, and no
index repeats the leading columns of another (each one is written on every insert, and on every
update that changes an indexed column: a pair's status, a lease's state)."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.db import connection, models

APPS = ("annotation", "selection")

# Indexes of our tables whose columns (and operator classes) begin another full index's.
REPEATED_INDEXES = """
SELECT a.indexrelid::regclass::text, b.indexrelid::regclass::text
FROM pg_index a
JOIN pg_index b ON b.indrelid = a.indrelid AND b.indexrelid <> a.indexrelid
JOIN pg_class t ON t.oid = a.indrelid
WHERE t.relname ~ '^(annotation|selection)_'
  AND NOT a.indisunique AND a.indpred IS NULL AND b.indpred IS NULL
  AND a.indexprs IS NULL AND b.indexprs IS NULL
  AND (' ' || b.indkey::text || ' ') LIKE (' ' || a.indkey::text || ' %%')
  AND (' ' || b.indclass::text || ' ') LIKE (' ' || a.indclass::text || ' %%')
ORDER BY 1, 2
"""


def _leading_fields(model: type[models.Model]) -> set[str]:
    """Fields that lead an index or unique constraint of `model` that covers every row."""
    meta = model._meta
    leading = {
        index.fields[0].lstrip("-")
        for index in meta.indexes
        if index.fields and index.condition is None  # neither an expression nor a partial index
    }
    for constraint in meta.constraints:
        if isinstance(constraint, models.UniqueConstraint) and constraint.condition is None:
            leading.update(constraint.fields[:1])
    leading.update(fields[0] for fields in meta.unique_together)
    return leading


def test_every_foreign_key_leads_an_index() -> None:
    unserved = []
    for app in APPS:
        for model in apps.get_app_config(app).get_models():
            leading = _leading_fields(model)
            unserved += [
                f"{model.__name__}.{field.name}"
                for field in model._meta.concrete_fields
                if isinstance(field, models.ForeignKey)
                and not field.db_index
                and field.name not in leading
            ]
    assert unserved == []


def test_covered_foreign_keys_have_no_index_of_their_own() -> None:
    """The composites stand in for Django's own FK index (a check on the test above too)."""
    from annotation.models import Assignment, Label, Pair

    for model, name in ((Pair, "project"), (Label, "pair"), (Assignment, "annotator")):
        field = model._meta.get_field(name)
        assert not field.db_index
        assert name in _leading_fields(model)


@pytest.mark.django_db
@pytest.mark.postgres
def test_no_index_repeats_the_leading_columns_of_another() -> None:
    with connection.cursor() as cursor:
        cursor.execute(REPEATED_INDEXES)
        assert cursor.fetchall() == []
