"""What the annotate page reads on every answer: the pair as shown, and the annotator's counts.

Plain SQL, like the queue's statements (annotation/queue_sql.py): one round trip each, without
building model instances the page does not need.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from annotation.sql import db_time, run

SHOWN_PAIR = """
SELECT q.text, a.id, a.text, a.html, a.html_key, b.id, b.text, b.html, b.html_key, p.swapped
FROM annotation_pair p
JOIN annotation_prompt q ON q.id = p.prompt_id
JOIN annotation_response a ON a.id = p.response_a_id
JOIN annotation_response b ON b.id = p.response_b_id
WHERE p.id = %(pair)s
"""

# An index-only read of label_annotator_project_idx: no join, whatever the annotator's history.
PROGRESS = """
SELECT count(*), count(*) FILTER (WHERE l.created_at >= %(since)s)
FROM annotation_label l
WHERE l.annotator_id = %(annotator)s AND l.project_id = %(project)s
  AND l.superseded_at IS NULL AND l.source = 'human'
"""


@dataclass(frozen=True)
class ShownPair:
    """A pair in the order the annotator sees it (stored order, or swapped). Each side is
    (response id, text, stored html, stored html key)."""

    prompt_text: str
    left: tuple[int, str, str, str]
    right: tuple[int, str, str, str]


def shown_pair(pair_id: int) -> ShownPair:
    prompt, *a, swapped = run(SHOWN_PAIR, {"pair": pair_id})[0]
    left, right = tuple(a[:4]), tuple(a[4:])
    return ShownPair(prompt, *((right, left) if swapped else (left, right)))


def progress(*, project_id: int, annotator_id: int, since: datetime) -> dict[str, int]:
    """The annotator's live answers in this project: in all, and since `since`."""
    params = {"project": project_id, "annotator": annotator_id, "since": db_time(since)}
    total, recent = run(PROGRESS, params)[0]
    return {"done_total": total, "done_session": recent}
