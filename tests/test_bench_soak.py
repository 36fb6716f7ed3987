"""bench/soak.py's checks count what they name, on a database state made for each."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from annotation.models import Assignment, Label
from bench.soak_data import (
    Saved,
    duplicate_labels,
    lost_submits,
    over_filled_pairs,
    over_held_pairs,
    undos_not_applied,
)
from tests.factories import PairFactory, ProjectFactory, UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]


@pytest.fixture
def soak():
    return ProjectFactory(slug="soak", overlap=2)


@pytest.fixture
def people():
    return [UserFactory(username=f"person-{i}") for i in range(5)]


def lease(pair, person, state="submitted", seconds_left=600):
    now = timezone.now()
    return Assignment.objects.create(
        pair=pair,
        annotator=person,
        leased_at=now - timedelta(seconds=700),
        expires_at=now + timedelta(seconds=seconds_left),
        state=state,
    )


def label(pair, person, choice="a", live=True):
    return Label.objects.create(
        pair=pair,
        annotator=person,
        assignment=lease(pair, person),
        choice=choice,
        superseded_at=None if live else timezone.now(),
    )


def test_over_filled_counts_pairs_with_more_live_non_skip_answers_than_the_overlap(soak, people):
    a, b, c, d, _ = people
    over = PairFactory(project=soak)
    for person in (a, b, c):
        label(over, person)
    with_skip = PairFactory(project=soak)  # a skip asks for another answer: not over-filled
    for person, choice in ((a, "b"), (b, "tie"), (c, "skip")):
        label(with_skip, person, choice)
    with_undone = PairFactory(project=soak)  # an undone answer is no longer counted
    for person, live in ((a, True), (b, False), (c, True)):
        label(with_undone, person, live=live)
    elsewhere = PairFactory(project=ProjectFactory(slug="other", overlap=2))
    for person in (a, b, c, d):
        label(elsewhere, person)

    assert over_filled_pairs("soak") == 1
    assert over_filled_pairs("other") == 1


def test_duplicates_count_people_with_two_live_answers_on_one_pair(soak, people):
    a, b, *_ = people
    pair = PairFactory(project=soak)
    label(pair, a, live=False)
    label(pair, a)  # an answer again after an undo: one live
    label(pair, b)
    assert duplicate_labels("soak") == 0

    # The database refuses a second live answer; to count one, drop that rule (rolled back
    # with the test).
    with connection.cursor() as cursor:
        cursor.execute("DROP INDEX label_one_live_per_annotator")
    label(pair, b)
    other = PairFactory(project=soak)
    for _ in range(3):
        label(other, a)
    assert duplicate_labels("soak") == 2


def test_over_held_names_pairs_whose_leases_and_answers_pass_the_overlap(soak, people):
    a, b, c, d, e = people
    crowded = PairFactory(project=soak)
    label(crowded, a)
    lease(crowded, b, state="active")
    lease(crowded, c, state="active")
    full = PairFactory(project=soak)  # one answer and one lease: exactly the overlap
    label(full, a)
    lease(full, d, state="active")
    lease(full, a, state="active", seconds_left=-60)  # ran out: no longer holds it
    lease(full, b, state="released")
    skipped = PairFactory(project=soak)  # a skip leaves room for another lease
    label(skipped, b, choice="skip")
    label(skipped, c)
    lease(skipped, e, state="active")

    assert over_held_pairs("soak") == [crowded.id]


def test_a_submit_is_lost_when_its_label_is_missing_not_its_own_or_withdrawn_without_undo(
    soak, people
):
    a, b, *_ = people
    pairs = [PairFactory(project=soak) for _ in range(6)]
    kept = label(pairs[0], a)
    by_api = label(pairs[1], a)
    withdrawn = label(pairs[2], a, live=False)
    undone = label(pairs[3], a, live=False)
    not_mine = label(pairs[4], b)
    unanswered = lease(pairs[5], a, state="active")
    saved = [
        Saved(a.pk, kept.assignment_id),
        Saved(a.pk, by_api.assignment_id, label_id=by_api.id),
        Saved(a.pk, withdrawn.assignment_id),
        Saved(a.pk, undone.assignment_id, undone=True),
        Saved(a.pk, not_mine.assignment_id),
        Saved(a.pk, unanswered.id),
        Saved(a.pk, kept.assignment_id, label_id=by_api.id),  # the API named another label
    ]

    lost = lost_submits(saved)

    assert [s.assignment_id for s in lost] == [
        withdrawn.assignment_id,
        not_mine.assignment_id,
        unanswered.id,
        kept.assignment_id,
    ]
    assert lost_submits(saved[:2] + saved[3:4]) == []


def test_an_undo_not_applied_is_one_whose_answer_is_still_live(soak, people):
    a, *_ = people
    applied = label(PairFactory(project=soak), a, live=False)
    ignored = label(PairFactory(project=soak), a)
    never_asked = label(PairFactory(project=soak), a)
    saved = [
        Saved(a.pk, applied.assignment_id, undone=True),
        Saved(a.pk, ignored.assignment_id, undone=True),
        Saved(a.pk, never_asked.assignment_id),
    ]

    assert undos_not_applied(saved) == [saved[1]]
    assert lost_submits(saved) == []
