"""The one job status partial every page polls: it polls while the job is pending or running,
stops and tells the page once the job has ended, and only a project's leads see it."""

from __future__ import annotations

import pytest
from django.urls import reverse

from annotation.models import ExportJob
from selection.models import EffortRun, SelectionRun, SpaRound

pytestmark = pytest.mark.django_db


def status_url(kind: str, job_id: int, slug: str = "demo") -> str:
    return reverse("job_status", args=[slug, kind, job_id])


def test_a_running_job_s_status_shows_its_stage_and_progress_and_polls_again(client, lead, project):
    run = EffortRun.objects.create(project=project, kind="simulation", status="running",
                                   stage="simulating annotators", progress=0.4)  # fmt: skip
    client.force_login(lead)
    response = client.get(status_url("effort", run.id), headers={"HX-Request": "true"})
    body = response.content.decode()
    assert body.lstrip().startswith(f'<div class="job-status" id="effort-{run.id}-status"')
    assert f'hx-get="{status_url("effort", run.id)}" hx-trigger="every 1s"' in body
    assert "simulating annotators" in body
    assert '<progress max="1" value="0.4"></progress> (40%)' in body
    assert "HX-Trigger" not in response


def test_an_ended_job_s_status_stops_polling_and_tells_the_page(client, lead, project):
    run = SelectionRun.objects.create(project=project, strategy="random", status="failed",
                                      error="options: random takes no k")  # fmt: skip
    client.force_login(lead)
    response = client.get(status_url("selection", run.id), headers={"HX-Request": "true"})
    body = response.content.decode()
    assert "hx-trigger" not in body
    assert "Failed" in body
    assert "options: random takes no k" in body
    assert response["HX-Trigger"] == "job-finished"


@pytest.mark.parametrize(
    "make",
    [
        lambda p: ExportJob.objects.create(project=p),
        lambda p: SpaRound.objects.create(project=p, number=1, judge="embedding"),
    ],
    ids=["export", "spa"],
)
def test_every_kind_of_job_polls_through_the_same_partial(client, lead, project, make):
    job = make(project)
    kind = {ExportJob: "export", SpaRound: "spa"}[type(job)]
    client.force_login(lead)
    body = client.get(status_url(kind, job.id)).content.decode()
    assert f'id="{kind}-{job.id}-status"' in body
    assert "waiting for a worker" in body


def test_only_the_project_s_leads_see_a_job_s_status(client, lead, annotator, outsider, project):
    from tests.factories import MembershipFactory, ProjectFactory

    job = ExportJob.objects.create(project=project)
    client.force_login(annotator)
    assert client.get(status_url("export", job.id)).status_code == 403
    client.force_login(outsider)
    assert client.get(status_url("export", job.id)).status_code == 404
    other = ProjectFactory()
    MembershipFactory(project=other, user=lead, role="lead")
    client.force_login(lead)
    assert client.get(status_url("export", job.id, slug=other.slug)).status_code == 404
    assert client.get(status_url("nope", job.id)).status_code == 404
    client.logout()
    assert client.get(status_url("export", job.id)).status_code == 302
