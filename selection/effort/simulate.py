"""Simulated annotators on gold-scored data: what would each strategy cost before paying people?

A simulated annotator prefers A with P = σ((g_A − g_B) / τ) and answers "tie" when
|g_A − g_B| < margin. Evaluation pairs come from prompts no strategy selects from, so nothing a
strategy picks is ever scored against itself. Seconds per label follow a reading-time model
(a fixed look plus the words of both responses at 240 words a minute) — a model, not a
measurement; live dashboards use measured active seconds.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from selection.effort import curves, minimums
from selection.effort.rewardmodel import L2, sigmoid
from selection.strategies import STRATEGIES, PromptGroup

LOOK_SECONDS = 4.0
WORDS_PER_SECOND = 4.0
GOLD_CLIP = 1e-9


@dataclass(frozen=True)
class SimPrompt:
    """A prompt's responses with embeddings (in `group`), gold on the comparison scale and
    the words of each response."""

    group: PromptGroup
    gold: np.ndarray
    words: np.ndarray


@dataclass(frozen=True)
class Arm:
    name: str
    strategy: str
    options: dict = field(default_factory=dict)


@dataclass(frozen=True)
class SimParams:
    arms: tuple[Arm, ...]
    seeds: int = 5
    noise: float = 1.0  # τ, in gold units (log-odds for AlpacaEval)
    tie_margin: float = 0.5
    pairs_per_prompt: int = 2
    eval_share: float = 0.2
    eval_pairs_per_prompt: int = 10
    target: float | None = None  # accuracy q; default: 95% of the best arm's best accuracy
    baseline: str = "random"
    l2: float = L2
    boot: int = 500


def gold_to_scale(values: np.ndarray, scale: str = "auto") -> np.ndarray:
    """AlpacaEval's preference p ∈ [1, 2] is compared in log-odds, logit(p − 1), clipped."""
    if scale == "auto":
        scale = "logodds" if len(values) and values.min() >= 1.0 and values.max() <= 2.0 else "raw"
    if scale == "raw":
        return values.astype(float)
    p = np.clip(values - 1.0, GOLD_CLIP, 1.0 - GOLD_CLIP)
    return np.log(p / (1.0 - p))


@dataclass
class _Labels:
    """One arm × seed: the simulated labels in the order people would give them."""

    diffs: np.ndarray  # winner − loser embedding differences
    decisive: np.ndarray
    seconds: np.ndarray  # cumulative
    errors: int
    candidates: int


def split_prompts(prompts: list[SimPrompt], share: float, seed: int) -> tuple[list, list]:
    rng = np.random.default_rng([seed, 0])
    held = set(rng.choice(len(prompts), size=int(round(share * len(prompts))), replace=False))
    train = [p for i, p in enumerate(prompts) if i not in held]
    return train, [p for i, p in enumerate(prompts) if i in held]


def eval_pairs(prompts: list[SimPrompt], per_prompt: int, margin: float, seed: int):
    """Noise-free pairs (gold differs by at least the tie margin): (A − B diffs, A better?)."""
    rng = np.random.default_rng([seed, 1])
    diffs, truth = [], []
    for p in prompts:
        rows, cols = np.triu_indices(p.group.size, k=1)
        delta = p.gold[rows] - p.gold[cols]
        ok = np.flatnonzero(np.abs(delta) >= max(margin, 1e-12))
        for k in rng.choice(ok, size=min(per_prompt, len(ok)), replace=False):
            e = p.group.embeddings
            diffs.append(e[rows[k]] - e[cols[k]])
            truth.append(delta[k] > 0)
    dim = prompts[0].group.embeddings.shape[1] if prompts else 0
    return np.array(diffs).reshape(-1, dim), np.array(truth, dtype=bool)


def simulate_labels(train: list[SimPrompt], arm: Arm, params: SimParams, seed: int) -> _Labels:
    rng = np.random.default_rng([seed, zlib.crc32(arm.name.encode())])
    fn = STRATEGIES[arm.strategy].fn
    picked = []  # (rank, tiebreak, prompt, i, j)
    for p in train:
        chosen = fn(p.group, pairs_per_prompt=params.pairs_per_prompt, rng=rng, **arm.options)
        picked += [(rank, rng.random(), p, c.i, c.j) for rank, c in enumerate(chosen)]
    # People see every prompt's first pair before any prompt's second (the queue interleaves).
    picked.sort(key=lambda row: (row[0], row[1]))
    return _answer(picked, params, rng, sum(p.group.size * (p.group.size - 1) // 2 for p in train))


def _answer(picked, params: SimParams, rng: np.random.Generator, candidates: int) -> _Labels:
    diffs, decisive, seconds, errors = [], [], [], 0
    for _rank, _tie, p, i, j in picked:
        delta = p.gold[i] - p.gold[j]
        tie = abs(delta) < params.tie_margin
        a_wins = rng.random() < sigmoid(np.array(delta / max(params.noise, 1e-12)))
        e = p.group.embeddings
        diffs.append(e[i] - e[j] if a_wins else e[j] - e[i])
        decisive.append(not tie)
        errors += (not tie) and delta != 0 and (a_wins != (delta > 0))
        seconds.append(LOOK_SECONDS + (p.words[i] + p.words[j]) / WORDS_PER_SECOND)
    dim = picked[0][2].group.embeddings.shape[1] if picked else 0
    return _Labels(
        np.array(diffs).reshape(-1, dim), np.array(decisive, dtype=bool),
        np.cumsum(seconds), int(errors), candidates,
    )  # fmt: skip


def simulate(
    prompts: list[SimPrompt], params: SimParams, progress: Callable[[float], None] | None = None
) -> dict:
    """Learning curves, N(q) and effort saved (± bootstrap interval) per arm; JSON-ready."""
    per_arm: dict[str, list[_Labels]] = {arm.name: [] for arm in params.arms}
    evals = []
    steps, done = len(params.arms) * params.seeds * 2, 0
    for seed in range(params.seeds):
        train, held = split_prompts(prompts, params.eval_share, seed)
        evals.append(eval_pairs(held, params.eval_pairs_per_prompt, params.tie_margin, seed))
        for arm in params.arms:
            per_arm[arm.name].append(simulate_labels(train, arm, params, seed))
            done += 1
            _report(progress, done / steps)
    runs = {}
    for arm in params.arms:
        runs[arm.name] = _curves(per_arm[arm.name], evals, params)
        done += params.seeds
        _report(progress, done / steps)
    return _summary(runs, per_arm, evals, params)


def _report(progress, value: float) -> None:
    if progress is not None:
        progress(value)


def _curves(labels: list[_Labels], evals, params: SimParams) -> curves.ArmRuns:
    sizes = curves.size_grid(min(len(lab.decisive) for lab in labels))
    per_seed = [
        curves.learning_curve(lab.diffs, lab.decisive, sizes, ev[0], ev[1], l2=params.l2)
        for lab, ev in zip(labels, evals, strict=True)
    ]
    return curves.ArmRuns(np.array(sizes), per_seed, [lab.seconds for lab in labels])


def _summary(runs: dict[str, curves.ArmRuns], per_arm, evals, params: SimParams) -> dict:
    if params.baseline not in runs:
        raise ValueError(f"the baseline arm {params.baseline!r} is not among the arms")
    target = params.target or curves.target_accuracy(runs)
    table = curves.effort_table(runs, baseline=params.baseline, target=target, boot=params.boot)
    arms = {}
    for arm in params.arms:
        labels, run = per_arm[arm.name], runs[arm.name]
        n = sum(len(lab.decisive) for lab in labels)
        decisive = sum(int(lab.decisive.sum()) for lab in labels)
        arms[arm.name] = {
            "strategy": arm.strategy,
            "sizes": run.sizes.tolist(),
            "accuracy": run.mean_accuracy().tolist(),
            "labels": n / len(labels),
            "uninformative_rate": 1 - decisive / n if n else None,
            "label_error": sum(lab.errors for lab in labels) / decisive if decisive else None,
            "candidate_reduction": 1 - n / sum(lab.candidates for lab in labels),
            "seconds_per_label": float(np.mean([lab.seconds[-1] / len(lab.seconds)
                                                for lab in labels if len(lab.seconds)])),
            **table[arm.name],
        }  # fmt: skip
    result = {"target": target, "baseline": params.baseline, "arms": jsonable(arms),
              "eval_pairs": int(np.mean([len(t) for _d, t in evals]))}  # fmt: skip
    return minimums.apply(result)


def jsonable(value):
    """NaN (a target never reached) becomes None, so the result is valid JSON."""
    if isinstance(value, dict):
        return {k: jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    if isinstance(value, float) and not np.isfinite(value):
        return None
    return value
