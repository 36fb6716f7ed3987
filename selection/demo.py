"""The bundled demo project: real AlpacaEval data, a lead, an annotator and a filled queue."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from django.contrib.auth import get_user_model
from django.db import transaction

from annotation.gold import gold_pairs_create
from annotation.importing.service import import_file
from annotation.models import Pair, Project, Response, Role
from annotation.services import membership_set
from selection.competency import model_profiles_import
from selection.effort.services import effort_run_execute, simulation_params
from selection.embedding import PACKAGED_MINILM, embedder_name, missing_response_ids
from selection.models import EffortRun, ResponseEmbedding
from selection.profiles import competency_buckets_compute
from selection.runs.services import selection_run_start

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
    models = model_profiles_import(
        project=project, path=DEMO_DIR / "alpacaeval_models.csv", benchmark_columns=WR_COLUMNS
    )
    report.lines.append(models.summary())
    version = competency_buckets_compute(project=project, count=3)
    report.lines.append(f"competency buckets: 3, model pool version {version}")
    _embeddings(project, report)
    _queue(project, report)
    _simulation(project, report)
    return report


# AlpacaEval's five per-subset win rates: a real five-benchmark competency vector per model.
WR_COLUMNS = ["wr_helpful_base", "wr_koala", "wr_oasst", "wr_selfinstruct", "wr_vicuna"]


def _embeddings(project: Project, report: DemoReport) -> None:
    """The sample's MiniLM embeddings ship with it: computing them on a CPU would hold up the
    demo's first start."""
    name = embedder_name()
    if name != PACKAGED_MINILM:
        report.lines.append(f"embeddings: computed on demand by {name}")
        return
    stored = np.load(DEMO_DIR / "alpacaeval_sample_minilm.npz")
    vectors = dict(zip(stored["keys"].tolist(), stored["vectors"], strict=True))
    missing = missing_response_ids(project.id, name)
    rows = Response.objects.filter(id__in=missing).values_list("id", "text")
    ResponseEmbedding.objects.bulk_create(
        [ResponseEmbedding(response_id=rid, embedder=name, dimension=384,
                           vector=vectors[key].tobytes())
         for rid, text in rows if (key := _text_key(text)) in vectors],
        batch_size=1000, ignore_conflicts=True,
    )  # fmt: skip
    report.lines.append(f"embeddings: {len(missing)} loaded from the bundled file")


def _text_key(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8"), usedforsecurity=False).hexdigest()


def _simulation(project: Project, report: DemoReport) -> None:
    """A first effort simulation, so the lead's dashboard has curves from the start."""
    if EffortRun.objects.filter(project=project, kind=EffortRun.Kind.SIMULATION).exists():
        return
    params = simulation_params({"seeds": 3, "boot": 200})
    run = EffortRun.objects.create(project=project, kind=EffortRun.Kind.SIMULATION, params=params)
    run = effort_run_execute(run_id=run.id)
    report.lines.append(
        f"effort simulation: 7 strategies × 3 seeds ({run.status}, {run.seconds} s)"
    )


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
    if embedder_name() == PACKAGED_MINILM:
        real = selection_run_start(project=project, strategy="dissimilar", params={"seed": 7})
        real.refresh_from_db()
        report.lines.append(f"queue: {real.counts.get('pairs_created', 0)} REAL dissimilar pairs")
    gold = gold_pairs_create(project=project, count=10, margin=3.0, scale="alpacaeval", seed=7)
    Project.objects.filter(id=project.id).update(gold_rate=0.1)
    report.lines.append(f"gold: {gold} gold pairs, mixed into queues at 10%")
