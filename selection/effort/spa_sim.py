"""Before an SPA round: how accurate would the judge be, and on what share of pairs, at each
confidence threshold? Simulated on the project's gold scores.

Per seed: people (simulated as in simulate.py) answer `seed_labels` random pairs on half the
prompts; the embedding judge SPA rounds use is fitted on their decisive answers and judges
random pairs of the other half whose gold differs by at least the tie margin. A threshold t
auto-labels the pairs judged with confidence ≥ t; its accuracy is counted against gold. The same
pairs also get two references: simulated people's expected accuracy and the length rule's.
"""

from __future__ import annotations

import numpy as np

from selection.effort.sim_picks import static_picks
from selection.effort.simulate import Annotators, SimParams, SimPrompt, eval_pairs, split_prompts
from selection.rewardmodel import sigmoid
from selection.spa.judges.embedding import EmbeddingRewardJudge

THRESHOLDS = (0.5, 0.55, 0.6, 0.65, 0.7, 0.75, 0.8, 0.9)
QUANTILES = (0.1, 0.5, 0.9, 0.99)
CANDIDATES_PER_PROMPT = 10


def spa_simulation(
    prompts: list[SimPrompt], *, seed_labels: int, thresholds=THRESHOLDS, seeds: int = 5,
    noise: float = 1.0, tie_margin: float = 0.5,
) -> dict:  # fmt: skip
    """Per threshold: the share auto-labelled and its accuracy (mean, min, max over seeds)."""
    runs = [_one_seed(prompts, seed_labels, noise, tie_margin, seed) for seed in range(seeds)]
    rows = [_threshold_row(t, runs) for t in thresholds]
    return {
        "seed_labels": seed_labels, "seeds": seeds, "noise": noise, "tie_margin": tie_margin,
        "candidates": int(np.mean([len(r["correct"]) for r in runs])),
        "thresholds": rows,
        "people_accuracy": _spread([r["people"] for r in runs]),
        "length_accuracy": _spread([r["length"] for r in runs]),
        "confidence_quantiles": {
            f"p{round(q * 100)}": float(np.mean([np.quantile(r["confidence"], q) for r in runs]))
            for q in QUANTILES
        },
    }  # fmt: skip


def _one_seed(prompts, seed_labels: int, noise: float, tie_margin: float, seed: int) -> dict:
    train, held = split_prompts(prompts, 0.5, seed)
    rng = np.random.default_rng([seed, 7])
    people = Annotators(SimParams(arms=(), noise=noise, tie_margin=tie_margin), rng)
    per_prompt = -(-seed_labels // max(len(train), 1))  # enough pairs for the whole seed
    picks = static_picks(train, "random", per_prompt, {}, rng)[:seed_labels]
    taught = [people(pick) for pick in picks]
    taught = [row for row in taught if row is not None]
    judge = EmbeddingRewardJudge.fit(np.array(taught).reshape(len(taught), -1))
    ev = eval_pairs(held, CANDIDATES_PER_PROMPT, tie_margin, seed)
    judged = judge.judge(ev.diffs, np.zeros_like(ev.diffs))
    return {
        "confidence": np.array([j.confidence for j in judged]),
        "correct": np.array([(j.p_a >= 0.5) == t for j, t in zip(judged, ev.truth, strict=True)]),
        "people": float(np.mean(sigmoid(ev.gaps / max(noise, 1e-12)))),
        "length": float(ev.length_correct.mean()),
    }


def _threshold_row(t: float, runs: list[dict]) -> dict:
    shares, accuracies, counts = [], [], []
    for r in runs:
        kept = r["confidence"] >= t
        shares.append(float(kept.mean()))
        counts.append(int(kept.sum()))
        if kept.any():
            accuracies.append(float(r["correct"][kept].mean()))
    return {"threshold": t, "share": _spread(shares), "accuracy": _spread(accuracies),
            "pairs": float(np.mean(counts))}  # fmt: skip


def _spread(values: list[float]) -> dict | None:
    if not values:
        return None
    return {"mean": float(np.mean(values)), "min": float(min(values)), "max": float(max(values))}
