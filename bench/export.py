"""DPO export speed and memory at 10k and 100k labeled pairs, JSONL and Parquet.

A synthetic project per size (real AlpacaEval response texts cycled when ../shared/data is there,
4 pairs per prompt, 2 human labels per pair) in a fresh SQLite database, or in DATABASE_URL's.
Each (size, format) exports in its own process, which reports its peak RSS. Baseline, in the
same run: reading the same pairs' texts with one values_list query and json.dumps-ing them,
the floor any exporter pays. One-time imports happen before the clock starts.

    python bench/export.py [--sizes 10000,100000]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.common import ensure_database  # noqa: E402

POOL = ROOT.parent / "shared" / "data" / "alpacaeval_pool.jsonl"


def setup_django(db: Path | None) -> None:
    if db is not None:
        os.environ["DATABASE_URL"] = f"sqlite:///{db}"
    os.environ.pop("REDIS_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    ensure_database()
    import django

    django.setup()


def texts() -> list[str]:
    if not POOL.exists():
        return [f"Response {i}: " + "words " * (50 + i % 200) for i in range(2000)]
    out = []
    with POOL.open(encoding="utf-8") as handle:
        for line in handle:
            out += [r["text"] for r in json.loads(line)["responses"]]
    return out


def build(pairs: int) -> None:
    from django.contrib.auth.models import User
    from django.core.management import call_command

    from annotation.models import Label, Pair, Project, Prompt, Response

    call_command("migrate", verbosity=0)
    slug = f"bench-export-{pairs}"
    Project.objects.filter(slug=slug).delete()
    project = Project.objects.create(name=f"Export bench {pairs}", slug=slug, overlap=2)
    people = [User.objects.get_or_create(username=f"bench-x{i}")[0] for i in range(2)]
    pool = texts()
    prompts = Prompt.objects.bulk_create(
        [Prompt(project=project, external_id=str(i), text=f"Instruction {i}: {pool[i % 400][:200]}")
         for i in range(pairs // 4)], batch_size=5000)  # fmt: skip
    responses = Response.objects.bulk_create(
        [Response(prompt=p, external_id=str(k), model_name=f"m{k}",
                  text=pool[(i * 5 + k) % len(pool)])
         for i, p in enumerate(prompts) for k in range(5)], batch_size=5000)  # fmt: skip
    made = Pair.objects.bulk_create(
        [Pair(project=project, prompt=prompts[i // 4], response_a=responses[(i // 4) * 5],
              response_b=responses[(i // 4) * 5 + 1 + i % 4], arm="real", strategy="dissimilar")
         for i in range(pairs)], batch_size=5000)  # fmt: skip
    Label.objects.bulk_create(
        [Label(pair=pair, project=project, annotator=who, choice="a" if (pair.id + j) % 7 else "b")
         for pair in made for j, who in enumerate(people)], batch_size=5000)  # fmt: skip


def child(pairs: int, fmt: str, out: str) -> None:
    from annotation.export.service import export_dpo  # imported before the clock starts
    from annotation.models import Project

    project = Project.objects.get(slug=f"bench-export-{pairs}")
    # pyarrow imports pandas on its first table, once per process: a start-up cost, not
    # throughput, so it is paid before the clock starts.
    import pyarrow as pa

    pa.Table.from_pydict({"warm": [1]})
    began = time.perf_counter()
    if fmt == "baseline":
        rows = project.pairs.values_list(
            "id", "prompt__text", "response_a__text", "response_b__text", "arm"
        )
        with open(Path(out) / "baseline.jsonl", "w") as handle:
            for row in rows.iterator(chunk_size=2000):
                handle.write(json.dumps(row) + "\n")
        written = pairs
    else:
        written = export_dpo(project=project, out_dir=Path(out), fmt=fmt).rows
    seconds = time.perf_counter() - began
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"rows": written, "seconds": seconds, "peak_mb": peak_mb}))


def run(pairs: int, fmt: str, env: dict) -> dict:
    with tempfile.TemporaryDirectory() as out:
        cmd = [sys.executable, __file__, "--child", f"{pairs}:{fmt}:{out}"]
        done = subprocess.run(cmd, env=env, capture_output=True, text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="10000,100000")
    parser.add_argument("--child", default=None)
    parser.add_argument("--build", type=int, default=None)
    args = parser.parse_args()
    db = None if os.environ.get("DATABASE_URL") else ROOT / "var" / "bench" / "export.sqlite3"
    if args.child or args.build:
        setup_django(db)
        if args.build:
            build(args.build)
            return
        pairs, fmt, out = args.child.split(":", 2)
        child(int(pairs), fmt, out)
        return
    if db is not None:
        db.parent.mkdir(parents=True, exist_ok=True)
        db.unlink(missing_ok=True)
    # Everything heavy runs in child processes: Linux keeps a parent's peak RSS in a child's
    # ru_maxrss across exec, so a parent that built the data would inflate every figure.
    print(f"{'pairs':>7} {'format':>9} {'rows':>7} {'seconds':>8} {'pairs/s':>8} {'peak MB':>8} "
          f"{'× baseline':>10}")  # fmt: skip
    for pairs in (int(s) for s in args.sizes.split(",")):
        subprocess.run([sys.executable, __file__, "--build", str(pairs)], check=True)
        floor = run(pairs, "baseline", dict(os.environ))
        for fmt in ("baseline", "jsonl", "parquet"):
            r = floor if fmt == "baseline" else run(pairs, fmt, dict(os.environ))
            print(f"{pairs:7d} {fmt:>9} {r['rows']:7d} {r['seconds']:8.2f} "
                  f"{pairs / r['seconds']:8.0f} {r['peak_mb']:8.0f} "
                  f"{r['seconds'] / floor['seconds']:10.2f}")  # fmt: skip


if __name__ == "__main__":
    main()
