"""What the annotate page reads on every answer: the pair as shown, and the annotator's counts.

Plain SQL, like the queue's statements (annotation/queue_sql.py): one round trip for both,
without building model instances the page does not need. Where the database runs the queue's
functions (annotation/queue_pg.py), the lease itself is taken in that same round trip.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.db import connection
from django.utils import timezone

from annotation import progress, queue, queue_pg
from annotation.models import Assignment, Project
from annotation.sql import db_time, run
from config.transient import retry_once

# The annotator's counts past the session's mark (annotation/progress.py).
PROGRESS = progress.SINCE_MARK

# The counts, then the pair as stored: (prompt, a's id, text, html, html key, b's ..., swapped).
_COLUMNS = """c.total, c.recent, q.text, a.id, a.text, a.html, a.html_key,
       b.id, b.text, b.html, b.html_key, p.swapped"""
_SHOWN = """{join} annotation_pair p ON p.id = {pair}
{join} annotation_prompt q ON q.id = p.prompt_id
{join} annotation_response a ON a.id = p.response_a_id
{join} annotation_response b ON b.id = p.response_b_id"""

# The counts and the pair in one round trip (the page needs both after every answer).
PAGE = f"""
SELECT {_COLUMNS}
FROM ({PROGRESS}) c
{_SHOWN.format(join="JOIN", pair="%(pair)s")}
"""  # noqa: S608 (built from constants; every value is a parameter)

# The lease (the live one, or a new one), the counts and the pair in one round trip. The
# counts read the statement's snapshot, taken before the function leases: they see every
# label committed before, and a lease adds none.
LEASE_PAGE = f"""
WITH l AS MATERIALIZED ({queue_pg.LEASE_CALL})
SELECT l.o_lease, l.o_pair, l.o_leased_at, l.o_expires_at, {_COLUMNS}
FROM ({PROGRESS}) c
LEFT JOIN l ON true
{_SHOWN.format(join="LEFT JOIN", pair="l.o_pair")}
"""  # noqa: S608 (built from constants; every value is a parameter)

# An answer, then the lease, the counts and the pair: one round trip and one transaction for
# the htmx answer. `l` waits on `s` (its one-time filter reads `s` first), so the lease sees the
# answer: its lease is closed and its pair's status set. The counts read the statement's
# snapshot, taken before either function ran, so they miss the label the answer saved: the
# caller adds it (answer_and_page).
ANSWER_PAGE = f"""
WITH s AS MATERIALIZED ({queue_pg.SUBMIT_CALL}),
l AS MATERIALIZED ({queue_pg.LEASE_CALL} WHERE (SELECT count(*) FROM s) > 0)
SELECT s.*, l.o_lease, l.o_pair, l.o_leased_at, l.o_expires_at, {_COLUMNS}
FROM ({PROGRESS}) c
CROSS JOIN s
LEFT JOIN l ON true
{_SHOWN.format(join="LEFT JOIN", pair="l.o_pair")}
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


@retry_once
def lease_and_page(
    *, project: Project, annotator, since: datetime, mark: progress.Mark = progress.NONE
) -> tuple[Assignment | None, Page]:
    """The annotator's lease (assignment_lease) and the page that shows it."""
    if not queue.in_database(connection):
        lease = queue.assignment_lease(project=project, annotator=annotator)
        pair_id = None if lease is None else lease.pair_id
        return lease, page(project_id=project.id, annotator_id=annotator.pk, since=since,
                           pair_id=pair_id, mark=mark)  # fmt: skip
    params = queue.lease_params(project, annotator, timezone.now())
    row = run(LEASE_PAGE, dict(params, since=db_time(since), mark=db_time(mark.at)))[0]
    lease, shown = _lease_and_page(row, annotator, mark)
    reader = {"project": project, "annotator": annotator, "since": since, "mark": mark}
    return lease, with_pair(lease, shown, **reader)


@retry_once
def answer_and_page(
    *,
    project: Project,
    annotator,
    since: datetime,
    mark: progress.Mark = progress.NONE,
    answer: dict,
) -> tuple[queue.SubmitResult | None, Assignment | None, Page]:
    """queue.label_submit of `answer` (its keyword arguments; the choice as shown), then
    lease_and_page: the result (None if the lease is not the annotator's in `project`), the
    lease and the page. Where the database runs the queue's functions, one statement."""
    if not queue.in_database(connection):
        result = queue.answer_submit(answer, annotator=annotator, project=project)
        lease, page = lease_and_page(project=project, annotator=annotator, since=since, mark=mark)
        return result, lease, page
    now = timezone.now()
    submit = queue.answer_params(answer, annotator=annotator, project=project, now=now)
    params = {**queue.lease_params(project, annotator, now), **submit}
    row = run(ANSWER_PAGE, dict(params, since=db_time(since), mark=db_time(mark.at)))[0]
    result = queue.submit_result(row[:6], annotator, submit)
    # The label this statement saved is the only one its counts cannot see.
    lease, shown = _lease_and_page(row[6:], annotator, mark, saved=int(row[0] == "saved"))
    reader = {"project": project, "annotator": annotator, "since": since, "mark": mark}
    return result, lease, with_pair(lease, shown, **reader)


def with_pair(lease: Assignment | None, shown: Page, *, project, annotator, since, mark) -> Page:
    """The page, its pair read again where the statement leased a pair it could not see: the
    statement reads rows in the snapshot it began with, and its lease function in a newer one,
    so a pair added in between (an import while people label) is leased but not seen."""
    if lease is None or shown.pair is not None:
        return shown
    return page(project_id=project.id, annotator_id=annotator.pk, since=since,
                pair_id=lease.pair_id, mark=mark)  # fmt: skip


def _lease_and_page(
    row: tuple, annotator, mark: progress.Mark, saved: int = 0
) -> tuple[Assignment | None, Page]:
    """From the lease's columns (NULLs if none), the counts and the pair's: the lease and the
    page, `saved` labels added to the counts."""
    lease = None if row[0] is None else queue.assignment_from_row(row[:4], annotator)
    total, recent, *shown = row[4:]
    counts = (total + saved, recent + saved)
    seen = lease is not None and shown[0] is not None  # the prompt's text is never NULL
    return lease, _page((*counts, *shown) if seen else counts, mark)


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
