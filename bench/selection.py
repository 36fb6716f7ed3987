"""Each selection strategy over synthetic data: P prompts × 8 responses, 384-d unit embeddings.

Prompts are processed in chunks, as a selection run does, so memory stays flat. Each
(strategy, size) runs in its own process; printed: seconds, prompts/s and that process's peak
memory, and the ratio to a baseline measured in the same run: the bare numpy arithmetic of every
prompt's cosine matrix over the same embeddings (einsum), which any similarity method must pay.

    python bench/selection.py [--sizes 10000,50000,100000] [--strategies dissimilar,random,...]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

K, D, CHUNK, MODELS = 8, 384, 5000, 32


def chunk_data(start: int, size: int):
    rng = np.random.default_rng(start)
    x = rng.normal(size=(size, K, D)).astype(np.float32)
    x /= np.linalg.norm(x, axis=2, keepdims=True)
    models = np.stack([rng.choice(MODELS, size=K, replace=False) for _ in range(size)])
    return x, models


def child(strategy: str, prompts: int) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    from selection.karma import buckets, normalise, quality
    from selection.strategies import STRATEGIES, PromptGroup
    from selection.strategies.real import dissimilar_batch

    pool = normalise(np.random.default_rng(0).random((MODELS, 3)))
    pool_buckets = buckets(quality(pool), 3)
    rng = np.random.default_rng(1)
    spent, pairs = 0.0, 0
    for start in range(0, prompts, CHUNK):
        x, models = chunk_data(start, min(CHUNK, prompts - start))
        began = time.perf_counter()
        if strategy == "baseline":
            np.einsum("pkd,pld->pkl", x, x)
        elif strategy == "dissimilar_batched":
            pairs += len(dissimilar_batch(x)[0])
        else:
            fn = STRATEGIES[strategy].fn
            for p in range(len(x)):
                group = PromptGroup(p, np.arange(K), embeddings=x[p], competencies=pool[models[p]],
                                    buckets=pool_buckets[models[p]])  # fmt: skip
                pairs += len(fn(group, pairs_per_prompt=1, rng=rng))
        spent += time.perf_counter() - began
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"seconds": spent, "pairs": pairs, "peak_mb": peak}))


def measure(strategy: str, prompts: int) -> dict:
    out = subprocess.run([sys.executable, __file__, "--child", strategy, str(prompts)],
                         check=True, capture_output=True, text=True, cwd=ROOT).stdout  # fmt: skip
    return json.loads(out.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="10000,50000,100000")
    parser.add_argument("--strategies", default="dissimilar_batched,dissimilar,similar,random,"
                        "centroid,kinship,kinship_bucketed,quality_top2")  # fmt: skip
    parser.add_argument("--child", nargs=2)
    args = parser.parse_args()
    if args.child:
        child(args.child[0], int(args.child[1]))
        return
    print(f"{'strategy':>19} {'prompts':>8} {'seconds':>8} {'prompts/s':>10} {'peak MB':>8} "
          f"{'x baseline':>10}")  # fmt: skip
    for size in (int(s) for s in args.sizes.split(",")):
        base = measure("baseline", size)
        print(f"{'(numpy baseline)':>19} {size:>8} {base['seconds']:>8.2f} "
              f"{size / base['seconds']:>10.0f} {base['peak_mb']:>8.0f} {1.0:>10.1f}")  # fmt: skip
        for strategy in args.strategies.split(","):
            row = measure(strategy, size)
            print(f"{strategy:>19} {size:>8} {row['seconds']:>8.2f} {size / row['seconds']:>10.0f} "
                  f"{row['peak_mb']:>8.0f} {row['seconds'] / base['seconds']:>10.1f}")  # fmt: skip
    print("seconds: selection time only (synthetic data generation excluded); K = 8, D = 384")


if __name__ == "__main__":
    main()
