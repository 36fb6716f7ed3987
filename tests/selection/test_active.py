"""Active learning in the live queue: `uncertain` batches, fitted on the labels so far."""

from __future__ import annotations

import pytest
from django.urls import reverse

from annotation.models import Label, Pair
from selection.embedding import embedder_name, embedding_matrix
from selection.models import SelectionRun
from selection.runs.active import reward_weights
from selection.runs.batches import next_batch_due, start_due_batches
from selection.runs.services import selection_run_execute, selection_run_start
from tests.factories import UserFactory
from tests.selection.helpers import load_slice

pytestmark = pytest.mark.django_db


@pytest.fixture
def pool(project, tmp_path):
    load_slice(project, tmp_path, prompts=8, models=6)
    return project


def batch(project, size=4):
    created = selection_run_start(project=project, strategy="uncertain",
                                  params={"budget": size, "seed": 3})  # fmt: skip
    return selection_run_execute(run_id=created.id)


def answer(pairs, user) -> None:
    """People answer: the response from the model listed first in the file wins."""
    for pair in pairs:
        a_first = pair.response_a.model_name < pair.response_b.model_name
        Label.objects.create(pair=pair, annotator=user, choice="a" if a_first else "b")


def test_the_first_batch_has_no_model_yet_and_one_pair_per_prompt(pool):
    run = batch(pool)
    assert run.status == "done", run.error
    assert (run.counts["pairs_created"], run.counts["labels_fitted"]) == (4, 0)
    # Of the 8 prompts considered, the batch of 4 went to 4 (not every prompt that proposed one).
    assert (run.counts["prompts_considered"], run.counts["prompts_with_pairs"]) == (8, 4)
    prompts = Pair.objects.filter(selection_run=run).values_list("prompt_id", flat=True)
    assert len(set(prompts)) == 4


def test_the_next_batch_is_what_the_fitted_model_is_least_sure_of_and_never_a_repeat(pool):
    first = batch(pool, size=6)
    answer(Pair.objects.filter(selection_run=first), UserFactory())
    second = batch(pool, size=6)
    assert second.counts["labels_fitted"] == 6
    w, seen = reward_weights(pool.id, embedder_name())
    assert seen == 6
    chosen = list(Pair.objects.filter(selection_run=second))
    assert len(chosen) == 6
    ids = [i for p in chosen for i in (p.response_a_id, p.response_b_id)]
    vectors = embedding_matrix(ids, embedder_name())
    for pair in chosen:
        gap = abs((vectors[pair.response_a_id] - vectors[pair.response_b_id]) @ w)
        assert pair.score == pytest.approx(gap, abs=1e-6)
    earlier = {(p.response_a_id, p.response_b_id) for p in Pair.objects.filter(selection_run=first)}
    assert not earlier & {(p.response_a_id, p.response_b_id) for p in chosen}
    # The batch keeps the smallest gaps: every prompt left out has no fresh pair closer.
    taken = earlier | {(p.response_a_id, p.response_b_id) for p in chosen}
    left_out = set(pool.prompts.values_list("id", flat=True)) - {p.prompt_id for p in chosen}
    for prompt_id in left_out:
        ids = sorted(pool.prompts.get(id=prompt_id).responses.values_list("id", flat=True))
        e = embedding_matrix(ids, embedder_name())
        fresh = [abs((e[a] - e[b]) @ w) for k, a in enumerate(ids) for b in ids[k + 1 :]
                 if (a, b) not in taken and e[a] @ e[b] <= 0.98]  # fmt: skip
        assert min(fresh) >= max(p.score for p in chosen) - 1e-9


def test_a_batch_is_due_after_its_size_in_new_labels_or_when_the_arm_runs_dry():
    run = SelectionRun(params={"budget": 5}, counts={"arm_labels": 10})
    assert not next_batch_due(run, labels_now=14, open_pairs=3)
    assert next_batch_due(run, labels_now=15, open_pairs=3)
    assert next_batch_due(run, labels_now=10, open_pairs=0)


def test_the_periodic_check_starts_a_due_batch_once_and_never_beside_a_running_one(
    pool, django_capture_on_commit_callbacks
):
    first = batch(pool, size=4)
    pairs = list(Pair.objects.filter(selection_run=first))
    answer(pairs[:3], UserFactory())
    assert start_due_batches() == []  # 3 of 4 labels, pairs still open
    answer(pairs[3:], UserFactory())
    with django_capture_on_commit_callbacks(execute=False):
        started = start_due_batches()
        assert [r.arm for r in started] == ["uncertain"]
        assert start_due_batches(force=True) == []  # the new one is still pending
    assert SelectionRun.objects.filter(strategy="uncertain").count() == 2


def test_the_lead_starts_the_next_batch_from_the_page(
    client, lead, pool, eager_tasks, django_capture_on_commit_callbacks
):
    batch(pool, size=3)
    client.force_login(lead)
    url = reverse("selection_runs", args=[pool.slug])
    page = client.get(url).content.decode()
    assert "Next batch now" in page
    assert "model fitted on 0 labels" in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("selection_next_batch", args=[pool.slug]), follow=True)
    assert "Next batch started: uncertain." in response.content.decode()
    assert SelectionRun.objects.filter(strategy="uncertain", status="done").count() == 2
    assert Pair.objects.filter(arm="uncertain").count() == 6
