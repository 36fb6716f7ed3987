"""A label's project is its pair's, whichever way the product writes the label; the annotate
page's counters read it."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db.models import F
from django.utils import timezone

from annotation import workbench
from annotation.importing.service import import_file
from annotation.models import Label, LabelSource
from annotation.queue import (
    Answer,
    ModelAnswer,
    assignment_lease,
    label_adjudicate,
    label_submit,
    model_labels_apply,
)
from tests.annotation.import_files import pair, write_jsonl
from tests.factories import PairFactory, ProjectFactory, UserFactory

pytestmark = pytest.mark.django_db


def _mismatched() -> int:
    """Labels whose project is missing or differs from their pair's."""
    wrong = Label.objects.exclude(project_id=F("pair__project_id"))
    return wrong.count() + Label.objects.filter(project__isnull=True).count()


def test_every_way_of_writing_a_label_stores_its_pair_s_project(project, tmp_path):
    person, lead = UserFactory(), UserFactory()
    first, second, third, fourth = (PairFactory(project=project) for _ in range(4))
    lease = assignment_lease(project=project, annotator=person)
    label_submit(assignment_id=lease.id, annotator=person, answer=Answer("a"))
    label_adjudicate(pair=second, lead=lead, choice="b")
    answers = [ModelAnswer(pair_id=third.id, choice="a", confidence=0.9)]
    model_labels_apply(project=project, judge="j", answers=answers, now=timezone.now())
    created = Label.objects.create(pair=fourth, annotator=lead, choice="tie")
    created.superseded_at = timezone.now()
    created.save()  # the instance in memory never knew its project: saving must not clear it
    import_file(project=project, path=write_jsonl(tmp_path, "p.jsonl", [pair()]))
    assert Label.objects.filter(source=LabelSource.IMPORTED).count() == 1
    assert Label.objects.count() == 5
    assert _mismatched() == 0
    assert set(Label.objects.values_list("project_id", flat=True)) == {project.id}


def test_progress_counts_live_human_answers_in_this_project_only(project):
    person, now = UserFactory(), timezone.now()
    mine = [PairFactory(project=project) for _ in range(4)]
    elsewhere = PairFactory(project=ProjectFactory())
    for pair_ in [*mine, elsewhere]:
        Label.objects.create(pair=pair_, annotator=person, choice="a")
    Label.objects.filter(pair=mine[0]).update(superseded_at=now)  # undone
    Label.objects.filter(pair=mine[1]).update(created_at=now - timedelta(days=1))  # yesterday
    Label.objects.create(pair=mine[2], source=LabelSource.MODEL, choice="b")
    Label.objects.create(pair=mine[3], annotator=UserFactory(), choice="b")  # someone else
    held = PairFactory(project=project)
    for pair_id in (None, held.id):  # counts alone, and with the pair the page shows
        page = workbench.page(project_id=project.id, annotator_id=person.id,
                              since=now - timedelta(hours=1), pair_id=pair_id)  # fmt: skip
        assert (page.done_total, page.done_session) == (3, 2)
    assert page.pair.prompt_text == held.prompt.text
    texts = {page.pair.left[1], page.pair.right[1]}
    assert texts == {held.response_a.text, held.response_b.text}
