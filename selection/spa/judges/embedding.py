"""The fast judge: the Bradley–Terry reward model on embedding differences (the same model the
effort dashboard fits), trained on human labels. For machines without a usable LM."""

from __future__ import annotations

import numpy as np

from selection import rewardmodel
from selection.rewardmodel import sigmoid
from selection.spa.judges.judgement import Judgement


class EmbeddingRewardJudge:
    def __init__(self, weights: np.ndarray) -> None:
        self.weights = weights

    @classmethod
    def fit(cls, winner_minus_loser: np.ndarray, l2: float = rewardmodel.L2):
        return cls(rewardmodel.fit(winner_minus_loser, l2=l2))

    def judge(self, a: np.ndarray, b: np.ndarray) -> list[Judgement]:
        """a, b: (N, D) embeddings of each pair's responses. The margin doubles as the noise
        score (there are no logits to extrapolate)."""
        margin = (a - b) @ self.weights
        p_a = sigmoid(margin)
        rows = zip(p_a, margin, strict=True)
        return [Judgement(float(p), float(m), float(abs(m))) for p, m in rows]
