"""The database's own rules survive the migrations that rebuild tables: SQLite alters a column by
rebuilding its table, which drops the table's triggers (a pair's responses share its prompt). A
label's project is set by the code that writes it since migration 0017: no trigger is left.
Renamed fields keep what they held."""

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
BEFORE_JOB_RESULT = ("annotation", "0015_pair_external_id")


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


@pytest.mark.django_db(transaction=True)
def test_import_and_export_reports_stored_before_the_rename_are_kept_as_results() -> None:
    from annotation.models import ExportJob, ImportJob
    from tests.factories import ProjectFactory

    leaves = MigrationExecutor(connection).loader.graph.leaf_nodes()
    try:
        executor = MigrationExecutor(connection)
        executor.migrate([BEFORE_JOB_RESULT])
        old = executor.loader.project_state([BEFORE_JOB_RESULT]).apps
        project = ProjectFactory()
        imported = old.get_model("annotation", "ImportJob").objects.create(
            project_id=project.id, file_path="/x", file_name="x.jsonl", status="done",
            report={"counts": {"prompts_created": 7}},
        )  # fmt: skip
        exported = old.get_model("annotation", "ExportJob").objects.create(
            project_id=project.id, status="done", report={"rows": 3}
        )
        MigrationExecutor(connection).migrate(leaves)
        assert ImportJob.objects.get(id=imported.id).result == {"counts": {"prompts_created": 7}}
        assert ExportJob.objects.get(id=exported.id).result == {"rows": 3}
    finally:
        MigrationExecutor(connection).migrate(leaves)
