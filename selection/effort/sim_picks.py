"""Which pairs each simulated arm puts in front of people, and in what order.

The order is the queue's own: every pair gets an independent random priority (as
selection/runs/services.py gives it) and people take the highest first, so no prompt's pairs come
as a block and early file order (often one kind of model) means nothing.

Three kinds of arm: a registered strategy (chosen once, up front, as a selection run does),
`oracle` (sees gold: each prompt's widest gold gaps; an upper bound no real strategy can
reach), and `uncertain` (active learning: batch by batch, after a re-fit on the answers so far).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

import numpy as np

from selection import rewardmodel
from selection.strategies import STRATEGIES
from selection.strategies.base import best_pairs

ORACLE = "oracle"
ACTIVE = "uncertain"
SIM_ONLY = (ORACLE,)

Pick = tuple  # (SimPrompt, i, j)
Answer = Callable[[Pick], np.ndarray | None]  # the winner − loser features, None if no winner


def static_picks(train: list, strategy: str, per_prompt: int, options: dict, rng) -> list[Pick]:
    """A strategy's (or the oracle's) pairs, in queue order."""
    picked = []
    for p in train:
        if strategy == ORACLE:
            gaps = np.abs(p.gold[:, None] - p.gold[None, :])
            chosen = best_pairs(gaps, per_prompt, lowest=False)
        else:
            fn = STRATEGIES[strategy].fn
            chosen = fn(p.group, pairs_per_prompt=per_prompt, rng=rng, **options)
        picked += [(p, c.i, c.j) for c in chosen]
    return [picked[k] for k in rng.permutation(len(picked))]


def active_picks(
    train: list, total: int, batch: int, answer: Answer, *, l2: float, rng, options: dict
) -> list[Pick]:
    """`total` pairs for the `uncertain` strategy: a batch at a time, each chosen by a reward
    model re-fitted on every answer so far (the first batch, before any answer, is random).
    At most one pair per prompt per batch; a pair is never asked twice."""
    fn = STRATEGIES[ACTIVE].fn
    used: list[set] = [set() for _ in train]
    picked: list[Pick] = []
    taught: list[np.ndarray] = []
    w = None
    while len(picked) < total:
        proposals = []
        for k, p in enumerate(train):
            rewards = None if w is None else p.x @ w
            group = replace(p.group, rewards=rewards, asked=frozenset(used[k]))
            proposals += [(c.score, k, c.i, c.j) for c in fn(group, rng=rng, **options)]
        if not proposals:
            break
        order = np.lexsort((rng.random(len(proposals)), [s for s, *_ in proposals]))
        chosen = [proposals[o] for o in order[: min(batch, total - len(picked))]]
        for o in rng.permutation(len(chosen)):  # the batch's own queue order
            _score, k, i, j = chosen[o]
            used[k].add((i, j))
            picked.append((train[k], i, j))
            row = answer(picked[-1])
            if row is not None:
                taught.append(row)
        if taught:
            w = rewardmodel.fit(np.array(taught), l2=l2, start=w)
    return picked
