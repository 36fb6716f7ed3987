"""Loading what the effort computations need from the database, as plain arrays."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from annotation.models import Choice, Label, LabelSource, Pair, Response
from selection.effort.simulate import SimPrompt, gold_to_scale
from selection.embedding import embedding_matrix, embeddings_compute, missing_response_ids
from selection.profiles import Pool, pool_load
from selection.strategies import PromptGroup

EMBED_CHUNK = 256


def embed_missing(project_id: int, name: str, progress: Callable[[float], None]) -> int:
    """Embed the project's responses that have no embedding yet, chunk by chunk."""
    missing = missing_response_ids(project_id, name)
    for start in range(0, len(missing), EMBED_CHUNK):
        embeddings_compute(response_ids=missing[start : start + EMBED_CHUNK], name=name)
        progress(min(1.0, (start + EMBED_CHUNK) / len(missing)))
    return len(missing)


def sim_prompts(project_id: int, embedder: str, scale: str, with_pool: bool) -> list[SimPrompt]:
    """Every prompt with two or more gold-scored, embedded responses."""
    rows = list(
        Response.objects.filter(prompt__project_id=project_id, gold_score__isnull=False)
        .order_by("prompt_id", "id")
        .values_list("prompt_id", "id", "model_name", "gold_score", "text")
    )
    vectors = embedding_matrix([r[1] for r in rows], embedder)
    rows = [r for r in rows if r[1] in vectors]
    gold = gold_to_scale(np.array([r[3] for r in rows], dtype=float), scale)
    pool = pool_load(project_id) if with_pool else None
    prompts, start = [], 0
    for end in _boundaries([r[0] for r in rows]):
        if end - start >= 2:
            prompts.append(_prompt(rows[start:end], gold[start:end], vectors, pool))
        start = end
    return prompts


def _boundaries(prompt_ids: list[int]) -> list[int]:
    ends = [i for i in range(1, len(prompt_ids)) if prompt_ids[i] != prompt_ids[i - 1]]
    return ends + [len(prompt_ids)] if prompt_ids else []


def _prompt(rows, gold: np.ndarray, vectors, pool: Pool | None) -> SimPrompt:
    ids = [r[1] for r in rows]
    names = tuple(r[2] for r in rows)
    extra: dict = {}
    if pool is not None:
        extra["competencies"], extra["buckets"] = pool.rows_for(names)
    group = PromptGroup(
        rows[0][0], np.array(ids), embeddings=np.stack([vectors[i] for i in ids]),
        model_names=names, **extra,
    )  # fmt: skip
    words = np.array([len(r[4].split()) for r in rows], dtype=float)
    return SimPrompt(group, gold=gold, words=words)


def live_labels(project_id: int):
    """Human answers per arm in the order they were given: (arm, strategy, pair, response a,
    response b, prompt, choice, seconds)."""
    return list(
        Label.objects.live()
        .human()
        .filter(pair__project_id=project_id)
        .order_by("created_at", "id")
        .values_list(
            "pair__arm", "pair__strategy", "pair_id", "pair__response_a_id",
            "pair__response_b_id", "pair__prompt_id", "choice", "active_seconds",
        )
    )  # fmt: skip


def evaluation_pairs(project_id: int) -> list[tuple[int, int, int, bool]]:
    """Pairs with a known answer: (prompt, response a, response b, A better?). A lead's
    adjudication counts where the pair has no gold answer."""
    known: dict[int, tuple[int, int, int, bool]] = {}
    adjudicated = (
        Label.objects.live()
        .filter(pair__project_id=project_id, source=LabelSource.ADJUDICATED)
        .filter(choice__in=[Choice.A, Choice.B])
        .values_list("pair_id", "pair__prompt_id", "pair__response_a_id", "pair__response_b_id",
                     "choice")
    )  # fmt: skip
    for pair_id, prompt, a, b, choice in adjudicated:
        known[pair_id] = (prompt, a, b, choice == Choice.A)
    gold = Pair.objects.filter(
        project_id=project_id, is_gold=True, gold_choice__in=[Choice.A, Choice.B]
    ).values_list("id", "prompt_id", "response_a_id", "response_b_id", "gold_choice")
    for pair_id, prompt, a, b, choice in gold:
        known[pair_id] = (prompt, a, b, choice == Choice.A)
    return list(known.values())
