"""Pair-selection strategies: pure functions over one prompt's responses, registered by name.

Each strategy takes a `PromptGroup` (the prompt's response ids plus whatever arrays it needs)
and returns `Candidate`s: index pairs into the group with a score. Chosen/rejected is never
implied by the order of a candidate; the label decides it.
"""

from __future__ import annotations

from selection.strategies import karma, random, real, uncertain  # noqa: F401  (they register themselves)
from selection.strategies.base import STRATEGIES, Candidate, PromptGroup, Strategy, register

__all__ = ["STRATEGIES", "Candidate", "PromptGroup", "Strategy", "register"]
