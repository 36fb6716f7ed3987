"""A label's project is set by the code that writes the label (annotation/queue, Label.save),
no longer by a database trigger: the rule is read where the label is made."""

from importlib import import_module

from django.db import migrations

LABEL_PROJECT = import_module("annotation.migrations.0007_label_project")


def forward(apps, schema_editor):
    LABEL_PROJECT.backward(apps, schema_editor)
    # Any label written without one gets its pair's project (none should exist).
    schema_editor.execute(LABEL_PROJECT.BACKFILL + " WHERE project_id IS NULL")


def backward(apps, schema_editor):
    LABEL_PROJECT.forward(apps, schema_editor)


class Migration(migrations.Migration):
    dependencies = [("annotation", "0016_job_result")]

    operations = [migrations.RunPython(forward, backward)]
