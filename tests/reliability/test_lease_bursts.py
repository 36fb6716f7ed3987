"""One live lease per annotator per project, held by the database itself: a burst of lease
calls from one person gives them one lease (the same one to every call) and never an error."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import IntegrityError, connection, transaction
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from annotation.models import Assignment, AssignmentState
from annotation.queue import assignment_lease
from tests.factories import PairFactory, ProjectFactory, UserFactory
from tests.reliability.threads import at_once

BURST = 10


def _active(user) -> list[Assignment]:
    return list(Assignment.objects.filter(annotator=user, state=AssignmentState.ACTIVE))


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_ten_simultaneous_lease_calls_by_one_person_give_one_live_lease(project, annotator):
    PairFactory.create_batch(3 * BURST, project=project)
    calls = [lambda: assignment_lease(project=project, annotator=annotator)] * BURST
    leases, errors = at_once(calls)
    assert errors == []
    assert len(_active(annotator)) == 1
    assert {lease.id for lease in leases} == {_active(annotator)[0].id}


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_burst_of_api_lease_calls_is_answered_with_one_lease_and_no_500(api, project, annotator):
    PairFactory.create_batch(3 * BURST, project=project)
    clients = [api(annotator) for _ in range(BURST)]
    calls = [lambda c=c: c.post("/api/v1/projects/demo/lease/") for c in clients]
    responses, errors = at_once(calls)
    assert errors == []
    assert [r.status_code for r in responses] == [200] * BURST
    assert len({r.json()["assignment"] for r in responses}) == 1
    assert len(_active(annotator)) == 1


@pytest.mark.django_db
def test_leasing_again_after_one_s_own_lease_ran_out_is_not_a_database_error(project, annotator):
    pair = PairFactory(project=project)
    now = timezone.now()
    first = assignment_lease(project=project, annotator=annotator, now=now)
    later = now + timedelta(seconds=project.lease_seconds + 1)
    again = assignment_lease(project=project, annotator=annotator, now=later)
    assert (first.pair_id, again.pair_id) == (pair.id, pair.id)
    assert again.id != first.id
    assert Assignment.objects.get(id=first.id).state == AssignmentState.EXPIRED
    assert [lease.id for lease in _active(annotator)] == [again.id]


@pytest.mark.django_db
def test_the_database_refuses_a_second_active_lease_for_one_person_in_a_project(project):
    person = UserFactory()
    first, second = PairFactory.create_batch(2, project=project)
    elsewhere = PairFactory(project=ProjectFactory())
    now = timezone.now()
    times = {"leased_at": now, "expires_at": now + timedelta(minutes=10)}

    def lease(pair) -> Assignment:
        return Assignment.objects.create(pair=pair, project=pair.project, annotator=person, **times)

    lease(first)
    lease(elsewhere)  # another project: its own lease
    with pytest.raises(IntegrityError), transaction.atomic():
        lease(second)


@pytest.mark.django_db(transaction=True)
def test_the_migration_keeps_one_live_lease_of_those_a_burst_left_behind():
    before = [("annotation", "0012_label_choice_names_stored_order")]
    leaves = MigrationExecutor(connection).loader.graph.leaf_nodes()
    executor = MigrationExecutor(connection)
    try:
        executor.migrate(before)
        leases = _burst_leases(executor.loader.project_state(before).apps)
    finally:
        MigrationExecutor(connection).migrate(leaves)
    states = dict(Assignment.objects.values_list("id", "state"))
    assert states == {
        leases["ran_out"]: "expired",
        leases["oldest"]: "active",
        leases["newer"]: "expired",
        leases["other_person"]: "active",
    }
    assert set(Assignment.objects.values_list("project_id", flat=True)) == {leases["project"]}


def _burst_leases(apps) -> dict[str, int]:
    """Leases as a burst left them before the migration: one person holds two live leases and
    one that ran out; someone else holds one."""
    project = apps.get_model("annotation", "Project").objects.create(name="P", slug="p")
    prompt = apps.get_model("annotation", "Prompt").objects.create(
        project=project, external_id="q", text="Q?"
    )
    responses = [
        apps.get_model("annotation", "Response").objects.create(prompt=prompt, external_id=str(i))
        for i in range(4)
    ]
    pairs = [
        apps.get_model("annotation", "Pair").objects.create(
            project=project, prompt=prompt, response_a=responses[0], response_b=b
        )
        for b in responses[1:]
    ]
    users = apps.get_model("auth", "User")
    person, other = users.objects.create(username="a"), users.objects.create(username="b")
    now = timezone.now()

    leases = apps.get_model("annotation", "Assignment").objects

    def lease(pair, who, minutes_ago: int) -> int:
        leased = now - timedelta(minutes=minutes_ago)
        expires = leased + timedelta(minutes=10)
        return leases.create(pair=pair, annotator=who, leased_at=leased, expires_at=expires).id

    return {
        "ran_out": lease(pairs[0], person, 30),
        "oldest": lease(pairs[1], person, 2),
        "newer": lease(pairs[2], person, 1),
        "other_person": lease(pairs[1], other, 1),
        "project": project.id,
    }
