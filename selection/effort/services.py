"""Effort workflows: start a run, execute it from a task, keep its progress on the row."""

from __future__ import annotations

import math
import time

from annotation.models import Project
from selection.effort import inputs, live_effort, spa_sim
from selection.effort.sim_picks import SIM_ONLY
from selection.effort.simulate import FEATURES, Arm, SimParams, simulate, with_features
from selection.embedding import embedder_name, embedding_matrix
from selection.models import EffortRun
from selection.strategies import STRATEGIES

SIMULATED = (
    "random", "dissimilar", "similar", "centroid", "kinship", "kinship_bucketed", "quality_top2",
    "uncertain", "oracle",
)  # fmt: skip
DEFAULTS = {
    "strategies": list(SIMULATED), "seeds": 20, "noise": 1.0, "tie_margin": 0.5, "target": None,
    "target_share": 0.8, "pairs_per_prompt": 2, "eval_share": 0.2, "gold_scale": "auto",
    "boot": 500, "features": "embedding", "uncertain_batch": 50,
}  # fmt: skip


class EffortError(ValueError):
    """The computation cannot run, for a reason a lead can act on."""


def simulation_params(raw: dict) -> dict:
    """Defaults filled in and every value checked; raises EffortError naming the field."""
    params = DEFAULTS | {k: v for k, v in raw.items() if v is not None}
    known = sorted([*STRATEGIES, *SIM_ONLY])
    unknown = [s for s in params["strategies"] if s not in known]
    if unknown or not params["strategies"]:
        raise EffortError(f"strategies: unknown {unknown}; known: {', '.join(known)}")
    if "random" not in params["strategies"]:
        raise EffortError("strategies: savings are measured against random; include it")
    _check(params, "seeds", int, 1, 100)
    _check(params, "pairs_per_prompt", int, 1, 50)
    _check(params, "boot", int, 0, 10_000)
    _check(params, "noise", float, 1e-6, 1e6)
    _check(params, "tie_margin", float, 0.0, 1e6)
    _check(params, "eval_share", float, 0.05, 0.9)
    _check(params, "target_share", float, 0.0, 1.0)
    _check(params, "uncertain_batch", int, 1, 100_000)
    if params["target"] is not None:
        _check(params, "target", float, 0.0, 1.0)
    if params["features"] not in FEATURES:
        raise EffortError(f"features: must be one of {', '.join(FEATURES)}")
    if params["gold_scale"] not in ("auto", "logodds", "raw"):
        raise EffortError("gold_scale: must be auto, logodds or raw")
    return params


SPA_SIM_DEFAULTS = {"seed_labels": 50, "seeds": 5, "noise": 1.0, "tie_margin": 0.5,
                    "thresholds": list(spa_sim.THRESHOLDS), "gold_scale": "auto"}  # fmt: skip


def spa_sim_params(raw: dict) -> dict:
    """The SPA judge simulation's parameters, defaults filled in and checked."""
    params = SPA_SIM_DEFAULTS | {k: v for k, v in raw.items() if v is not None}
    _check(params, "seed_labels", int, 2, 100_000)
    _check(params, "seeds", int, 1, 100)
    _check(params, "noise", float, 1e-6, 1e6)
    _check(params, "tie_margin", float, 0.0, 1e6)
    try:
        params["thresholds"] = sorted(float(t) for t in params["thresholds"])
    except (TypeError, ValueError):
        raise EffortError(f"thresholds: {params['thresholds']!r} are not numbers") from None
    if not params["thresholds"] or not all(0.5 <= t <= 1 for t in params["thresholds"]):
        raise EffortError("thresholds: each must be between 0.5 and 1")
    return params


def _check(params: dict, key: str, kind: type, low: float, high: float) -> None:
    try:
        value = kind(params[key])
    except (TypeError, ValueError):
        raise EffortError(f"{key}: {params[key]!r} is not a number") from None
    if not (low <= value <= high) or (kind is float and not math.isfinite(value)):
        raise EffortError(f"{key}: must be between {low} and {high}, not {value}")
    params[key] = value


def effort_run_start(*, project: Project, kind: str, params: dict | None = None) -> EffortRun:
    checks = {EffortRun.Kind.SIMULATION: simulation_params, EffortRun.Kind.SPA: spa_sim_params}
    params = checks[kind](params or {}) if kind in checks else {}
    return EffortRun.start(project=project, kind=kind, params=params)


def effort_run_execute(*, run_id: int) -> EffortRun:
    """Claim the run (one whose worker died, once its heartbeat stops) and compute it."""
    return EffortRun.run(run_id, _compute, fails_on=EffortError)


def _compute(run: EffortRun) -> None:
    compute = {EffortRun.Kind.SIMULATION: _simulate, EffortRun.Kind.SPA: _spa}.get(run.kind, _live)
    began = time.perf_counter()
    try:
        run.result = compute(run)
    finally:  # a failed run says how long it took too
        run.seconds = round(time.perf_counter() - began, 2)


def _simulate(run: EffortRun) -> dict:
    p = run.params
    name = embedder_name()
    inputs.embed_missing(run.project_id, name, run.reporter("embedding responses", 0.0, 0.3))
    needs_pool = any(
        s in STRATEGIES and "competency" in STRATEGIES[s].needs for s in p["strategies"]
    )
    prompts = inputs.sim_prompts(run.project_id, name, p["gold_scale"], needs_pool)
    prompts = with_features(prompts, p.get("features", "embedding"))
    if len(prompts) < 10:
        raise EffortError("simulation needs gold scores: fewer than 10 prompts have two or more")
    params = SimParams(
        arms=tuple(Arm(s, s) for s in p["strategies"]), seeds=p["seeds"], noise=p["noise"],
        tie_margin=p["tie_margin"], pairs_per_prompt=p["pairs_per_prompt"],
        eval_share=p["eval_share"], target=p["target"], boot=p["boot"],
        target_share=p.get("target_share", 0.8), uncertain_batch=p.get("uncertain_batch", 50),
    )  # fmt: skip
    result = simulate(prompts, params, run.reporter("simulating annotators", 0.3, 1.0))
    return result | {"prompts": len(prompts), "embedder": name}


def _spa(run: EffortRun) -> dict:
    p = run.params
    name = embedder_name()
    inputs.embed_missing(run.project_id, name, run.reporter("embedding responses", 0.0, 0.5))
    prompts = inputs.sim_prompts(run.project_id, name, p["gold_scale"], False)
    if len(prompts) < 10:
        raise EffortError("simulation needs gold scores: fewer than 10 prompts have two or more")
    run.report(0.5, "judging")
    return spa_sim.spa_simulation(
        prompts, seed_labels=p["seed_labels"], thresholds=p["thresholds"], seeds=p["seeds"],
        noise=p["noise"], tie_margin=p["tie_margin"],
    ) | {"prompts": len(prompts), "embedder": name}  # fmt: skip


def _live(run: EffortRun) -> dict:
    name = embedder_name()
    inputs.embed_missing(run.project_id, name, run.reporter("embedding responses", 0.0, 0.5))
    labels = inputs.live_labels(run.project_id)
    evaluation = inputs.evaluation_pairs(run.project_id)
    ids = {i for row in labels for i in row[3:5]} | {i for e in evaluation for i in e[1:3]}
    vectors = embedding_matrix(sorted(ids), name)
    run.report(0.5, "fitting learning curves")
    if not evaluation:
        raise EffortError(
            "no pairs with a known answer: add gold pairs (make_gold_pairs) or adjudicate some"
        )
    runs = live_effort.arm_runs(labels, evaluation, vectors)
    result = live_effort.summary(runs, live_effort.baseline_arm(labels), None)
    return {"eval_pairs": len(evaluation)} | live_effort.summary_json(result) | {"embedder": name}
