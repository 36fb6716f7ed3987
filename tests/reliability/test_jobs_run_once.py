"""A job runs once at a time: a redelivered task leaves a job whose worker still beats alone,
a job whose worker died is taken up again, and a lead sees and resumes it."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from django.conf import settings
from django.db import OperationalError
from django.urls import reverse
from django.utils import timezone

from annotation import job as jobs
from annotation.models import ExportJob, Pair
from config.celery import app
from selection.models import EffortRun, SelectionRun
from selection.runs.services import selection_run_execute
from tests.factories import PromptFactory, ResponseFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def prompts(project):
    for _ in range(3):
        prompt = PromptFactory(project=project)
        ResponseFactory.create_batch(3, prompt=prompt)


def running(project, beat_seconds_ago: float) -> SelectionRun:
    beat = timezone.now() - timedelta(seconds=beat_seconds_ago)
    return SelectionRun.objects.create(project=project, strategy="random", params={"seed": 1},
                                       status="running", heartbeat_at=beat)  # fmt: skip


def test_a_redelivered_task_leaves_a_run_whose_worker_still_beats_alone(project, prompts):
    run = running(project, beat_seconds_ago=5)
    assert selection_run_execute(run_id=run.id).status == "running"
    assert Pair.objects.count() == 0
    run.refresh_from_db()
    assert run.attempts == 0


def test_a_run_whose_worker_died_is_taken_up_again_and_finishes(project, prompts):
    stale = jobs.stale_after().total_seconds() + 1
    run = running(project, beat_seconds_ago=stale)
    assert run.is_stale
    done = selection_run_execute(run_id=run.id)
    assert done.status == "done"
    assert done.attempts == 1
    assert Pair.objects.filter(selection_run=run).count() == 3


def test_a_pending_job_is_claimed_once(project):
    run = EffortRun.objects.create(project=project, kind="live")
    assert EffortRun.claim(run.id) is not None
    assert EffortRun.claim(run.id) is None
    assert EffortRun.objects.get(id=run.id).attempts == 1


def test_a_transient_error_gives_the_claim_back_for_the_task_s_retry(project):
    job = ExportJob.claim(ExportJob.objects.create(project=project).id)
    with pytest.raises(OperationalError), job.working():
        raise OperationalError("the database went away")
    assert ExportJob.objects.get(id=job.id).status == "pending"
    assert ExportJob.claim(job.id) is not None


@pytest.mark.django_db(transaction=True)
def test_a_worker_beats_while_its_job_works(project, settings):
    settings.JOB_HEARTBEAT_SECONDS = 0.05
    settings.CELERY_TASK_ALWAYS_EAGER = False
    job = ExportJob.claim(ExportJob.objects.create(project=project).id)
    first = job.heartbeat_at
    with job.working():
        time.sleep(0.4)
    assert ExportJob.objects.get(id=job.id).heartbeat_at > first


def test_no_task_outlives_the_broker_s_visibility_timeout():
    import annotation.tasks
    import selection.tasks  # noqa: F401 (registers the tasks with the app)

    assert annotation.tasks
    visibility = settings.CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"]
    ours = [t for name, t in app.tasks.items() if name.split(".")[0] in ("annotation", "selection")]
    assert len(ours) >= 6
    for task in ours:
        assert task.time_limit is not None, task.name
        assert task.time_limit < visibility, task.name


def test_a_lead_sees_a_run_whose_worker_died_and_resumes_it(
    client, lead, project, prompts, eager_tasks, django_capture_on_commit_callbacks
):
    run = running(project, beat_seconds_ago=jobs.stale_after().total_seconds() + 60)
    client.force_login(lead)
    page = client.get(reverse("selection_runs", args=["demo"])).content.decode()
    assert f'id="selection-{run.id}-stalled"' in page
    assert "Its worker stopped answering" in page
    url = reverse("job_resume", args=["demo", "selection", run.id])
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, {"next": reverse("selection_runs", args=["demo"])})
    run.refresh_from_db()
    assert run.status == "done"
    assert Pair.objects.filter(selection_run=run).count() == 3


def test_a_job_no_worker_took_can_be_sent_again_but_a_beating_one_cannot(
    client, lead, project, django_capture_on_commit_callbacks
):
    old = timezone.now() - jobs.stale_after() - timedelta(seconds=1)
    waiting = ExportJob.objects.create(project=project)
    ExportJob.objects.filter(id=waiting.id).update(created_at=old)
    beating = ExportJob.objects.create(project=project, status="running",
                                       heartbeat_at=timezone.now())  # fmt: skip
    client.force_login(lead)
    page = client.get(reverse("export_job", args=["demo", waiting.id])).content.decode()
    assert "No worker has taken it" in page
    with django_capture_on_commit_callbacks(execute=False) as sent:
        client.post(reverse("job_resume", args=["demo", "export", waiting.id]))
        refused = client.post(reverse("job_resume", args=["demo", "export", beating.id]),
                              follow=True)  # fmt: skip
    assert len(sent) == 1
    assert "running or finished" in refused.content.decode()
    assert ExportJob.objects.get(id=beating.id).status == "running"


def test_annotators_cannot_resume_jobs(client, annotator, project):
    job = ExportJob.objects.create(project=project)
    client.force_login(annotator)
    response = client.post(reverse("job_resume", args=["demo", "export", job.id]))
    assert response.status_code == 403


def test_a_redelivered_spa_round_leaves_a_round_whose_worker_still_beats_alone(project):
    from selection.models import SpaRound
    from selection.spa.services import spa_round_execute

    spa = SpaRound.objects.create(project=project, number=1, judge="embedding", status="running",
                                  heartbeat_at=timezone.now())  # fmt: skip
    assert spa_round_execute(round_id=spa.id).status == "running"
    assert SpaRound.objects.get(id=spa.id).attempts == 0


def test_a_lead_resumes_a_spa_round_whose_worker_died(client, lead, project):
    from selection.models import SpaRound

    dead = timezone.now() - jobs.stale_after() - timedelta(seconds=1)
    spa = SpaRound.objects.create(project=project, number=1, judge="embedding", status="running",
                                  heartbeat_at=dead)  # fmt: skip
    client.force_login(lead)
    page = client.get(reverse("effort", args=["demo"])).content.decode()
    assert f'id="spa-{spa.id}-stalled"' in page
    client.post(reverse("job_resume", args=["demo", "spa", spa.id]))
    assert SpaRound.objects.get(id=spa.id).status == "pending"
