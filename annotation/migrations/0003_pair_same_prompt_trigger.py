"""A pair's two responses must belong to the pair's prompt: enforced by the database itself."""

from __future__ import annotations

from django.db import migrations

SQLITE_CHECK = """
    WHEN (SELECT prompt_id FROM annotation_response WHERE id = NEW.response_a_id) != NEW.prompt_id
      OR (SELECT prompt_id FROM annotation_response WHERE id = NEW.response_b_id) != NEW.prompt_id
    BEGIN SELECT RAISE(ABORT, 'pair_same_prompt: both responses must belong to the pair''s prompt'); END;
"""

SQLITE_FORWARD = [
    "CREATE TRIGGER pair_same_prompt_insert BEFORE INSERT ON annotation_pair FOR EACH ROW" + SQLITE_CHECK,
    "CREATE TRIGGER pair_same_prompt_update BEFORE UPDATE ON annotation_pair FOR EACH ROW" + SQLITE_CHECK,
]
SQLITE_BACKWARD = [
    "DROP TRIGGER IF EXISTS pair_same_prompt_insert",
    "DROP TRIGGER IF EXISTS pair_same_prompt_update",
]

POSTGRES_FORWARD = [
    """
    CREATE OR REPLACE FUNCTION pair_same_prompt() RETURNS trigger AS $$
    BEGIN
      IF (SELECT prompt_id FROM annotation_response WHERE id = NEW.response_a_id) <> NEW.prompt_id
         OR (SELECT prompt_id FROM annotation_response WHERE id = NEW.response_b_id) <> NEW.prompt_id
      THEN
        RAISE EXCEPTION 'pair_same_prompt: both responses must belong to the pair''s prompt'
          USING ERRCODE = 'integrity_constraint_violation';
      END IF;
      RETURN NEW;
    END;
    $$ LANGUAGE plpgsql;
    """,
    """
    CREATE TRIGGER pair_same_prompt BEFORE INSERT OR UPDATE ON annotation_pair
    FOR EACH ROW EXECUTE FUNCTION pair_same_prompt();
    """,
]
POSTGRES_BACKWARD = [
    "DROP TRIGGER IF EXISTS pair_same_prompt ON annotation_pair",
    "DROP FUNCTION IF EXISTS pair_same_prompt()",
]


def forward(apps, schema_editor):
    _run(schema_editor, SQLITE_FORWARD, POSTGRES_FORWARD)


def backward(apps, schema_editor):
    _run(schema_editor, SQLITE_BACKWARD, POSTGRES_BACKWARD)


def _run(schema_editor, sqlite: list[str], postgres: list[str]) -> None:
    vendor = schema_editor.connection.vendor
    statements = {"sqlite": sqlite, "postgresql": postgres}.get(vendor, [])
    for statement in statements:
        schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("annotation", "0002_initial")]
    operations = [migrations.RunPython(forward, backward)]
