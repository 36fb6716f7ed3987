"""Deciding each pair's winner from its live labels (pure; no database).

Policy: a lead's adjudication wins; otherwise the majority of human (and imported) judgements,
kept only when the share agreeing with it reaches `min_agreement`; ties and both-bad outcomes
are dropped and counted; skips carry no judgement. Model labels count only where no person
judged the pair, and only when asked for.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

JUDGEMENTS = frozenset({"a", "b", "tie", "both_bad"})
PEOPLE = frozenset({"human", "imported"})


@dataclass(frozen=True)
class Vote:
    source: str
    choice: str
    confidence: float | None = None
    smoothing: float = 0.0


@dataclass(frozen=True)
class Policy:
    min_agreement: float = 0.5
    include_model_labels: bool = False


@dataclass(frozen=True)
class Decision:
    """`winner` is "a" or "b" when the pair is kept; otherwise `dropped` says why."""

    winner: str | None
    dropped: str | None
    n_labels: int
    agreement: float | None
    source: str
    confidence: float | None = None
    smoothing: float = 0.0


def decide(votes: list[Vote], policy: Policy) -> Decision:
    adjudicated = [v for v in votes if v.source == "adjudicated" and v.choice in JUDGEMENTS]
    if adjudicated:
        return _outcome(adjudicated[-1].choice, len(votes), 1.0, "adjudicated")
    people = [v for v in votes if v.source in PEOPLE and v.choice in JUDGEMENTS]
    if people:
        return _majority(people, policy)
    models = [v for v in votes if v.source == "model" and v.choice in JUDGEMENTS]
    if models and not policy.include_model_labels:
        return Decision(None, "model_only", len(models), None, "model")
    if models:
        vote = max(models, key=lambda v: v.confidence or 0.0)
        decision = _outcome(vote.choice, 1, 1.0, "model", vote.confidence)
        return Decision(**{**decision.__dict__, "smoothing": vote.smoothing})
    return Decision(None, "no_judgement", 0, None, "")


def _majority(people: list[Vote], policy: Policy) -> Decision:
    ranked = Counter(v.choice for v in people).most_common()
    top, count = ranked[0]
    agreement = count / len(people)
    if len(ranked) > 1 and ranked[1][1] == count:
        return Decision(None, "no_majority", len(people), agreement, _source(people))
    if agreement < policy.min_agreement:
        return Decision(None, "low_agreement", len(people), agreement, _source(people))
    return _outcome(top, len(people), agreement, _source(people))


def _source(people: list[Vote]) -> str:
    return "human" if any(v.source == "human" for v in people) else "imported"


def _outcome(choice: str, n: int, agreement: float, source: str, confidence=None) -> Decision:
    if choice in ("tie", "both_bad"):
        return Decision(None, choice, n, agreement, source, confidence)
    return Decision(choice, None, n, agreement, source, confidence)
