"""Active learning's next batches: an `uncertain` arm asks again once `batch` new labels have
arrived on it, or its open pairs are used up; from the worker's periodic check
(`refit_uncertain`, Celery beat) or from the lead's "Next batch now"."""

from __future__ import annotations

from django.db import transaction

from annotation.models import Pair, PairStatus, Project
from selection.models import SelectionRun
from selection.runs.active import ACTIVE, DEFAULT_BATCH, arm_labels
from selection.runs.services import selection_run_start


def next_batch_due(run, labels_now: int, open_pairs: int) -> bool:
    """After a finished run: `batch` new labels on its arm, or nothing left open in it."""
    batch = int(run.params.get("budget") or DEFAULT_BATCH)
    return labels_now - int(run.counts.get("arm_labels", 0)) >= batch or open_pairs == 0


def start_due_batches(*, project: Project | None = None, force: bool = False) -> list:
    """Start the next batch of every `uncertain` arm that is due (`force`: due now); never
    while a run of that arm is pending or running. Returns the runs started."""
    started = []
    runs = SelectionRun.objects.filter(strategy=ACTIVE)
    if project is not None:
        runs = runs.filter(project=project)
    for project_id, arm in set(runs.values_list("project_id", "arm")):
        with transaction.atomic():
            # One check at a time per project; NO KEY UPDATE leaves answers (FK checks) alone.
            Project.objects.select_for_update(no_key=True).filter(id=project_id).first()
            arm_runs = SelectionRun.objects.filter(project_id=project_id, arm=arm)
            if arm_runs.filter(status__in=["pending", "running"]).exists():
                continue
            last = arm_runs.filter(strategy=ACTIVE).order_by("-created_at").first()
            if last is None or last.status != "done":
                continue
            open_pairs = Pair.objects.filter(project_id=project_id, arm=arm,
                                             status=PairStatus.OPEN).count()  # fmt: skip
            if force or next_batch_due(last, arm_labels(project_id, arm), open_pairs):
                params = {k: v for k, v in last.params.items() if k != "seed"}
                started.append(selection_run_start(project=last.project, strategy=ACTIVE,
                                                   arm=arm, params=params))  # fmt: skip
    return started
