"""Embeddings of the shared AlpacaEval pool, computed once and cached under var/bench/.

Benchmarks that need "embeddings precomputed" load them from here; computing them for the whole
pool is slow on a CPU, so only the first run pays for it.

    python bench/pool_cache.py            # fills the cache (no-op when present)
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
POOL = ROOT.parent / "shared" / "data" / "alpacaeval_pool.jsonl"
MODELS = ROOT.parent / "shared" / "data" / "alpacaeval_models.csv"
CACHE = ROOT / "var" / "bench" / "alpacaeval_minilm.npz"


def text_key(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8"), usedforsecurity=False).hexdigest()


def pool_texts() -> list[str]:
    texts: set[str] = set()
    with POOL.open(encoding="utf-8") as handle:
        for line in handle:
            texts.update(r["text"] for r in json.loads(line)["responses"])
    return sorted(texts)


def load_cache() -> dict[str, np.ndarray]:
    """sha1(text) → L2-normalised MiniLM vector, for every response text of the pool."""
    if not CACHE.exists():
        build_cache()
    data = np.load(CACHE)
    return dict(zip(data["keys"].tolist(), data["vectors"], strict=True))


def build_cache() -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from selection.embedding import PACKAGED_MINILM, encode

    texts = pool_texts()
    vectors = encode(sorted(texts, key=len), PACKAGED_MINILM)
    by_text = dict(zip(sorted(texts, key=len), vectors, strict=True))
    CACHE.parent.mkdir(parents=True, exist_ok=True)
    np.savez(
        CACHE,
        keys=np.array([text_key(t) for t in texts]),
        vectors=np.stack([by_text[t] for t in texts]).astype(np.float32),
    )


if __name__ == "__main__":
    if not POOL.exists():
        sys.exit(f"{POOL} is missing: the benchmarks read the shared AlpacaEval pool")
    load_cache()
    print(f"cache ready: {CACHE}")
