"""What the annotate page reads on every answer: the pair as shown, and the annotator's counts.

Plain SQL, one statement for both, without building model instances the page does not need.
The lease and the answer themselves are the queue's (annotation/queue).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings

from annotation import progress, queue
from annotation.models import Assignment, Project
from annotation.sql import db_time, run

# The annotator's counts past the session's mark (annotation/progress.py).
PROGRESS = progress.SINCE_MARK

# The counts, then the pair as stored: (prompt, a's id, text, html, html key, b's ..., swapped).
_COLUMNS = """c.total, c.recent, q.text, a.id, a.text, a.html, a.html_key,
       b.id, b.text, b.html, b.html_key, p.swapped"""

# The counts and the pair in one round trip (the page needs both after every answer).
PAGE = f"""
SELECT {_COLUMNS}
FROM ({PROGRESS}) c
JOIN annotation_pair p ON p.id = %(pair)s
JOIN annotation_prompt q ON q.id = p.prompt_id
JOIN annotation_response a ON a.id = p.response_a_id
JOIN annotation_response b ON b.id = p.response_b_id
"""  # noqa: S608 (built from constants; every value is a parameter)


@dataclass(frozen=True)
class ShownPair:
    """A pair in the order the annotator sees it (stored order, or swapped). Each side is
    (response id, text, stored html, stored html key)."""

    prompt_text: str
    left: tuple[int, str, str, str]
    right: tuple[int, str, str, str]


@dataclass(frozen=True)
class Page:
    """The annotator's live answers in the project (in all, and since the session began), the
    pair they hold, if any, and how many of those answers came after the mark the counts began
    from (progress.settle)."""

    done_total: int
    done_session: int
    pair: ShownPair | None
    counted_since_mark: int


def page(
    *,
    project_id: int,
    annotator_id: int,
    since: datetime,
    pair_id: int | None,
    mark: progress.Mark = progress.NONE,
) -> Page:
    """The counts (from `mark` on) and, when `pair_id` is given, that pair as shown: one
    statement."""
    params = {"project": project_id, "annotator": annotator_id, "since": db_time(since)}
    params["mark"] = db_time(mark.at)
    if pair_id is None:
        return _page(run(PROGRESS, params)[0], mark)
    return _page(run(PAGE, dict(params, pair=pair_id))[0], mark)


def lease_and_page(
    *, project: Project, annotator, since: datetime, mark: progress.Mark = progress.NONE
) -> tuple[Assignment | None, Page]:
    """The annotator's lease (queue.assignment_lease) and the page that shows it."""
    lease = queue.assignment_lease(project=project, annotator=annotator)
    return lease, _page_for(lease, project, annotator, since, mark)


def answer_and_page(
    lease_id: int,
    answer: queue.Answer,
    *,
    project: Project,
    annotator,
    since: datetime,
    mark: progress.Mark = progress.NONE,
) -> tuple[queue.SubmitResult | None, Assignment | None, Page]:
    """queue.answer_and_lease, and the page that shows the next lease."""
    result, lease = queue.answer_and_lease(lease_id, answer, annotator=annotator, project=project)
    return result, lease, _page_for(lease, project, annotator, since, mark)


def _page_for(lease: Assignment | None, project: Project, annotator, since, mark) -> Page:
    """The page that shows `lease` (the counts alone when there is none)."""
    pair_id = None if lease is None else lease.pair_id
    return page(project_id=project.id, annotator_id=annotator.pk, since=since, pair_id=pair_id,
                mark=mark)  # fmt: skip


def _page(row: tuple, mark: progress.Mark) -> Page:
    """From (total, recent) past `mark`, then the pair's columns if one is shown: the page,
    with the mark's own counts added."""
    total, recent, *shown = row
    pair = None
    if shown:
        prompt, *a, swapped = shown
        left, right = tuple(a[:4]), tuple(a[4:])
        pair = ShownPair(prompt, *((right, left) if swapped else (left, right)))
    return Page(total + mark.total, recent + mark.recent, pair, counted_since_mark=total)


# The project's queue by status. Counting it reads every pair of the project, which at 100k
# pairs costs more than the rest of an answer: each process keeps the counts for
# QUEUE_COUNTS_MAX_AGE seconds.
QUEUE_COUNTS = """
SELECT count(*) FILTER (WHERE status = 'open'), count(*) FILTER (WHERE status = 'complete')
FROM annotation_pair WHERE project_id = %(project)s
"""
_queue_counts: dict[int, tuple[float, QueueCounts]] = {}


@dataclass(frozen=True)
class QueueCounts:
    """Pairs of the project still open, and complete (retired pairs count in neither)."""

    open: int
    complete: int

    @property
    def percent_complete(self) -> int:
        total = self.open + self.complete
        return round(100 * self.complete / total) if total else 100


def queue_counts(project_id: int) -> QueueCounts:
    """The project's queue counts, at most QUEUE_COUNTS_MAX_AGE seconds old."""
    now = time.monotonic()
    kept = _queue_counts.get(project_id)
    if kept is not None and now - kept[0] < settings.QUEUE_COUNTS_MAX_AGE:
        return kept[1]
    counts = QueueCounts(*run(QUEUE_COUNTS, {"project": project_id})[0])
    _queue_counts[project_id] = (now, counts)
    return counts
