"""Thin Celery shells: take ids, call a service."""

from __future__ import annotations

from celery import shared_task

from annotation.export.jobs import export_job_run
from annotation.importing.jobs import import_job_run
from annotation.prerender import responses_render


@shared_task(acks_late=True, soft_time_limit=3600, time_limit=3700)
def run_import(job_id: int) -> str:
    return import_job_run(job_id=job_id).status


@shared_task(acks_late=True, soft_time_limit=3600, time_limit=3700)
def run_export(job_id: int) -> str:
    return export_job_run(job_id=job_id).status


@shared_task(acks_late=True, soft_time_limit=3600, time_limit=3700)
def render_responses_ahead(project_id: int) -> int:
    return responses_render(project_id=project_id)
