"""A judge's verdict on one pair, and how implicit rewards become verdicts. No torch here:
routing and the web tier read judgements without loading a model."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from selection.rewardmodel import sigmoid


@dataclass(frozen=True)
class Judgement:
    p_a: float  # p(A ≻ B)
    margin: float  # β (r_A − r_B)
    dnd_margin: float  # β m̃ of the judged winner over the loser (extrapolated logits)

    @property
    def choice(self) -> str:
        return "a" if self.p_a >= 0.5 else "b"

    @property
    def confidence(self) -> float:
        return max(self.p_a, 1.0 - self.p_a)


def judgements(r_a, r_b, rt_a, rt_b, beta: float) -> list[Judgement]:
    margin = beta * (np.asarray(r_a, dtype=float) - np.asarray(r_b, dtype=float))
    p_a = sigmoid(margin)
    winner_first = np.where(p_a >= 0.5, 1.0, -1.0)
    dnd = beta * winner_first * (np.asarray(rt_a) - np.asarray(rt_b))
    return [
        Judgement(float(p), float(m), float(d)) for p, m, d in zip(p_a, margin, dnd, strict=True)
    ]
