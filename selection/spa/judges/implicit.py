"""SPA's judge (arXiv 2406.04412): DPO's implicit reward from a policy and its reference.

r(x, y) = Σ_t log π(y_t | x, y_<t) − Σ_t log π_ref(y_t | x, y_<t);  p(A ≻ B) = σ(β (r_A − r_B)).
De-coupled noise detection re-scores with extrapolated logits h̃ = (1+λ)·h_π − λ·h_ref, whose
margin m̃ (chosen minus rejected) ranks how trustworthy each judgement is.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import torch

from selection.spa.judges import logprobs as lp
from selection.spa.judges.judgement import Judgement, judgements


class ImplicitRewardJudge:
    def __init__(self, policy, reference, tokenizer, *, beta: float = 0.1, lam: float = 0.5,
                 batch: int = lp.BATCH, max_tokens: int = lp.MAX_TOKENS) -> None:  # fmt: skip
        self.policy, self.reference, self.tokenizer = policy.eval(), reference.eval(), tokenizer
        self.beta, self.lam, self.batch = beta, lam, batch
        self.max_tokens = lp.context_limit(policy, max_tokens)

    def scores(self, prompts: list[str], responses: list[str]) -> tuple[np.ndarray, np.ndarray]:
        """(r, r̃) per response: implicit reward, and the same with extrapolated logits."""
        r, r_tilde = [], []
        for items in self._batches(prompts, responses):
            ids, attention, scored = lp.batch_tensors(items, self.tokenizer.pad_token_id)
            h_pol = lp.token_logits(self.policy, ids, attention)
            h_ref = lp.token_logits(self.reference, ids, attention)
            ref = lp.summed(h_ref, ids, scored)
            r.append(lp.summed(h_pol, ids, scored) - ref)
            extrapolated = (1 + self.lam) * h_pol - self.lam * h_ref
            r_tilde.append(lp.summed(extrapolated, ids, scored) - ref)
        return torch.cat(r).numpy(), torch.cat(r_tilde).numpy()

    def _batches(self, prompts, responses) -> Iterator[list[lp.Encoded]]:
        encoded = [lp.encode(self.tokenizer, p, y, self.max_tokens)
                   for p, y in zip(prompts, responses, strict=True)]  # fmt: skip
        # Similar lengths together: less padding per batch.
        order = sorted(range(len(encoded)), key=lambda i: len(encoded[i].ids))
        self._order = order
        for start in range(0, len(order), self.batch):
            yield [encoded[i] for i in order[start : start + self.batch]]

    def judge(self, prompts: list[str], a: list[str], b: list[str]) -> list[Judgement]:
        r, r_tilde = self.scores(prompts * 2, a + b)
        r, r_tilde = _unsort(r, self._order), _unsort(r_tilde, self._order)
        n = len(prompts)
        return judgements(r[:n], r[n:], r_tilde[:n], r_tilde[n:], self.beta)


def _unsort(values: np.ndarray, order: list[int]) -> np.ndarray:
    out = np.empty_like(values)
    out[order] = values
    return out
