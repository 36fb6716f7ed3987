from __future__ import annotations

import threading
import time
from collections import Counter

import pytest
from django.db import connection

from annotation.models import Assignment, Label
from annotation.queue import Answer, assignment_lease, label_submit
from tests.factories import PairFactory, ProjectFactory, UserFactory

WORKERS = 16
PAIRS = 30
OVERLAP = 2


def _annotate_until_empty(project, user, barrier, leased: list, errors: list) -> None:
    """Lease and answer until the queue says "no more pairs" three times in a row, as a
    person reloading the page would."""
    try:
        barrier.wait()
        empty = 0
        while empty < 3:
            lease = assignment_lease(project=project, annotator=user)
            if lease is None:
                empty += 1
                time.sleep(0.2)
                continue
            empty = 0
            leased.append((lease.pair_id, user.id))
            label_submit(assignment_id=lease.id, annotator=user, answer=Answer("a"))
    except Exception as exc:  # collected and re-raised by the test in the main thread
        errors.append(exc)
    finally:
        connection.close()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_many_annotators_at_once_never_exceed_overlap_or_get_a_pair_twice():
    project = ProjectFactory(overlap=OVERLAP)
    for i in range(PAIRS):
        PairFactory(project=project, priority=i % 3)
    users = [UserFactory() for _ in range(WORKERS)]
    barrier = threading.Barrier(WORKERS)
    leased: list[tuple[int, int]] = []
    errors: list[Exception] = []
    threads = [
        threading.Thread(target=_annotate_until_empty, args=(project, u, barrier, leased, errors))
        for u in users
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not errors, errors
    assert max(Counter(leased).values()) == 1, "an annotator was leased the same pair twice"
    per_pair = Counter(Label.objects.values_list("pair_id", flat=True))
    assert len(per_pair) == PAIRS
    assert set(per_pair.values()) == {OVERLAP}
    assert Assignment.objects.count() == PAIRS * OVERLAP
