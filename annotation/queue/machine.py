"""Labels no person gave: a model judge's (SPA) and those imported with a file's pairs."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from django.db import transaction

from annotation.importing.bulk import BulkInsert
from annotation.models import (
    Assignment,
    AssignmentState,
    Label,
    LabelSource,
    Pair,
    PairStatus,
    Project,
)
from annotation.queue import statements


@dataclass(frozen=True)
class ModelAnswer:
    """A judge's label for a pair. `completes`: the pair needs no people after it; `audit`: it
    is written even where people hold the pair, to be checked against their answers."""

    pair_id: int
    choice: str
    confidence: float
    smoothing: float = 0.0
    completes: bool = False
    audit: bool = False


def model_labels_apply(
    *, project: Project, judge: str, answers: list[ModelAnswer], now: datetime
) -> dict:
    """Write the judge's labels; pairs people answered or hold keep theirs unless the label is
    an audit. {"applied": pairs completed, "kept_for_people": labels left out}."""
    with transaction.atomic():
        ids = sorted(answer.pair_id for answer in answers)
        # Locked in id order: the queue skips locked pairs, so no lease lands on one mid-apply.
        list(Pair.objects.select_for_update().filter(id__in=ids).order_by("id").values("id"))
        taken = _taken(ids, now)
        kept = [a for a in answers if a.audit or a.pair_id not in taken]
        Label.objects.bulk_create([_label(project, judge, a) for a in kept], batch_size=1000)
        done = [a.pair_id for a in kept if a.completes]
        open_pairs = Pair.objects.filter(id__in=done, status=PairStatus.OPEN)
        open_pairs.update(status=PairStatus.COMPLETE)
    return {"applied": len(done), "kept_for_people": len(answers) - len(kept)}


def model_labels_revert(*, project: Project, judge: str, now: datetime) -> dict:
    """Supersede the judge's live labels and reopen their pairs that still need people.
    {"labels": superseded, "reopened": pairs back in the queue}."""
    with transaction.atomic():
        labels = Label.objects.live().filter(project=project, source=LabelSource.MODEL, judge=judge)
        pair_ids = sorted(set(labels.values_list("pair_id", flat=True)))
        superseded = labels.update(superseded_at=now)
        reopened = statements.reopen(pair_ids=pair_ids, overlap=project.overlap)
    return {"labels": superseded, "reopened": reopened}


def labels_import(*, project: Project, labels: Iterable[tuple[int, str]]) -> None:
    """Insert a file's labels, (pair id, choice in stored order); a pair's live imported label
    is never doubled (label_one_live_imported)."""
    constants = {"source": LabelSource.IMPORTED, "project_id": project.id}
    BulkInsert(Label, ["pair_id", "choice"], constants).insert(labels)


def _label(project: Project, judge: str, answer: ModelAnswer) -> Label:
    return Label(
        pair_id=answer.pair_id,
        project_id=project.id,
        source=LabelSource.MODEL,
        judge=judge,
        choice=answer.choice,
        confidence=answer.confidence,
        smoothing=answer.smoothing,
    )


def _taken(pair_ids: list[int], now: datetime) -> set[int]:
    """Pairs with a live label or an unexpired lease: people got to them first."""
    labeled = Label.objects.live().filter(pair_id__in=pair_ids).values_list("pair_id", flat=True)
    leased = Assignment.objects.filter(
        pair_id__in=pair_ids, state=AssignmentState.ACTIVE, expires_at__gt=now
    ).values_list("pair_id", flat=True)
    return set(labeled) | set(leased)
