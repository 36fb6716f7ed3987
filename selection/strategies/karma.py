"""KARMA: "Like Father, Like Son: Kinship-Aware Preference Mapping" (arXiv 2502.18744 v1).

Compare only responses from models of comparable competency ("kin"). The group's `competencies`
are KARMA-normalised benchmark vectors (see selection/karma.py); rows of NaN are models without a
profile, which never take part.
"""

from __future__ import annotations

import numpy as np

from selection.karma import kinship_matrix, quality
from selection.strategies.base import Candidate, PromptGroup, best_pairs, register


def _known(group: PromptGroup) -> np.ndarray:
    return ~np.isnan(group.competencies).any(axis=1)


def _kinship(group: PromptGroup) -> np.ndarray:
    known = _known(group)
    kin = np.full((group.size, group.size), np.nan)
    if known.sum() >= 2:
        sub = kinship_matrix(group.competencies[known])
        idx = np.flatnonzero(known)
        kin[np.ix_(idx, idx)] = sub
    return kin


@register(
    "kinship",
    needs=("competency",),
    source="KARMA (arXiv 2502.18744): the pair whose models are most kin (highest kinship).",
)
def select_kinship(
    group: PromptGroup,
    *,
    pairs_per_prompt: int = 1,
    rng: np.random.Generator,
    min_kinship: float | None = None,
) -> list[Candidate]:
    """With `min_kinship` (KARMA's "kin" is 0.9), pairs below it are never chosen."""
    if group.size < 2:
        return []
    kin = _kinship(group)
    mask = None if min_kinship is None else (kin >= min_kinship)
    return best_pairs(kin, pairs_per_prompt, lowest=False, mask=mask)


@register(
    "kinship_bucketed",
    needs=("competency",),
    source="KARMA (arXiv 2502.18744): a random pair of responses within one competency bucket.",
)
def select_kinship_bucketed(
    group: PromptGroup, *, pairs_per_prompt: int = 1, rng: np.random.Generator
) -> list[Candidate]:
    if group.size < 2:
        return []
    kin = _kinship(group)
    b = group.buckets
    same = (b[:, None] == b[None, :]) & (b[:, None] >= 0) & np.isfinite(kin)
    rows, cols = np.triu_indices(group.size, k=1)
    ok = same[rows, cols]
    rows, cols = rows[ok], cols[ok]
    if len(rows) == 0:
        return []
    chosen = sorted(rng.choice(len(rows), size=min(pairs_per_prompt, len(rows)), replace=False))
    return [Candidate(int(rows[c]), int(cols[c]), float(kin[rows[c], cols[c]])) for c in chosen]


@register(
    "quality_top2",
    needs=("competency",),
    source="KARMA's comparison arm: the responses of the two best models (highest Q).",
)
def select_quality_top2(
    group: PromptGroup, *, pairs_per_prompt: int = 1, rng: np.random.Generator
) -> list[Candidate]:
    known = np.flatnonzero(_known(group))
    if len(known) < 2:
        return []
    q = quality(group.competencies[known])
    order = known[np.lexsort((known, -q))]
    i, j = sorted((int(order[0]), int(order[1])))
    return [Candidate(i, j, float(np.sort(q)[-2:].sum()))]
