"""Embedding throughput: the task path (DB read, dedup, encode, bulk DB write) against a bare
`SentenceTransformer.encode` of the same texts, both measured in this run on this machine.

    python bench/embed.py [--prompts 10]        # the first N prompts of the shared pool, 32 each

SQLite in a temporary folder by default; PostgreSQL when DATABASE_URL is set. The model is
loaded once and warmed up before either is timed.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
POOL = ROOT / ".." / "shared" / "data" / "alpacaeval_pool.jsonl"


def setup(prompts: int, folder: Path) -> Path:
    os.environ.setdefault("PAIRSMITH_VAR_DIR", str(folder))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ["HF_HUB_OFFLINE"] = "1"
    import django

    from bench.common import ensure_database

    ensure_database()
    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    sample = folder / "sample.jsonl"
    with POOL.open() as src, sample.open("w") as out:
        for line, _ in zip(src, range(prompts), strict=False):
            out.write(line)
    return sample


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--prompts", type=int, default=10)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        sample = setup(args.prompts, Path(tmp))
        from annotation.importing.service import import_file
        from annotation.models import Project, Response
        from selection.embedding import embedder_name, encode, load_embedder
        from selection.models import ResponseEmbedding
        from selection.tasks import embed_chunk

        project, _ = Project.objects.get_or_create(slug="bench-embed", defaults={"name": "Bench"})
        ResponseEmbedding.objects.filter(response__prompt__project=project).delete()
        import_file(project=project, path=sample)
        name = embedder_name()
        rows = list(Response.objects.filter(prompt__project=project).values_list("id", "text"))
        texts = [text for _, text in rows]
        load_embedder(name).encode(texts[:64], batch_size=64)  # warm-up, not timed
        bares, tasks = [], []
        for _ in range(args.rounds):  # alternate, so drifts in machine speed hit both alike
            started = time.perf_counter()
            encode(texts, name)
            bares.append(time.perf_counter() - started)
            ResponseEmbedding.objects.filter(response__prompt__project=project).delete()
            started = time.perf_counter()
            written = embed_chunk.run([rid for rid, _ in rows], name)
            tasks.append(time.perf_counter() - started)
        bare, task = min(bares), min(tasks)
    unique = len(set(texts))
    print(json.dumps({"responses": len(texts), "unique_texts": unique, "written": written}))
    print(f"best of {args.rounds} alternating rounds each")
    print(f"bare encode : {len(texts) / bare:7.1f} texts/s ({bare:.1f} s)")
    print(f"task path   : {len(texts) / task:7.1f} texts/s ({task:.1f} s)")
    note = "above 1.0 comes from length-sorted batches and deduplicated texts"
    print(f"task / bare : {bare / task:7.2f} ({note})")


if __name__ == "__main__":
    main()
