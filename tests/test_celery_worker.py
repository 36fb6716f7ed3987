from __future__ import annotations

import pytest

from selection.models import SelectionRun
from selection.services import selection_run_start
from tests.factories import ProjectFactory, PromptFactory, ResponseFactory
from tests.workers import celery_worker, wait_for


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_runs_a_selection_queued_on_commit():
    project = ProjectFactory()
    for _ in range(3):
        prompt = PromptFactory(project=project)
        ResponseFactory.create_batch(3, prompt=prompt)
    with celery_worker():
        run = selection_run_start(project=project, strategy="random", params={"seed": 3})

        def finished() -> bool:
            run.refresh_from_db()
            return run.status in (SelectionRun.Status.DONE, SelectionRun.Status.FAILED)

        wait_for(finished, 20, "the selection run")
    assert run.status == SelectionRun.Status.DONE, run.error
    assert run.pairs.count() == 3
