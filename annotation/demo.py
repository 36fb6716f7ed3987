"""The bundled demo project: real AlpacaEval data, a lead, an annotator and a filled queue."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from django.contrib.auth import get_user_model
from django.db import transaction

from annotation.gold import gold_pairs_create
from annotation.importing.service import import_file
from annotation.models import Pair, Project, Role
from annotation.services import membership_set
from selection.competency import model_profiles_import
from selection.profiles import competency_buckets_compute
from selection.services import selection_run_start

DEMO_DIR = Path(__file__).resolve().parent / "demo_data"
DEMO_SLUG = "alpacaeval-demo"
DEMO_USERS = (
    ("demo-lead", "demo-lead-pass", Role.LEAD),
    ("demo-annotator", "demo-pass", Role.ANNOTATOR),
)
GUIDELINES = """\
Pick the response that better follows the instruction: correct, helpful, honest and clear.

- **A / B better**: one response is clearly or slightly better (set the strength if you like).
- **Tie**: both are about equally good.
- **Both bad**: neither is acceptable (wrong, harmful, or off-topic).
- **Skip**: you cannot judge this one.

Length is not quality: prefer the concise answer when both are correct.
"""


@dataclass
class DemoReport:
    lines: list[str] = field(default_factory=list)


def demo_load() -> DemoReport:
    """Create or top up the demo project; running it again changes nothing."""
    report = DemoReport()
    with transaction.atomic():
        project, created = Project.objects.get_or_create(
            slug=DEMO_SLUG,
            defaults={"name": "AlpacaEval demo", "guidelines": GUIDELINES, "overlap": 2},
        )
        report.lines.append(("created" if created else "found") + f" project {DEMO_SLUG!r}")
        _users(project, report)
    imported = import_file(project=project, path=DEMO_DIR / "alpacaeval_sample.jsonl")
    if imported.refused:
        raise RuntimeError(imported.summary())
    report.lines.append(imported.summary())
    models = model_profiles_import(project=project, path=DEMO_DIR / "alpacaeval_models.csv")
    report.lines.append(models.summary())
    version = competency_buckets_compute(project=project, count=3)
    report.lines.append(f"competency buckets: 3, model pool version {version}")
    _queue(project, report)
    return report


def _users(project: Project, report: DemoReport) -> None:
    User = get_user_model()
    for username, password, role in DEMO_USERS:
        user, created = User.objects.get_or_create(username=username)
        if created:
            user.set_password(password)
            user.save(update_fields=["password"])
        membership_set(project=project, user=user, role=role)
        report.lines.append(f"login: {username} / {password} ({role})")


def _queue(project: Project, report: DemoReport) -> None:
    if Pair.objects.filter(project=project).exists():
        report.lines.append("queue: already filled")
        return
    run = selection_run_start(
        project=project, strategy="random", arm="random", params={"pairs_per_prompt": 3, "seed": 7}
    )
    run.refresh_from_db()
    report.lines.append(f"queue: {run.counts.get('pairs_created', 0)} random pairs ({run.status})")
    gold = gold_pairs_create(project=project, count=10, margin=3.0, scale="alpacaeval", seed=7)
    Project.objects.filter(id=project.id).update(gold_rate=0.1)
    report.lines.append(f"gold: {gold} gold pairs, mixed into queues at 10%")
