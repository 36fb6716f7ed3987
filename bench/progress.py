"""The annotate page's counts against the annotator's history (annotation/progress.py).

For annotators with 0, 2,000 and 20,000 earlier labels in a project, times the statement the
page runs after every answer (counts + the shown pair) two ways, alternating in one process:
`full` counts every live label (the mark at the origin, as before marks existed), `mark` counts
only past a session's mark. Printed: ms per page (PostgreSQL's work and the round trip) and
full/mark; the `mark` column should stay flat as the history grows.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/pairsmith_bench_serve python bench/progress.py
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/pairsmith_bench_serve")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

from bench.common import ensure_database  # noqa: E402

# Labels for one annotator on the first `count` pairs, spread over the past days.
HISTORY = """
INSERT INTO annotation_label (pair_id, project_id, annotator_id, judge, choice, rationale, source,
                              smoothing, created_at)
SELECT p.id, p.project_id, %(annotator)s, '', 'a', '', 'human', 0,
       now() - interval '3 days' + (row_number() OVER (ORDER BY p.id)) * interval '10 seconds'
FROM annotation_pair p WHERE p.project_id = %(project)s
ORDER BY p.id LIMIT %(count)s
"""


def setup(histories: list[int]):
    """A project with enough pairs, and one annotator per history size (and a pair to show)."""
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.db import connection

    from annotation.models import Pair, Project
    from bench.serve_data import make_queue, refresh_statistics

    make_queue(slug="bench", pairs=max(histories) + 1, annotators=0)
    project = Project.objects.get(slug="bench")
    people = []
    for size in histories:
        person, _ = get_user_model().objects.get_or_create(username=f"history-{size}")
        with connection.cursor() as cursor:
            cursor.execute(HISTORY, {"annotator": person.pk, "project": project.id, "count": size})
        people.append(person)
    refresh_statistics()
    with connection.cursor() as cursor:
        cursor.execute("VACUUM annotation_label")  # as autovacuum leaves a settled table
    return project, people, Pair.objects.filter(project=project).order_by("-id").first()


def timed(fn, rounds: int) -> float:
    started = time.perf_counter()
    for _ in range(rounds):
        fn()
    return (time.perf_counter() - started) / rounds * 1000


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--histories", default="0,2000,20000")
    parser.add_argument("--rounds", type=int, default=200)
    args = parser.parse_args()
    ensure_database()
    subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], cwd=ROOT, check=True)
    histories = [int(h) for h in args.histories.split(",")]
    project, people, shown = setup(histories)

    from django.utils import timezone

    from annotation import progress, workbench

    since = timezone.now() - timedelta(hours=1)
    print(f"{'history':>8} {'full ms':>8} {'mark ms':>8} {'full/mark':>9}")
    for size, person in zip(histories, people, strict=True):
        mark = progress.mark({}, project_id=project.id, annotator_id=person.pk, since=since)
        where = {"project_id": project.id, "annotator_id": person.pk, "since": since}

        def full(where=where):
            return workbench.page(**where, pair_id=shown.id)

        def marked(where=where, mark=mark):
            return workbench.page(**where, pair_id=shown.id, mark=mark)

        assert full().done_total == marked().done_total == size
        runs = {"full": [], "mark": []}
        for _ in range(5):  # alternate, so both see the same machine
            runs["full"].append(timed(full, args.rounds))
            runs["mark"].append(timed(marked, args.rounds))
        a, b = statistics.median(runs["full"]), statistics.median(runs["mark"])
        print(f"{size:>8} {a:>8.3f} {b:>8.3f} {a / b:>9.1f}")


if __name__ == "__main__":
    main()
