"""What the annotate page reads on every answer: the pair as shown, and the annotator's counts.

Plain SQL, like the queue's statements (annotation/queue_sql.py): one round trip for both,
without building model instances the page does not need.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from annotation.sql import db_time, run

# An index-only read of label_annotator_project_idx: no join, whatever the annotator's history.
PROGRESS = """
SELECT count(*) AS total, count(*) FILTER (WHERE l.created_at >= %(since)s) AS recent
FROM annotation_label l
WHERE l.annotator_id = %(annotator)s AND l.project_id = %(project)s
  AND l.superseded_at IS NULL AND l.source = 'human'
"""

# The counts and the pair in one round trip (the page needs both after every answer).
PAGE = f"""
SELECT c.total, c.recent, q.text, a.id, a.text, a.html, a.html_key,
       b.id, b.text, b.html, b.html_key, p.swapped
FROM ({PROGRESS}) c
CROSS JOIN annotation_pair p
JOIN annotation_prompt q ON q.id = p.prompt_id
JOIN annotation_response a ON a.id = p.response_a_id
JOIN annotation_response b ON b.id = p.response_b_id
WHERE p.id = %(pair)s
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
    """The annotator's live answers in the project (in all, and since the session began) and
    the pair they hold, if any."""

    done_total: int
    done_session: int
    pair: ShownPair | None


def page(*, project_id: int, annotator_id: int, since: datetime, pair_id: int | None) -> Page:
    """The counts and, when `pair_id` is given, that pair as shown: one statement."""
    params = {"project": project_id, "annotator": annotator_id, "since": db_time(since)}
    if pair_id is None:
        total, recent = run(PROGRESS, params)[0]
        return Page(total, recent, None)
    total, recent, prompt, *a, swapped = run(PAGE, dict(params, pair=pair_id))[0]
    left, right = tuple(a[:4]), tuple(a[4:])
    return Page(total, recent, ShownPair(prompt, *((right, left) if swapped else (left, right))))
