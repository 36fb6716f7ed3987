from __future__ import annotations

import os
import signal
import time

import pytest

from annotation.models import Pair, Response
from config.celery import app
from selection.embedding import embedder_name
from selection.models import ModelProfile, ResponseEmbedding, SelectionRun
from selection.profiles import competency_buckets_compute
from selection.runs.services import selection_run_start
from selection.tasks import embed_project
from tests.selection.helpers import load_slice
from tests.workers import celery_worker, wait_for

pytestmark = [pytest.mark.celery_worker, pytest.mark.django_db(transaction=True)]


def finished(run: SelectionRun) -> bool:
    run.refresh_from_db()
    return run.status in (SelectionRun.Status.DONE, SelectionRun.Status.FAILED)


@pytest.fixture
def project(tmp_path):
    from tests.factories import ProjectFactory

    project = ProjectFactory(slug="pool")
    load_slice(project, tmp_path, prompts=20, models=6)
    competency_buckets_compute(project=project, count=3)
    app.control.purge()
    return project


def test_a_real_worker_embeds_a_slice_and_runs_two_strategies_as_two_arms(project):
    name = embedder_name()
    with celery_worker():
        embed_project.delay(project.id, name)
        wait_for(lambda: ResponseEmbedding.objects.count() == 120, 180, "120 embeddings")
        real = selection_run_start(project=project, strategy="dissimilar", params={"seed": 1})
        karma = selection_run_start(project=project, strategy="kinship", params={"seed": 1})
        for run in (real, karma):
            wait_for(lambda run=run: finished(run), 120, f"run {run.id}")
    assert (real.status, karma.status) == ("done", "done"), (real.error, karma.error)
    assert Pair.objects.filter(arm="dissimilar").count() == 20
    assert Pair.objects.filter(arm="kinship").count() == 20
    for pair in Pair.objects.filter(arm="kinship"):
        names = [pair.response_a.model_name, pair.response_b.model_name]
        assert ModelProfile.objects.filter(project=project, model_name__in=names).count() == 2
    assert real.counts["score_histogram"]["counts"]


def test_a_run_survives_its_worker_being_killed(project):
    # A fast redelivery, and a heartbeat that goes stale before it (as 8 hours against 2.5
    # minutes do by default), so the second worker takes the run up.
    fast_redelivery = {"CELERY_VISIBILITY_TIMEOUT": "7", "JOB_HEARTBEAT_SECONDS": "1"}
    params = {"seed": 5, "prompts_per_chunk": 4, "delay_per_chunk": 2}
    with celery_worker(env=fast_redelivery) as first:
        run = selection_run_start(project=project, strategy="dissimilar", params=params)
        wait_for(lambda: Pair.objects.filter(arm="dissimilar").exists(), 180, "the first pairs")
        os.kill(first.pid, signal.SIGKILL)
        first.wait(timeout=10)
    run.refresh_from_db()
    partial = Pair.objects.filter(arm="dissimilar").count()
    assert run.status == "running"
    assert 0 < partial < 20
    time.sleep(8)  # past the visibility timeout, so the unacknowledged task is handed out again
    with celery_worker(env=fast_redelivery):
        wait_for(lambda: finished(run), 180, "the run to finish on the second worker")
    assert run.status == "done", run.error
    pairs = Pair.objects.filter(arm="dissimilar")
    assert pairs.count() == 20
    assert len(set(pairs.values_list("prompt_id", flat=True))) == 20
    assert ResponseEmbedding.objects.count() == Response.objects.count() == 120


def test_a_real_worker_runs_an_effort_simulation_with_progress(project):
    from selection.effort.services import effort_run_start
    from selection.models import EffortRun
    from tests.selection.effort_helpers import store_embeddings

    store_embeddings(project)
    with celery_worker():
        run = effort_run_start(
            project=project, kind=EffortRun.Kind.SIMULATION,
            params={"strategies": ["random", "dissimilar", "kinship"], "seeds": 2, "boot": 20},
        )  # fmt: skip
        wait_for(lambda: EffortRun.objects.get(id=run.id).status in ("done", "failed"), 120,
                 f"effort run {run.id}")  # fmt: skip
    run.refresh_from_db()
    assert run.status == "done", run.error
    assert run.progress == 1.0
    assert set(run.result["arms"]) == {"random", "dissimilar", "kinship"}


def test_a_gpu_queue_worker_trains_and_judges_an_spa_round(project, tmp_path):
    from annotation.models import Label
    from selection.models import SpaRound
    from selection.spa.services import spa_round_start
    from tests.factories import UserFactory
    from tests.tiny_lm import tiny_gpt2, tiny_tokenizer

    folder = tmp_path / "tiny"
    tokenizer = tiny_tokenizer()
    tiny_gpt2(tokenizer).save_pretrained(folder)
    tokenizer.save_pretrained(folder)
    person = UserFactory()
    for prompt in project.prompts.order_by("id")[:11]:
        a, b = prompt.responses.order_by("id")[:2]
        Pair.objects.create(project=project, prompt=prompt, response_a=a, response_b=b)
    for pair in Pair.objects.filter(project=project).order_by("id")[:5]:
        Label.objects.create(pair=pair, annotator=person, choice="a")
    env = {"SPA_REFERENCE_MODEL": str(folder), "MEDIA_ROOT": str(tmp_path / "media")}
    with celery_worker(queues="gpu", env=env):
        params = {"judge": "implicit", "min_seed": 5, "learning_rate": 1e-3, "limit": 6}
        spa = spa_round_start(project=project, params=params)
        wait_for(lambda: SpaRound.objects.get(id=spa.id).status in ("done", "failed"), 180,
                 f"SPA round {spa.id}")  # fmt: skip
    spa.refresh_from_db()
    assert spa.status == "done", spa.error
    assert spa.counts["judged"] == 6
    assert spa.review == "pending"
    assert (tmp_path / "media" / "spa" / project.slug / "round-1" / "lineage.json").exists()


def test_a_real_worker_starts_the_next_active_learning_batch_when_it_is_due(project):
    from annotation.models import Label
    from selection.embedding import embeddings_compute
    from selection.tasks import refit_uncertain
    from tests.factories import UserFactory

    embeddings_compute(response_ids=list(Response.objects.values_list("id", flat=True)))
    with celery_worker():
        first = selection_run_start(project=project, strategy="uncertain", params={"budget": 5})
        wait_for(lambda: finished(first), 120, f"run {first.id}")
        assert refit_uncertain.delay().get(timeout=60) == 0  # no labels yet, pairs open
        user = UserFactory()
        for pair in Pair.objects.filter(selection_run=first):
            Label.objects.create(pair=pair, annotator=user, choice="a")
        assert refit_uncertain.delay().get(timeout=60) == 1
        second = SelectionRun.objects.exclude(id=first.id).get(strategy="uncertain")
        wait_for(lambda: finished(second), 120, f"run {second.id}")
    assert second.status == "done", second.error
    assert second.counts["labels_fitted"] == 5
    assert Pair.objects.filter(arm="uncertain").count() == 10
