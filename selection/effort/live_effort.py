"""Learning curves from real labels: each arm's human answers, in the order they were given,
scored on pairs whose answer is known (gold pairs, or a lead's adjudication)."""

from __future__ import annotations

import numpy as np

from selection.effort import curves, minimums
from selection.effort.simulate import jsonable
from selection.rewardmodel import L2

DECISIVE = {"a", "b"}
BOOT = 300


def arm_runs(labels, evaluation, vectors: dict[int, np.ndarray], l2: float = L2):
    """Per arm: an `ArmRuns` with one curve; labels on evaluation prompts are left out so no
    arm is scored on what it was taught."""
    eval_rows = [e for e in evaluation if e[1] in vectors and e[2] in vectors]
    held = {e[0] for e in eval_rows}
    dim = len(next(iter(vectors.values()))) if vectors else 0
    eval_diffs = np.array([vectors[a] - vectors[b] for _p, a, b, _t in eval_rows]).reshape(-1, dim)
    eval_truth = np.array([t for *_rest, t in eval_rows], dtype=bool)
    by_arm: dict[str, list] = {}
    for row in labels:
        arm, _strategy, _pair, a, b, prompt, _choice, _seconds = row
        if prompt not in held and a in vectors and b in vectors:
            by_arm.setdefault(arm, []).append(row)
    return {arm: _runs(rows, vectors, eval_diffs, eval_truth, l2) for arm, rows in by_arm.items()}


def winner_minus_loser(vectors: dict[int, np.ndarray], a: int, b: int, choice: str) -> np.ndarray:
    """A label as the reward model learns it: the chosen response's vector minus the other's
    (`choice` in stored order; "a" = response a)."""
    return vectors[a] - vectors[b] if choice == "a" else vectors[b] - vectors[a]


def _runs(rows, vectors, eval_diffs, eval_truth, l2: float) -> curves.ArmRuns:
    diffs = np.array([
        winner_minus_loser(vectors, a, b, choice) for *_x, a, b, _p, choice, _s in rows
    ])  # fmt: skip
    decisive = np.array([row[6] in DECISIVE for row in rows], dtype=bool)
    seconds = np.array([row[7] or 0.0 for row in rows], dtype=float)
    return curves.arm_from_labels(diffs, decisive, seconds, eval_diffs, eval_truth, l2=l2)


def baseline_arm(labels) -> str | None:
    """The arm savings are measured against: the first arm filled by the random strategy."""
    return next((arm for arm, strategy, *_rest in labels if strategy == "random"), None)


def summary(
    runs: dict[str, curves.ArmRuns], baseline: str | None, target: float | None, boot: int = BOOT
) -> dict:
    """Curves and effort figures per arm, blanked (with the reason) where there are fewer
    labels or evaluation pairs than `minimums` asks for."""
    if not runs:
        return {"arms": {}, "target": None, "baseline": baseline}
    target = target or curves.target_accuracy(runs)
    eval_pairs = next(iter(runs.values())).curves[0].shape[1]
    table = {}
    if baseline in runs and eval_pairs:
        table = curves.effort_table(runs, baseline=baseline, target=target, boot=boot)
    arms = {
        name: {
            "sizes": run.sizes.tolist(), "accuracy": run.mean_accuracy().tolist(),
            "labels": int(run.sizes[-1]) if len(run.sizes) else 0,
            **table.get(name, {"labels_to_target": curves.crossing(
                run.sizes, run.mean_accuracy(), target)}),
        }
        for name, run in runs.items()
    }  # fmt: skip
    result = {"arms": arms, "target": target, "baseline": baseline, "eval_pairs": eval_pairs}
    return minimums.apply(result)


def summary_json(result: dict) -> dict:
    return jsonable(result)
