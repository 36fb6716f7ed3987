"""Thin Celery shells: take ids, re-fetch, call a service."""

from __future__ import annotations

from celery import group, shared_task

from annotation.job import TRANSIENT
from annotation.models import Project
from selection.effort.services import effort_run_execute
from selection.embedding import embeddings_compute, missing_response_ids
from selection.profiles import competency_buckets_compute
from selection.runs.batches import start_due_batches
from selection.runs.services import selection_run_execute

EMBED_CHUNK = 512


@shared_task(
    acks_late=True, soft_time_limit=1800, time_limit=1900,
    autoretry_for=TRANSIENT, retry_backoff=True, max_retries=5,
)  # fmt: skip
def run_selection(run_id: int) -> str:
    run = selection_run_execute(run_id=run_id)
    return run.status


@shared_task(
    acks_late=True, soft_time_limit=3600, time_limit=3700,
    autoretry_for=TRANSIENT, retry_backoff=True, max_retries=5,
)  # fmt: skip
def embed_chunk(response_ids: list[int], name: str) -> int:
    return embeddings_compute(response_ids=response_ids, name=name)


@shared_task(acks_late=True, soft_time_limit=600, time_limit=660)
def embed_project(project_id: int, name: str) -> int:
    """Split the project's missing embeddings into chunks that any number of workers share."""
    missing = missing_response_ids(project_id, name)
    chunks = [missing[i : i + EMBED_CHUNK] for i in range(0, len(missing), EMBED_CHUNK)]
    group(embed_chunk.s(chunk, name) for chunk in chunks).apply_async()
    return len(missing)


@shared_task(acks_late=True, soft_time_limit=600, time_limit=660, autoretry_for=TRANSIENT)
def compute_buckets(project_id: int, count: int = 3) -> str:
    project = Project.objects.filter(id=project_id).first()
    if project is None:  # deleted since the task was queued
        return ""
    return competency_buckets_compute(project=project, count=count)


@shared_task(
    acks_late=True, soft_time_limit=3600, time_limit=3700,
    autoretry_for=TRANSIENT, retry_backoff=True, max_retries=5,
)  # fmt: skip
def run_effort(run_id: int) -> str:
    return effort_run_execute(run_id=run_id).status


@shared_task(acks_late=True, soft_time_limit=6 * 3600, time_limit=6 * 3600 + 300)
def judge_spa_round(round_id: int) -> str:
    """On the `gpu` queue (CELERY_TASK_ROUTES): trains the round's policy, then judges."""
    from selection.spa.services import spa_round_execute

    return spa_round_execute(round_id=round_id).status


@shared_task(acks_late=True, soft_time_limit=300, time_limit=360, autoretry_for=TRANSIENT)
def refit_uncertain() -> int:
    """Celery beat's periodic check: start every active-learning batch that is due."""
    return len(start_due_batches())
