"""The annotation queue: leasing pairs, submitting and undoing labels.

Every path that adds a lease or a label to a pair first locks that pair's row, then counts its
load (live non-skip labels + unexpired leases) in a fresh statement. On PostgreSQL the lock is
`SELECT ... FOR UPDATE SKIP LOCKED`, so concurrent annotators take different pairs without
waiting; on SQLite the whole transaction holds the database's write lock (IMMEDIATE mode).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import datetime, timedelta

import numpy as np
from django.db import connection, transaction
from django.utils import timezone

from annotation.models import (
    Assignment,
    AssignmentState,
    Choice,
    Label,
    LabelSource,
    Pair,
    PairStatus,
    Project,
)

SWAP = {Choice.A: Choice.B, Choice.B: Choice.A}
# How many candidate pairs one lease attempt locks at once.
CANDIDATES = 8
LOCK_WAITS = 5
LOCK_WAIT_SECONDS = 0.05
UNDO_WINDOW = timedelta(minutes=2)


@dataclass(frozen=True)
class SubmitResult:
    label: Label | None
    duplicate: bool = False
    message: str = ""


def assignment_lease(*, project: Project, annotator, now: datetime | None = None):
    """The annotator's live lease in this project, or a new one on the best pair; None if empty."""
    now = now or timezone.now()
    with transaction.atomic():
        live = Assignment.objects.live_for(annotator=annotator, project=project, now=now).first()
        if live is not None:
            return live
        pair = _claim_pair(project, annotator, now)
        if pair is None:
            return None
        expires = now + timedelta(seconds=project.lease_seconds)
        return Assignment.objects.create(
            pair=pair, annotator=annotator, leased_at=now, expires_at=expires
        )


def _claim_pair(project: Project, annotator, now: datetime) -> Pair | None:
    for gold in _gold_order(project):
        queryset = Pair.objects.available_for(project=project, annotator=annotator, now=now)
        queryset = queryset.filter(is_gold=gold)
        pair = _first_with_room(project, queryset, annotator, now)
        if pair is not None:
            return pair
    return None


def _gold_order(project: Project) -> tuple[bool, ...]:
    """Gold pairs come first with probability `gold_rate`, unannounced."""
    if project.gold_rate <= 0:
        return (False,)
    if np.random.default_rng().random() < project.gold_rate:
        return (True, False)
    return (False, True)


def _first_with_room(project: Project, queryset, annotator, now: datetime) -> Pair | None:
    waits = 0
    while True:
        candidates = list(_locked(queryset)[:CANDIDATES])
        if not candidates:
            # Rows other leases are checking right now were skipped, not refused: look again
            # shortly rather than tell a person "no more pairs" while some may still be free.
            if waits < LOCK_WAITS and queryset.exists():
                waits += 1
                time.sleep(LOCK_WAIT_SECONDS)
                continue
            return None
        ids = [pair.id for pair in candidates]
        full = Pair.objects.full_ids(ids=ids, overlap=project.overlap, now=now)
        for pair in candidates:
            if pair.id not in full:
                return pair
        # Every locked candidate is full: exclude them and look further down the queue.
        queryset = queryset.exclude(id__in=ids)


def _locked(queryset):
    if connection.vendor == "postgresql":
        return queryset.select_for_update(skip_locked=True, of=("self",))
    return queryset


def label_submit(
    *,
    assignment_id: int,
    annotator,
    choice: str,
    strength: int | None = None,
    rationale: str = "",
    active_seconds: float | None = None,
    as_shown: bool = False,
    project: Project | None = None,
    now: datetime | None = None,
) -> SubmitResult:
    """Record the answer to a lease exactly once, however often the form is sent.

    With `as_shown`, "a" and "b" mean the left and right response as the annotator saw them.
    Raises Assignment.DoesNotExist unless the lease is the annotator's (in `project`, if given).
    """
    if choice not in Choice.values:
        raise ValueError(f"unknown choice {choice!r}")
    now = now or timezone.now()
    with transaction.atomic():
        lease = Assignment.objects.select_for_update().get(id=assignment_id, annotator=annotator)
        if lease.state == AssignmentState.SUBMITTED:
            return SubmitResult(lease.labels.first(), duplicate=True)
        pair = _lock_pair(lease.pair_id)
        if project is not None and pair.project_id != project.id:
            raise Assignment.DoesNotExist("that lease belongs to another project")
        if as_shown and pair.swapped:
            choice = SWAP.get(choice, choice)
        refusal = _late_refusal(lease, pair, now)
        if refusal:
            _set_state(lease, AssignmentState.EXPIRED)
            return SubmitResult(None, message=refusal)
        label = Label.objects.create(
            pair=pair,
            annotator=annotator,
            assignment=lease,
            choice=choice,
            strength=strength,
            rationale=rationale.strip(),
            active_seconds=active_seconds,
            server_seconds=(now - lease.leased_at).total_seconds(),
            supersedes=_undone_label(pair, annotator),
        )
        _set_state(lease, AssignmentState.SUBMITTED)
        pair_refresh_status(pair=pair)
        return SubmitResult(label)


def _lock_pair(pair_id: int) -> Pair:
    return Pair.objects.select_for_update().select_related("project").get(id=pair_id)


def _late_refusal(lease: Assignment, pair: Pair, now: datetime) -> str:
    """Why a late answer cannot be kept, or '' if it can."""
    if lease.state == AssignmentState.ACTIVE and lease.expires_at > now:
        return ""
    if lease.state not in (AssignmentState.ACTIVE, AssignmentState.EXPIRED):
        return "This pair was released by a project lead; here is the next one."
    taken = pair.assignments.filter(leased_at__gt=lease.leased_at).exclude(
        annotator=lease.annotator
    )
    full = pair.id in Pair.objects.full_ids(ids=[pair.id], overlap=pair.project.overlap, now=now)
    if taken.exists() or (full and not pair.is_gold):
        return "Your time on this pair ran out and someone else took it; here is the next one."
    return ""


def _set_state(lease: Assignment, state: str) -> None:
    lease.state = state
    lease.save(update_fields=["state"])


def _undone_label(pair: Pair, annotator) -> Label | None:
    return (
        Label.objects.filter(pair=pair, annotator=annotator, superseded_at__isnull=False)
        .order_by("-created_at")
        .first()
    )


def pair_refresh_status(*, pair: Pair) -> None:
    """Complete once enough people gave a usable answer (skips do not count); reopen otherwise."""
    answered = pair.labels.live().human().exclude(choice=Choice.SKIP).count()
    status = PairStatus.COMPLETE if answered >= pair.project.overlap else PairStatus.OPEN
    if pair.status != status and pair.status != PairStatus.RETIRED:
        Pair.objects.filter(id=pair.id).update(status=status)
        pair.status = status


def label_undo(*, project: Project, annotator, now: datetime | None = None) -> Label | None:
    """Supersede the annotator's last answer (within the undo window) and lease its pair again."""
    now = now or timezone.now()
    with transaction.atomic():
        last = (
            Label.objects.live()
            .filter(pair__project=project, annotator=annotator, created_at__gte=now - UNDO_WINDOW)
            .order_by("-created_at")
            .first()
        )
        if last is None:
            return None
        pair = _lock_pair(last.pair_id)
        Label.objects.filter(id=last.id).update(superseded_at=now)
        Assignment.objects.live_for(annotator=annotator, project=project, now=now).update(
            state=AssignmentState.RELEASED
        )
        expires = now + timedelta(seconds=project.lease_seconds)
        Assignment.objects.create(pair=pair, annotator=annotator, leased_at=now, expires_at=expires)
        pair_refresh_status(pair=pair)
        return last


def assignment_release(*, project: Project, assignment_id: int) -> bool:
    """A lead hands a live lease back to the queue. False if it was no longer live."""
    released = Assignment.objects.filter(
        id=assignment_id, pair__project=project, state=AssignmentState.ACTIVE
    ).update(state=AssignmentState.RELEASED)
    return bool(released)


def label_adjudicate(
    *, pair: Pair, lead, choice: str, rationale: str = "", as_gold: bool = False
) -> Label:
    """A lead's decision: its own label, which wins in aggregation; optionally a gold pair."""
    if choice not in (Choice.A, Choice.B, Choice.TIE, Choice.BOTH_BAD):
        raise ValueError(f"an adjudication must decide the pair, not {choice!r}")
    with transaction.atomic():
        pair = _lock_pair(pair.id)
        previous = Label.objects.live().filter(pair=pair, source=LabelSource.ADJUDICATED)
        previous.update(superseded_at=timezone.now())
        label = Label.objects.create(
            pair=pair,
            annotator=lead,
            choice=choice,
            rationale=rationale,
            source=LabelSource.ADJUDICATED,
        )
        gold = {"is_gold": True, "gold_choice": choice} if as_gold else {}
        Pair.objects.filter(id=pair.id).update(status=PairStatus.COMPLETE, **gold)
        return label
