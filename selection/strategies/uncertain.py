"""Active learning: the pairs the current reward model is least sure about.

The Bradley–Terry reward model scores each response (r = w · e); it predicts
P(A ≻ B) = σ(r_A − r_B), so the pairs with the smallest |r_A − r_B| are those it would answer
closest to a coin flip, and a person's label there teaches it most. Before any fit (no
rewards, or all equal) every pair is equally uncertain and the choice is random.

Pairs already asked (`group.asked`) are never proposed again.
Diversity guard: within a prompt no response is used twice, and near-duplicate responses
(cosine above `max_cosine`) are never paired, since a person cannot tell them apart either.
Across prompts the selection run's budget keeps at most `pairs_per_prompt` per prompt.
"""

from __future__ import annotations

import numpy as np

from selection.strategies.base import Candidate, PromptGroup, all_index_pairs, register


@register(
    "uncertain",
    needs=("embeddings", "rewards"),
    lower_is_better=True,
    source=(
        "Active learning (uncertainty sampling): the pairs whose predicted preference under the "
        "reward model re-fitted on the labels so far is closest to 0.5, with a diversity guard."
    ),
)
def select_uncertain(
    group: PromptGroup,
    *,
    pairs_per_prompt: int = 1,
    rng: np.random.Generator,
    max_cosine: float = 0.98,
) -> list[Candidate]:
    if group.size < 2:
        return []
    rows, cols = all_index_pairs(group.size)
    rewards = np.zeros(group.size) if group.rewards is None else np.asarray(group.rewards, float)
    gaps = np.abs(rewards[rows] - rewards[cols])
    keep = np.ones(len(rows), dtype=bool)
    if group.embeddings is not None:
        e = group.embeddings
        keep = np.einsum("ij,ij->i", e[rows], e[cols]) <= max_cosine
    # Random order first, then a stable sort by gap: equal gaps (no fit yet) stay random.
    order = rng.permutation(len(rows))
    order = order[np.argsort(gaps[order], kind="stable")]
    chosen: list[Candidate] = []
    used: set[int] = set()
    for k in order:
        i, j = int(rows[k]), int(cols[k])
        if keep[k] and i not in used and j not in used and (i, j) not in group.asked:
            chosen.append(Candidate(i, j, float(gaps[k])))
            used.update((i, j))
            if len(chosen) == pairs_per_prompt:
                break
    return chosen
