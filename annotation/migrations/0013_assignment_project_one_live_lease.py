"""One live lease per annotator and project, held by the database: a lease carries its pair's
project, and a unique index over (annotator, project) of the active leases replaces the one over
(pair, annotator), which it implies.

Leases that are active but past their expiry are marked expired first, and where a person holds
several live leases in a project (the bursts this fixes made some), all but the oldest, the one
the queue handed back, are marked expired too.

The column is added nullable (a plain ADD COLUMN), filled, then made NOT NULL: on SQLite that
rebuilds the lease table, which no trigger reads (migrations 0003 and 0007 read pairs)."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models
from django.db.models import OuterRef, Subquery
from django.utils import timezone

EXPIRE_ALL_BUT_OLDEST = """
UPDATE annotation_assignment SET state = 'expired'
WHERE state = 'active' AND EXISTS (
  SELECT 1 FROM annotation_assignment o
  WHERE o.annotator_id = annotation_assignment.annotator_id
    AND o.project_id = annotation_assignment.project_id AND o.state = 'active'
    AND (o.leased_at < annotation_assignment.leased_at
         OR (o.leased_at = annotation_assignment.leased_at AND o.id < annotation_assignment.id))
)
"""


def fill_and_keep_one_live_lease(apps, schema_editor):
    Assignment = apps.get_model("annotation", "Assignment")
    Pair = apps.get_model("annotation", "Pair")
    pair_project = Pair.objects.filter(id=OuterRef("pair_id")).values("project_id")
    Assignment.objects.update(project_id=Subquery(pair_project))
    Assignment.objects.filter(state="active", expires_at__lte=timezone.now()).update(
        state="expired"
    )
    schema_editor.execute(EXPIRE_ALL_BUT_OLDEST)
    if schema_editor.connection.vendor == "postgresql":
        # The foreign key checks of the update run now, not at commit: PostgreSQL alters no
        # table with checks still pending.
        schema_editor.execute("SET CONSTRAINTS ALL IMMEDIATE")


class Migration(migrations.Migration):

    dependencies = [
        ('annotation', '0012_label_choice_names_stored_order'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name='assignment',
            name='project',
            field=models.ForeignKey(editable=False, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='annotation.project'),
        ),
        migrations.RunPython(fill_and_keep_one_live_lease, migrations.RunPython.noop),
        migrations.AlterField(
            model_name='assignment',
            name='project',
            field=models.ForeignKey(editable=False, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='annotation.project'),
        ),
        migrations.RemoveConstraint(
            model_name='assignment',
            name='assignment_one_active_per_annotator',
        ),
        migrations.AddConstraint(
            model_name='assignment',
            constraint=models.UniqueConstraint(condition=models.Q(('state', 'active')), fields=('annotator', 'project'), name='assignment_one_active_per_project'),
        ),
    ]
