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
    for _step in range(ITERATIONS):
        grad = x.T @ (1.0 - sigmoid(x @ w)) - l2 * w
        delta = np.linalg.solve(hessian(x, w, l2), grad)
        w += delta
        if np.abs(delta).max() < 1e-6:
            break
    return w


def hessian(x: np.ndarray, w: np.ndarray, l2: float) -> np.ndarray:
    """The negative log-likelihood's Hessian (with the L2 term) at w."""
    p = sigmoid(x @ w)
    return (x * (p * (1.0 - p))[:, None]).T @ x + np.eye(x.shape[1]) * l2


def refit_weighted(
    x: np.ndarray, counts: np.ndarray, w0: np.ndarray, *, l2: float, steps: int
) -> np.ndarray:
    """Fits for many reweightings of the rows of x at once: row b of `counts` says how often
    each row was drawn. Starting from w0 (the fit on x as it is), each step is a Newton step
    with w0's Hessian, which a resample changes little; a Hessian per replicate would cost
    a (D × D) solve each. Returns (replicates, D) weights."""
    hess = hessian(x, w0, l2)
    w = np.tile(w0, (len(counts), 1))
    for _step in range(steps):
        grad = (counts * (1.0 - sigmoid(w @ x.T))) @ x - l2 * w
        w += np.linalg.solve(hess, grad.T).T
    return w


def correct(w: np.ndarray, diffs: np.ndarray, truth: np.ndarray) -> np.ndarray:
    """Per evaluation pair: 1 if the model orders it as `truth` (True = A better), 0 if not,
    ½ when it cannot tell (a zero score, e.g. before any label)."""
    scores = diffs @ w
    out = ((scores > 0) == truth).astype(float)
    out[scores == 0] = 0.5
    return out
