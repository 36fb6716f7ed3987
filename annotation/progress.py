"""The annotator's counts on the annotate page, without reading their whole history per answer.

Every answer shows "labeled in all" and "this session". Counting them outright reads every live
label the annotator has in the project, so each answer would cost more than the one before.
Instead the session keeps a mark: the counts of labels created
before a moment a few minutes back. Each page counts only the labels created since that moment
(workbench.PROGRESS) and adds the mark's counts; once that recent stretch holds REFRESH_AFTER
labels, the mark moves forward (one full count per REFRESH_AFTER answers, and at most one per
MIN_MOVE: a mark never passes labels younger than MARGIN, so someone answering more than
REFRESH_AFTER pairs within MARGIN would otherwise recount, and rewrite the session, per answer).

The mark stays exact because nothing changes a label that old: an undo reaches back
queue.UNDO_WINDOW, less than MARGIN, and labels are only ever created "now". Labels that a
person's other sessions add land after the mark, so they are counted too.
"""

from __future__ import annotations

from collections.abc import MutableMapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.utils import timezone
from django.utils.dateparse import parse_datetime

from annotation.queue import UNDO_WINDOW
from annotation.sql import db_time, run

# Longer than UNDO_WINDOW: an undo never reaches a label the mark has counted.
MARGIN = max(timedelta(minutes=5), 2 * UNDO_WINDOW)
REFRESH_AFTER = 200
MIN_MOVE = timedelta(minutes=1)
SESSION_KEY = "annotate-progress-marks"
# Counts everything: the mark of a page read without one.
ORIGIN = datetime(1970, 1, 1, tzinfo=UTC)

# The annotator's live labels in the project created in {window}: in all, and since the
# session began. An index-only range read of label_annotator_project_idx.
_COUNTS = """
SELECT count(*) AS total, count(*) FILTER (WHERE l.created_at >= %(since)s) AS recent
FROM annotation_label l
WHERE l.annotator_id = %(annotator)s AND l.project_id = %(project)s
  AND l.superseded_at IS NULL AND l.source = 'human' AND l.created_at {window}
"""
# What the mark holds, and what each page counts past it (workbench.PROGRESS).
BEFORE = _COUNTS.format(window="< %(at)s")
SINCE_MARK = _COUNTS.format(window=">= %(mark)s")


@dataclass(frozen=True)
class Mark:
    """Counts of the annotator's live labels in the project created before `at`: `total` in
    all, `recent` since the session began."""

    at: datetime
    total: int = 0
    recent: int = 0


NONE = Mark(ORIGIN)


def mark(session: MutableMapping, *, project_id: int, annotator_id: int, since: datetime) -> Mark:
    """The session's mark for this project, made (one full count) if it has none yet."""
    stored = session.get(SESSION_KEY, {}).get(str(project_id))
    if stored is not None and stored[0] == since.isoformat():
        return Mark(parse_datetime(stored[1]), stored[2], stored[3])
    return _remember(session, project_id, annotator_id, since)


def settle(
    session: MutableMapping,
    current: Mark,
    *,
    project_id: int,
    annotator_id: int,
    since: datetime,
    counted_since_mark: int,
) -> None:
    """Move the mark forward once the page counts too many labels past it and the move
    would pass at least MIN_MOVE more of them."""
    if counted_since_mark >= REFRESH_AFTER and _movable(current):
        _remember(session, project_id, annotator_id, since)


def _movable(current: Mark) -> bool:
    return _new_mark_time() - current.at >= MIN_MOVE


def _new_mark_time() -> datetime:
    """Where a mark made now sits: MARGIN back, behind every label an undo can still reach."""
    return timezone.now() - MARGIN


def _remember(session: MutableMapping, project_id: int, annotator_id: int, since: datetime) -> Mark:
    at = _new_mark_time()
    params = {"project": project_id, "annotator": annotator_id}
    params.update(since=db_time(since), at=db_time(at))
    total, recent = run(BEFORE, params)[0]
    marks = dict(session.get(SESSION_KEY, {}))
    marks[str(project_id)] = [since.isoformat(), at.isoformat(), total, recent]
    session[SESSION_KEY] = marks
    return Mark(at, total, recent)
