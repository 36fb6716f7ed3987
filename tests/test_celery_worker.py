from __future__ import annotations

import time

import pytest

from selection.models import SelectionRun
from selection.services import selection_run_start
from tests.factories import ProjectFactory, PromptFactory, ResponseFactory
from tests.workers import celery_worker


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_runs_a_selection_queued_on_commit():
    project = ProjectFactory()
    for _ in range(3):
        prompt = PromptFactory(project=project)
        ResponseFactory.create_batch(3, prompt=prompt)
    with celery_worker():
        run = selection_run_start(project=project, strategy="random", params={"seed": 3})
        for _ in range(200):
            run.refresh_from_db()
            if run.status in (SelectionRun.Status.DONE, SelectionRun.Status.FAILED):
                break
            time.sleep(0.1)
    assert run.status == SelectionRun.Status.DONE, run.error
    assert run.pairs.count() == 3
