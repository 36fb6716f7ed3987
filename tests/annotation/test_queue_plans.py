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

from annotation import queue_sql
from annotation.models import Label, Pair, Response
from annotation.sql import db_time
from config.env import PREPARE_AFTER
from tests.factories import PairFactory, PromptFactory, UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]

PROGRESS_INDEX = "label_annotator_project_idx"
LEASE_CALL = "SELECT * FROM pg_temp.pairsmith_lease"
SUBMIT_CALL = "SELECT * FROM pg_temp.pairsmith_submit"
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
    Label.objects.bulk_create(Label(pair=pair, annotator=person, choice="a") for pair in pairs)
    return person


def test_candidate_pairs_are_not_counted_through_the_progress_index(
    project, stale_statistics_and_history
):
    params = {"project": project.id, "annotator": stale_statistics_and_history.pk, "gold": False}
    params.update(overlap=2, now=db_time(timezone.now()), limit=4)
    plan = _plan(queue_sql.CANDIDATES.format(exclude="", lock=""), params)
    assert "annotation_label" in plan
    assert PROGRESS_INDEX not in plan, plan


def test_a_pair_s_status_is_not_counted_through_the_progress_index(
    project, stale_statistics_and_history
):
    pair_id = Label.objects.first().pair_id
    plan = _plan(queue_sql.REFRESH_STATUS, {"pair": pair_id, "overlap": 2})
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


def test_the_queue_s_statements_are_prepared_once_a_connection_has_run_them(project, queue_path):
    from annotation.queue import assignment_lease, label_submit

    person = UserFactory()
    # Enough pairs that every lease locks a full batch of candidates (the same statement text).
    PairFactory.create_batch(PREPARE_AFTER + 1 + queue_sql.BATCH, project=project)
    for _ in range(PREPARE_AFTER + 1):
        lease = assignment_lease(project=project, annotator=person)
        label_submit(assignment_id=lease.id, annotator=person, choice="a")
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        prepared = [row[0] for row in cursor.fetchall()]
    if queue_path == "functions":
        assert any("pairsmith_lease" in sql for sql in prepared), prepared
        assert any("pairsmith_submit" in sql for sql in prepared), prepared
    else:
        assert any("INSERT INTO annotation_assignment" in sql for sql in prepared), prepared
        assert any("UPDATE annotation_pair" in sql for sql in prepared), prepared


@pytest.mark.django_db(transaction=True)
def test_every_new_session_gets_the_queue_s_functions():
    from annotation.queue_pg import FUNCTION_NAMES

    connection.close()
    with connection.cursor() as cursor:
        cursor.execute("SELECT p.proname FROM pg_proc p WHERE p.pronamespace = pg_my_temp_schema()")
        assert {row[0] for row in cursor.fetchall()} >= set(FUNCTION_NAMES)
    assert connection.queue_functions


def test_a_lease_and_an_answer_are_one_statement_each_where_the_functions_exist(project):
    from django.test.utils import CaptureQueriesContext

    from annotation.queue import assignment_lease, label_submit

    person = UserFactory()
    PairFactory(project=project)
    with CaptureQueriesContext(connection) as lease_queries:
        lease = assignment_lease(project=project, annotator=person)
    with CaptureQueriesContext(connection) as answer_queries:
        result = label_submit(assignment_id=lease.id, annotator=person, choice="b")
    assert [q["sql"].split("(")[0] for q in lease_queries] == [LEASE_CALL]
    assert [q["sql"].split("(")[0] for q in answer_queries] == [SUBMIT_CALL]
    saved = Label.objects.get()
    assert (result.label.id, result.label.choice, result.label.pair_id) == (
        saved.id,
        saved.choice,
        lease.pair_id,
    )


def test_the_queue_s_functions_promise_one_row_and_keep_one_plan_per_session(project):
    from annotation.queue_pg import FUNCTION_NAMES

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT proname, prorows, proconfig FROM pg_proc"
            " WHERE pronamespace = pg_my_temp_schema()"
        )
        functions = {name: (rows, config) for name, rows, config in cursor.fetchall()}
    for name in FUNCTION_NAMES:
        rows, config = functions[name]
        # One row: the annotate page joins its pair by primary key, not by scanning all pairs.
        assert rows == 1
        # Planned once per session, not on every call (that cost more than running them).
        assert "plan_cache_mode=force_generic_plan" in config
        assert "enable_seqscan=off" in config


NO_TEMP_ROLE = "pairsmith_test_no_temp"


def _drop_role(cursor) -> None:
    cursor.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [NO_TEMP_ROLE])
    if cursor.fetchone():
        cursor.execute(f"DROP OWNED BY {NO_TEMP_ROLE}")
        cursor.execute(f"DROP ROLE {NO_TEMP_ROLE}")


@pytest.mark.django_db(transaction=True)
def test_a_role_that_may_not_create_temporary_functions_still_connects_and_is_told_why(caplog):
    from config.postgres.base import DatabaseWrapper

    database = connection.settings_dict["NAME"]
    with connection.cursor() as cursor:
        _drop_role(cursor)
        cursor.execute(f"CREATE ROLE {NO_TEMP_ROLE} LOGIN")
        cursor.execute(f'REVOKE TEMPORARY ON DATABASE "{database}" FROM PUBLIC')
    DatabaseWrapper._warned = False
    restricted = DatabaseWrapper(dict(connection.settings_dict, USER=NO_TEMP_ROLE, PASSWORD=""))
    try:
        with restricted.cursor() as cursor:
            cursor.execute("SELECT current_user")
            assert cursor.fetchone()[0] == NO_TEMP_ROLE
        assert restricted.queue_functions is False
        assert "GRANT TEMPORARY" in caplog.text
    finally:
        restricted.close()
        with connection.cursor() as cursor:
            cursor.execute(f'GRANT TEMPORARY ON DATABASE "{database}" TO PUBLIC')
            _drop_role(cursor)


def test_an_htmx_answer_saves_and_leases_the_next_pair_in_one_statement(project):
    from django.test.utils import CaptureQueriesContext

    from annotation.queue import assignment_lease
    from annotation.workbench import answer_and_page

    person = UserFactory()
    first, second = PairFactory(project=project, priority=1), PairFactory(project=project)
    lease = assignment_lease(project=project, annotator=person)
    answer = {"assignment_id": lease.id, "choice": "b", "rationale": " why "}
    reader = {"project": project, "annotator": person, "since": timezone.now()}
    with CaptureQueriesContext(connection) as queries:
        result, next_lease, page = answer_and_page(**reader, answer=answer)
    [statement] = [q["sql"] for q in queries]
    assert SUBMIT_CALL in statement
    assert LEASE_CALL in statement
    saved = Label.objects.get()
    assert (result.label.id, result.label.pair_id, result.label.rationale) == (
        saved.id,
        first.id,
        "why",
    )
    # The lease came after the answer: the answered lease is closed, the next pair is new.
    assert lease_of_pair(first) == "submitted"
    assert next_lease.pair_id == second.id
    assert (page.done_total, page.done_session, page.counted_since_mark) == (1, 1, 1)
    assert page.pair.prompt_text == second.prompt.text


def lease_of_pair(pair) -> str:
    return pair.assignments.get().state
