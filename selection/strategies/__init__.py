"""Pair-selection strategies: pure functions over one prompt's responses, registered by name.

Each strategy takes a `PromptGroup` (the prompt's response ids plus whatever arrays it needs)
and returns `Candidate`s: index pairs into the group with a score. Chosen/rejected is never
implied by the order of a candidate; the label decides it.
"""

from __future__ import annotations

from selection.strategies.base import STRATEGIES, Candidate, PromptGroup, Strategy, register
from selection.strategies.random import select_random  # noqa: F401  (registers itself)

__all__ = ["STRATEGIES", "Candidate", "PromptGroup", "Strategy", "register"]
