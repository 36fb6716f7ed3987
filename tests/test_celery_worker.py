from __future__ import annotations

import pytest

from selection.models import SelectionRun
from selection.runs.services import selection_run_start
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


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_the_first_pair_shown_has_a_real_worker_render_the_project_s_other_open_pairs(client):
    from django.urls import reverse

    from annotation.models import Response
    from annotation.rendering import html_key
    from tests.factories import MembershipFactory, PairFactory

    project = ProjectFactory()
    pairs = [PairFactory(project=project) for _ in range(6)]
    person = MembershipFactory(project=project).user
    client.force_login(person)
    shown = {r.id for p in pairs for r in (p.response_a, p.response_b)}
    with celery_worker():
        client.get(reverse("annotate", args=[project.slug]), HTTP_HX_REQUEST="true")

        def all_rendered() -> bool:
            return Response.objects.filter(id__in=shown, html_key__isnull=True).count() == 0

        wait_for(all_rendered, 20, "the worker to render the open pairs")
    for response in Response.objects.filter(id__in=shown):
        assert response.html_key == html_key(response.text)
