"""Foreign keys that an index or unique constraint leads with lose their own index: one index
per lookup, one fewer write per row.

SQLite alters a column by rebuilding its table, which drops the table's triggers, and refuses to
rebuild a table that another table's trigger reads: the triggers of migrations 0003 and 0007 (on
pairs and labels) are dropped before the rebuilds and made again after them, either way."""

from importlib import import_module

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

# The SQLite halves of migrations 0003 and 0007: their triggers, and the statements dropping them.
EARLIER = [
    import_module(f"annotation.migrations.{name}")
    for name in ("0003_pair_same_prompt_trigger", "0007_label_project")
]
SQLITE_TRIGGERS = [statement for module in EARLIER for statement in module.SQLITE_FORWARD]
SQLITE_DROP = [statement for module in EARLIER for statement in module.SQLITE_BACKWARD]


def drop_sqlite_triggers(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        for statement in SQLITE_DROP:
            schema_editor.execute(statement)


def remake_sqlite_triggers(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        for statement in SQLITE_DROP + SQLITE_TRIGGERS:
            schema_editor.execute(statement)


class Migration(migrations.Migration):

    dependencies = [
        ('annotation', '0009_label_progress_index_names_project'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RunPython(drop_sqlite_triggers, remake_sqlite_triggers),
        migrations.AlterField(
            model_name='assignment',
            name='annotator',
            field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='assignments', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AlterField(
            model_name='label',
            name='annotator',
            field=models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='labels', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AlterField(
            model_name='label',
            name='pair',
            field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='labels', to='annotation.pair'),
        ),
        migrations.AlterField(
            model_name='membership',
            name='project',
            field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='memberships', to='annotation.project'),
        ),
        migrations.AlterField(
            model_name='pair',
            name='project',
            field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='pairs', to='annotation.project'),
        ),
        migrations.AlterField(
            model_name='prompt',
            name='project',
            field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='prompts', to='annotation.project'),
        ),
        migrations.AlterField(
            model_name='response',
            name='prompt',
            field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='responses', to='annotation.prompt'),
        ),
        migrations.RunPython(remake_sqlite_triggers, drop_sqlite_triggers),
    ]
