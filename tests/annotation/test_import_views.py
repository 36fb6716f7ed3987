from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from annotation.models import ImportJob, Prompt
from tests.annotation.import_files import grouped, write_jsonl

pytestmark = pytest.mark.django_db


@pytest.fixture
def upload_url(project):
    return reverse("import_upload", args=[project.slug])


def _upload(tmp_path, records, name="g.jsonl"):
    path = write_jsonl(tmp_path, name, records)
    return SimpleUploadedFile(name, path.read_bytes(), content_type="application/jsonl")


def test_a_lead_sees_the_upload_form_and_the_project_page_links_to_it(client, lead, upload_url):
    client.force_login(lead)
    assert 'type="file"' in client.get(upload_url).content.decode()
    detail = client.get(reverse("project_detail", args=["demo"])).content.decode()
    assert upload_url in detail


def test_an_annotator_gets_403_and_no_import_link(client, annotator, upload_url):
    client.force_login(annotator)
    assert client.get(upload_url).status_code == 403
    assert client.post(upload_url, {"file_format": "auto"}).status_code == 403
    assert upload_url not in client.get(reverse("project_detail", args=["demo"])).content.decode()


def test_an_outsider_gets_404(client, outsider, upload_url):
    client.force_login(outsider)
    assert client.get(upload_url).status_code == 404
    assert client.post(upload_url).status_code == 404


def test_anonymous_visitors_are_sent_to_log_in(client, project, upload_url):
    for response in (client.get(upload_url), client.post(upload_url)):
        assert response.status_code == 302
        assert response.url.startswith(reverse("login"))


def test_a_small_upload_is_imported_inline_and_its_page_shows_the_report(
    client, lead, project, upload_url, tmp_path
):
    client.force_login(lead)
    data = {"file": _upload(tmp_path, [grouped(0), grouped(1)]), "file_format": "auto"}
    response = client.post(upload_url, data)
    job = ImportJob.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("import_job", args=[project.slug, job.id])
    assert job.status == ImportJob.Status.DONE
    assert Prompt.objects.filter(project=project).count() == 2
    page = client.get(response.url).content.decode()
    assert '<dd id="prompts-created">2</dd>' in page
    assert "every 1s" not in page


def test_a_refused_upload_shows_file_line_and_field(client, lead, upload_url, tmp_path):
    client.force_login(lead)
    broken = grouped(1)
    broken["prompt"] = ""
    client.post(
        upload_url, {"file": _upload(tmp_path, [grouped(0), broken]), "file_format": "auto"}
    )
    job = ImportJob.objects.get()
    assert job.status == ImportJob.Status.FAILED
    page = client.get(reverse("import_job", args=["demo", job.id])).content.decode()
    assert "Nothing was imported" in page
    assert "<td>g.jsonl</td><td>2</td><td>prompt</td><td>empty</td>" in page
    assert Prompt.objects.count() == 0


def test_an_upload_over_the_limit_gets_a_clear_message(
    client, lead, upload_url, tmp_path, settings
):
    settings.IMPORT_MAX_UPLOAD_BYTES = 100
    client.force_login(lead)
    response = client.post(
        upload_url, {"file": _upload(tmp_path, [grouped(0)]), "file_format": "auto"}
    )
    assert response.status_code == 413
    assert "The file is too large to upload" in response.content.decode()
    assert "the limit is 100\xa0bytes" in response.content.decode()
    assert not ImportJob.objects.exists()


def test_a_declared_size_far_over_the_limit_is_refused_before_the_body_is_read(
    client, lead, upload_url, tmp_path, settings
):
    settings.IMPORT_MAX_UPLOAD_BYTES = 100
    client.force_login(lead)
    big = [grouped(i, prompt="x" * 2000) for i in range(60)]
    response = client.post(upload_url, {"file": _upload(tmp_path, big), "file_format": "auto"})
    assert response.status_code == 413
    assert "too large" in response.content.decode()


def test_the_upload_form_still_requires_a_csrf_token(lead, upload_url, tmp_path):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(lead)
    response = client.post(upload_url, {"file": _upload(tmp_path, [grouped(0)])})
    assert response.status_code == 403
    assert not ImportJob.objects.exists()


def _running_job(project, lead, tmp_path) -> ImportJob:
    path = write_jsonl(tmp_path, "big.jsonl", [grouped(0)])
    return ImportJob.objects.create(
        project=project,
        created_by=lead,
        file_path=str(path),
        file_name="big.jsonl",
        status=ImportJob.Status.RUNNING,
        bytes_total=1000,
        bytes_done=250,
    )


def test_a_running_job_page_polls_with_htmx_and_works_without_it(client, lead, project, tmp_path):
    job = _running_job(project, lead, tmp_path)
    client.force_login(lead)
    url = reverse("import_job", args=[project.slug, job.id])
    full = client.get(url).content.decode()
    assert "<html" in full
    assert 'hx-trigger="every 1s"' in full
    assert '<meta http-equiv="refresh"' in full
    assert "(25%)" in full
    partial = client.get(url, headers={"HX-Request": "true"}).content.decode()
    assert "<html" not in partial
    assert 'hx-trigger="every 1s"' in partial


def test_job_pages_of_another_project_are_not_found(client, lead, project, tmp_path):
    from tests.factories import MembershipFactory, ProjectFactory

    other = ProjectFactory()
    MembershipFactory(project=other, user=lead, role="lead")
    job = _running_job(project, lead, tmp_path)
    client.force_login(lead)
    assert client.get(reverse("import_job", args=[other.slug, job.id])).status_code == 404


def test_an_annotator_cannot_see_a_job(client, annotator, lead, project, tmp_path):
    job = _running_job(project, lead, tmp_path)
    client.force_login(annotator)
    assert client.get(reverse("import_job", args=[project.slug, job.id])).status_code == 403


def test_a_running_job_shows_the_progress_its_worker_reported(client, lead, project, tmp_path):
    from django.core.cache import cache

    job = _running_job(project, lead, tmp_path)
    cache.set(job.progress_key, 750)
    client.force_login(lead)
    page = client.get(
        reverse("import_job", args=[project.slug, job.id]), headers={"HX-Request": "1"}
    )
    polled = client.get(reverse("job_status", args=[project.slug, "import", job.id]))
    for body in (page.content.decode(), polled.content.decode()):
        assert 'value="0.75"' in body
        assert "(75%)" in body
    cache.delete(job.progress_key)
