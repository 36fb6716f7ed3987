"""Learning curves, labels-to-target N(q) and effort saved with a paired bootstrap interval.

A *curve* is a (points × eval pairs) matrix of per-pair correctness at each training size n;
several seeds give several curves. Effort saved of an arm = 1 − N_arm(q) / N_random(q).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from selection import rewardmodel

DEFAULT_SHARE_OF_BEST = 0.95
CHANCE = 0.5  # accuracy before any label: an untrained model scores every pair ½
REFIT_STEPS = 3  # Newton steps per bootstrap refit; the third moves a fit by ~0.1% of its change


def size_grid(total: int, first: int = 10) -> list[int]:
    """Training sizes: dense at the start, where curves move most, then every ~12%."""
    sizes, n = [], first
    while n < total:
        sizes.append(n)
        n = max(n + first, int(round(n * 1.25)))
    return sizes + [total] if total > 0 else []


def fit_path(train: np.ndarray, decisive: np.ndarray, sizes: list[int], *, l2: float) -> np.ndarray:
    """The reward model's weights after the first n labels, for each n: (points, D).

    train: (N, D) winner − loser differences; rows of undecided labels are ignored via
    `decisive`, but still count towards n, as they cost the same effort.
    """
    rows, w = [], None
    for n in sizes:
        w = rewardmodel.fit(train[:n][decisive[:n]], l2=l2, start=w)
        rows.append(w)
    return np.array(rows).reshape(len(sizes), train.shape[1])


def learning_curve(
    train: np.ndarray, decisive: np.ndarray, sizes: list[int], eval_diffs, eval_truth, *, l2: float
) -> np.ndarray:
    """Correctness on the evaluation pairs after fitting on the first n labels, for each n."""
    path = fit_path(train, decisive, sizes, l2=l2)
    return np.array([rewardmodel.correct(w, eval_diffs, eval_truth) for w in path])


def crossing(sizes: np.ndarray, accuracy: np.ndarray, target: float) -> float:
    """Smallest n (linearly interpolated) where accuracy reaches `target`; NaN when it never
    does. Every curve starts at (0 labels, CHANCE): an untrained model scores each pair ½, so
    a curve already above the target at its first grid point is not stuck at that point."""
    if target <= CHANCE:
        return 0.0
    above = np.flatnonzero(accuracy >= target)
    if len(above) == 0:
        return float("nan")
    k = above[0]
    x0, y0 = (0.0, CHANCE) if k == 0 else (sizes[k - 1], accuracy[k - 1])
    x1, y1 = sizes[k], accuracy[k]
    return float(x0 + (target - y0) * (x1 - x0) / (y1 - y0))


def cost_at(sizes: np.ndarray, cumulative: np.ndarray, n: float) -> float:
    """Annotator-seconds spent after n labels (cumulative seconds interpolated at n)."""
    if np.isnan(n):
        return float("nan")
    return float(np.interp(n, np.arange(0, len(cumulative) + 1), np.r_[0.0, cumulative]))


@dataclass(frozen=True)
class Training:
    """What a curve was fitted on, kept so that the bootstrap can resample the labels."""

    diffs: np.ndarray  # (N, D) winner − loser, in the order the labels came
    decisive: np.ndarray  # (N,) which labels taught anything
    eval_diffs: np.ndarray
    eval_truth: np.ndarray
    path: np.ndarray  # (points, D) the fit after each training size
    l2: float


@dataclass
class ArmRuns:
    """One arm's learning curves: one per seed, on that seed's evaluation pairs. `training`
    (one seed only) lets the bootstrap resample the arm's labels too, not just the
    evaluation pairs; simulations leave it out, as their seeds draw new labels."""

    sizes: np.ndarray
    curves: list[np.ndarray]  # per seed: (points, eval pairs) correctness
    seconds: list[np.ndarray] = field(default_factory=list)  # per seed: cumulative seconds
    training: Training | None = None

    def mean_accuracy(self) -> np.ndarray:
        return np.mean([curve.mean(axis=1) for curve in self.curves], axis=0)

    def seconds_at(self, n: float, seeds) -> float:
        if not self.seconds:
            return float("nan")
        return float(np.mean([cost_at(self.sizes, self.seconds[s], n) for s in seeds]))


def arm_from_labels(
    diffs: np.ndarray, decisive: np.ndarray, seconds: np.ndarray, eval_diffs, eval_truth, *,
    l2: float,
) -> ArmRuns:  # fmt: skip
    """An arm's one learning curve from its labels in the order they came, ready for a
    bootstrap that resamples those labels."""
    sizes = size_grid(len(diffs))
    path = fit_path(diffs, decisive, sizes, l2=l2)
    curve = np.array([rewardmodel.correct(w, eval_diffs, eval_truth) for w in path])
    training = Training(diffs, decisive, eval_diffs, eval_truth, path, l2)
    return ArmRuns(np.array(sizes), [curve], [np.cumsum(seconds)], training)


def target_accuracy(arms: dict[str, ArmRuns], share: float = DEFAULT_SHARE_OF_BEST) -> float:
    """The default target q: `share` of the best accuracy any arm reaches with all its labels
    (its curve's last point; a noisy peak along the way would overstate what is reachable)."""
    return share * max(float(arm.mean_accuracy()[-1]) for arm in arms.values())


@dataclass(frozen=True)
class Draw:
    """One bootstrap replicate: seeds drawn with replacement and, per drawn seed, how often
    each of its evaluation pairs was drawn. Every arm is scored on the same draw."""

    seeds: list[int]
    counts: list[np.ndarray]


def draws(rng: np.random.Generator, eval_sizes: list[int], boot: int) -> list[Draw]:
    out = []
    for _b in range(boot):
        seeds = [int(s) for s in rng.integers(0, len(eval_sizes), size=len(eval_sizes))]
        counts = [np.bincount(rng.integers(0, eval_sizes[s], eval_sizes[s]),
                              minlength=eval_sizes[s]) for s in seeds]  # fmt: skip
        out.append(Draw(seeds, counts))
    return out


def replicate_accuracy(arm: ArmRuns, plan: list[Draw], rng: np.random.Generator) -> np.ndarray:
    """(replicates, points): the arm's mean accuracy curve in each bootstrap replicate."""
    if not plan:
        return np.empty((0, len(arm.sizes)))
    if arm.training is None:
        return np.array([
            np.mean([arm.curves[s] @ c / c.sum() for s, c in zip(d.seeds, d.counts, strict=True)],
                    axis=0)
            for d in plan
        ]).reshape(len(plan), len(arm.sizes))  # fmt: skip
    counts = np.array([d.counts[0] for d in plan], dtype=float)
    return resampled_labels_accuracy(arm.training, arm.sizes, counts, rng)


def resampled_labels_accuracy(
    training: Training, sizes: np.ndarray, eval_counts: np.ndarray, rng: np.random.Generator
) -> np.ndarray:
    """Each replicate redraws the arm's labels with replacement and refits every point of
    the curve. Labels are drawn by Poisson(1) weights, one per label, so that every prefix
    (the first n labels) is itself a resample and the curve keeps the order people worked
    in; a label drawn twice counts twice, one not drawn is left out. Returns
    (replicates, points) accuracy on the replicate's evaluation pairs (`eval_counts`)."""
    weights = rng.poisson(1.0, size=(len(eval_counts), len(training.diffs))).astype(float)
    out = np.empty((len(eval_counts), len(sizes)))
    for k, n in enumerate(sizes):
        keep = training.decisive[:n]
        w = rewardmodel.refit_weighted(
            training.diffs[:n][keep], weights[:, :n][:, keep], training.path[k],
            l2=training.l2, steps=REFIT_STEPS,
        )  # fmt: skip
        scores = w @ training.eval_diffs.T
        correct = np.where(scores == 0, 0.5, (scores > 0) == training.eval_truth)
        out[:, k] = (correct * eval_counts).sum(axis=1) / eval_counts.sum(axis=1)
    return out


def effort_table(
    arms: dict[str, ArmRuns], *, baseline: str, target: float, boot: int = 500, seed: int = 0
) -> dict[str, dict]:
    """Per arm: N(q), seconds(q), effort saved in labels and seconds, each with a 95% interval.

    The bootstrap is paired: every replicate resamples seeds and evaluation pairs once and
    applies the same draw to every arm (arms share seeds and evaluation sets), so identical
    strategies give savings centred on 0. Arms with their `training` (real labels) also have
    their labels resampled in every replicate, the baseline's included: with few labels
    the curve itself is uncertain, not only its score. A replicate in which a curve misses
    the target only bounds the saving (`_bounds`), and the interval takes the bound on the
    side that widens it: an arm that often misses has an interval open below (−∞).
    """
    base = arms[baseline]
    everything = list(range(len(base.curves)))
    point = {
        name: _figures(arm, arm.mean_accuracy(), base, base.mean_accuracy(), target, everything)
        for name, arm in arms.items()
    }
    rng = np.random.default_rng(seed)
    plan = draws(rng, [curve.shape[1] for curve in base.curves], boot)
    accuracy = {name: replicate_accuracy(arm, plan, rng) for name, arm in arms.items()}
    values = {name: np.full((boot, 4), np.nan) for name in arms}  # labels low/high, seconds …
    reached = {name: np.zeros(boot, dtype=bool) for name in arms}
    for b, d in enumerate(plan):
        for name, arm in arms.items():
            fig = _figures(arm, accuracy[name][b], base, accuracy[baseline][b], target, d.seeds)
            values[name][b] = fig["saved_bounds"] if name != baseline else [0.0] * 4
            reached[name][b] = np.isfinite(fig["labels_to_target"])
    for name, fig in point.items():
        fig.pop("saved_bounds")
        fig["saved_labels_ci"] = _interval(values[name][:, 0], values[name][:, 1])
        fig["saved_seconds_ci"] = _interval(values[name][:, 2], values[name][:, 3])
        fig["reached_share"] = float(reached[name].mean()) if boot else None
    return point


def _figures(arm: ArmRuns, accuracy, base: ArmRuns, base_accuracy, target: float, seeds) -> dict:
    n_arm = crossing(arm.sizes, accuracy, target)
    n_base = crossing(base.sizes, base_accuracy, target)
    s_arm, s_base = arm.seconds_at(n_arm, seeds), base.seconds_at(n_base, seeds)
    all_arm, all_base = float(arm.sizes[-1]), float(base.sizes[-1])
    return {
        "labels_to_target": n_arm,
        "seconds_to_target": s_arm,
        "saved_labels": 1.0 - n_arm / n_base if n_base else float("nan"),
        "saved_seconds": 1.0 - s_arm / s_base if s_base else float("nan"),
        "saved_bounds": (
            *_bounds(n_arm, n_base, all_arm, all_base),
            *_bounds(
                s_arm, s_base, arm.seconds_at(all_arm, seeds), base.seconds_at(all_base, seeds)
            ),
        ),  # fmt: skip
    }


def _bounds(spent: float, base: float, spent_all: float, base_all: float) -> tuple[float, float]:
    """(lowest, highest) saving 1 − spent/base consistent with what the curves show: a curve
    that misses the target would need more than all it had (anywhere up to ∞)."""
    if base == 0:
        return float("nan"), float("nan")
    low = 1.0 - (np.inf if np.isnan(spent) else spent) / (base_all if np.isnan(base) else base)
    high = 1.0 - (spent_all if np.isnan(spent) else spent) / (np.inf if np.isnan(base) else base)
    return float(low), float(high)


def _interval(lows: np.ndarray, highs: np.ndarray) -> list[float] | None:
    """95% percentile interval, each end taken from the bound that widens it; the low end is
    −∞ when more than 2.5% of the replicates missed the target."""
    known = ~np.isnan(lows)
    if known.sum() < 2:
        return None
    low = np.percentile(lows[known], 2.5, method="lower")
    high = np.percentile(highs[known], 97.5, method="higher")
    return [float(low), float(high)]
