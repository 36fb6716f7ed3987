from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from annotation.models import Assignment, AssignmentState, Label, Pair, PairStatus
from annotation.queue import (
    Answer,
    assignment_lease,
    assignment_release,
    label_adjudicate,
    label_submit,
    label_undo,
    statements,
)
from tests.factories import PairFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def pairs(project):
    return [PairFactory(project=project, priority=p) for p in (0.9, 0.5, 0.1)]


def test_it_leases_the_highest_priority_pair_first(project, annotator, pairs):
    lease = assignment_lease(project=project, annotator=annotator)
    assert lease.pair == pairs[0]
    assert lease.expires_at - lease.leased_at == timedelta(seconds=project.lease_seconds)


def test_asking_again_gives_back_the_same_unexpired_lease(project, annotator, pairs):
    first = assignment_lease(project=project, annotator=annotator)
    assert assignment_lease(project=project, annotator=annotator) == first


def test_a_full_pair_goes_to_nobody_else(project, annotator, pairs):
    other = UserFactory()
    mine = assignment_lease(project=project, annotator=annotator)
    theirs = assignment_lease(project=project, annotator=other)
    assert theirs.pair != mine.pair


def test_overlap_two_gives_one_pair_to_two_people_but_not_three(project, pairs):
    project.overlap = 2
    project.save()
    people = [UserFactory() for _ in range(3)]
    leased = [assignment_lease(project=project, annotator=u).pair for u in people]
    assert leased == [pairs[0], pairs[0], pairs[1]]


def test_an_expired_lease_returns_the_pair_to_the_queue(project, annotator, pairs):
    now = timezone.now()
    assignment_lease(project=project, annotator=annotator, now=now)
    later = now + timedelta(seconds=project.lease_seconds + 1)
    other = assignment_lease(project=project, annotator=UserFactory(), now=later)
    assert other.pair == pairs[0]


def test_it_never_leases_a_pair_the_annotator_already_answered(project, annotator, pairs):
    lease = assignment_lease(project=project, annotator=annotator)
    label_submit(assignment_id=lease.id, annotator=annotator, answer=Answer("a"))
    project.overlap = 3
    project.save()
    assert assignment_lease(project=project, annotator=annotator).pair == pairs[1]


def test_submitting_twice_yields_exactly_one_label(project, annotator, pairs):
    lease = assignment_lease(project=project, annotator=annotator)
    first = label_submit(
        assignment_id=lease.id, annotator=annotator, answer=Answer("b", active_seconds=3)
    )
    second = label_submit(assignment_id=lease.id, annotator=annotator, answer=Answer("a"))
    assert second.duplicate
    assert second.label == first.label
    assert Label.objects.filter(pair=lease.pair).count() == 1
    lease.refresh_from_db()
    assert lease.state == AssignmentState.SUBMITTED


def test_a_submission_records_active_and_server_time_and_completes_the_pair(
    project, annotator, pairs
):
    now = timezone.now()
    lease = assignment_lease(project=project, annotator=annotator, now=now)
    result = label_submit(
        assignment_id=lease.id,
        annotator=annotator,
        answer=Answer("tie", active_seconds=4.5),
        now=now + timedelta(seconds=7),
    )
    assert result.label.active_seconds == 4.5
    assert result.label.server_seconds == pytest.approx(7)
    lease.pair.refresh_from_db()
    assert lease.pair.status == PairStatus.COMPLETE


def test_a_skip_does_not_use_up_the_pair(project, annotator, pairs):
    lease = assignment_lease(project=project, annotator=annotator)
    label_submit(assignment_id=lease.id, annotator=annotator, answer=Answer("skip"))
    lease.pair.refresh_from_db()
    assert lease.pair.status == PairStatus.OPEN
    assert assignment_lease(project=project, annotator=UserFactory()).pair == lease.pair


def test_a_pairs_load_counts_usable_answers_and_unexpired_leases_only(project, pairs):
    pair, now = pairs[0], timezone.now()
    people = [UserFactory() for _ in range(4)]
    Label.objects.create(pair=pair, annotator=people[0], choice="a")
    Label.objects.create(pair=pair, annotator=people[1], choice="skip")
    Label.objects.create(pair=pair, annotator=people[2], choice="b", superseded_at=now)
    Label.objects.create(pair=pair, choice="a", source="model", judge="j")
    for person, minutes in ((people[3], 5), (people[2], -1)):
        Assignment.objects.create(pair=pair, annotator=person, leased_at=now - timedelta(hours=1),
                                  expires_at=now + timedelta(minutes=minutes))  # fmt: skip
    # One live answer (not the skip, the superseded one or the model's) + one unexpired lease.
    assert statements.pair_load(pair_id=pair.id, now=now) == 2


def test_a_late_answer_is_kept_when_nobody_took_the_pair(project, annotator, pairs):
    now = timezone.now()
    lease = assignment_lease(project=project, annotator=annotator, now=now)
    late = now + timedelta(seconds=project.lease_seconds + 60)
    result = label_submit(assignment_id=lease.id, annotator=annotator, answer=Answer("a"), now=late)
    assert result.label is not None
    assert result.message == ""


def test_a_late_answer_is_refused_when_someone_else_took_the_pair(project, annotator, pairs):
    now = timezone.now()
    lease = assignment_lease(project=project, annotator=annotator, now=now)
    late = now + timedelta(seconds=project.lease_seconds + 60)
    taken = assignment_lease(project=project, annotator=UserFactory(), now=late)
    assert taken.pair == lease.pair
    result = label_submit(assignment_id=lease.id, annotator=annotator, answer=Answer("a"), now=late)
    assert result.label is None
    assert "someone else took it" in result.message
    assert not Label.objects.filter(annotator=annotator).exists()


def test_an_answer_never_reopens_a_retired_pair(project, annotator, pairs):
    lease = assignment_lease(project=project, annotator=annotator)
    Pair.objects.filter(id=lease.pair_id).update(status=PairStatus.RETIRED)
    label_submit(assignment_id=lease.id, annotator=annotator, answer=Answer("skip"))
    assert Pair.objects.get(id=lease.pair_id).status == PairStatus.RETIRED


def test_a_lease_handed_back_by_the_queue_is_a_saved_row(project, annotator, pairs):
    lease = assignment_lease(project=project, annotator=annotator)
    assert lease._state.adding is False
    stored = Assignment.objects.get(id=lease.id)
    assert (stored.pair_id, stored.annotator_id, stored.expires_at) == (
        lease.pair_id,
        annotator.id,
        lease.expires_at,
    )


def test_undo_supersedes_the_last_answer_and_hands_the_pair_back(project, annotator, pairs):
    lease = assignment_lease(project=project, annotator=annotator)
    old = label_submit(assignment_id=lease.id, annotator=annotator, answer=Answer("a")).label
    assert label_undo(project=project, annotator=annotator).label == old
    old.refresh_from_db()
    assert old.superseded_at is not None
    again = assignment_lease(project=project, annotator=annotator)
    assert again.pair == lease.pair
    new = label_submit(assignment_id=again.id, annotator=annotator, answer=Answer("b")).label
    assert new.supersedes == old
    assert list(Label.objects.live().values_list("choice", flat=True)) == ["b"]


def test_undo_only_reaches_back_two_minutes(project, annotator, pairs):
    lease = assignment_lease(project=project, annotator=annotator)
    label_submit(assignment_id=lease.id, annotator=annotator, answer=Answer("a"))
    later = timezone.now() + timedelta(minutes=3)
    assert label_undo(project=project, annotator=annotator, now=later) is None


def test_a_released_lease_frees_the_pair(project, annotator, pairs):
    lease = assignment_lease(project=project, annotator=annotator)
    assert assignment_release(project=project, assignment_id=lease.id)
    assert assignment_lease(project=project, annotator=UserFactory()).pair == lease.pair
    result = label_submit(assignment_id=lease.id, annotator=annotator, answer=Answer("a"))
    assert result.label is None
    assert "released" in result.message


def test_a_lead_decision_is_its_own_label_and_closes_the_pair(project, lead, pairs):
    label = label_adjudicate(pair=pairs[2], lead=lead, choice="b")
    assert label.source == "adjudicated"
    pairs[2].refresh_from_db()
    assert pairs[2].status == PairStatus.COMPLETE


def test_gold_pairs_are_mixed_in_at_the_project_rate(project, annotator):
    project.gold_rate = 1.0
    project.save()
    PairFactory(project=project, priority=0.9)
    gold = PairFactory(project=project, priority=0.1, is_gold=True, gold_choice="a")
    assert assignment_lease(project=project, annotator=annotator).pair == gold


def test_an_empty_queue_leases_nothing(project, annotator):
    assert assignment_lease(project=project, annotator=annotator) is None
