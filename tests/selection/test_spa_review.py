"""Starting an SPA round only on a large enough human seed and after a confirmation; judgements
labeled only above a confidence threshold, held until people's audit says they are good enough;
applying and reverting rounds. The embedding judge throughout (no language model)."""

from __future__ import annotations

import json

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from annotation.export.service import export_dpo
from annotation.models import Assignment, Label, Pair
from selection.models import SpaProposal, SpaRound
from selection.spa.errors import SpaError
from selection.spa.review import round_figures, spa_round_apply, spa_round_revert
from selection.spa.services import (
    spa_params,
    spa_round_create,
    spa_round_execute,
    spa_round_preview,
    spa_round_start,
)
from tests.factories import UserFactory
from tests.selection.effort_helpers import spa_seeded

pytestmark = pytest.mark.django_db

SMALL_SEED = "needs at least 50 human-labeled pairs (decided A or B), the project has 25"


@pytest.fixture
def seeded(project):
    return spa_seeded(project, decided=60, unlabeled=40)


def run_round(project, **params) -> SpaRound:
    spa = spa_round_create(project=project, params=params)
    return spa_round_execute(round_id=spa.id)


def answer_audit(spa: SpaRound, *, agree: bool) -> None:
    """A person answers every audit pair: as the judge did, or the other way."""
    person = UserFactory()
    for pair_id in spa.counts["audit_pairs"]:
        judge = SpaProposal.objects.get(spa_round=spa, pair_id=pair_id).choice
        choice = judge if agree else {"a": "b", "b": "a"}[judge]
        Label.objects.create(pair_id=pair_id, annotator=person, choice=choice)


def dashboard(client, project) -> str:
    return client.get(reverse("effort", args=[project.slug])).content.decode()


def export_sources(project, out) -> list[str]:
    export_dpo(project=project, out_dir=out, include_model_labels=True)
    lines = (out / "train.jsonl").read_text().splitlines()
    return sorted(json.loads(line)["label_source"] for line in lines)


def test_a_round_is_refused_below_the_minimum_human_seed_everywhere_naming_both_numbers(
    project, client, lead
):
    spa_seeded(project, decided=25, unlabeled=10)
    with pytest.raises(SpaError, match=SMALL_SEED.replace("(", r"\(").replace(")", r"\)")):
        spa_round_start(project=project, params={})
    with pytest.raises(CommandError) as refused:
        call_command("spa_run", "--project", project.slug)
    assert SMALL_SEED in str(refused.value)
    client.force_login(lead)
    page = client.get(reverse("spa_confirm", args=[project.slug]), follow=True)
    assert f"SPA round not started: min_seed: {SMALL_SEED}" in page.content.decode()
    api = APIClient()
    api.force_authenticate(lead)
    answer = api.post(f"/api/v1/projects/{project.slug}/spa-rounds/", {}, format="json")
    assert answer.status_code == 400
    assert SMALL_SEED in answer.content.decode()
    assert not SpaRound.objects.exists()


def test_the_confirmation_page_states_the_counts_and_neither_it_nor_a_first_post_starts_a_round(
    client, lead, seeded
):
    client.force_login(lead)
    url = reverse("spa_confirm", args=[seeded.slug])
    page = client.get(url, {"judge": "embedding", "noisy_share": "0.1"}).content.decode()
    assert '<dd id="spa-judged">40</dd>' in page
    # 40 judged: 4 noisy to people, an audit sample of at least 10: at most 26 labeled.
    assert '<dd id="spa-most-auto">26</dd>' in page
    assert '<dd id="spa-seed">60</dd>' in page
    assert 'name="confirm" value="yes"' in page
    start = reverse("spa_start", args=[seeded.slug])
    first = client.post(start, {"judge": "embedding", "noisy_share": "0.1"})
    assert first.status_code == 302
    assert first["Location"].startswith(url + "?")
    assert client.get(start).status_code == 405
    assert not SpaRound.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_confirming_runs_the_round_in_process_and_says_what_it_did(
    client, lead, seeded, eager_tasks, settings
):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    client.force_login(lead)
    start = reverse("spa_start", args=[seeded.slug])
    page = client.post(start, {"judge": "embedding", "confirm": "yes"}, follow=True)
    text = page.content.decode()
    assert "SPA round 1 finished: judged 40, held 24 pending audit, 16 sent to people." in text
    assert "queued for a worker" not in text
    assert SpaRound.objects.get().review == "pending"


def test_with_workers_the_page_says_the_round_is_queued_for_one(client, lead, seeded, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    client.force_login(lead)
    start = reverse("spa_start", args=[seeded.slug])
    text = client.post(start, {"confirm": "yes"}, follow=True).content.decode()
    assert "SPA round 1 queued for a worker on the gpu queue." in text
    assert "SPA round 1 finished" not in text
    assert SpaRound.objects.get().status == "pending"


def test_raising_the_minimum_confidence_labels_fewer_pairs(seeded):
    loose = run_round(seeded, min_confidence=0.5)
    assert loose.counts["unsure"] == 0
    spa_round_revert(spa=loose)
    strict = run_round(seeded, min_confidence=0.8)
    assert strict.counts["judged"] == loose.counts["judged"] == 40
    assert 0 < strict.counts["auto"] < loose.counts["auto"]
    assert strict.counts["unsure"] > 0
    held = SpaProposal.objects.filter(spa_round=strict)
    assert min(held.values_list("confidence", flat=True)) >= 0.8


def test_held_labels_are_not_labels_and_not_exported_until_the_round_is_applied(seeded, tmp_path):
    spa = run_round(seeded)
    # 40 judged: 6 below the minimum confidence (the 4 noisiest among them), 10 audited, 24
    # auto-labeled.
    assert (spa.counts["unsure"], spa.counts["noisy_human"], spa.counts["audit"]) == (6, 0, 10)
    assert SpaProposal.objects.filter(spa_round=spa).count() == 34  # 24 auto + 10 audit
    assert not Label.objects.filter(source="model").exists()
    assert Pair.objects.filter(project=seeded, status="open").count() == 100
    assert export_sources(seeded, tmp_path / "before") == ["human"] * 60
    answer_audit(spa, agree=True)
    spa_round_apply(spa=spa)
    assert Label.objects.filter(source="model", judge="spa-round-1").count() == 34
    assert Pair.objects.filter(project=seeded, status="complete").count() == 24
    assert export_sources(seeded, tmp_path / "after") == ["human"] * 70 + ["model"] * 24


def test_a_round_whose_audit_fails_cannot_be_applied_and_shows_no_effort_saved(
    client, lead, seeded
):
    spa = run_round(seeded)
    with pytest.raises(SpaError, match="people have decided 0 of the 10 audit pairs needed"):
        spa_round_apply(spa=spa)
    answer_audit(spa, agree=False)
    with pytest.raises(CommandError, match="accuracy 0.00 on 10 pairs is below 0.80"):
        call_command("spa_review", "apply", "--project", seeded.slug, "--round", "1")
    client.force_login(lead)
    page = dashboard(client, seeded)
    assert '<td class="spa-state">audit failed' in page
    assert "Apply round" not in page
    assert "of judged pairs</td>" not in page  # no effort saved
    refused = client.post(reverse("spa_apply", args=[seeded.slug, 1]), follow=True)
    assert "Not applied: round 1 cannot be applied: audit accuracy 0.00" in refused.content.decode()
    assert not Label.objects.filter(source="model").exists()
    assert round_figures(spa)["effort_saved"] is None


def test_a_lead_applies_a_round_once_its_audit_passes(client, lead, seeded):
    spa = run_round(seeded)
    client.force_login(lead)
    assert '<td class="spa-state">pending audit' in dashboard(client, seeded)
    answer_audit(spa, agree=True)
    page = dashboard(client, seeded)
    assert '<td class="spa-state">ready to apply' in page
    assert "Apply round" in page
    done = client.post(reverse("spa_apply", args=[seeded.slug, 1]), follow=True)
    assert "SPA round 1 applied: 24 pairs labeled by the judge, 0 left to people" in (
        done.content.decode()
    )
    page = dashboard(client, seeded)
    assert '<td class="spa-state">applied' in page
    assert "0.60 of judged pairs</td>" in page  # 24 of 40
    assert Label.objects.filter(source="model").count() == 34


def test_pairs_people_answered_or_took_meanwhile_stay_with_people_when_a_round_is_applied(
    seeded,
):
    spa = run_round(seeded)
    answer_audit(spa, agree=True)
    answered, leased = SpaProposal.objects.filter(spa_round=spa, action="auto")[:2]
    Label.objects.create(pair_id=answered.pair_id, annotator=UserFactory(), choice="b")
    now = timezone.now()
    Assignment.objects.create(pair_id=leased.pair_id, annotator=UserFactory(), leased_at=now,
                              expires_at=now + timezone.timedelta(minutes=5))  # fmt: skip
    spa = spa_round_apply(spa=spa)
    assert (spa.counts["applied"], spa.counts["kept_for_people"]) == (22, 2)
    for pair_id in (answered.pair_id, leased.pair_id):
        assert not Label.objects.filter(pair_id=pair_id, source="model").exists()
        assert Pair.objects.get(id=pair_id).status == "open"


def test_reverting_an_applied_round_supersedes_its_labels_and_reopens_its_pairs(
    client, lead, seeded
):
    spa = run_round(seeded)
    answer_audit(spa, agree=True)
    spa_round_apply(spa=spa)
    client.force_login(lead)
    done = client.post(reverse("spa_revert", args=[seeded.slug, 1]), follow=True)
    assert "SPA round 1 reverted: 34 judge labels superseded, 24 pairs back in the queue." in (
        done.content.decode()
    )
    assert not Label.objects.live().filter(source="model").exists()
    assert Label.objects.filter(source="model", superseded_at__isnull=False).count() == 34
    assert Pair.objects.filter(project=seeded, status="complete").count() == 0
    assert '<td class="spa-state">reverted' in dashboard(client, seeded)
    # The audited pairs now carry people's answers; the other 30 can be judged again.
    assert spa_round_preview(project=seeded, params={})["judged"] == 30


def test_a_pending_round_can_be_reverted_and_its_pairs_are_judged_again(seeded):
    spa = run_round(seeded)
    # Only the 6 pairs it sent to people as below the minimum confidence.
    assert spa_round_preview(project=seeded, params={})["judged"] == 6
    assert spa_round_revert(spa=spa) == {"labels": 0, "reopened": 0}
    assert spa_round_preview(project=seeded, params={})["judged"] == 40
    with pytest.raises(
        SpaError, match="round 1 is reverted: only a round pending audit can be applied"
    ):
        spa_round_apply(spa=spa)


def test_a_round_is_reverted_only_after_the_rounds_that_came_after_it(seeded):
    first = run_round(seeded, limit=20)
    answer_audit(first, agree=True)
    spa_round_apply(spa=first)
    second = run_round(seeded)
    assert second.parent == first
    with pytest.raises(SpaError, match="round 2 came after round 1: revert round 2 first"):
        spa_round_revert(spa=first)
    spa_round_revert(spa=second)
    assert spa_round_revert(spa=first)["labels"] > 0
    third = run_round(seeded)
    assert third.parent is None  # both earlier rounds were reverted


def test_the_judge_defaults_to_embedding_unless_gpu_workers_are_configured(
    client, lead, project, settings
):
    client.force_login(lead)
    settings.SPA_GPU_WORKERS = False
    assert spa_params({})["judge"] == "embedding"
    assert '<option value="embedding" selected>' in dashboard(client, project)
    settings.SPA_GPU_WORKERS = True
    assert spa_params({})["judge"] == "implicit"
    assert '<option value="implicit" selected>' in dashboard(client, project)


def test_the_api_applies_a_round_only_after_its_audit_and_reverts_it(lead, seeded):
    spa = run_round(seeded)
    api = APIClient()
    api.force_authenticate(lead)
    url = f"/api/v1/projects/{seeded.slug}/spa-rounds/{spa.id}"
    refused = api.post(f"{url}/apply/", format="json")
    assert refused.status_code == 400
    assert "people have decided 0 of the 10 audit pairs needed" in refused.content.decode()
    answer_audit(spa, agree=True)
    applied = api.post(f"{url}/apply/", format="json")
    assert applied.status_code == 200
    assert (applied.json()["review"], applied.json()["figures"]["state"]) == ("applied",) * 2
    reverted = api.post(f"{url}/revert/", format="json")
    assert reverted.json()["review"] == "reverted"
    assert not Label.objects.live().filter(source="model").exists()
