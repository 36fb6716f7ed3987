"""The queue's statements on PostgreSQL: per-pair counts stay per pair whatever the planner's
statistics say, and each statement is planned once per connection, not on every answer.

Tables analysed while empty (a new install, or autovacuum off) make every index look free. The
annotate page's progress index also covers "live human labels", so the planner could serve a
pair's count from it by scanning all of one annotator's labels, once per candidate pair: a lease
then cost time in proportion to that annotator's history.
"""

from __future__ import annotations

import re
from itertools import combinations

import pytest
from django.db import connection
from django.utils import timezone

from annotation.models import Label, Pair, Response
from annotation.queue import statements
from annotation.sql import db_time
from config.env import PREPARE_AFTER
from tests.factories import PairFactory, PromptFactory, UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]

PROGRESS_INDEX = "label_annotator_project_idx"
# Responses to one prompt; every pair of them gets a label: 1,035 labels over many pages.
HISTORY_SPAN = 46


def _plan(sql: str, params: dict) -> str:
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN " + sql, params)
        return "\n".join(row[0] for row in cursor.fetchall())


@pytest.fixture
def stale_statistics_and_history(project):
    """Statistics taken while the labels table was empty, then one annotator's long history."""
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE annotation_label")
    prompt = PromptFactory(project=project)
    responses = Response.objects.bulk_create(
        Response(prompt=prompt, external_id=f"r{i}", text="answer") for i in range(HISTORY_SPAN)
    )
    pairs = Pair.objects.bulk_create(
        Pair(project=project, prompt=prompt, response_a=a, response_b=b)
        for a, b in combinations(responses, 2)
    )
    person = UserFactory()
    Label.objects.bulk_create(
        Label(pair=pair, project=project, annotator=person, choice="a") for pair in pairs
    )
    return person


def test_candidate_pairs_are_not_counted_through_the_progress_index(
    project, stale_statistics_and_history
):
    params = {"project": project.id, "annotator": stale_statistics_and_history.pk, "gold": False}
    params.update(overlap=2, now=db_time(timezone.now()), limit=4)
    plan = _plan(statements.CANDIDATES.format(exclude="", lock=""), params)
    assert "annotation_label" in plan
    assert PROGRESS_INDEX not in plan, plan


def test_a_pair_s_status_is_not_counted_through_the_progress_index(
    project, stale_statistics_and_history
):
    pair_id = Label.objects.first().pair_id
    plan = _plan(statements.REFRESH_STATUS, {"pair": pair_id, "overlap": 2})
    assert "annotation_label" in plan
    assert PROGRESS_INDEX not in plan, plan


def test_the_progress_counters_still_read_the_progress_index(project, stale_statistics_and_history):
    from annotation.workbench import PROGRESS

    params = {"project": project.id, "annotator": stale_statistics_and_history.pk}
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")  # the table is tiny here
    now = timezone.now()
    plan = _plan(PROGRESS, dict(params, since=db_time(now), mark=db_time(now)))
    assert PROGRESS_INDEX in plan, plan
    # Only the labels since the session's mark are read (annotation/progress.py).
    assert re.search(r"Index Cond: .*created_at >=", plan), plan


def test_the_queue_s_statements_are_prepared_once_a_connection_has_run_them(project):
    from annotation.queue import Answer, assignment_lease, label_submit

    person = UserFactory()
    # Enough pairs that every lease locks a full batch of candidates (the same statement text).
    PairFactory.create_batch(PREPARE_AFTER + 1 + statements.BATCH, project=project)
    for _ in range(PREPARE_AFTER + 1):
        lease = assignment_lease(project=project, annotator=person)
        label_submit(assignment_id=lease.id, annotator=person, answer=Answer("a"))
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        prepared = [row[0] for row in cursor.fetchall()]
    assert any("INSERT INTO annotation_assignment" in sql for sql in prepared), prepared
    assert any("UPDATE annotation_pair" in sql for sql in prepared), prepared
