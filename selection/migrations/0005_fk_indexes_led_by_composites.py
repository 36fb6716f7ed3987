"""Foreign keys that an index or unique constraint leads with lose their own index: one index
per lookup, one fewer write per row."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('annotation', '0010_fk_indexes_led_by_composites'),
        ('selection', '0004_sparound'),
    ]

    operations = [
        migrations.AlterField(
            model_name='effortrun',
            name='project',
            field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='effort_runs', to='annotation.project'),
        ),
        migrations.AlterField(
            model_name='modelprofile',
            name='project',
            field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='model_profiles', to='annotation.project'),
        ),
        migrations.AlterField(
            model_name='responseembedding',
            name='response',
            field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='embeddings', to='annotation.response'),
        ),
        migrations.AlterField(
            model_name='selectionrun',
            name='project',
            field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='selection_runs', to='annotation.project'),
        ),
        migrations.AlterField(
            model_name='sparound',
            name='project',
            field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='spa_rounds', to='annotation.project'),
        ),
    ]
