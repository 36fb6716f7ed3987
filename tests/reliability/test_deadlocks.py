"""An answer and an undo at the same moment take their locks in the same order (lease, pair,
label), so they wait for each other instead of deadlocking; and a transient database error
(deadlock, serialization failure) is retried once, then answered as a clear error, never a 500."""

from __future__ import annotations

import threading
import time
from contextlib import contextmanager

import psycopg
import pytest
from django.db import OperationalError, connection, transaction
from django.urls import reverse

from annotation.models import Label
from annotation.queue import Answer, assignment_lease, label_submit, label_undo
from tests.factories import PairFactory

BLOCKED = """SELECT count(*) FROM pg_stat_activity
WHERE datname = current_database() AND wait_event_type = 'Lock'"""


def _wait_for_blocked(count: int, seconds: float = 10) -> None:
    """Until `count` sessions of this database wait for a lock (or `seconds` have passed)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with connection.cursor() as cursor:
            cursor.execute(BLOCKED)
            if cursor.fetchone()[0] >= count:
                return
        time.sleep(0.02)


def _hold_row_lock(label_id: int, locked: threading.Event, release: threading.Event) -> None:
    """Another session holds the label's row until `release` is set."""
    try:
        with transaction.atomic():
            Label.objects.select_for_update().get(id=label_id)
            locked.set()
            release.wait(30)
    finally:
        connection.close()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_an_answer_sent_while_an_undo_runs_waits_for_it_instead_of_deadlocking(project, annotator):
    PairFactory(project=project, priority=1)
    PairFactory(project=project, priority=0)
    first = assignment_lease(project=project, annotator=annotator)
    undone = label_submit(assignment_id=first.id, annotator=annotator, answer=Answer("a")).label
    second = assignment_lease(project=project, annotator=annotator)
    # The undo is made to stop at the label it withdraws, holding what it locked before it;
    # then the answer to the next pair starts, and finally the label is let go.
    locked, release = threading.Event(), threading.Event()
    holder = threading.Thread(target=_hold_row_lock, args=(undone.id, locked, release))
    holder.start()
    locked.wait(10)
    errors: list[Exception] = []

    def run(call) -> None:
        try:
            call()
        except Exception as exc:  # asserted on below
            errors.append(exc)
        finally:
            connection.close()

    undo = threading.Thread(
        target=run, args=(lambda: label_undo(project=project, annotator=annotator),)
    )
    answer = threading.Thread(
        target=run,
        args=(
            lambda: label_submit(assignment_id=second.id, annotator=annotator, answer=Answer("b")),
        ),
    )
    undo.start()
    _wait_for_blocked(1)
    answer.start()
    _wait_for_blocked(2, seconds=3)
    release.set()
    for thread in (holder, undo, answer):
        thread.join(30)
    assert errors == []
    assert Label.objects.get(id=undone.id).superseded_at is not None


def _deadlock() -> OperationalError:
    """What Django raises when PostgreSQL picks this session as a deadlock's victim."""
    error = OperationalError("deadlock detected")
    error.__cause__ = psycopg.errors.DeadlockDetected("deadlock detected")
    return error


@contextmanager
def deadlocks(times: int):
    """The first `times` statements of the queue (leases, answers) fail as deadlock victims."""
    left = [times]

    def wrapper(execute, sql, params, many, context):
        if left[0] and ("annotation_assignment" in sql or "pairsmith_" in sql):
            left[0] -= 1
            raise _deadlock()
        return execute(sql, params, many, context)

    with connection.execute_wrapper(wrapper):
        yield


@pytest.mark.django_db(transaction=True)
def test_a_deadlock_in_a_lease_is_retried_once_and_the_lease_goes_through(api, annotator, project):
    pair = PairFactory(project=project)
    with deadlocks(1):
        response = api(annotator).post("/api/v1/projects/demo/lease/")
    assert response.status_code == 200
    assert response.json()["pair"] == pair.id


@pytest.mark.django_db(transaction=True)
def test_a_deadlock_that_happens_again_is_a_json_error_from_the_api(api, annotator, project):
    PairFactory(project=project)
    client = api(annotator)
    client.raise_request_exception = False
    with deadlocks(2):
        response = client.post("/api/v1/projects/demo/lease/")
    assert response.status_code == 503
    error = response.json()["error"]
    assert (error["status"], error["code"]) == (503, "database_busy")
    assert "try again" in error["message"]


@pytest.mark.django_db(transaction=True)
def test_a_deadlock_that_happens_again_is_a_clear_page_not_a_500(client, annotator, project):
    PairFactory(project=project)
    client.raise_request_exception = False
    client.force_login(annotator)
    with deadlocks(2):
        response = client.get(reverse("annotate", args=["demo"]))
    page = response.content.decode()
    assert response.status_code == 503
    assert 'id="error-503"' in page
    assert "try again" in page
    assert "Traceback" not in page


@pytest.mark.django_db(transaction=True)
def test_a_deadlock_in_an_undo_is_retried_once_and_undoes_exactly_one_answer(annotator, project):
    PairFactory(project=project, priority=1)
    PairFactory(project=project, priority=0)
    for _ in range(2):
        lease = assignment_lease(project=project, annotator=annotator)
        label_submit(assignment_id=lease.id, annotator=annotator, answer=Answer("a"))
    with deadlocks(1):
        undone = label_undo(project=project, annotator=annotator)
    assert undone is not None
    assert Label.objects.live().count() == 1
