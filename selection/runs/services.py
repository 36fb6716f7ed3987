"""Selection workflows: start a run, execute it (from a task), write its pairs."""

from __future__ import annotations

import inspect
import time
from collections.abc import Iterator

import numpy as np
from django.db import transaction

from annotation.models import Project, Response
from annotation.services import PairSpec, pairs_create
from selection.charts import round_edges
from selection.embedding import embedder_name, embedding_matrix, embeddings_compute
from selection.models import SelectionRun
from selection.profiles import Pool, pool_load
from selection.runs import active
from selection.strategies import STRATEGIES, PromptGroup, Strategy


class SelectionError(ValueError):
    """A selection run cannot start or go on, for a reason a lead can act on."""


def selection_run_start(
    *, project: Project, strategy: str, arm: str | None = None, params: dict | None = None
) -> SelectionRun:
    """Create a run and enqueue it once the transaction commits."""
    if strategy not in STRATEGIES:
        known = ", ".join(sorted(STRATEGIES))
        raise SelectionError(f"unknown strategy {strategy!r}; known strategies: {known}")
    params = dict(params or {})
    # A fixed seed makes a rerun after a crash choose the very same pairs.
    if params.get("seed") is None:
        params["seed"] = int(np.random.default_rng().integers(0, 2**31))
    if float(params.get("weight", 1.0)) <= 0:
        raise SelectionError("an arm's weight must be positive")
    params["options"] = strategy_options(strategy, params.get("options") or {})
    if "rewards" in STRATEGIES[strategy].needs and params.get("budget") is None:
        params["budget"] = active.DEFAULT_BATCH  # active learning asks in batches
    return SelectionRun.start(
        project=project, strategy=strategy, arm=arm or strategy, params=params
    )


def strategy_options(strategy: str, options: dict) -> dict:
    """The strategy's own options (e.g. kinship's min_kinship), checked against what it takes."""
    taken = {
        name: p.default
        for name, p in inspect.signature(STRATEGIES[strategy].fn).parameters.items()
        if p.kind == p.KEYWORD_ONLY and name not in ("pairs_per_prompt", "rng")
    }
    unknown = sorted(set(options) - set(taken))
    if unknown:
        accepted = ", ".join(sorted(taken)) or "none"
        raise SelectionError(f"options: {strategy} takes no {unknown}; it accepts: {accepted}")
    checked = {}
    for name, value in options.items():
        try:
            checked[name] = None if value is None else float(value)
        except (TypeError, ValueError):
            raise SelectionError(f"options: {name} must be a number, not {value!r}") from None
    return checked


def selection_run_retry(*, run: SelectionRun) -> SelectionRun:
    """Put a failed run, or one whose worker died, back in the queue (its pairs so far are
    kept; none are duplicated)."""
    with transaction.atomic():
        updated = SelectionRun.objects.filter(id=run.id, status=SelectionRun.Status.FAILED).update(
            status=SelectionRun.Status.PENDING, error="", finished_at=None
        )
        if updated or run.resume():
            run.send()
    run.refresh_from_db()
    return run


def selection_run_execute(*, run_id: int) -> SelectionRun:
    """Claim the run and build its pairs; safe to call again after a crash (no duplicates):
    a run whose worker died is claimed again once its heartbeat stops (annotation/job.py)."""
    return SelectionRun.run(run_id, _select_pairs, fails_on=SelectionError)


def _select_pairs(run: SelectionRun) -> None:
    started = time.perf_counter()
    run.counts = _build_pairs(run)
    run.timings = {"seconds": round(time.perf_counter() - started, 3)}


def _build_pairs(run: SelectionRun) -> dict:
    """Select chunk by chunk; without a budget each chunk's pairs are written as it completes,
    so a crash loses at most one chunk of work and a rerun (same seed) adds no duplicates."""
    strategy = STRATEGIES[run.strategy]
    rng = np.random.default_rng(run.params["seed"])
    budget = run.params.get("budget")
    context = _Context(run, strategy)
    held: list[PairSpec] = []
    scores: list[float] = []
    considered = 0
    for chunk, done, total in _chunks(
        run.project_id, int(run.params.get("prompts_per_chunk", 200))
    ):
        considered = total
        specs = list(_select(context, chunk, rng))
        scores += [s.score for s in specs if s.score is not None]
        if budget is None:
            _write(run, specs, rng)
        else:
            held += specs
        _progress(run, done / max(total, 1) * 0.95)
    if budget is not None:
        _write(run, _apply_budget(held, budget, strategy), rng)
    return {
        "pairs_created": run.pairs.count(),
        "prompts_considered": considered,
        # Counted from what was written: a budget keeps only some prompts' pairs.
        "prompts_with_pairs": run.pairs.values("prompt_id").distinct().count(),
        "score_histogram": _histogram(scores),
        **context.fit_counts,
    }


def _select(context: _Context, chunk, rng: np.random.Generator) -> Iterator[PairSpec]:
    per_prompt = int(context.run.params.get("pairs_per_prompt", 1))
    weight = float(context.run.params.get("weight", 1.0))
    # Strategy-specific options, e.g. {"min_kinship": 0.9} for `kinship`.
    options = context.run.params.get("options", {})
    for group in context.groups(chunk):
        for cand in context.strategy.fn(group, pairs_per_prompt=per_prompt, rng=rng, **options):
            yield _spec(group, cand, rng, weight)


def _write(run: SelectionRun, specs: list[PairSpec], rng: np.random.Generator) -> None:
    pairs_create(
        project=run.project, specs=specs, arm=run.arm, strategy=run.strategy, rng=rng,
        selection_run_id=run.id,
    )  # fmt: skip


class _Context:
    """What a strategy needs beyond ids: embeddings (computed if missing), the model pool."""

    def __init__(self, run: SelectionRun, strategy: Strategy) -> None:
        self.run, self.strategy = run, strategy
        self.embedder = embedder_name()
        self.pool: Pool | None = None
        self.weights, self.fit_counts, self._taken = None, {}, {}
        if "rewards" in strategy.needs:
            self._fit()
        if "competency" in strategy.needs:
            self.pool = pool_load(run.project_id)
            if not self.pool.names:
                raise SelectionError(
                    f"{strategy.name} needs model competencies: run import_models first"
                )

    def _fit(self) -> None:
        """The reward model on the labels so far, and the arm's pairs so far to skip."""
        project_id, arm = self.run.project_id, self.run.arm
        arm_labels = active.arm_labels(project_id, arm)
        self.weights, fitted = active.reward_weights(project_id, self.embedder)
        self.fit_counts = {"labels_fitted": fitted, "arm_labels": arm_labels}
        self._taken = active.taken_pairs(project_id, arm)

    def _asked(self, prompt_id: int, ids: list[int]) -> frozenset[tuple[int, int]]:
        """The arm's pairs so far on this prompt, as index pairs into `ids`."""
        at = {rid: k for k, rid in enumerate(ids)}
        pairs = [(at[a], at[b]) for a, b in self._taken.get(prompt_id, ())]
        return frozenset((min(i, j), max(i, j)) for i, j in pairs)

    def groups(self, rows: list[tuple[int, int, str]]) -> Iterator[PromptGroup]:
        vectors = self._embeddings([r[1] for r in rows])
        for prompt_id, ids, names in _group_rows(rows):
            extra: dict = {}
            if vectors is not None:
                extra["embeddings"] = np.stack([vectors[i] for i in ids])
                if self.weights is not None:
                    extra["rewards"] = extra["embeddings"] @ self.weights
            if prompt_id in self._taken:
                extra["asked"] = self._asked(prompt_id, ids)
            if self.pool is not None:
                extra["competencies"], extra["buckets"] = self.pool.rows_for(names)
            yield PromptGroup(prompt_id, np.array(ids), model_names=names, **extra)

    def _embeddings(self, response_ids: list[int]) -> dict[int, np.ndarray] | None:
        if "embeddings" not in self.strategy.needs:
            return None
        embeddings_compute(response_ids=response_ids, name=self.embedder)
        return embedding_matrix(response_ids, self.embedder)


def _group_rows(rows: list[tuple[int, int, str]]) -> Iterator[tuple[int, list[int], tuple]]:
    current: int | None = None
    ids: list[int] = []
    names: list[str] = []
    for prompt_id, response_id, model_name in rows:
        if prompt_id != current and current is not None:
            yield current, ids, tuple(names)
            ids, names = [], []
        current = prompt_id
        ids.append(response_id)
        names.append(model_name)
    if current is not None:
        yield current, ids, tuple(names)


def _chunks(project_id: int, size: int) -> Iterator[tuple[list[tuple[int, int, str]], int, int]]:
    """(rows of `size` prompts, prompts done, prompts in all), in prompt order."""
    prompt_ids = list(
        Response.objects.filter(prompt__project_id=project_id)
        .order_by("prompt_id")
        .values_list("prompt_id", flat=True)
        .distinct()
    )
    for start in range(0, len(prompt_ids), size):
        chunk = prompt_ids[start : start + size]
        rows = list(
            Response.objects.filter(prompt_id__in=chunk)
            .order_by("prompt_id", "id")
            .values_list("prompt_id", "id", "model_name")
        )
        yield rows, start + len(chunk), len(prompt_ids)


def _progress(run: SelectionRun, value: float) -> None:
    delay = float(run.params.get("delay_per_chunk", 0))  # a test's way to make a run slow
    if delay:
        time.sleep(delay)
    run.report(value)


def _spec(group: PromptGroup, cand, rng: np.random.Generator, weight: float) -> PairSpec:
    return PairSpec(
        prompt_id=group.prompt_id,
        response_1=int(group.response_ids[cand.i]),
        response_2=int(group.response_ids[cand.j]),
        score=cand.score,
        # Weighted interleaving of arms (Efraimidis–Spirakis): heavier arms come up more often.
        priority=float(rng.random() ** (1.0 / weight)),
    )


def _apply_budget(specs: list[PairSpec], budget, strategy: Strategy) -> list[PairSpec]:
    if budget is None:
        return specs
    sign = 1.0 if strategy.lower_is_better else -1.0
    return sorted(specs, key=lambda s: sign * (s.score or 0.0))[: int(budget)]


def _histogram(scores: list[float], bins: int = 10) -> dict:
    """About `bins` bins with round edges, so the chart's labels read as plain numbers."""
    if not scores:
        return {"edges": [], "counts": []}
    counts, edges = np.histogram(np.array(scores), bins=round_edges(np.array(scores), bins))
    return {"edges": [round(float(e), 4) for e in edges], "counts": counts.tolist()}
