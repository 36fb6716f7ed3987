"""Active learning in the live queue: the `uncertain` strategy's reward model and what it asked.

A run of `uncertain` fits the Bradley–Terry reward model on every decisive human label of the
project so far and queues the `batch` pairs it is least sure of (selection/runs/batches.py
starts the next batch).
"""

from __future__ import annotations

import numpy as np

from annotation.models import Label, Pair
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
