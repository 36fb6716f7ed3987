"""The queue's statements, written as SQL: the ORM cannot say "insert a lease for the first of
these locked pairs that still has room, counted now" in one statement. They run on PostgreSQL
and SQLite alike; only the row lock differs (`FOR UPDATE SKIP LOCKED` on PostgreSQL; SQLite
holds its write lock for the whole transaction).

A pair's load is its live human answers that are not skips plus its unexpired leases.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db import connection

from annotation.sql import db_time, execute, id_params, py_time, run

# How many candidate pairs one lease attempt locks at once.
BATCH = 4

ANSWERS = """(SELECT count(*) FROM annotation_label l
  WHERE l.pair_id = {pair} AND l.superseded_at IS NULL AND l.source = 'human'
    AND l.choice <> 'skip')"""

LEASES = """(SELECT count(*) FROM annotation_assignment a
  WHERE a.pair_id = {pair} AND a.state = 'active' AND a.expires_at > %(now)s)"""

# The load of pair `p` in the enclosing statement.
LOAD = f"({ANSWERS.format(pair='p.id')} + {LEASES.format(pair='p.id')})"

# Open pairs this annotator has neither answered nor leased, best first. The load test here is
# only a pre-filter (it reads a snapshot taken before the lock); `LEASE_FIRST_WITH_ROOM`
# counts again, in a fresh statement, once the rows are locked.
CANDIDATES = f"""
SELECT p.id FROM annotation_pair p
WHERE p.project_id = %(project)s AND p.status = 'open' AND p.is_gold = %(gold)s
  AND NOT EXISTS (SELECT 1 FROM annotation_label l
                  WHERE l.pair_id = p.id AND l.annotator_id = %(annotator)s
                    AND l.superseded_at IS NULL)
  AND NOT EXISTS (SELECT 1 FROM annotation_assignment a
                  WHERE a.pair_id = p.id AND a.annotator_id = %(annotator)s
                    AND a.state = 'active' AND a.expires_at > %(now)s)
  AND {LOAD} < %(overlap)s
  {{exclude}}
ORDER BY p.priority DESC, p.id
LIMIT %(limit)s {{lock}}
"""  # noqa: S608 (built from constants; every value is a parameter)

# ON CONFLICT: the annotator's one live lease in the project is held by a unique index
# (assignment_one_active_per_project). When another request of theirs leased first, this
# inserts nothing, after waiting for that request to commit, and the caller returns that lease.
LEASE_FIRST_WITH_ROOM = f"""
INSERT INTO annotation_assignment (pair_id, project_id, annotator_id, leased_at, expires_at, state)
SELECT p.id, p.project_id, %(annotator)s, %(now)s, %(expires)s, 'active' FROM annotation_pair p
WHERE p.id IN ({{ids}}) AND {LOAD} < %(overlap)s
ORDER BY p.priority DESC, p.id
LIMIT 1
ON CONFLICT DO NOTHING
RETURNING id, pair_id
"""  # noqa: S608 (built from constants; every value is a parameter)

NEW_STATUS = (
    f"CASE WHEN {ANSWERS.format(pair='%(pair)s')} >= %(overlap)s THEN 'complete' ELSE 'open' END"
)

# Complete once enough people gave a usable answer (skips do not count); reopen otherwise.
# A retired pair stays retired; a pair already in the right state is not written again.
REFRESH_STATUS = f"""
UPDATE annotation_pair
SET status = {NEW_STATUS}
WHERE id = %(pair)s AND status <> 'retired' AND status <> {NEW_STATUS}
"""  # noqa: S608 (built from constants; every value is a parameter)


# The lease and its pair, both locked, with what answering needs to know in one round trip.
LOCK_LEASE = """
SELECT a.state, a.leased_at, a.expires_at, a.pair_id, p.project_id, p.swapped, p.is_gold,
       pr.overlap,
       (SELECT l.id FROM annotation_label l
        WHERE l.pair_id = a.pair_id AND l.annotator_id = a.annotator_id
          AND l.superseded_at IS NOT NULL
        ORDER BY l.created_at DESC LIMIT 1)
FROM annotation_assignment a
JOIN annotation_pair p ON p.id = a.pair_id
JOIN annotation_project pr ON pr.id = p.project_id
WHERE a.id = %(lease)s AND a.annotator_id = %(annotator)s
{lock}
"""

# The annotator's active lease in the project: at most one (assignment_one_active_per_project),
# found by that index. It may have run out: the queue marks it expired before leasing another.
LIVE_LEASE = """
SELECT a.id, a.pair_id, a.leased_at, a.expires_at
FROM annotation_assignment a
WHERE a.annotator_id = %(annotator)s AND a.project_id = %(project)s AND a.state = 'active'
"""

EXPIRE_LEASE = """
UPDATE annotation_assignment SET state = 'expired' WHERE id = %(lease)s AND state = 'active'
"""

PAIR_LOAD = f"SELECT {LOAD} FROM annotation_pair p WHERE p.id = %(pair)s"  # noqa: S608 (constants)

SET_LEASE_STATE = "UPDATE annotation_assignment SET state = %(state)s WHERE id = %(lease)s"


@dataclass(frozen=True)
class LiveLease:
    id: int
    pair_id: int
    leased_at: datetime
    expires_at: datetime


@dataclass(frozen=True)
class LockedLease:
    state: str
    leased_at: datetime
    expires_at: datetime
    pair_id: int
    project_id: int
    swapped: bool
    is_gold: bool
    overlap: int
    # The annotator's own label on this pair that an undo superseded, if any.
    undone_label_id: int | None


def candidate_ids(
    *,
    project_id: int,
    annotator_id: int,
    gold: bool,
    overlap: int,
    now: datetime,
    exclude: list[int],
    limit: int,
    lock: bool = True,
) -> list[int]:
    """Up to `limit` candidate pairs, locked for this transaction unless `lock` is False.

    On PostgreSQL rows that other transactions hold are skipped, not waited for.
    """
    lock_sql = "FOR UPDATE OF p SKIP LOCKED" if lock and connection.vendor == "postgresql" else ""
    marks, params = id_params("x", exclude)
    skip = f"AND p.id NOT IN ({marks})" if exclude else ""
    params.update(project=project_id, annotator=annotator_id, gold=gold, overlap=overlap)
    params.update(now=db_time(now), limit=limit)
    return [row[0] for row in run(CANDIDATES.format(exclude=skip, lock=lock_sql), params)]


def lease_first_with_room(
    *, ids: list[int], annotator_id: int, overlap: int, now: datetime, expires: datetime
) -> LiveLease | None:
    """Lease the best of these locked pairs whose load, counted now, is below the overlap;
    None if none has room, or if the annotator holds a live lease in the project already."""
    marks, params = id_params("c", ids)
    params.update(annotator=annotator_id, overlap=overlap)
    params.update(now=db_time(now), expires=db_time(expires))
    rows = run(LEASE_FIRST_WITH_ROOM.format(ids=marks), params)
    return LiveLease(rows[0][0], rows[0][1], now, expires) if rows else None


def live_lease(*, project_id: int, annotator_id: int) -> LiveLease | None:
    """The annotator's active lease in the project, run out or not."""
    rows = run(LIVE_LEASE, {"project": project_id, "annotator": annotator_id})
    if not rows:
        return None
    lease_id, pair_id, leased_at, expires_at = rows[0]
    return LiveLease(lease_id, pair_id, py_time(leased_at), py_time(expires_at))


def expire_lease(*, lease_id: int) -> None:
    execute(EXPIRE_LEASE, {"lease": lease_id})


def lock_lease(*, lease_id: int, annotator_id: int) -> LockedLease | None:
    """Lock the annotator's lease and its pair; None if the lease is not theirs."""
    lock = "FOR UPDATE OF a, p" if connection.vendor == "postgresql" else ""
    rows = run(LOCK_LEASE.format(lock=lock), {"lease": lease_id, "annotator": annotator_id})
    if not rows:
        return None
    state, leased_at, expires_at, pair_id, project_id, swapped, gold, overlap, undone = rows[0]
    return LockedLease(
        state=state,
        leased_at=py_time(leased_at),
        expires_at=py_time(expires_at),
        pair_id=pair_id,
        project_id=project_id,
        swapped=bool(swapped),
        is_gold=bool(gold),
        overlap=overlap,
        undone_label_id=undone,
    )


def set_lease_state(*, lease_id: int, state: str) -> None:
    execute(SET_LEASE_STATE, {"lease": lease_id, "state": state})


def refresh_status(*, pair_id: int, overlap: int) -> None:
    execute(REFRESH_STATUS, {"pair": pair_id, "overlap": overlap})


def pair_load(*, pair_id: int, now: datetime) -> int:
    """Live usable answers plus unexpired leases of one pair."""
    return run(PAIR_LOAD, {"pair": pair_id, "now": db_time(now)})[0][0]


# Back to open: complete pairs among `ids` that no lead decided and fewer than `overlap` people
# answered (the rule REFRESH_STATUS completes them by).
REOPEN = f"""
UPDATE annotation_pair SET status = 'open'
WHERE id IN ({{ids}}) AND status = 'complete'
  AND {ANSWERS.format(pair="annotation_pair.id")} < %(overlap)s
  AND NOT EXISTS (SELECT 1 FROM annotation_label l
                  WHERE l.pair_id = annotation_pair.id AND l.source = 'adjudicated'
                    AND l.superseded_at IS NULL)
"""  # noqa: S608 (built from constants; every value is a parameter)
# Ids per REOPEN statement: well under SQLite's parameter limit.
REOPEN_BATCH = 500


def reopen(*, pair_ids: list[int], overlap: int) -> int:
    """How many of these complete pairs went back to open (see REOPEN)."""
    reopened = 0
    for start in range(0, len(pair_ids), REOPEN_BATCH):
        marks, params = id_params("r", pair_ids[start : start + REOPEN_BATCH])
        with connection.cursor() as cursor:
            cursor.execute(REOPEN.format(ids=marks), dict(params, overlap=overlap))
            reopened += cursor.rowcount
    return reopened
