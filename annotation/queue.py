"""The annotation queue: leasing pairs, submitting and undoing labels.

Every path that adds a lease or a label to a pair first locks that pair's row, then counts its
load (live non-skip labels + unexpired leases) in a fresh statement. On PostgreSQL the lock is
`SELECT ... FOR UPDATE SKIP LOCKED`, so concurrent annotators take different pairs without
waiting; on SQLite the whole transaction holds the database's write lock (IMMEDIATE mode).
The statements of a lease and of an answer are in annotation/queue_sql.py: three round trips
each, whatever the queue's size or how many people lease at once.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import datetime, timedelta

import numpy as np
from django.db import connection, transaction
from django.utils import timezone

from annotation import queue_pg, queue_sql
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
from config.transient import retry_once

SWAP = {Choice.A: Choice.B, Choice.B: Choice.A}
LOCK_WAITS = 5
LOCK_WAIT_SECONDS = 0.05
UNDO_WINDOW = timedelta(minutes=2)
# Why a late answer was not kept, by the queue's outcome code.
REFUSALS = {
    "released": "This pair was released by a project lead; here is the next one.",
    "taken": "Your time on this pair ran out and someone else took it; here is the next one.",
}
# What a member is told when the lease they answer is not theirs (answer_submit gave None).
NOT_LEASED = "That pair is not leased to you."
UNDONE_PAIR_BACK = "Undone: your last answer was withdrawn. The pair is back; answer it again."
UNDONE_PAIR_FULL = (
    "Undone: your last answer was withdrawn. Others have given that pair all the answers it "
    "needs since, so here is your next pair."
)


@dataclass(frozen=True)
class SubmitResult:
    label: Label | None
    duplicate: bool = False
    message: str = ""


@retry_once
def assignment_lease(*, project: Project, annotator, now: datetime | None = None):
    """The annotator's live lease in this project, or a new one on the best pair; None if empty."""
    now = now or timezone.now()
    if in_database(connection):
        row = queue_pg.lease(lease_params(project, annotator, now))
        return None if row is None else assignment_from_row(row, annotator)
    with transaction.atomic():
        live = _live_lease(project, annotator.pk, now)
        if live is not None:
            return _assignment(live.id, live.pair_id, annotator, live.leased_at, live.expires_at)
        expires = now + timedelta(seconds=project.lease_seconds)
        for gold in _gold_order(project):
            lease = _claim(project, annotator.pk, gold, now, expires)
            if lease is not None:
                return _assignment(
                    lease.id, lease.pair_id, annotator, lease.leased_at, lease.expires_at
                )
        return None


def _live_lease(project: Project, annotator_id: int, now: datetime) -> queue_sql.LiveLease | None:
    """The annotator's unexpired lease in the project; one that ran out is marked expired, so
    that a new lease may take its place (one active lease per person and project)."""
    lease = queue_sql.live_lease(project_id=project.id, annotator_id=annotator_id)
    if lease is None or lease.expires_at > now:
        return lease
    queue_sql.expire_lease(lease_id=lease.id)
    return None


def in_database(conn) -> bool:
    """Whether this connection runs the queue's own functions (PostgreSQL: annotation/queue_pg)."""
    return getattr(conn, "queue_functions", False)


def lease_params(project: Project, annotator, now: datetime) -> dict:
    """The arguments of the database's lease function (annotation/queue_pg.LEASE_ARGS)."""
    return {
        "project": project.id,
        "annotator": annotator.pk,
        "gold_order": list(_gold_order(project)),
        "overlap": project.overlap,
        "now": now,
        "expires": now + timedelta(seconds=project.lease_seconds),
        "waits": LOCK_WAITS,
        "wait_seconds": LOCK_WAIT_SECONDS,
    }


def assignment_from_row(row: tuple, annotator) -> Assignment:
    """The lease from (id, pair id, leased at, expires at), as the database's function gives it."""
    lease_id, pair_id, leased_at, expires_at = row
    return _assignment(lease_id, pair_id, annotator, leased_at, expires_at)


def _assignment(lease_id: int, pair_id: int, annotator, leased_at, expires_at) -> Assignment:
    """The lease as a model instance, from what the queue's statements already read."""
    fields = ["id", "pair_id", "annotator_id", "leased_at", "expires_at", "state"]
    values = [lease_id, pair_id, annotator.pk, leased_at, expires_at, AssignmentState.ACTIVE]
    lease = Assignment.from_db(connection.alias, fields, values)
    lease.annotator = annotator
    return lease


def _gold_order(project: Project) -> tuple[bool, ...]:
    """Gold pairs come first with probability `gold_rate`, unannounced."""
    if project.gold_rate <= 0:
        return (False,)
    if np.random.default_rng().random() < project.gold_rate:
        return (True, False)
    return (False, True)


def _claim(
    project: Project, annotator_id: int, gold: bool, now: datetime, expires: datetime
) -> queue_sql.LiveLease | None:
    """Lock candidates, then lease the first that still has room, counted after the lock."""
    seen: list[int] = []
    waits = 0
    query = {"project_id": project.id, "annotator_id": annotator_id, "gold": gold, "now": now}
    query["overlap"] = project.overlap
    while True:
        ids = queue_sql.candidate_ids(**query, exclude=seen, limit=queue_sql.BATCH)
        if not ids:
            # Rows other leases are checking right now were skipped, not refused: look again
            # shortly rather than tell a person "no more pairs" while some may still be free.
            if waits < LOCK_WAITS and queue_sql.candidate_ids(
                **query, exclude=seen, limit=1, lock=False
            ):
                waits += 1
                time.sleep(LOCK_WAIT_SECONDS)
                continue
            return None
        claimed = queue_sql.lease_first_with_room(
            ids=ids, annotator_id=annotator_id, overlap=project.overlap, now=now, expires=expires
        )
        if claimed is not None:
            return claimed
        # Another request of this annotator's leased first (it is theirs now), or every locked
        # candidate filled up meanwhile (look further down the queue).
        live = queue_sql.live_lease(project_id=project.id, annotator_id=annotator_id)
        if live is not None:
            return live
        seen.extend(ids)


@retry_once
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
    now = now or timezone.now()
    answer = _answer(choice, strength, rationale, active_seconds)
    if in_database(connection):
        params = submit_params(assignment_id, annotator, answer, as_shown, project, now)
        result = submit_result(queue_pg.submit(params), annotator, params)
        if result is None:
            raise Assignment.DoesNotExist("no such lease for this annotator in this project")
        return result
    with transaction.atomic():
        lease = queue_sql.lock_lease(lease_id=assignment_id, annotator_id=annotator.pk)
        if lease is None:
            raise Assignment.DoesNotExist("no such lease for this annotator")
        if lease.state == AssignmentState.SUBMITTED:
            label = Label.objects.filter(assignment_id=assignment_id).first()
            return SubmitResult(label, duplicate=True)
        if project is not None and lease.project_id != project.id:
            raise Assignment.DoesNotExist("that lease belongs to another project")
        if as_shown and lease.swapped:
            choice = SWAP.get(choice, choice)
        refusal = _late_refusal(annotator.pk, lease, now)
        if refusal:
            queue_sql.set_lease_state(lease_id=assignment_id, state=AssignmentState.EXPIRED)
            return SubmitResult(None, message=REFUSALS[refusal])
        label = Label.objects.create(
            pair_id=lease.pair_id,
            annotator=annotator,
            assignment_id=assignment_id,
            **dict(answer, choice=choice),
            server_seconds=(now - lease.leased_at).total_seconds(),
            supersedes_id=lease.undone_label_id,
        )
        queue_sql.set_lease_state(lease_id=assignment_id, state=AssignmentState.SUBMITTED)
        queue_sql.refresh_status(pair_id=lease.pair_id, overlap=lease.overlap)
        return SubmitResult(label)


def _lock_pair(pair_id: int) -> Pair:
    """Lock the pair's row, and only that row: a lock on its project would stop every answer in
    the project (a new label's foreign key check reads the project row)."""
    return Pair.objects.select_for_update(of=("self",)).get(id=pair_id)


def _late_refusal(annotator_id: int, lease: queue_sql.LockedLease, now: datetime) -> str:
    """Why a late answer cannot be kept (a key of REFUSALS), or '' if it can."""
    if lease.state == AssignmentState.ACTIVE and lease.expires_at > now:
        return ""
    if lease.state not in (AssignmentState.ACTIVE, AssignmentState.EXPIRED):
        return "released"
    taken = Assignment.objects.filter(pair_id=lease.pair_id, leased_at__gt=lease.leased_at)
    taken = taken.exclude(annotator_id=annotator_id)
    full = queue_sql.pair_load(pair_id=lease.pair_id, now=now) >= lease.overlap
    if taken.exists() or (full and not lease.is_gold):
        return "taken"
    return ""


def _answer(
    choice: str,
    strength: int | None = None,
    rationale: str = "",
    active_seconds: float | None = None,
) -> dict:
    if choice not in Choice.values:
        raise ValueError(f"unknown choice {choice!r}")
    return {
        "choice": choice,
        "strength": strength,
        "rationale": rationale.strip(),
        "active_seconds": active_seconds,
    }


def answer_submit(answer: dict, *, annotator, project: Project) -> SubmitResult | None:
    """`label_submit` of an answer as shown (its keyword arguments from `assignment_id` to
    `active_seconds`); None if the lease is not the annotator's in `project`."""
    try:
        return label_submit(**answer, annotator=annotator, as_shown=True, project=project)
    except Assignment.DoesNotExist:
        return None


def answer_params(answer: dict, *, annotator, project: Project, now: datetime) -> dict:
    """An answer as shown (`label_submit`'s keyword arguments from `assignment_id` to
    `active_seconds`) as the database's submit function takes it (queue_pg.SUBMIT_ARGS), for a
    statement that also does more."""
    fields = dict(answer)
    lease_id = fields.pop("assignment_id")
    return submit_params(lease_id, annotator, _answer(**fields), True, project, now)


def submit_params(
    assignment_id: int, annotator, answer: dict, as_shown: bool, project, now: datetime
) -> dict:
    params = {"lease": assignment_id, "annotator": annotator.pk, "swap": as_shown, **answer}
    params.update(project=None if project is None else project.id, now=now)
    params["created"] = timezone.now()
    return params


def submit_result(row: tuple, annotator, params: dict) -> SubmitResult | None:
    """What the database's submit function answered (queue_pg.submit), as `label_submit`
    returns it; None if the lease is not the annotator's (in the project, if one was given)."""
    outcome, label_id, pair_id, choice, server_seconds, supersedes = row
    if outcome == "missing":
        return None
    if outcome == "duplicate":
        return SubmitResult(Label.objects.get(id=label_id), duplicate=True)
    if outcome != "saved":
        return SubmitResult(None, message=REFUSALS[outcome])
    answer = {key: params[key] for key in ("strength", "rationale", "active_seconds")}
    fields = {"id": label_id, "pair_id": pair_id, "annotator_id": annotator.pk, **answer}
    fields.update(assignment_id=params["lease"], choice=choice, created_at=params["created"])
    fields.update(server_seconds=server_seconds, supersedes_id=supersedes)
    label = Label(**fields)
    label._state.adding, label._state.db = False, connection.alias
    label.annotator = annotator
    return SubmitResult(label)


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
        last = (
            Label.objects.live()
            .human()
            .filter(project=project, annotator=annotator, created_at__gte=now - UNDO_WINDOW)
            .order_by("-created_at")
            .first()
        )
        if last is None:
            return None
        Assignment.objects.filter(
            annotator=annotator, project=project, state=AssignmentState.ACTIVE
        ).update(state=AssignmentState.RELEASED)
        _lock_pair(last.pair_id)
        if not Label.objects.filter(id=last.id, superseded_at=None).update(superseded_at=now):
            return None  # another undo withdrew it first
        # Counted after the lock, as every lease is: a pair others filled stays theirs.
        lease = queue_sql.lease_first_with_room(
            ids=[last.pair_id],
            annotator_id=annotator.pk,
            overlap=project.overlap,
            now=now,
            expires=now + timedelta(seconds=project.lease_seconds),
        )
        queue_sql.refresh_status(pair_id=last.pair_id, overlap=project.overlap)
        return Undone(last, pair_back=lease is not None)


def assignment_release(*, project: Project, assignment_id: int) -> bool:
    """A lead hands a live lease back to the queue. False if it was no longer live."""
    released = Assignment.objects.filter(
        id=assignment_id, project=project, state=AssignmentState.ACTIVE
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
