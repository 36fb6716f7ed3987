"""SPA rounds hold their judgements as proposals until an audit passes. Rounds that judged
before this wrote their labels at once: they are marked applied, and their labels are copied
as their proposals, so their audit figures and revert work as for new rounds."""

import django.db.models.deletion
from django.db import migrations, models


def mark_earlier_rounds_applied(apps, schema_editor):
    SpaRound = apps.get_model("selection", "SpaRound")
    SpaProposal = apps.get_model("selection", "SpaProposal")
    Label = apps.get_model("annotation", "Label")
    for spa in SpaRound.objects.filter(status="done"):
        spa.review, spa.reviewed_at = "applied", spa.finished_at
        spa.save(update_fields=["review", "reviewed_at"])
        audits = set((spa.counts or {}).get("audit_pairs", []))
        labels = Label.objects.filter(pair__project_id=spa.project_id, source="model",
                                      judge=f"spa-round-{spa.number}").order_by("id")
        proposals = {}
        for pair_id, choice, confidence, smoothing in labels.values_list(
            "pair_id", "choice", "confidence", "smoothing"
        ):
            action = "audit" if pair_id in audits else "noisy_smooth" if smoothing else "auto"
            proposals.setdefault(pair_id, SpaProposal(
                spa_round_id=spa.id, pair_id=pair_id, action=action, choice=choice,
                confidence=confidence if confidence is not None else 0.5, smoothing=smoothing,
            ))
        SpaProposal.objects.bulk_create(proposals.values(), batch_size=1000)


class Migration(migrations.Migration):

    dependencies = [
        ('annotation', '0010_fk_indexes_led_by_composites'),
        ('selection', '0005_fk_indexes_led_by_composites'),
    ]

    operations = [
        migrations.AddField(
            model_name='sparound',
            name='review',
            field=models.CharField(blank=True, choices=[('', '—'), ('pending', 'Pending audit'), ('applied', 'Applied'), ('reverted', 'Reverted')], default='', max_length=20),
        ),
        migrations.AddField(
            model_name='sparound',
            name='reviewed_at',
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.CreateModel(
            name='SpaProposal',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('action', models.CharField(help_text='Routing: auto, audit or noisy_smooth.', max_length=20)),
                ('choice', models.CharField(max_length=10)),
                ('confidence', models.FloatField()),
                ('smoothing', models.FloatField(default=0.0)),
                ('pair', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='annotation.pair')),
                ('spa_round', models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='proposals', to='selection.sparound')),
            ],
            options={
                'constraints': [models.UniqueConstraint(fields=('spa_round', 'pair'), name='spaproposal_unique_pair')],
            },
        ),
        migrations.RunPython(mark_earlier_rounds_applied, migrations.RunPython.noop),
    ]
