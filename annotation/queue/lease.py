"""Leasing: the annotator's live lease, or a new one on the best open pair with room.

Every lease first locks candidate pairs, then counts their load again in a fresh statement
(statements.LEASE_FIRST_WITH_ROOM). On PostgreSQL the lock is `FOR UPDATE SKIP LOCKED`, so
people asking at once take different pairs without waiting; on SQLite the transaction holds
the database's write lock (IMMEDIATE mode).
"""

from __future__ import annotations

import time
from datetime import datetime, timedelta

import numpy as np
from django.db import connection, transaction
from django.utils import timezone

from annotation.models import Assignment, AssignmentState, Project
from annotation.queue import statements
from config.transient import retry_once

# How often a lease looks again when every candidate was locked by someone else's lease.
LOCK_WAITS = 5
LOCK_WAIT_SECONDS = 0.05


@retry_once
def assignment_lease(
    *, project: Project, annotator, now: datetime | None = None
) -> Assignment | None:
    """The annotator's live lease in this project, or a new one on the best pair; None if empty."""
    now = now or timezone.now()
    # No savepoint inside an answer's transaction (answer_and_lease): nothing here raises.
    with transaction.atomic(savepoint=False):
        lease = _live_lease(project, annotator.pk, now)
        if lease is None:
            lease = _new_lease(project, annotator.pk, now)
    return None if lease is None else _assignment(lease, project, annotator)


def assignment_release(*, project: Project, assignment_id: int) -> bool:
    """A lead hands a live lease back to the queue. False if it was no longer live."""
    live = Assignment.objects.filter(
        id=assignment_id, project=project, state=AssignmentState.ACTIVE
    )
    return bool(live.update(state=AssignmentState.RELEASED))


def leases_release(*, project: Project, annotator) -> int:
    """Hand the annotator's live leases in the project back (undo, deactivation)."""
    live = Assignment.objects.filter(
        annotator=annotator, project=project, state=AssignmentState.ACTIVE
    )
    return live.update(state=AssignmentState.RELEASED)


def _live_lease(project: Project, annotator_id: int, now: datetime):
    """The annotator's unexpired lease; one that ran out is marked expired, so that a new lease
    may take its place (one active lease per person and project, a unique index)."""
    lease = statements.live_lease(project_id=project.id, annotator_id=annotator_id)
    if lease is None or lease.expires_at > now:
        return lease
    statements.expire_lease(lease_id=lease.id)
    return None


def _new_lease(project: Project, annotator_id: int, now: datetime):
    expires = now + timedelta(seconds=project.lease_seconds)
    for gold in _gold_order(project):
        lease = _claim(project, annotator_id, gold, now, expires)
        if lease is not None:
            return lease
    return None


def _gold_order(project: Project) -> tuple[bool, ...]:
    """Gold pairs come first with probability `gold_rate`, unannounced."""
    if project.gold_rate <= 0:
        return (False,)
    if np.random.default_rng().random() < project.gold_rate:
        return (True, False)
    return (False, True)


def _claim(project: Project, annotator_id: int, gold: bool, now: datetime, expires: datetime):
    """Lock candidates, then lease the first that still has room, counted after the lock."""
    seen: list[int] = []
    waits = 0
    query = {"project_id": project.id, "annotator_id": annotator_id, "gold": gold, "now": now}
    query["overlap"] = project.overlap
    while True:
        ids = statements.candidate_ids(**query, exclude=seen, limit=statements.BATCH)
        if not ids:
            # Rows other leases are checking right now were skipped, not refused: look again
            # shortly rather than tell a person "no more pairs" while some may still be free.
            if waits < LOCK_WAITS and statements.candidate_ids(
                **query, exclude=seen, limit=1, lock=False
            ):
                waits += 1
                time.sleep(LOCK_WAIT_SECONDS)
                continue
            return None
        claimed = statements.lease_first_with_room(
            ids=ids, annotator_id=annotator_id, overlap=project.overlap, now=now, expires=expires
        )
        if claimed is not None:
            return claimed
        # Another request of this annotator's leased first (it is theirs now), or every locked
        # candidate filled up meanwhile (look further down the queue).
        live = statements.live_lease(project_id=project.id, annotator_id=annotator_id)
        if live is not None:
            return live
        seen.extend(ids)


def _assignment(lease: statements.LiveLease, project: Project, annotator) -> Assignment:
    """The lease as a model instance, from what the queue's statements already read."""
    fields = ["id", "pair_id", "project_id", "annotator_id", "leased_at", "expires_at", "state"]
    values = [lease.id, lease.pair_id, project.id, annotator.pk, lease.leased_at]
    values += [lease.expires_at, AssignmentState.ACTIVE]
    assignment = Assignment.from_db(connection.alias, fields, values)
    assignment.annotator = annotator
    return assignment
