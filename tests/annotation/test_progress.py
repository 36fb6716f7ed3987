"""The annotate page's counts (annotation/progress.py): exact while they are read from a mark."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from annotation import progress
from annotation.models import Assignment, Label, LabelSource
from annotation.queue import UNDO_WINDOW, Answer, assignment_lease, label_submit
from annotation.views.annotate import SESSION_START
from tests.factories import PairFactory

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}
URL = reverse("annotate", args=["demo"])
SUBMIT = reverse("annotate_submit", args=["demo"])
UNDO = reverse("annotate_undo", args=["demo"])


def shown(response) -> tuple[int, int]:
    html = response.content.decode()
    total = re.search(r'id="done-total">(\d+)<', html).group(1)
    session = re.search(r'id="done-session">(\d+)<', html).group(1)
    return int(total), int(session)


def counted(person, project, since) -> tuple[int, int]:
    live = Label.objects.filter(annotator=person, project=project, superseded_at=None)
    live = live.filter(source=LabelSource.HUMAN)
    return live.count(), live.filter(created_at__gte=since).count()


def labelled_at(person, project, when, **extra) -> Label:
    label = Label.objects.create(pair=PairFactory(project=project), annotator=person, choice="a",
                                 **extra)  # fmt: skip
    Label.objects.filter(id=label.id).update(created_at=when)
    return label


@pytest.fixture
def history(project, annotator):
    """Four labels from days ago, three from earlier in this session (before any mark), and
    two that do not count (one undone, one a model's)."""
    now = timezone.now()
    for _ in range(4):
        labelled_at(annotator, project, now - timedelta(days=2))
    for _ in range(3):
        labelled_at(annotator, project, now - timedelta(minutes=30))
    labelled_at(annotator, project, now - timedelta(minutes=30), superseded_at=now)
    labelled_at(annotator, project, now - timedelta(minutes=30), source=LabelSource.MODEL)
    return now - timedelta(hours=1)  # when the session began


def test_the_counts_stay_exact_as_the_mark_moves_through_answers_undos_and_other_tabs(
    client, project, annotator, history, monkeypatch
):
    monkeypatch.setattr(progress, "REFRESH_AFTER", 2)
    monkeypatch.setattr(progress, "MIN_MOVE", timedelta(0))
    PairFactory.create_batch(8, project=project)
    client.force_login(annotator)
    session = client.session
    session[SESSION_START] = history.isoformat()
    session.save()
    response = client.get(URL, **HTMX)
    assert shown(response) == (7, 3) == counted(annotator, project, history)
    marks = []
    for step in range(6):
        lease = Assignment.objects.get(annotator=annotator, state="active")
        data = {"assignment": lease.id, "choice": "left", "active_seconds": "1"}
        if step == 2:  # another tab answers a pair of its own first
            other = assignment_lease(project=project, annotator=annotator)
            label_submit(assignment_id=other.id, annotator=annotator, answer=Answer("tie"))
        response = client.post(UNDO if step == 4 else SUBMIT, data, **HTMX)
        assert shown(response) == counted(annotator, project, history), step
        marks.append(client.session[progress.SESSION_KEY][str(project.id)])
    assert shown(response)[1] > 3
    assert len({tuple(mark) for mark in marks}) > 1, "the mark never moved"


def answer(client, annotator) -> tuple[int, int]:
    lease = Assignment.objects.get(annotator=annotator, state="active")
    data = {"assignment": lease.id, "choice": "left", "active_seconds": "1"}
    return shown(client.post(SUBMIT, data, **HTMX))


def test_a_fast_annotator_moves_the_mark_at_most_once_per_min_move(
    client, project, annotator, history, monkeypatch
):
    """Labels younger than MARGIN can never lie behind a mark: answering past REFRESH_AFTER
    within MARGIN must not recount (and rewrite the session) on every answer."""
    monkeypatch.setattr(progress, "REFRESH_AFTER", 2)
    PairFactory.create_batch(8, project=project)
    client.force_login(annotator)
    session = client.session
    session[SESSION_START] = history.isoformat()
    session.save()
    client.get(URL, **HTMX)
    first = client.session[progress.SESSION_KEY][str(project.id)]
    for _ in range(5):
        assert answer(client, annotator) == counted(annotator, project, history)
        assert client.session[progress.SESSION_KEY][str(project.id)] == first
    # A minute later (the mark aged by hand: no label lies in the minutes it now spans back),
    # the next answer moves it, and the counts stay exact.
    aged = timezone.now() - progress.MARGIN - progress.MIN_MOVE
    session = client.session
    session[progress.SESSION_KEY] = {str(project.id): [first[0], aged.isoformat(), *first[2:]]}
    session.save()
    assert answer(client, annotator) == counted(annotator, project, history)
    moved = client.session[progress.SESSION_KEY][str(project.id)]
    assert moved[1] > aged.isoformat()


def test_the_page_reads_no_label_older_than_its_mark(client, project, annotator, history):
    PairFactory.create_batch(2, project=project)
    client.force_login(annotator)
    assert shown(client.get(URL, **HTMX)) == (7, 0)
    # Nothing in the product creates a label in the past; this one shows that the page counts
    # only past the mark, which the session keeps (a new session counts everything again).
    labelled_at(annotator, project, timezone.now() - timedelta(days=1))
    assert shown(client.get(URL, **HTMX)) == (7, 0)
    client.logout()
    client.force_login(annotator)
    assert shown(client.get(URL, **HTMX)) == (8, 0)


def test_an_undo_never_reaches_a_label_the_mark_counted():
    assert progress.MARGIN > UNDO_WINDOW
