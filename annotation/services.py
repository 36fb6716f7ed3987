"""Workflows over the core records. Keyword-only `<entity>_<verb>` functions."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
from django.db import transaction

from annotation.models import Membership, Pair, Project, Role

PAIR_BATCH = 2000


@dataclass(frozen=True)
class PairSpec:
    """A pair to create: two responses of one prompt, in any order."""

    prompt_id: int
    response_1: int
    response_2: int
    score: float | None = None
    priority: float = 0.0


def pairs_create(
    *,
    project: Project,
    specs: Iterable[PairSpec],
    arm: str,
    strategy: str,
    rng: np.random.Generator,
    selection_run_id: int | None = None,
) -> int:
    """Bulk-create pairs; existing (arm, response couple) pairs are left alone. Returns new rows."""
    before = Pair.objects.filter(project=project, arm=arm).count()
    batch: list[Pair] = []
    for spec in specs:
        batch.append(_pair_from_spec(project, spec, arm, strategy, rng, selection_run_id))
        if len(batch) >= PAIR_BATCH:
            Pair.objects.bulk_create(batch, ignore_conflicts=True)
            batch = []
    if batch:
        Pair.objects.bulk_create(batch, ignore_conflicts=True)
    return Pair.objects.filter(project=project, arm=arm).count() - before


def _pair_from_spec(
    project: Project,
    spec: PairSpec,
    arm: str,
    strategy: str,
    rng: np.random.Generator,
    selection_run_id: int | None,
) -> Pair:
    low, high = sorted((spec.response_1, spec.response_2))
    return Pair(
        project=project,
        prompt_id=spec.prompt_id,
        response_a_id=low,
        response_b_id=high,
        arm=arm,
        strategy=strategy,
        score=spec.score,
        priority=spec.priority,
        # Left/right is randomised per pair and stored, so position bias can be measured.
        swapped=bool(rng.integers(0, 2)),
        selection_run_id=selection_run_id,
    )


@transaction.atomic
def membership_set(*, project: Project, user, role: str) -> Membership:
    if role not in Role.values:
        raise ValueError(f"unknown role {role!r}; use one of {', '.join(Role.values)}")
    membership, _ = Membership.objects.update_or_create(
        project=project, user=user, defaults={"role": role}
    )
    return membership
