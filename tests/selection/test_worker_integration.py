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
from selection.services import selection_run_start
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
    fast_redelivery = {"CELERY_VISIBILITY_TIMEOUT": "3"}
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
    time.sleep(4)  # past the visibility timeout, so the unacknowledged task is handed out again
    with celery_worker(env=fast_redelivery):
        wait_for(lambda: finished(run), 180, "the run to finish on the second worker")
    assert run.status == "done", run.error
    pairs = Pair.objects.filter(arm="dissimilar")
    assert pairs.count() == 20
    assert len(set(pairs.values_list("prompt_id", flat=True))) == 20
    assert ResponseEmbedding.objects.count() == Response.objects.count() == 120
