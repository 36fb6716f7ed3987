"""KARMA competency maths (arXiv 2502.18744 v1; the published code, later renamed ZEBRA).

Pure numpy: each benchmark column is min-max normalised over the model pool (a missing value
takes the column mean), Q is the mean normalised score, and the kinship of two models is the
cosine of their normalised vectors; models are "kin" at a cosine of at least 0.9
(`select_pairs --min-kinship 0.9`). With a single (scalar) column the cosine is meaningless, so
kinship is the closeness of Q: 1 - |Q_a - Q_b|.
"""

from __future__ import annotations

import hashlib
import json

import numpy as np


def normalise(scores: np.ndarray) -> np.ndarray:
    """Min-max normalise each column of a (models × benchmarks) matrix; NaN → column mean."""
    x = np.array(scores, dtype=float, ndmin=2)
    means = np.nanmean(np.where(np.isnan(x), np.nan, x), axis=0) if x.size else x
    x = np.where(np.isnan(x), means, x)
    low, high = x.min(axis=0), x.max(axis=0)
    span = np.where(high > low, high - low, 1.0)
    return np.where(high > low, (x - low) / span, 0.5)


def quality(normalised: np.ndarray) -> np.ndarray:
    """Q: the mean normalised score of each model."""
    return normalised.mean(axis=1)


def kinship_matrix(normalised: np.ndarray) -> np.ndarray:
    """Pairwise kinship of models: cosine of normalised vectors, or 1 - |ΔQ| for one column."""
    if normalised.shape[1] == 1:
        q = normalised[:, 0]
        return 1.0 - np.abs(q[:, None] - q[None, :])
    norms = np.linalg.norm(normalised, axis=1, keepdims=True)
    unit = normalised / np.where(norms > 0, norms, 1.0)
    return unit @ unit.T


def buckets(q: np.ndarray, count: int) -> np.ndarray:
    """Competency buckets by quantiles of Q: 0 (weakest) … count-1 (strongest)."""
    if count < 1:
        raise ValueError("bucket count must be at least 1")
    if len(q) == 0:
        return np.array([], dtype=int)
    edges = np.quantile(q, np.linspace(0, 1, count + 1)[1:-1])
    return np.searchsorted(edges, q, side="right").astype(int)


def pool_version(profiles: dict[str, dict[str, float]]) -> str:
    """A short, stable fingerprint of the model pool and its scores (buckets depend on it)."""
    payload = json.dumps(profiles, sort_keys=True).encode()
    return hashlib.sha256(payload).hexdigest()[:16]
