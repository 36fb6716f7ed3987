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
from dataclasses import dataclass, field, replace

import numpy as np

from selection.effort import curves, minimums
from selection.effort.sim_picks import ACTIVE, ORACLE, active_picks, static_picks
from selection.rewardmodel import L2, sigmoid
from selection.strategies import PromptGroup

LOOK_SECONDS = 4.0
WORDS_PER_SECOND = 4.0
GOLD_CLIP = 1e-9


@dataclass(frozen=True)
class SimPrompt:
    """A prompt's responses with embeddings (in `group`), gold on the comparison scale, the
    words of each response and what the reward model sees of each (`features`; by default
    the embeddings)."""

    group: PromptGroup
    gold: np.ndarray
    words: np.ndarray
    features: np.ndarray | None = None

    @property
    def x(self) -> np.ndarray:
        return self.group.embeddings if self.features is None else self.features


# What the reward model sees of a response: its embedding alone, or with its length too
# (the gold judge favours longer answers, which an embedding barely encodes).
FEATURES = ("embedding", "embedding+length")


def with_features(prompts: list[SimPrompt], kind: str) -> list[SimPrompt]:
    if kind not in FEATURES:
        raise ValueError(f"features: {kind!r} is not one of {', '.join(FEATURES)}")
    if kind == "embedding":
        return prompts
    return [
        replace(p, features=np.hstack([p.group.embeddings, np.log1p(p.words)[:, None]]))
        for p in prompts
    ]


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
    target: float | None = None  # accuracy q; default: from `target_share`
    # q as a share of the way from random's first point to the ceiling (the oracle's last
    # point, or the best arm's when there is no oracle arm).
    target_share: float = 0.8
    baseline: str = "random"
    l2: float = L2
    boot: int = 500
    uncertain_batch: int = 50  # `uncertain` re-fits after this many labels


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

    diffs: np.ndarray  # winner − loser features
    decisive: np.ndarray
    seconds: np.ndarray  # cumulative
    errors: int
    candidates: int


class Annotators:
    """Simulated people answering pairs one at a time, keeping every answer in order."""

    def __init__(self, params: SimParams, rng: np.random.Generator) -> None:
        self.params, self.rng = params, rng
        self.diffs: list[np.ndarray] = []
        self.decisive: list[bool] = []
        self.seconds: list[float] = []
        self.errors = 0

    def __call__(self, pick) -> np.ndarray | None:
        """Answer one pair; the winner − loser features it teaches, None for a tie."""
        p, i, j = pick
        delta = p.gold[i] - p.gold[j]
        tie = abs(delta) < self.params.tie_margin
        a_wins = self.rng.random() < sigmoid(np.array(delta / max(self.params.noise, 1e-12)))
        x = p.x
        self.diffs.append(x[i] - x[j] if a_wins else x[j] - x[i])
        self.decisive.append(not tie)
        self.errors += (not tie) and delta != 0 and (a_wins != (delta > 0))
        self.seconds.append(LOOK_SECONDS + (p.words[i] + p.words[j]) / WORDS_PER_SECOND)
        return None if tie else self.diffs[-1]

    def labels(self, dim: int, candidates: int) -> _Labels:
        return _Labels(
            np.array(self.diffs).reshape(-1, dim), np.array(self.decisive, dtype=bool),
            np.cumsum(self.seconds), int(self.errors), candidates,
        )  # fmt: skip


def split_prompts(prompts: list[SimPrompt], share: float, seed: int) -> tuple[list, list]:
    rng = np.random.default_rng([seed, 0])
    held = set(rng.choice(len(prompts), size=int(round(share * len(prompts))), replace=False))
    train = [p for i, p in enumerate(prompts) if i not in held]
    return train, [p for i, p in enumerate(prompts) if i in held]


@dataclass(frozen=True)
class _Eval:
    """One seed's evaluation pairs: A − B features, A better?, and whether the longer
    response is the better one (½ for equal lengths): the length rule's answer."""

    diffs: np.ndarray
    truth: np.ndarray
    length_correct: np.ndarray
    gaps: np.ndarray  # |gold A − gold B|


def eval_pairs(prompts: list[SimPrompt], per_prompt: int, margin: float, seed: int) -> _Eval:
    """Noise-free pairs (gold differs by at least the tie margin)."""
    rng = np.random.default_rng([seed, 1])
    diffs, truth, longer, gaps = [], [], [], []
    for p in prompts:
        rows, cols = np.triu_indices(p.group.size, k=1)
        delta = p.gold[rows] - p.gold[cols]
        ok = np.flatnonzero(np.abs(delta) >= max(margin, 1e-12))
        for k in rng.choice(ok, size=min(per_prompt, len(ok)), replace=False):
            diffs.append(p.x[rows[k]] - p.x[cols[k]])
            truth.append(delta[k] > 0)
            longer.append(np.sign(p.words[rows[k]] - p.words[cols[k]]))
            gaps.append(abs(delta[k]))
    dim = prompts[0].x.shape[1] if prompts else 0
    truth = np.array(truth, dtype=bool)
    longer = np.array(longer, dtype=float)
    length_correct = np.where(longer == 0, 0.5, (longer > 0) == truth)
    return _Eval(np.array(diffs).reshape(-1, dim), truth, length_correct, np.array(gaps))


def simulate_labels(train: list[SimPrompt], arm: Arm, params: SimParams, seed: int) -> _Labels:
    """The arm's labels, answered in the queue's order (sim_picks)."""
    rng = np.random.default_rng([seed, zlib.crc32(arm.name.encode())])
    people = Annotators(params, rng)
    total = params.pairs_per_prompt * len(train)
    if arm.strategy == ACTIVE:
        active_picks(train, total, params.uncertain_batch, people, l2=params.l2, rng=rng,
                     options=arm.options)  # fmt: skip
    else:
        for pick in static_picks(train, arm.strategy, params.pairs_per_prompt, arm.options, rng):
            people(pick)
    candidates = sum(p.group.size * (p.group.size - 1) // 2 for p in train)
    return people.labels(train[0].x.shape[1] if train else 0, candidates)


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
        curves.learning_curve(lab.diffs, lab.decisive, sizes, ev.diffs, ev.truth, l2=params.l2)
        for lab, ev in zip(labels, evals, strict=True)
    ]
    return curves.ArmRuns(np.array(sizes), per_seed, [lab.seconds for lab in labels])


def _summary(runs: dict[str, curves.ArmRuns], per_arm, evals, params: SimParams) -> dict:
    if params.baseline not in runs:
        raise ValueError(f"the baseline arm {params.baseline!r} is not among the arms")
    start, ceiling = _reach(runs, params)
    target = params.target or start + params.target_share * (ceiling - start)
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
    result = {
        "target": target, "target_share": None if params.target else params.target_share,
        "start": start, "ceiling": ceiling, "baseline": params.baseline, "arms": jsonable(arms),
        "eval_pairs": int(np.mean([len(ev.truth) for ev in evals])),
        "length_accuracy": float(np.mean([ev.length_correct.mean() for ev in evals])),
    }  # fmt: skip
    return minimums.apply(result)


def _reach(runs: dict[str, curves.ArmRuns], params: SimParams) -> tuple[float, float]:
    """Where the target scale runs from (random's first point) and to (the oracle's last
    point; without an oracle arm, the best arm's last point)."""
    start = float(runs[params.baseline].mean_accuracy()[0])
    oracles = [arm.name for arm in params.arms if arm.strategy == ORACLE]
    tops = [runs[name] for name in oracles] or list(runs.values())
    return start, max(float(r.mean_accuracy()[-1]) for r in tops)


def jsonable(value):
    """NaN (a target never reached) becomes None, so the result is valid JSON."""
    if isinstance(value, dict):
        return {k: jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    if isinstance(value, float) and not np.isfinite(value):
        return None
    return value
