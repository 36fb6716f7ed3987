"""Learning curves, labels-to-target N(q) and effort saved with a paired bootstrap interval.

A *curve* is a (points × eval pairs) matrix of per-pair correctness at each training size n;
several seeds give several curves. Effort saved of an arm = 1 − N_arm(q) / N_random(q).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from selection.effort import rewardmodel

DEFAULT_SHARE_OF_BEST = 0.95


def size_grid(total: int, first: int = 10) -> list[int]:
    """Training sizes: dense at the start, where curves move most, then every ~12%."""
    sizes, n = [], first
    while n < total:
        sizes.append(n)
        n = max(n + first, int(round(n * 1.25)))
    return sizes + [total] if total > 0 else []


def learning_curve(
    train: np.ndarray, decisive: np.ndarray, sizes: list[int], eval_diffs, eval_truth, *, l2: float
) -> np.ndarray:
    """Correctness on the evaluation pairs after fitting on the first n labels, for each n.

    train: (N, D) winner − loser differences (rows of undecided labels are ignored via
    `decisive`); labels that taught nothing still count towards n, as they cost the same effort.
    """
    rows, w = [], None
    for n in sizes:
        keep = decisive[:n]
        w = rewardmodel.fit(train[:n][keep], l2=l2, start=w)
        rows.append(rewardmodel.correct(w, eval_diffs, eval_truth))
    return np.array(rows)


def crossing(sizes: np.ndarray, accuracy: np.ndarray, target: float) -> float:
    """Smallest n (linearly interpolated between grid points) where accuracy reaches `target`;
    NaN when it never does."""
    above = np.flatnonzero(accuracy >= target)
    if len(above) == 0:
        return float("nan")
    k = above[0]
    if k == 0:
        return float(sizes[0])
    x0, x1, y0, y1 = sizes[k - 1], sizes[k], accuracy[k - 1], accuracy[k]
    return float(x0 + (target - y0) * (x1 - x0) / (y1 - y0))


def cost_at(sizes: np.ndarray, cumulative: np.ndarray, n: float) -> float:
    """Annotator-seconds spent after n labels (cumulative seconds interpolated at n)."""
    if np.isnan(n):
        return float("nan")
    return float(np.interp(n, np.arange(1, len(cumulative) + 1), cumulative))


@dataclass
class ArmRuns:
    """One arm's learning curves: one per seed, on that seed's evaluation pairs."""

    sizes: np.ndarray
    curves: list[np.ndarray]  # per seed: (points, eval pairs) correctness
    seconds: list[np.ndarray] = field(default_factory=list)  # per seed: cumulative seconds

    def mean_accuracy(self, picks=None) -> np.ndarray:
        picks = picks or [(s, None) for s in range(len(self.curves))]
        per_seed = [
            (self.curves[s] if cols is None else self.curves[s][:, cols]).mean(axis=1)
            for s, cols in picks
        ]
        return np.mean(per_seed, axis=0)

    def seconds_at(self, n: float, seeds) -> float:
        if not self.seconds:
            return float("nan")
        return float(np.mean([cost_at(self.sizes, self.seconds[s], n) for s in seeds]))


def target_accuracy(arms: dict[str, ArmRuns], share: float = DEFAULT_SHARE_OF_BEST) -> float:
    """The default target q: `share` of the best accuracy any arm reaches with all its labels
    (its curve's last point; a noisy peak along the way would overstate what is reachable)."""
    return share * max(float(arm.mean_accuracy()[-1]) for arm in arms.values())


def _resample(rng: np.random.Generator, arm: ArmRuns) -> list[tuple[int, np.ndarray]]:
    seeds = rng.integers(0, len(arm.curves), size=len(arm.curves))
    return [(int(s), rng.integers(0, len(arm.curves[s][0]), len(arm.curves[s][0]))) for s in seeds]


def effort_table(
    arms: dict[str, ArmRuns], *, baseline: str, target: float, boot: int = 500, seed: int = 0
) -> dict[str, dict]:
    """Per arm: N(q), seconds(q), effort saved in labels and seconds, each with a 95% interval.

    The bootstrap is paired: every replicate resamples seeds and evaluation pairs once and applies
    the same draw to every arm (arms share seeds and evaluation sets), so identical strategies
    give savings centred on 0.
    """
    point = {name: _figures(arm, arms[baseline], target, None) for name, arm in arms.items()}
    rng = np.random.default_rng(seed)
    draws: dict[str, list[tuple[float, float]]] = {name: [] for name in arms}
    for _b in range(boot):
        picks = _resample(rng, arms[baseline])
        for name, arm in arms.items():
            figures = _figures(arm, arms[baseline], target, picks)
            draws[name].append((figures["saved_labels"], figures["saved_seconds"]))
    for name, fig in point.items():
        values = np.array(draws[name]) if draws[name] else np.full((0, 2), np.nan)
        fig["saved_labels_ci"] = _interval(values[:, 0]) if boot else None
        fig["saved_seconds_ci"] = _interval(values[:, 1]) if boot else None
        fig["reached_share"] = float(np.isfinite(values[:, 0]).mean()) if boot else None
    return point


def _figures(arm: ArmRuns, base: ArmRuns, target: float, picks) -> dict:
    seeds = [s for s, _ in picks] if picks else range(len(arm.curves))
    n_arm = crossing(arm.sizes, arm.mean_accuracy(picks), target)
    n_base = crossing(base.sizes, base.mean_accuracy(picks), target)
    s_arm, s_base = arm.seconds_at(n_arm, seeds), base.seconds_at(n_base, seeds)
    return {
        "labels_to_target": n_arm,
        "seconds_to_target": s_arm,
        "saved_labels": 1.0 - n_arm / n_base if n_base else float("nan"),
        "saved_seconds": 1.0 - s_arm / s_base if s_base else float("nan"),
    }


def _interval(values: np.ndarray) -> list[float] | None:
    finite = values[np.isfinite(values)]
    if len(finite) < 2:
        return None
    low, high = np.percentile(finite, [2.5, 97.5])
    return [float(low), float(high)]
