"""Bradley–Terry reward model on response-embedding differences.

P(A ≻ B) = σ(w · (e_A − e_B)): logistic regression without intercept, so the model is
antisymmetric (swapping A and B flips the probability). Fitted by Newton's method with an L2
penalty; every training row is oriented winner − loser.
"""

from __future__ import annotations

import numpy as np

L2 = 10.0
ITERATIONS = 12


def sigmoid(z: np.ndarray) -> np.ndarray:
    return 0.5 * (1.0 + np.tanh(0.5 * z))


def fit(diffs: np.ndarray, *, l2: float = L2, start: np.ndarray | None = None) -> np.ndarray:
    """Weights w maximising Σ log σ(w·x) − l2/2 ‖w‖² over rows x = e_winner − e_loser."""
    dim = diffs.shape[1]
    w = np.zeros(dim) if start is None else start.astype(float).copy()
    if len(diffs) == 0:
        return w
    x = diffs.astype(np.float64)
    eye = np.eye(dim) * l2
    for _step in range(ITERATIONS):
        p = sigmoid(x @ w)
        grad = x.T @ (1.0 - p) - l2 * w
        hess = (x * (p * (1.0 - p))[:, None]).T @ x + eye
        delta = np.linalg.solve(hess, grad)
        w += delta
        if np.abs(delta).max() < 1e-6:
            break
    return w


def correct(w: np.ndarray, diffs: np.ndarray, truth: np.ndarray) -> np.ndarray:
    """Per evaluation pair: 1 if the model orders it as `truth` (True = A better), 0 if not,
    ½ when it cannot tell (a zero score, e.g. before any label)."""
    scores = diffs @ w
    out = ((scores > 0) == truth).astype(float)
    out[scores == 0] = 0.5
    return out
