"""Active learning in the live queue: the `uncertain` strategy's reward model and its batches.

A run of `uncertain` fits the Bradley–Terry reward model on every decisive human label of the
project so far and queues the `batch` pairs it is least sure of. The next batch comes once that
many new labels have arrived on the arm, or its open pairs are used up: from the worker's
periodic check (`refit_uncertain`, Celery beat) or from the lead's "Next batch now".
"""

from __future__ import annotations

import numpy as np
from django.db import transaction

from annotation.models import Label, Pair, PairStatus, Project
from selection import rewardmodel
from selection.effort import inputs
from selection.effort.live_effort import DECISIVE, winner_minus_loser
from selection.embedding import embedding_matrix

ACTIVE = "uncertain"
DEFAULT_BATCH = 50


def reward_weights(project_id: int, embedder: str) -> tuple[np.ndarray | None, int]:
    """The reward model fitted on the project's decisive human labels (A or B), and how many
    it saw; None before there is any."""
    rows = [row for row in inputs.live_labels(project_id) if row[6] in DECISIVE]
    vectors = embedding_matrix(sorted({i for row in rows for i in row[3:5]}), embedder)
    diffs = [
        winner_minus_loser(vectors, a, b, choice)
        for *_x, a, b, _prompt, choice, _s in rows
        if a in vectors and b in vectors
    ]
    if not diffs:
        return None, 0
    return rewardmodel.fit(np.array(diffs)), len(diffs)


def arm_labels(project_id: int, arm: str) -> int:
    return Label.objects.live().human().filter(pair__project_id=project_id, pair__arm=arm).count()


def taken_pairs(project_id: int, arm: str) -> dict[int, set[tuple[int, int]]]:
    """The arm's pairs so far by prompt, as (lower, higher) response ids: a batch never
    repeats one."""
    taken: dict[int, set[tuple[int, int]]] = {}
    rows = Pair.objects.filter(project_id=project_id, arm=arm)
    for prompt_id, a, b in rows.values_list("prompt_id", "response_a_id", "response_b_id"):
        taken.setdefault(prompt_id, set()).add((a, b))
    return taken


def next_batch_due(run, labels_now: int, open_pairs: int) -> bool:
    """After a finished run: `batch` new labels on its arm, or nothing left open in it."""
    batch = int(run.params.get("budget") or DEFAULT_BATCH)
    return labels_now - int(run.counts.get("arm_labels", 0)) >= batch or open_pairs == 0


def start_due_batches(*, project: Project | None = None, force: bool = False) -> list:
    """Start the next batch of every `uncertain` arm that is due (`force`: due now); never
    while a run of that arm is pending or running. Returns the runs started."""
    from selection.models import SelectionRun
    from selection.runs.services import selection_run_start

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
