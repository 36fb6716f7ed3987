"""Thin Celery shells: take ids, call a service."""

from __future__ import annotations

from celery import shared_task

from selection.services import selection_run_execute


@shared_task(acks_late=True, soft_time_limit=1800, time_limit=1900)
def run_selection(run_id: int) -> str:
    run = selection_run_execute(run_id=run_id)
    return run.status
