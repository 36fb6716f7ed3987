"""A label carries its pair's project, copied by the database on every insert and update, so
an annotator's counts in one project read one index instead of joining every label to its pair."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

PAIR_PROJECT = "(SELECT project_id FROM annotation_pair WHERE id = NEW.pair_id)"

# SQLite cannot change NEW in a BEFORE trigger: the row is corrected right after it is written.
SQLITE_FORWARD = [
    f"""
    CREATE TRIGGER label_project_insert AFTER INSERT ON annotation_label FOR EACH ROW
    WHEN NEW.project_id IS NOT {PAIR_PROJECT}
    BEGIN UPDATE annotation_label SET project_id = {PAIR_PROJECT} WHERE id = NEW.id; END;
    """,
    f"""
    CREATE TRIGGER label_project_update AFTER UPDATE OF pair_id, project_id ON annotation_label
    FOR EACH ROW WHEN NEW.project_id IS NOT {PAIR_PROJECT}
    BEGIN UPDATE annotation_label SET project_id = {PAIR_PROJECT} WHERE id = NEW.id; END;
    """,
]
SQLITE_BACKWARD = [
    "DROP TRIGGER IF EXISTS label_project_insert",
    "DROP TRIGGER IF EXISTS label_project_update",
]

POSTGRES_FORWARD = [
    f"""
    CREATE OR REPLACE FUNCTION label_project() RETURNS trigger AS $$
    BEGIN
      NEW.project_id := {PAIR_PROJECT};
      RETURN NEW;
    END;
    $$ LANGUAGE plpgsql;
    """,
    """
    CREATE TRIGGER label_project BEFORE INSERT OR UPDATE OF pair_id, project_id
    ON annotation_label FOR EACH ROW EXECUTE FUNCTION label_project();
    """,
]
POSTGRES_BACKWARD = [
    "DROP TRIGGER IF EXISTS label_project ON annotation_label",
    "DROP FUNCTION IF EXISTS label_project()",
]

BACKFILL = """
UPDATE annotation_label SET project_id = (
  SELECT p.project_id FROM annotation_pair p WHERE p.id = annotation_label.pair_id
)
"""


def forward(apps, schema_editor):
    _run(schema_editor, SQLITE_FORWARD, POSTGRES_FORWARD)
    schema_editor.execute(BACKFILL)


def backward(apps, schema_editor):
    _run(schema_editor, SQLITE_BACKWARD, POSTGRES_BACKWARD)


def _run(schema_editor, sqlite: list[str], postgres: list[str]) -> None:
    vendor = schema_editor.connection.vendor
    statements = {"sqlite": sqlite, "postgresql": postgres}.get(vendor, [])
    for statement in statements:
        schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [
        ("annotation", "0006_label_smoothing"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="label",
            name="project",
            field=models.ForeignKey(
                editable=False,
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to="annotation.project",
            ),
        ),
        migrations.RunPython(forward, backward),
        migrations.AddIndex(
            model_name="label",
            index=models.Index(
                condition=models.Q(("source", "human"), ("superseded_at__isnull", True)),
                fields=["annotator", "project", "created_at"],
                name="label_annotator_project_idx",
            ),
        ),
    ]
