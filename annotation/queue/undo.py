"""Undo: an annotator withdraws their last answer, and gets its pair back while it has room."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from annotation.models import Label, Pair, Project
from annotation.queue import statements
from annotation.queue.lease import leases_release
from config.transient import retry_once

UNDO_WINDOW = timedelta(minutes=2)
UNDONE_PAIR_BACK = "Undone: your last answer was withdrawn. The pair is back; answer it again."
UNDONE_PAIR_FULL = (
    "Undone: your last answer was withdrawn. Others have given that pair all the answers it "
    "needs since, so here is your next pair."
)


@dataclass(frozen=True)
class Undone:
    """An answer withdrawn by undo, and whether its pair came back to its annotator: only while
    the pair has room, since others may have filled it after the answer was given."""

    label: Label
    pair_back: bool

    @property
    def message(self) -> str:
        return UNDONE_PAIR_BACK if self.pair_back else UNDONE_PAIR_FULL


@retry_once
def label_undo(*, project: Project, annotator, now: datetime | None = None) -> Undone | None:
    """Supersede the annotator's last answer (within the undo window) and lease its pair again
    if it still has room; None if there is nothing to undo.

    The locks come in the order an answer takes them (the lease, then the pair, then the
    label), so an answer and an undo at the same moment wait for each other, never deadlock.
    """
    now = now or timezone.now()
    with transaction.atomic():
        last = _last_answer(project, annotator, now)
        if last is None:
            return None
        leases_release(project=project, annotator=annotator)
        lock_pair(last.pair_id)
        if not Label.objects.filter(id=last.id, superseded_at=None).update(superseded_at=now):
            return None  # another undo withdrew it first
        # Counted after the lock, as every lease is: a pair others filled stays theirs.
        lease = statements.lease_first_with_room(
            ids=[last.pair_id],
            annotator_id=annotator.pk,
            overlap=project.overlap,
            now=now,
            expires=now + timedelta(seconds=project.lease_seconds),
        )
        statements.refresh_status(pair_id=last.pair_id, overlap=project.overlap)
        return Undone(last, pair_back=lease is not None)


def _last_answer(project: Project, annotator, now: datetime) -> Label | None:
    recent = (
        Label.objects.live()
        .human()
        .filter(project=project, annotator=annotator, created_at__gte=now - UNDO_WINDOW)
    )
    return recent.order_by("-created_at").first()


def lock_pair(pair_id: int) -> Pair:
    """Lock the pair's row, and only that row: a lock on its project would stop every answer in
    the project (a new label's foreign key check reads the project row)."""
    return Pair.objects.select_for_update(of=("self",)).get(id=pair_id)
