"""Import jobs: an uploaded file, imported inline when small or by a worker when large."""

from __future__ import annotations

import time
import uuid
from pathlib import Path

from django.conf import settings
from django.core.cache import cache
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.text import get_valid_filename

from annotation.importing.service import import_file
from annotation.models import ImportJob, Project

PROGRESS_EVERY_SECONDS = 0.5


def import_job_create(
    *, project: Project, user, upload: UploadedFile, file_format: str, skip_invalid: bool
) -> ImportJob:
    """Save the upload and run it: inline when small, else on a worker once this commits."""
    path = _save_upload(upload)
    with transaction.atomic():
        job = ImportJob.objects.create(
            project=project,
            created_by=user,
            file_path=str(path),
            file_name=upload.name or path.name,
            file_format=file_format,
            skip_invalid=skip_invalid,
            bytes_total=upload.size or 0,
        )
        if job.bytes_total > settings.IMPORT_INLINE_MAX_BYTES:
            job.send()
    if job.bytes_total <= settings.IMPORT_INLINE_MAX_BYTES:
        job = import_job_run(job_id=job.id)
    return job


def _save_upload(upload: UploadedFile) -> Path:
    folder = Path(settings.MEDIA_ROOT) / "imports"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{uuid.uuid4().hex}-{get_valid_filename(upload.name or 'upload')}"
    with path.open("wb") as out:
        for chunk in upload.chunks():
            out.write(chunk)
    return path


class ImportRefused(Exception):
    """The file has problems and nothing was imported; the job's report lists them."""


def import_job_run(*, job_id: int) -> ImportJob:
    """Claim the job and import its file; a finished job is left alone.

    A job found running is run again (a worker died mid-way): the import rolled back, and
    importing is idempotent anyway.
    """
    job = ImportJob.run(job_id, _import, fails_on=ImportRefused)
    if not job.is_active:
        cache.delete(job.progress_key)
    return job


def _import(job: ImportJob) -> None:
    report = import_file(
        project=job.project,
        path=job.file_path,
        file_format=job.file_format,
        skip_invalid=job.skip_invalid,
        progress=_progress_writer(job),
        display_name=job.file_name,
    )
    job.result, job.bytes_done = report.to_dict(), job.bytes_total
    if report.refused:
        problems = f"{report.issue_count} problem{'s' if report.issue_count != 1 else ''}"
        raise ImportRefused(f"Nothing was imported: {problems} found.")


def _progress_writer(job: ImportJob):
    """Progress goes to the cache (ImportJob.live reads it): the job row is not visible to others
    until the import commits."""
    last = 0.0

    def write(done: int, total: int) -> None:
        nonlocal last
        now = time.monotonic()
        if now - last >= PROGRESS_EVERY_SECONDS or done >= total:
            last = now
            cache.set(job.progress_key, done, timeout=3600)

    return write
