"""What bench/soak.py counts in the database after its run (PostgreSQL): each count must be 0,
but for the live labels."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import connection

OVER_FILLED_SQL = """
SELECT count(*) FROM (
  SELECT l.pair_id FROM annotation_label l
  JOIN annotation_pair p ON p.id = l.pair_id JOIN annotation_project pr ON pr.id = p.project_id
  WHERE pr.slug = %s AND l.superseded_at IS NULL AND l.source = 'human' AND l.choice <> 'skip'
  GROUP BY l.pair_id, pr.overlap HAVING count(*) > pr.overlap
) AS over_filled
"""

DUPLICATES_SQL = """
SELECT count(*) FROM (
  SELECT l.pair_id FROM annotation_label l
  JOIN annotation_pair p ON p.id = l.pair_id JOIN annotation_project pr ON pr.id = p.project_id
  WHERE pr.slug = %s AND l.superseded_at IS NULL AND l.source = 'human'
  GROUP BY l.pair_id, l.annotator_id HAVING count(*) > 1
) AS duplicated
"""

# Pairs someone holds a live lease on whose load (live leases plus live non-skip answers, as
# annotation/queue/statements.LOAD counts it) is above the overlap. Read from the few live leases
# (assignment_one_active_per_project holds only those), not from every label.
OVER_HELD_SQL = """
SELECT a.pair_id FROM annotation_assignment a
JOIN annotation_project pr ON pr.id = a.project_id
WHERE pr.slug = %s AND a.state = 'active' AND a.expires_at > now()
GROUP BY a.pair_id, pr.overlap
HAVING count(*) + (SELECT count(*) FROM annotation_label l
                   WHERE l.pair_id = a.pair_id AND l.superseded_at IS NULL
                     AND l.source = 'human' AND l.choice <> 'skip') > pr.overlap
"""

STORED_SQL = """
SELECT assignment_id, id, annotator_id, superseded_at IS NOT NULL FROM annotation_label
WHERE assignment_id = ANY(%s) AND source = 'human'
"""

LIVE_LABELS_SQL = """
SELECT count(*) FROM annotation_label l JOIN annotation_project pr ON pr.id = l.project_id
WHERE pr.slug = %s AND l.superseded_at IS NULL AND l.source = 'human'
"""


@dataclass
class Saved:
    """An answer the server said it saved."""

    annotator_id: int
    assignment_id: int
    label_id: int | None = None  # the API names it; the htmx page does not
    undone: bool = False  # an undo right after it was accepted


def _count(statement: str, *params) -> int:
    with connection.cursor() as cursor:
        cursor.execute(statement, params)
        return cursor.fetchone()[0]


def over_filled_pairs(slug: str) -> int:
    return _count(OVER_FILLED_SQL, slug)


def duplicate_labels(slug: str) -> int:
    return _count(DUPLICATES_SQL, slug)


def live_labels(slug: str) -> int:
    return _count(LIVE_LABELS_SQL, slug)


def over_held_pairs(slug: str) -> list[int]:
    with connection.cursor() as cursor:
        cursor.execute(OVER_HELD_SQL, [slug])
        return [row[0] for row in cursor.fetchall()]


def _stored(saved: list[Saved]) -> dict[int, list[tuple[int, int, bool]]]:
    """The human labels of these answers' leases: lease id -> [(label id, annotator id,
    withdrawn)]."""
    found: dict[int, list[tuple[int, int, bool]]] = {}
    with connection.cursor() as cursor:
        cursor.execute(STORED_SQL, [[s.assignment_id for s in saved]])
        for lease_id, *label in cursor.fetchall():
            found.setdefault(lease_id, []).append(tuple(label))
    return found


def _labels_of(answer: Saved, stored: dict) -> list[tuple[int, int, bool]]:
    return [
        label
        for label in stored.get(answer.assignment_id, ())
        if label[1] == answer.annotator_id and answer.label_id in (None, label[0])
    ]


def lost_submits(saved: list[Saved]) -> list[Saved]:
    """Answers the server said it saved whose label is missing (by its lease and annotator,
    and by its id where the API gave one), or withdrawn though no undo asked for it."""
    stored = _stored(saved)
    lost = []
    for answer in saved:
        labels = _labels_of(answer, stored)
        if not labels or (not answer.undone and all(gone for *_, gone in labels)):
            lost.append(answer)
    return lost


def undos_not_applied(saved: list[Saved]) -> list[Saved]:
    """Answers whose undo the server accepted that are still live."""
    undone = [answer for answer in saved if answer.undone]
    stored = _stored(undone)
    return [a for a in undone if any(not gone for *_, gone in _labels_of(a, stored))]
