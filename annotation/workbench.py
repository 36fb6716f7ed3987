"""What the annotate page reads on every answer: the pair as shown, and the annotator's counts.

Plain SQL, like the queue's statements (annotation/queue_sql.py): one round trip for both,
without building model instances the page does not need. Where the database runs the queue's
functions (annotation/queue_pg.py), the lease itself is taken in that same round trip.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db import connection
from django.utils import timezone

from annotation import progress, queue, queue_pg
from annotation.models import Assignment, Project
from annotation.sql import db_time, run

# The annotator's live labels created since the session's mark (annotation/progress.py): in
# all, and since the session began. An index-only range read of label_annotator_project_idx.
PROGRESS = """
SELECT count(*) AS total, count(*) FILTER (WHERE l.created_at >= %(since)s) AS recent
FROM annotation_label l
WHERE l.annotator_id = %(annotator)s AND l.project_id = %(project)s
  AND l.superseded_at IS NULL AND l.source = 'human' AND l.created_at >= %(mark)s
"""

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
    counted_since_mark: int = 0


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
        total, recent = run(PROGRESS, params)[0]
        return _counted(Page(total, recent, None), mark)
    return _counted(_page(run(PAGE, dict(params, pair=pair_id))[0]), mark)


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
    if row[0] is None:
        return None, _counted(Page(row[4], row[5], None), mark)
    return queue.assignment_from_row(row[:4], annotator), _counted(_page(row[4:]), mark)


def _counted(page: Page, mark: progress.Mark) -> Page:
    """The page's counts, which began at `mark`, with the mark's own added."""
    return Page(page.done_total + mark.total, page.done_session + mark.recent, page.pair,
                counted_since_mark=page.done_total)  # fmt: skip


def _page(row: tuple) -> Page:
    total, recent, prompt, *a, swapped = row
    left, right = tuple(a[:4]), tuple(a[4:])
    return Page(total, recent, ShownPair(prompt, *((right, left) if swapped else (left, right))))
