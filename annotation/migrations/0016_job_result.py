# The import's and the export's report move to `result` (as an effort run's), so that `report()`
# can be every job's progress report. A rename: the reports already stored are kept.

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ("annotation", "0015_pair_external_id"),
    ]

    operations = [
        migrations.RenameField(model_name="importjob", old_name="report", new_name="result"),
        migrations.RenameField(model_name="exportjob", old_name="report", new_name="result"),
    ]
