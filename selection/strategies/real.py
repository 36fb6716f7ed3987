"""REAL: "Response Embedding-based Alignment for LLMs" (arXiv 2409.17169).

Responses are embedded alone (not with the prompt); the cosine similarity of a prompt's
responses decides which pair a person sees. REAL recommends the least similar ("easy") pair.
"""

from __future__ import annotations

import numpy as np

from selection.strategies.base import Candidate, PromptGroup, best_pairs, register


def cosine_matrix(embeddings: np.ndarray) -> np.ndarray:
    """Cosine similarities of L2-normalised rows."""
    return embeddings @ embeddings.T


@register(
    "dissimilar",
    needs=("embeddings",),
    lower_is_better=True,
    source="REAL (arXiv 2409.17169) 'easy': the pair with the minimum response cosine.",
)
def select_dissimilar(
    group: PromptGroup, *, pairs_per_prompt: int = 1, rng: np.random.Generator
) -> list[Candidate]:
    if group.size < 2:
        return []
    return best_pairs(cosine_matrix(group.embeddings), pairs_per_prompt, lowest=True)


@register(
    "similar",
    needs=("embeddings",),
    source="REAL (arXiv 2409.17169) 'hard': the pair with the maximum response cosine.",
)
def select_similar(
    group: PromptGroup, *, pairs_per_prompt: int = 1, rng: np.random.Generator
) -> list[Candidate]:
    if group.size < 2:
        return []
    return best_pairs(cosine_matrix(group.embeddings), pairs_per_prompt, lowest=False)


def two_means(x: np.ndarray, iterations: int = 20) -> tuple[np.ndarray, np.ndarray]:
    """Labels (0/1) and centres of k-means with k = 2, started from the two least similar rows."""
    sims = cosine_matrix(x)
    i, j = np.unravel_index(np.argmin(sims + np.eye(len(x)) * 3), sims.shape)
    centres = x[[i, j]]
    labels = np.full(len(x), -1)
    for _step in range(iterations):
        dist = ((x[:, None, :] - centres[None, :, :]) ** 2).sum(axis=2)
        new = dist.argmin(axis=1)
        if (new == labels).all():
            break
        labels = new
        centres = np.stack([x[labels == c].mean(axis=0) if (labels == c).any() else centres[c]
                            for c in (0, 1)])  # fmt: skip
    return labels, centres


@register(
    "centroid",
    needs=("embeddings",),
    source="REAL (arXiv 2409.17169) 'centroid': k-means (k=2), the response nearest each centre.",
)
def select_centroid(
    group: PromptGroup, *, pairs_per_prompt: int = 1, rng: np.random.Generator
) -> list[Candidate]:
    if group.size < 2:
        return []
    x = group.embeddings
    labels, centres = two_means(x)
    dist = ((x[:, None, :] - centres[None, :, :]) ** 2).sum(axis=2)
    if len(set(labels.tolist())) < 2:
        return []  # identical responses: no two clusters
    picks = [_nearest(dist[:, c], labels == c) for c in (0, 1)]
    out = []
    for a, b in list(zip(picks[0], picks[1], strict=False))[:pairs_per_prompt]:
        i, j = sorted((int(a), int(b)))
        out.append(Candidate(i, j, float(cosine_matrix(x)[i, j])))
    return out


def _nearest(dist: np.ndarray, members: np.ndarray) -> np.ndarray:
    idx = np.flatnonzero(members)
    return idx[np.lexsort((idx, dist[idx]))]


def dissimilar_batch(embeddings: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Vectorised `dissimilar` for P prompts × K responses (P, K, D): (i, j, cosine) per prompt."""
    p, k, _ = embeddings.shape
    sims = np.einsum("pkd,pld->pkl", embeddings, embeddings)
    rows, cols = np.triu_indices(k, k=1)
    flat = sims[:, rows, cols]
    best = flat.argmin(axis=1)  # argmin returns the first minimum: ties by (i, j) order
    return rows[best], cols[best], flat[np.arange(p), best]
