"""Selection workflows: start a run, execute it (from a task), write its pairs."""

from __future__ import annotations

import time
from collections.abc import Iterator

import numpy as np
from django.db import transaction
from django.utils import timezone

from annotation.models import Project, Response
from annotation.services import PairSpec, pairs_create
from selection.models import SelectionRun
from selection.strategies import STRATEGIES, PromptGroup


class SelectionError(ValueError):
    """A selection run cannot start or go on, for a reason a lead can act on."""


def selection_run_start(
    *, project: Project, strategy: str, arm: str | None = None, params: dict | None = None
) -> SelectionRun:
    """Create a run and enqueue it once the transaction commits."""
    from selection.tasks import run_selection

    if strategy not in STRATEGIES:
        known = ", ".join(sorted(STRATEGIES))
        raise SelectionError(f"unknown strategy {strategy!r}; known strategies: {known}")
    with transaction.atomic():
        run = SelectionRun.objects.create(
            project=project, strategy=strategy, arm=arm or strategy, params=params or {}
        )
        run_selection.delay_on_commit(run.id)
    return run


def selection_run_execute(*, run_id: int) -> SelectionRun:
    """Claim the run and build its pairs; safe to call again after a crash (no duplicates)."""
    claimed = SelectionRun.objects.filter(
        id=run_id, status__in=[SelectionRun.Status.PENDING, SelectionRun.Status.RUNNING]
    ).update(status=SelectionRun.Status.RUNNING, started_at=timezone.now())
    run = SelectionRun.objects.get(id=run_id)
    if not claimed:
        return run
    started = time.perf_counter()
    try:
        created, prompts = _build_pairs(run)
    except SelectionError as exc:
        return _finish(run, SelectionRun.Status.FAILED, error=str(exc))
    run.counts = {"pairs_created": created, "prompts": prompts}
    run.timings = {"seconds": round(time.perf_counter() - started, 3)}
    return _finish(run, SelectionRun.Status.DONE)


def _finish(run: SelectionRun, status: str, error: str = "") -> SelectionRun:
    run.status = status
    run.error = error
    run.progress = 1.0 if status == SelectionRun.Status.DONE else run.progress
    run.finished_at = timezone.now()
    run.save(update_fields=["status", "error", "progress", "finished_at", "counts", "timings"])
    return run


def _build_pairs(run: SelectionRun) -> tuple[int, int]:
    strategy = STRATEGIES[run.strategy]
    rng = np.random.default_rng(run.params.get("seed"))
    per_prompt = int(run.params.get("pairs_per_prompt", 1))
    specs: list[PairSpec] = []
    prompts = 0
    for group in _prompt_groups(run.project_id):
        prompts += 1
        for cand in strategy.fn(group, pairs_per_prompt=per_prompt, rng=rng):
            specs.append(_spec(group, cand, rng))
    specs = _apply_budget(specs, run.params.get("budget"))
    created = pairs_create(
        project=run.project,
        specs=specs,
        arm=run.arm,
        strategy=run.strategy,
        rng=rng,
        selection_run_id=run.id,
    )
    return created, prompts


def _spec(group: PromptGroup, cand, rng: np.random.Generator) -> PairSpec:
    return PairSpec(
        prompt_id=group.prompt_id,
        response_1=int(group.response_ids[cand.i]),
        response_2=int(group.response_ids[cand.j]),
        score=cand.score,
        # Random tie-breaking so arms and prompts interleave in the queue.
        priority=float(rng.random()),
    )


def _apply_budget(specs: list[PairSpec], budget: int | None) -> list[PairSpec]:
    if budget is None:
        return specs
    return sorted(specs, key=lambda s: -(s.score or 0.0))[: int(budget)]


def _prompt_groups(project_id: int) -> Iterator[PromptGroup]:
    rows = (
        Response.objects.filter(prompt__project_id=project_id)
        .order_by("prompt_id", "id")
        .values_list("prompt_id", "id", "model_name")
    )
    current: int | None = None
    ids: list[int] = []
    names: list[str] = []
    for prompt_id, response_id, model_name in rows.iterator(chunk_size=5000):
        if prompt_id != current and current is not None:
            yield PromptGroup(current, np.array(ids), model_names=tuple(names))
            ids, names = [], []
        current = prompt_id
        ids.append(response_id)
        names.append(model_name)
    if current is not None:
        yield PromptGroup(current, np.array(ids), model_names=tuple(names))
