from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from annotation.models import Assignment, Label, Pair, Prompt, Response
from tests.factories import (
    MembershipFactory,
    PairFactory,
    ProjectFactory,
    PromptFactory,
    ResponseFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def refused(fn) -> bool:
    try:
        with transaction.atomic():
            fn()
    except IntegrityError:
        return True
    return False


def test_prompt_external_ids_are_unique_within_a_project_only():
    prompt = PromptFactory(external_id="x1")
    assert refused(
        lambda: Prompt.objects.create(project=prompt.project, external_id="x1", text="t")
    )
    Prompt.objects.create(project=ProjectFactory(), external_id="x1", text="t")


def test_a_prompt_needs_text():
    project = ProjectFactory()
    assert refused(lambda: Prompt.objects.create(project=project, external_id="e", text=""))


def test_response_external_ids_are_unique_within_a_prompt():
    response = ResponseFactory(external_id="gpt")
    assert refused(lambda: ResponseFactory(prompt=response.prompt, external_id="gpt"))


def test_a_pair_needs_two_different_responses_in_canonical_order():
    pair = PairFactory()
    same = dict(project=pair.project, prompt=pair.prompt, arm="other")
    a, b = pair.response_a, pair.response_b
    assert refused(lambda: Pair.objects.create(response_a=a, response_b=a, **same))
    assert refused(lambda: Pair.objects.create(response_a=b, response_b=a, **same))


def test_a_pair_is_unique_per_arm():
    pair = PairFactory(arm="random")
    again = dict(project=pair.project, prompt=pair.prompt, response_a=pair.response_a)
    assert refused(lambda: Pair.objects.create(response_b=pair.response_b, arm="random", **again))
    Pair.objects.create(response_b=pair.response_b, arm="dissimilar", **again)


def test_a_pairs_responses_must_belong_to_its_prompt():
    pair = PairFactory()
    stranger = ResponseFactory(prompt=PromptFactory(project=pair.project))
    low, high = sorted([pair.response_a, stranger], key=lambda r: r.pk)
    fields = dict(project=pair.project, prompt=pair.prompt, arm="x")
    assert refused(lambda: Pair.objects.create(response_a=low, response_b=high, **fields))
    assert refused(lambda: Pair.objects.filter(pk=pair.pk).update(response_b=stranger))


def test_one_live_label_per_annotator_per_pair_but_corrections_are_kept():
    pair = PairFactory()
    user = UserFactory()
    first = Label.objects.create(pair=pair, annotator=user, choice="a")
    assert refused(lambda: Label.objects.create(pair=pair, annotator=user, choice="b"))
    Label.objects.filter(pk=first.pk).update(superseded_at=timezone.now())
    Label.objects.create(pair=pair, annotator=user, choice="b", supersedes=first)
    assert Label.objects.filter(pair=pair).count() == 2


def test_a_lease_yields_at_most_one_label():
    pair = PairFactory()
    user = UserFactory()
    now = timezone.now()
    lease = Assignment.objects.create(
        pair=pair, annotator=user, leased_at=now, expires_at=now + timedelta(minutes=10)
    )
    Label.objects.create(pair=pair, annotator=user, assignment=lease, choice="a")
    other = UserFactory()
    assert refused(
        lambda: Label.objects.create(pair=pair, annotator=other, assignment=lease, choice="a")
    )


def test_a_pair_is_leased_at_most_once_at_a_time_to_the_same_person():
    pair = PairFactory()
    user = UserFactory()
    now = timezone.now()
    lease = dict(pair=pair, annotator=user, leased_at=now, expires_at=now + timedelta(minutes=1))
    Assignment.objects.create(**lease)
    assert refused(lambda: Assignment.objects.create(**lease))
    Assignment.objects.create(**{**lease, "state": "expired"})


def test_human_labels_need_an_annotator_and_confidence_is_a_probability():
    pair = PairFactory()
    assert refused(lambda: Label.objects.create(pair=pair, choice="a", source="human"))
    Label.objects.create(pair=pair, choice="a", source="model", confidence=0.9)
    assert refused(
        lambda: Label.objects.create(pair=pair, choice="a", source="model", confidence=2)
    )


def test_a_user_has_one_membership_per_project():
    membership = MembershipFactory()
    assert refused(lambda: MembershipFactory(project=membership.project, user=membership.user))


def test_project_overlap_must_be_positive():
    assert refused(lambda: ProjectFactory(overlap=0))


def test_deleting_a_prompt_removes_its_responses_and_pairs():
    pair = PairFactory()
    pair.prompt.delete()
    assert not Response.objects.filter(pk=pair.response_a_id).exists()
    assert not Pair.objects.filter(pk=pair.pk).exists()
