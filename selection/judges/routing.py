"""What happens to each judged pair: auto-labeled, noisy (to people, or kept smoothed), audited.

Noisy = the lowest `noisy_share` by DND margin (SPA's K%). Audits are a random sample of the
confident auto-labels, sent to people unannounced so the judge's accuracy can be measured.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from selection.judges.judgement import Judgement

AUTO, AUDIT, NOISY_HUMAN, NOISY_SMOOTH = "auto", "audit", "noisy_human", "noisy_smooth"
SMOOTHING = 0.1  # SPA's label smoothing α for noisy pairs kept in the data


@dataclass(frozen=True)
class RoutingPolicy:
    noisy_share: float = 0.1
    audit_share: float = 0.05
    low_confidence: str = "human"  # or "smooth"


def route(judged: list[Judgement], policy: RoutingPolicy, rng: np.random.Generator) -> list[str]:
    n = len(judged)
    order = np.argsort([j.dnd_margin for j in judged], kind="stable")
    noisy = set(order[: int(round(policy.noisy_share * n))].tolist())
    actions = [
        (NOISY_HUMAN if policy.low_confidence == "human" else NOISY_SMOOTH) if i in noisy else AUTO
        for i in range(n)
    ]
    confident = [i for i, a in enumerate(actions) if a == AUTO]
    take = min(len(confident), int(round(policy.audit_share * n)))
    for i in rng.choice(confident, size=take, replace=False) if take else []:
        actions[int(i)] = AUDIT
    return actions


def audited_accuracy(pairs: list[tuple[str, str]]) -> dict:
    """Judge vs people on audited pairs, (judge choice, human choice): accuracy with a Wilson
    95% interval."""
    n = len(pairs)
    if n == 0:
        return {"n": 0, "accuracy": None, "interval": None}
    k = sum(j == h for j, h in pairs)
    p, z = k / n, 1.96
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return {"n": n, "accuracy": p, "interval": [float(centre - half), float(centre + half)]}
