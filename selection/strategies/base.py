from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class PromptGroup:
    """One prompt's K responses; arrays are row-aligned with `response_ids`.

    embeddings: (K, D) L2-normalised rows; competencies: (K, B) KARMA-normalised benchmark
    vectors (NaN rows for models without a profile); buckets: (K,) competency bucket or -1;
    rewards: (K,) the current reward model's score of each response (active learning);
    asked: index pairs (i, j), i < j, already put to people, which active learning skips.
    """

    prompt_id: int
    response_ids: np.ndarray
    embeddings: np.ndarray | None = None
    competencies: np.ndarray | None = None
    buckets: np.ndarray | None = None
    model_names: tuple[str, ...] = ()
    rewards: np.ndarray | None = None
    asked: frozenset[tuple[int, int]] = frozenset()

    @property
    def size(self) -> int:
        return len(self.response_ids)


@dataclass(frozen=True, order=True)
class Candidate:
    """Indices i < j into a PromptGroup, and the strategy's score for the pair."""

    i: int
    j: int
    score: float = 0.0


StrategyFn = Callable[..., list[Candidate]]


@dataclass(frozen=True)
class Strategy:
    name: str
    fn: StrategyFn
    needs: frozenset[str]
    source: str
    # For a global budget: keep the pairs with the lowest scores first (e.g. REAL's cosine).
    lower_is_better: bool = False


STRATEGIES: dict[str, Strategy] = {}


def register(
    name: str, *, needs: tuple[str, ...] = (), source: str = "", lower_is_better: bool = False
) -> Callable:
    def decorator(fn: StrategyFn) -> StrategyFn:
        STRATEGIES[name] = Strategy(name, fn, frozenset(needs), source, lower_is_better)
        return fn

    return decorator


def all_index_pairs(k: int) -> tuple[np.ndarray, np.ndarray]:
    """Upper-triangle indices (i < j) of a k × k matrix."""
    return np.triu_indices(k, k=1)


def best_pairs(matrix: np.ndarray, take: int, *, lowest: bool, mask=None) -> list[Candidate]:
    """The `take` upper-triangle entries with the lowest (or highest) values; ties by (i, j)."""
    rows, cols = all_index_pairs(matrix.shape[0])
    values = matrix[rows, cols]
    keep = np.isfinite(values) if mask is None else (mask[rows, cols] & np.isfinite(values))
    rows, cols, values = rows[keep], cols[keep], values[keep]
    # lexsort is stable and sorts by the last key first: value, then i, then j.
    order = np.lexsort((cols, rows, values if lowest else -values))[:take]
    return [Candidate(int(rows[o]), int(cols[o]), float(values[o])) for o in order]
