"""The database's own rules survive the migrations that rebuild tables: SQLite alters a column by
rebuilding its table, which drops the table's triggers (a pair's responses share its prompt). A
label's project is set by the code that writes it since migration 0016: no trigger is left."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

TRIGGERS = {
    "sqlite": {
        "pair_same_prompt_insert",
        "pair_same_prompt_update",
    },
    "postgresql": {"pair_same_prompt"},
}
LABEL_PROJECT = {"label_project_insert", "label_project_update", "label_project"}
LIST_TRIGGERS = {
    "sqlite": "SELECT name FROM sqlite_master WHERE type = 'trigger'",
    "postgresql": "SELECT tgname FROM pg_trigger WHERE NOT tgisinternal",
}
BEFORE_REBUILD = ("annotation", "0009_label_progress_index_names_project")


def _triggers() -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute(LIST_TRIGGERS[connection.vendor])
        return {row[0] for row in cursor.fetchall()}


@pytest.mark.django_db(transaction=True)
def test_the_triggers_outlive_rebuilding_the_tables_both_ways() -> None:
    expected = TRIGGERS[connection.vendor]
    assert expected <= _triggers()
    leaves = MigrationExecutor(connection).loader.graph.leaf_nodes()
    try:
        MigrationExecutor(connection).migrate([BEFORE_REBUILD])
        assert expected <= _triggers()
    finally:
        MigrationExecutor(connection).migrate(leaves)
    assert expected <= _triggers()
    assert not LABEL_PROJECT & _triggers()
