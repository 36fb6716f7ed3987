"""SPA rounds on the database, with a tiny GPT-2 (saved to a folder) as the reference model."""

from __future__ import annotations

import json

import pytest
from django.core.management import CommandError, call_command

from annotation.export.service import export_dpo
from annotation.models import Label, Pair, Response
from selection.models import SpaProposal, SpaRound
from selection.spa.judging import reference_model
from selection.spa.review import round_figures, spa_round_apply
from selection.spa.seed import training_rows
from tests.factories import PairFactory, PromptFactory, ResponseFactory, UserFactory

pytestmark = pytest.mark.django_db


def _reference(tmp_path, settings, speaks: str = ""):
    """A tiny GPT-2 saved as the reference model; `speaks`: the only characters it writes."""
    from tests.tiny_lm import speaking_only, tiny_gpt2, tiny_tokenizer

    folder = tmp_path / "tiny-reference"
    tokenizer = tiny_tokenizer()
    model = tiny_gpt2(tokenizer, seed=7)
    if speaks:
        speaking_only(model, tokenizer, speaks)
    model.save_pretrained(folder)
    tokenizer.save_pretrained(folder)
    settings.SPA_REFERENCE_MODEL = str(folder)
    settings.MEDIA_ROOT = tmp_path / "media"
    reference_model.cache_clear()
    return folder


@pytest.fixture
def tiny_reference(tmp_path, settings):
    yield _reference(tmp_path, settings)
    reference_model.cache_clear()


@pytest.fixture
def nul_writing_reference(tmp_path, settings):
    yield _reference(tmp_path, settings, speaks="ok\x00")
    reference_model.cache_clear()


@pytest.fixture
def seeded(project):
    """6 pairs people decided (the longer answer wins) and 20 open pairs nobody labeled."""
    person = UserFactory()
    pairs = []
    for i in range(26):
        prompt = PromptFactory(project=project, text=f"Explain thing {i}")
        a = ResponseFactory(prompt=prompt, text=f"A clear answer about thing {i}.")
        b = ResponseFactory(prompt=prompt, text=f"no {i}")
        pairs.append(PairFactory(project=project, prompt=prompt, response_a=a, response_b=b))
    for pair in pairs[:6]:
        Label.objects.create(pair=pair, annotator=person, choice="a")
    return project


def spa_run(*args: str) -> None:
    """A round on this file's small seed, with every judgement confident enough and an audit of
    one pair enough; a test's own options come last and win."""
    call_command("spa_run", "--project", "demo", "--learning-rate", "1e-3", "--judge",
                 "implicit", "--min-seed", "1", "--min-confidence", "0.5", "--min-audit", "1",
                 *args)  # fmt: skip


def pass_audit(spa: SpaRound) -> SpaRound:
    """A person agrees with the judge on every audit pair; then the round is applied."""
    person = UserFactory()
    for pair_id in spa.counts["audit_pairs"]:
        judge = SpaProposal.objects.get(spa_round=spa, pair_id=pair_id).choice
        Label.objects.create(pair_id=pair_id, annotator=person, choice=judge)
    return spa_round_apply(spa=spa)


def test_a_round_trains_a_policy_judges_routes_and_holds_its_labels(seeded, tiny_reference, capsys):
    spa_run("--noisy-share", "0.1", "--audit-share", "0.1")
    spa = SpaRound.objects.get()
    assert spa.status == "done", spa.error
    assert spa.review == "pending"
    assert spa.counts["judged"] == 20
    assert (spa.counts["noisy_human"], spa.counts["audit"], spa.counts["auto"]) == (2, 2, 16)
    lineage = json.loads((tiny_reference.parent / "media" / "spa" / "demo" / "round-1" /
                          "lineage.json").read_text())  # fmt: skip
    assert (lineage["round"], lineage["parent_round"], lineage["rows"]) == (1, None, 6)
    held = SpaProposal.objects.filter(spa_round=spa)
    assert held.count() == 18
    assert all(0.5 <= p.confidence <= 1 for p in held)
    assert not Label.objects.filter(source="model").exists()
    assert not Pair.objects.filter(status="complete").exists()
    assert "judged 20, held 16 pending audit, sent to people 4" in capsys.readouterr().out
    spa = pass_audit(spa)
    audited = Pair.objects.filter(id__in=spa.counts["audit_pairs"])
    assert {p.status for p in audited} == {"open"}  # audits still go to people, unannounced
    assert Label.objects.filter(source="model", judge="spa-round-1").count() == 18
    assert Pair.objects.filter(status="complete").count() == 16


def test_round_two_starts_from_round_one_and_learns_from_its_labels(seeded, tiny_reference):
    spa_run("--limit", "8")
    first = pass_audit(SpaRound.objects.get())
    people = 6 + len(first.counts["audit_pairs"])  # the seed, and the audit's answers
    assert len(training_rows(seeded, 2)) > len(training_rows(seeded, 1)) == people
    spa_run("--limit", "8")
    second = SpaRound.objects.get(number=2)
    assert second.status == "done", second.error
    assert second.parent == first
    assert second.lineage["start"] == first.policy_path
    assert second.lineage["rows"] == len(training_rows(seeded, 2))


def test_expansion_adds_two_policy_responses_per_unlabeled_prompt(seeded, tiny_reference):
    spa_run("--limit", "3", "--expand", "2", "--max-new-tokens", "8", "--noisy-share", "0")
    spa = SpaRound.objects.get()
    assert spa.status == "done", spa.error
    written = Response.objects.filter(model_name="policy-round-1").order_by("id")
    assert written.count() == 4
    assert {r.prompt_id for r in written} == set(
        Pair.objects.filter(arm="spa-expansion").values_list("prompt_id", flat=True)
    )
    assert not Label.objects.filter(pair__prompt_id__in=[r.prompt_id for r in written],
                                    source="human").exists()  # fmt: skip
    new_pairs = Pair.objects.filter(arm="spa-expansion", strategy="spa")
    assert new_pairs.count() == 2
    assert spa.counts["judged"] == 3 + 2
    assert SpaProposal.objects.filter(pair__in=new_pairs, spa_round=spa).count() == 2
    assert all(r.metadata == {"spa_round": 1} for r in written)


def test_expansion_stores_a_policy_s_nul_characters_as_nothing(seeded, nul_writing_reference):
    spa_run("--limit", "3", "--expand", "2", "--max-new-tokens", "8", "--noisy-share", "0")
    spa = SpaRound.objects.get()
    assert spa.status == "done", spa.error
    texts = list(
        Response.objects.filter(model_name="policy-round-1").values_list("text", flat=True)
    )
    assert len(texts) == 4
    assert all(text and set(text) <= {"o", "k"} for text in texts)
    assert sum(map(len, texts)) < 4 * 8  # NUL characters were written, and dropped


def test_expansion_needs_a_language_model(project):
    with pytest.raises(CommandError, match="expand: new responses are written by the policy"):
        spa_run("--judge", "embedding", "--expand", "2")


def test_audited_accuracy_counts_people_on_the_audit_sample(seeded, tiny_reference):
    spa_run("--audit-share", "0.25", "--noisy-share", "0")
    spa = pass_audit(SpaRound.objects.get())
    figures = round_figures(spa)
    assert figures["audit"]["n"] == 5
    assert figures["audit"]["accuracy"] == 1.0
    assert figures["effort_saved"] == pytest.approx(15 / 20)


def test_noisy_pairs_can_stay_with_label_smoothing_for_export(seeded, tiny_reference, tmp_path):
    spa_run("--noisy-share", "0.2", "--low-confidence", "smooth", "--audit-share", "0")
    pass_audit(SpaRound.objects.get())
    assert Label.objects.filter(smoothing=0.1).count() == 4
    export_dpo(project=seeded, out_dir=tmp_path / "out", include_model_labels=True)
    rows = [json.loads(x) for x in (tmp_path / "out" / "train.jsonl").read_text().splitlines()]
    assert sorted(r["smoothing_weight"] for r in rows).count(0.1) == 4
    assert {r["label_source"] for r in rows} == {"human", "model"}


def test_the_embedding_judge_needs_no_language_model(seeded, settings):
    from tests.selection.effort_helpers import store_embeddings

    settings.SPA_REFERENCE_MODEL = "/nonexistent"  # proves the LM is never loaded
    responses = Response.objects.filter(prompt__project=seeded)
    responses.filter(text__startswith="A clear").update(gold_score=1.95)
    responses.exclude(text__startswith="A clear").update(gold_score=1.05)
    store_embeddings(seeded)  # vectors that carry the gold signal
    spa_run("--judge", "embedding", "--noisy-share", "0", "--audit-share", "0")
    spa = SpaRound.objects.get()
    assert spa.status == "done", spa.error
    assert spa.lineage["seed_pairs"] == 6
    # The seed says the clear answer (response a) wins; the judge learned it.
    held = SpaProposal.objects.filter(spa_round=spa)
    assert held.count() == 20
    assert held.filter(choice="a").count() >= 18


def test_without_a_human_seed_no_round_starts_and_the_command_says_why(project, tiny_reference):
    PairFactory(project=project)
    with pytest.raises(CommandError, match="needs at least 1 human-labeled pairs .*, the project "
                                           "has 0"):  # fmt: skip
        spa_run()
    assert not SpaRound.objects.exists()


def test_a_crash_inside_a_round_is_recorded_as_its_failure(seeded, tiny_reference, settings):
    settings.SPA_REFERENCE_MODEL = str(tiny_reference.parent / "no-such-model")
    with pytest.raises(OSError, match="no-such-model"):
        spa_run()
    spa = SpaRound.objects.get()
    assert spa.status == "failed"
    assert "no-such-model" in spa.error
    assert spa.finished_at is not None


@pytest.mark.parametrize(
    ("option", "value", "message"),
    [
        ("--noisy-share", "0.9", "noisy_share: must be between 0.0 and 0.5"),
        ("--max-length", "8", "max_length: must be between 16 and 32768"),
        ("--learning-rate", "0", "learning_rate: must be between 1e-09 and 1.0"),
        ("--limit", str(10**20), "limit: must be between 1 and 1000000000"),
        ("--expand", str(10**7), "expand: must be between 0 and 1000000"),
    ],
)
def test_bad_options_are_refused(project, option, value, message):
    with pytest.raises(CommandError, match=message):
        spa_run(option, value)
    assert not SpaRound.objects.exists()


def test_the_dashboard_names_a_bad_number(client, lead, project):
    from django.urls import reverse

    client.force_login(lead)
    url = reverse("spa_start", kwargs={"slug": project.slug})
    page = client.post(url, {"judge": "implicit", "limit": "ten"}, follow=True)
    assert "limit: &#x27;ten&#x27; is not an integer" in page.content.decode()
    assert not SpaRound.objects.exists()


@pytest.mark.parametrize("arm", ["spa\x00", "x" * 101])
def test_the_dashboard_refuses_an_arm_pairs_cannot_store(client, lead, project, arm):
    from django.urls import reverse

    client.force_login(lead)
    url = reverse("spa_start", kwargs={"slug": project.slug})
    page = client.post(url, {"judge": "embedding", "arm": arm}, follow=True)
    assert "SPA round not started: arm: at most 100 printable characters" in page.content.decode()
    assert not SpaRound.objects.exists()


def test_a_lead_starts_a_round_from_the_dashboard_and_sees_it(
    client, lead, annotator, seeded, eager_tasks, django_capture_on_commit_callbacks
):
    from django.urls import reverse

    from tests.selection.effort_helpers import store_embeddings

    Response.objects.filter(prompt__project=seeded).update(gold_score=1.5)
    store_embeddings(seeded)
    url = reverse("spa_start", args=["demo"])
    client.force_login(annotator)
    assert client.post(url, {"judge": "embedding"}).status_code == 403
    client.force_login(lead)
    form = {"judge": "embedding", "noisy_share": "0.1", "audit_share": "0.1", "min_seed": "1"}
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, form | {"confirm": "yes"})
    page = client.get(reverse("effort", args=["demo"])).content.decode()
    assert SpaRound.objects.get().status == "done"
    assert 'id="spa-rounds"' in page
    assert "pending audit" in page
    assert "awaiting people&#x27;s audit labels" in page or "awaiting people's audit" in page
    bad = client.post(url, {"judge": "embedding", "noisy_share": "2"}, follow=True)
    assert "SPA round not started: noisy_share" in bad.content.decode()


def test_without_workers_the_dashboard_warns_that_a_round_runs_in_the_request(
    client, lead, project, settings
):
    from django.urls import reverse

    client.force_login(lead)
    url = reverse("effort", kwargs={"slug": project.slug})
    settings.CELERY_TASK_ALWAYS_EAGER = True
    assert 'id="spa-in-process"' in client.get(url).content.decode()
    settings.CELERY_TASK_ALWAYS_EAGER = False
    assert 'id="spa-in-process"' not in client.get(url).content.decode()


def test_a_round_queued_before_an_option_existed_runs_with_its_default(seeded):
    from selection.spa.services import spa_round_execute
    from tests.selection.effort_helpers import store_embeddings

    Response.objects.filter(prompt__project=seeded).update(gold_score=1.5)
    store_embeddings(seeded)
    spa = SpaRound.objects.create(project=seeded, number=1, judge="embedding",
                                  params={"noisy_share": 0.0, "audit_share": 0.0, "seed": 0,
                                          "low_confidence": "human"})  # fmt: skip
    spa = spa_round_execute(round_id=spa.id)
    assert spa.status == "done", spa.error
    assert spa.counts["judged"] == 20


def test_a_judge_without_finite_scores_labels_nothing_and_says_why(seeded):
    from tests.selection.effort_helpers import store_embeddings

    store_embeddings(seeded)  # no gold scores: the helper's vectors come out NaN
    with pytest.raises(CommandError, match="judge: 20 of 20 pairs got no finite score"):
        spa_run("--judge", "embedding")
    assert SpaRound.objects.get().status == "failed"
    assert not Label.objects.filter(source="model").exists()
