"""The lead's export page, the job page (with and without htmx) and the download."""

from __future__ import annotations

import io
import json
import zipfile

import pytest
from django.urls import reverse

from annotation.models import ExportJob, Label
from tests.factories import PairFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def decided(project, annotator):
    for _ in range(3):
        Label.objects.create(pair=PairFactory(project=project), annotator=annotator, choice="b")
    return project


def test_a_lead_exports_and_downloads_a_zip(
    client, lead, decided, settings, tmp_path, eager_tasks, django_capture_on_commit_callbacks
):
    settings.MEDIA_ROOT = tmp_path
    client.force_login(lead)
    form = {"fmt": "jsonl", "min_agreement": "0.5", "test_share": "0", "license_name": "mit"}
    with django_capture_on_commit_callbacks(execute=True):
        started = client.post(reverse("export", args=["demo"]), form)
    job = ExportJob.objects.get()
    assert started.status_code == 302
    assert started["Location"] == reverse("export_job", args=["demo", job.id])
    page = client.get(started["Location"]).content.decode()
    assert 'id="export-rows">3<' in page
    download = client.get(reverse("export_download", args=["demo", job.id]))
    archive = zipfile.ZipFile(io.BytesIO(b"".join(download.streaming_content)))
    assert sorted(archive.namelist()) == ["README.md", "train.jsonl"]
    rows = [json.loads(line) for line in archive.read("train.jsonl").splitlines()]
    assert len(rows) == 3
    assert "license: mit" in archive.read("README.md").decode()


def test_with_htmx_the_job_page_returns_only_its_status(client, lead, project):
    job = ExportJob.objects.create(project=project, status="running", progress=0.5)
    client.force_login(lead)
    body = client.get(reverse("export_job", args=["demo", job.id]),
                      headers={"HX-Request": "true"}).content.decode()  # fmt: skip
    assert body.lstrip().startswith('<div id="export-job"')
    assert 'hx-trigger="every 1s"' in body


def test_bad_form_input_is_shown_and_starts_nothing(client, lead, project):
    client.force_login(lead)
    page = client.post(reverse("export", args=["demo"]), {"fmt": "xml", "min_agreement": "3"})
    assert page.status_code == 400
    assert "Select a valid choice" in page.content.decode()
    assert not ExportJob.objects.exists()


def test_an_empty_project_exports_a_card_and_no_rows(
    client, lead, project, settings, tmp_path, eager_tasks, django_capture_on_commit_callbacks
):
    settings.MEDIA_ROOT = tmp_path
    client.force_login(lead)
    with django_capture_on_commit_callbacks(execute=True):
        form = {"fmt": "parquet", "min_agreement": "0.5", "test_share": "0", "license_name": "x"}
        client.post(reverse("export", args=["demo"]), form)
    job = ExportJob.objects.get()
    assert (job.status, job.result["rows"]) == ("done", 0)


def test_annotators_get_403_outsiders_404_and_anonymous_visitors_log_in(
    client, annotator, outsider, project
):
    job = ExportJob.objects.create(project=project, status="done", file_path="/nonexistent")
    urls = [
        reverse("export", args=["demo"]),
        reverse("export_job", args=["demo", job.id]),
        reverse("export_download", args=["demo", job.id]),
    ]
    for url in urls:
        assert client.get(url).status_code == 302
        client.force_login(annotator)
        assert client.get(url).status_code == 403
        client.force_login(outsider)
        assert client.get(url).status_code == 404
        client.logout()


def test_a_missing_file_is_a_clear_404(client, lead, project):
    job = ExportJob.objects.create(project=project, status="done", file_path="/nonexistent.zip")
    client.force_login(lead)
    assert client.get(reverse("export_download", args=["demo", job.id])).status_code == 404
