from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np


@dataclass(frozen=True)
class PromptGroup:
    """One prompt's K responses; arrays are row-aligned with `response_ids`."""

    prompt_id: int
    response_ids: np.ndarray
    embeddings: np.ndarray | None = None
    competencies: np.ndarray | None = None
    model_names: tuple[str, ...] = ()

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
    needs: frozenset[str] = field(default_factory=frozenset)
    # How the global budget ranks prompts: higher priority first.
    source: str = ""


STRATEGIES: dict[str, Strategy] = {}


def register(name: str, *, needs: tuple[str, ...] = (), source: str = "") -> Callable:
    def decorator(fn: StrategyFn) -> StrategyFn:
        STRATEGIES[name] = Strategy(name=name, fn=fn, needs=frozenset(needs), source=source)
        return fn

    return decorator


def all_index_pairs(k: int) -> tuple[np.ndarray, np.ndarray]:
    """Upper-triangle indices (i < j) of a k × k matrix."""
    return np.triu_indices(k, k=1)
