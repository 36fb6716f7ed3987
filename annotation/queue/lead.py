"""A lead's decision on a pair: a label of its own that wins in aggregation."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from annotation.models import Choice, Label, LabelSource, Pair, PairStatus
from annotation.queue.undo import lock_pair

DECISIONS = (Choice.A, Choice.B, Choice.TIE, Choice.BOTH_BAD)


def label_adjudicate(
    *, pair: Pair, lead, choice: str, rationale: str = "", as_gold: bool = False
) -> Label:
    """The lead's label on the pair, which completes it; optionally makes it a gold pair."""
    if choice not in DECISIONS:
        raise ValueError(f"an adjudication must decide the pair, not {choice!r}")
    with transaction.atomic():
        pair = lock_pair(pair.id)
        previous = Label.objects.live().filter(pair=pair, source=LabelSource.ADJUDICATED)
        previous.update(superseded_at=timezone.now())
        label = Label.objects.create(
            pair=pair,
            project_id=pair.project_id,
            annotator=lead,
            choice=choice,
            rationale=rationale,
            source=LabelSource.ADJUDICATED,
        )
        gold = {"is_gold": True, "gold_choice": choice} if as_gold else {}
        Pair.objects.filter(id=pair.id).update(status=PairStatus.COMPLETE, **gold)
        return label
