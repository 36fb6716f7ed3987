"""What happens to each judged pair: auto-labeled, unsure or noisy (to people, or kept smoothed),
audited.

A judgement below `min_confidence` (max(p, 1 − p) of p(A ≻ B)) is never a label: the pair stays
with people. Noisy = the lowest `noisy_share` by DND margin (SPA's K%). Audits are a random sample
of the would-be auto-labels, sent to people unannounced so the judge's accuracy can be measured;
the sample has at least `min_audit` pairs when that many exist, so an audit can conclude.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from selection.spa.judges.judgement import Judgement

AUTO, AUDIT, NOISY_HUMAN, NOISY_SMOOTH = "auto", "audit", "noisy_human", "noisy_smooth"
UNSURE = "unsure"  # below min_confidence: left to people
ACTIONS = (AUTO, AUDIT, NOISY_HUMAN, NOISY_SMOOTH, UNSURE)
# Actions whose judgement becomes a model label once the round is applied.
LABELED = (AUTO, AUDIT, NOISY_SMOOTH)
# Actions whose label stands without any person looking at the pair.
WITHOUT_PEOPLE = (AUTO, NOISY_SMOOTH)
SMOOTHING = 0.1  # SPA's label smoothing α for noisy pairs kept in the data
WAITING, PASSED, FAILED = "waiting", "passed", "failed"


@dataclass(frozen=True)
class RoutingPolicy:
    noisy_share: float = 0.1
    audit_share: float = 0.05
    low_confidence: str = "human"  # or "smooth"
    min_confidence: float = 0.7
    min_audit: int = 0


def route(judged: list[Judgement], policy: RoutingPolicy, rng: np.random.Generator) -> list[str]:
    n = len(judged)
    order = np.argsort([j.dnd_margin for j in judged], kind="stable")
    noisy = set(order[: noisy_count(n, policy)].tolist())
    actions = [_action(j, i in noisy, policy) for i, j in enumerate(judged)]
    confident = [i for i, a in enumerate(actions) if a == AUTO]
    take = audit_size(n, len(confident), policy)
    for i in rng.choice(confident, size=take, replace=False) if take else []:
        actions[int(i)] = AUDIT
    return actions


def _action(judgement: Judgement, noisy: bool, policy: RoutingPolicy) -> str:
    if judgement.confidence < policy.min_confidence:
        return UNSURE
    if noisy:
        return NOISY_HUMAN if policy.low_confidence == "human" else NOISY_SMOOTH
    return AUTO


def noisy_count(judged: int, policy: RoutingPolicy) -> int:
    return int(round(policy.noisy_share * judged))


def audit_size(judged: int, confident: int, policy: RoutingPolicy) -> int:
    return min(confident, max(int(round(policy.audit_share * judged)), policy.min_audit))


def most_auto(judged: int, policy: RoutingPolicy) -> int:
    """The most pairs a round of `judged` pairs can label without people: every judgement at
    or above the confidence threshold, less the noisy share (unless kept smoothed) and audits."""
    noisy = noisy_count(judged, policy)
    confident = judged - noisy
    kept = noisy if policy.low_confidence == "smooth" else 0
    return confident - audit_size(judged, confident, policy) + kept


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


def audit_verdict(audit: dict, *, min_answers: int, min_accuracy: float) -> str:
    """WAITING until people decided `min_answers` audited pairs; then PASSED when the judge's
    accuracy on them reaches `min_accuracy`, else FAILED."""
    if audit["n"] < min_answers or audit["accuracy"] is None:
        return WAITING
    return PASSED if audit["accuracy"] >= min_accuracy else FAILED
