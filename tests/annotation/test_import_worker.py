from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from annotation.models import ImportJob, Prompt, Response
from tests.annotation.import_files import grouped, write_jsonl
from tests.workers import celery_worker, wait_for


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_a_large_upload_is_imported_by_a_real_worker_and_its_page_then_shows_done(
    client, lead, project, tmp_path, settings
):
    settings.IMPORT_INLINE_MAX_BYTES = 100
    settings.MEDIA_ROOT = tmp_path / "media"
    path = write_jsonl(tmp_path, "big.jsonl", [grouped(i) for i in range(50)])
    upload = SimpleUploadedFile("big.jsonl", path.read_bytes())
    client.force_login(lead)
    with celery_worker():
        response = client.post(
            reverse("import_upload", args=[project.slug]), {"file": upload, "file_format": "auto"}
        )
        job = ImportJob.objects.get()
        assert response.url == reverse("import_job", args=[project.slug, job.id])

        def finished() -> bool:
            job.refresh_from_db()
            return job.status in (ImportJob.Status.DONE, ImportJob.Status.FAILED)

        wait_for(finished, 30, "the import job")
    assert job.status == ImportJob.Status.DONE, job.result
    assert Prompt.objects.filter(project=project).count() == 50
    assert Response.objects.filter(prompt__project=project).count() == 150
    page = client.get(response.url, headers={"HX-Request": "true"}).content.decode()
    assert "Done" in page
    assert '<dd id="prompts-created">50</dd>' in page
    assert "every 1s" not in page
