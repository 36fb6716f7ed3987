from __future__ import annotations

import numpy as np

from selection.strategies.base import Candidate, PromptGroup, all_index_pairs, register


@register(
    "random", source="Uniform random pair per prompt; the baseline savings are measured against."
)
def select_random(
    group: PromptGroup, *, pairs_per_prompt: int = 1, rng: np.random.Generator
) -> list[Candidate]:
    if group.size < 2:
        return []
    rows, cols = all_index_pairs(group.size)
    take = min(pairs_per_prompt, len(rows))
    chosen = rng.choice(len(rows), size=take, replace=False)
    # In the order drawn: sorting by index would put early (often weaker) models first.
    return [Candidate(int(rows[c]), int(cols[c]), 0.0) for c in chosen]
