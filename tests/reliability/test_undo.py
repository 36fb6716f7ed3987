"""Undo never over-fills a pair: an undone answer on a pair that others filled meanwhile is
withdrawn, and its annotator gets their next pair instead of a third live answer."""

from __future__ import annotations

import pytest
from django.urls import reverse

from annotation.models import Assignment, Label, Membership, Role
from annotation.queue import Answer, assignment_lease, label_submit, label_undo
from tests.factories import PairFactory, UserFactory

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def full_after_a_skip(project, annotator):
    """A skips the best pair; B and C then fill it (overlap 2). A second pair is still open."""
    project.overlap = 2
    project.save()
    full = PairFactory(project=project, priority=1)
    PairFactory(project=project, priority=0)
    lease = assignment_lease(project=project, annotator=annotator)
    assert lease.pair_id == full.id
    label_submit(assignment_id=lease.id, annotator=annotator, answer=Answer("skip"))
    for name in ("b", "c"):
        person = UserFactory(username=name)
        Membership.objects.create(project=project, user=person, role=Role.ANNOTATOR)
        theirs = assignment_lease(project=project, annotator=person)
        assert theirs.pair_id == full.id
        label_submit(assignment_id=theirs.id, annotator=person, answer=Answer("a"))
    return full


def _live_labels(pair) -> int:
    return Label.objects.live().filter(pair=pair).count()


def _leased_pair_ids(user) -> list[int]:
    return list(
        Assignment.objects.filter(annotator=user, state="active").values_list("pair_id", flat=True)
    )


def test_undoing_a_skip_on_a_pair_others_filled_does_not_lease_it_again(
    project, annotator, full_after_a_skip
):
    undone = label_undo(project=project, annotator=annotator)
    assert undone is not None
    assert full_after_a_skip.id not in _leased_pair_ids(annotator)
    lease = assignment_lease(project=project, annotator=annotator)
    assert lease.pair_id != full_after_a_skip.id
    label_submit(assignment_id=lease.id, annotator=annotator, answer=Answer("b"))
    assert _live_labels(full_after_a_skip) == 2


def test_undo_on_a_full_pair_withdraws_the_answer_and_says_the_next_pair_follows(
    project, annotator, full_after_a_skip
):
    undone = label_undo(project=project, annotator=annotator)
    assert not undone.pair_back
    assert "here is your next" in undone.message
    assert Label.objects.live().filter(annotator=annotator).count() == 0


def test_undo_on_a_pair_with_room_still_brings_it_back(project, annotator):
    project.overlap = 2
    project.save()
    pair = PairFactory(project=project)
    lease = assignment_lease(project=project, annotator=annotator)
    label_submit(assignment_id=lease.id, annotator=annotator, answer=Answer("a"))
    undone = label_undo(project=project, annotator=annotator)
    assert undone.pair_back
    assert _leased_pair_ids(annotator) == [pair.id]


@pytest.mark.parametrize("htmx", [{}, HTMX], ids=["full page", "htmx partial"])
def test_the_undo_button_on_a_full_pair_shows_the_next_pair_not_the_full_one(
    client, project, annotator, full_after_a_skip, htmx
):
    client.force_login(annotator)
    response = client.post(reverse("annotate_undo", args=["demo"]), follow=not htmx, **htmx)
    page = response.content.decode()
    assert response.status_code == 200
    assert full_after_a_skip.id not in _leased_pair_ids(annotator)
    assert full_after_a_skip.prompt.text not in page
    assert "here is your next" in page


def test_the_api_undo_on_a_full_pair_says_the_pair_is_not_back(
    api, project, annotator, full_after_a_skip
):
    client = api(annotator)
    undone = client.post("/api/v1/projects/demo/labels/undo/")
    leased = client.post("/api/v1/projects/demo/lease/").json()
    answer = {"assignment": leased["assignment"], "choice": "left"}
    assert client.post("/api/v1/projects/demo/labels/", answer, format="json").status_code == 201
    assert _live_labels(full_after_a_skip) == 2
    assert leased["pair"] != full_after_a_skip.id
    assert undone.status_code == 200
    assert undone.json()["pair_back"] is False
