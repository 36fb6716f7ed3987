"""Gold pairs: pairs whose answer is known, mixed unannounced into queues to measure annotators."""

from __future__ import annotations

import math

import numpy as np
from django.db import transaction

from annotation.models import Choice, Pair, Project, Response

SCALES = ("raw", "alpacaeval")


def gold_value(score: float, scale: str) -> float:
    """AlpacaEval gold (1 + P(beats reference)) is compared in log-odds; others as they are."""
    if scale == "raw":
        return score
    p = min(max(score - 1.0, 1e-9), 1 - 1e-9)
    return math.log(p / (1 - p))


def gold_choice(score_a: float, score_b: float, *, margin: float, scale: str) -> str | None:
    """The known answer for a pair, or None when the gold scores are too close to call."""
    diff = gold_value(score_a, scale) - gold_value(score_b, scale)
    if abs(diff) <= margin:
        return None
    return Choice.A if diff > 0 else Choice.B


def gold_pairs_create(
    *,
    project: Project,
    count: int,
    margin: float = 2.0,
    scale: str = "raw",
    seed: int | None = None,
) -> int:
    """Create up to `count` gold pairs (one per prompt) from responses' gold scores."""
    if scale not in SCALES:
        raise ValueError(f"unknown scale {scale!r}; use one of {', '.join(SCALES)}")
    rng = np.random.default_rng(seed)
    by_prompt: dict[int, list[tuple[int, float]]] = {}
    rows = Response.objects.filter(prompt__project=project, gold_score__isnull=False)
    for prompt_id, response_id, score in rows.values_list("prompt_id", "id", "gold_score"):
        by_prompt.setdefault(prompt_id, []).append((response_id, score))
    pairs: list[Pair] = []
    for prompt_id in rng.permutation(list(by_prompt)):
        pair = _gold_pair(project, int(prompt_id), by_prompt[prompt_id], rng, margin, scale)
        if pair is not None:
            pairs.append(pair)
        if len(pairs) >= count:
            break
    with transaction.atomic():
        before = Pair.objects.filter(project=project, arm="gold").count()
        Pair.objects.bulk_create(pairs, ignore_conflicts=True)
        return Pair.objects.filter(project=project, arm="gold").count() - before


def _gold_pair(project, prompt_id, responses, rng, margin, scale) -> Pair | None:
    order = rng.permutation(len(responses))
    for i in order:
        for j in order:
            (id_a, g_a), (id_b, g_b) = sorted([responses[i], responses[j]])
            if id_a == id_b:
                continue
            answer = gold_choice(g_a, g_b, margin=margin, scale=scale)
            if answer is not None:
                return Pair(
                    project=project, prompt_id=prompt_id, response_a_id=id_a, response_b_id=id_b,
                    arm="gold", strategy="gold", is_gold=True, gold_choice=answer,
                    swapped=bool(rng.integers(0, 2)), priority=float(rng.random()),
                )  # fmt: skip
    return None
