"""Import speed and memory at 1x, 4x and 16x the shared AlpacaEval pool.

Each size runs in its own process (so peak memory is per size) into a fresh project, on SQLite by
default or on the database in DATABASE_URL. The baseline, measured in the same run on the same
file, is reading it with json.loads line by line: the import's floor.

    python bench/import.py [--sizes 1,4,16]
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

POOL = ROOT / ".." / "shared" / "data" / "alpacaeval_pool.jsonl"


def replicate(times: int, folder: Path) -> Path:
    """The pool `times` over, each copy with new prompt ids."""
    path = folder / f"pool-x{times}.jsonl"
    with POOL.open(encoding="utf-8") as src, path.open("w", encoding="utf-8") as out:
        lines = src.readlines()
        for copy in range(times):
            for line in lines:
                record = json.loads(line)
                record["prompt_id"] = f"{copy}-{record['prompt_id']}"
                out.write(json.dumps(record) + "\n")
    return path


def child(path: str, slug: str) -> None:
    """Runs in a subprocess: set up Django, import, print one JSON line of figures."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.db import connection

    from annotation.importing.service import import_file
    from annotation.models import Project

    project = Project.objects.create(name=slug, slug=slug)
    setup_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    started = time.perf_counter()
    report = import_file(project=project, path=path)
    seconds = time.perf_counter() - started
    assert not report.refused, report.summary()
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        json.dumps(
            {
                "seconds": seconds,
                "responses": report.counts.responses_created,
                "vendor": connection.vendor,
                "peak_mb": peak_mb,
                "setup_mb": setup_mb,
            }
        )
    )
    project.delete()


def baseline(path: Path) -> float:
    started = time.perf_counter()
    with path.open("rb") as fh:
        for line in fh:
            json.loads(line)
    return time.perf_counter() - started


def measure(path: Path, slug: str) -> dict:
    out = subprocess.run(
        [sys.executable, __file__, "--child", str(path), slug],
        check=True,
        capture_output=True,
        text=True,
        cwd=ROOT,
    ).stdout
    return json.loads(out.strip().splitlines()[-1])


def migrate() -> None:
    ensure_database()
    manage = [sys.executable, str(ROOT / "manage.py"), "migrate", "-v0"]
    subprocess.run(manage, check=True, cwd=ROOT)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="1,4,16")
    parser.add_argument("--child", nargs=2, metavar=("PATH", "SLUG"))
    args = parser.parse_args()
    if args.child:
        child(*args.child)
        return
    if not POOL.exists():
        sys.exit(f"needs the shared pool at {POOL}")
    stamp = int(time.time())
    scratch = tempfile.TemporaryDirectory()
    if not os.environ.get("DATABASE_URL"):
        os.environ["PAIRSMITH_VAR_DIR"] = scratch.name  # a fresh SQLite file
    migrate()
    print(
        f"{'size':>5} {'MB':>6} {'responses':>9} {'seconds':>8} {'resp/s':>8} "
        f"{'peak MB':>8} {'(setup)':>8} {'json s':>7} {'import/json':>11}"
    )
    with tempfile.TemporaryDirectory() as tmp:
        for times in (int(s) for s in args.sizes.split(",")):
            path = replicate(times, Path(tmp))
            figures = measure(path, f"bench-import-{stamp}-x{times}")
            peak_mb, setup_mb = figures["peak_mb"], figures["setup_mb"]
            floor = baseline(path)
            rate = figures["responses"] / figures["seconds"]
            print(
                f"{times:>4}x {path.stat().st_size / 1e6:>6.1f} {figures['responses']:>9} "
                f"{figures['seconds']:>8.2f} {rate:>8.0f} {peak_mb:>8.0f} {setup_mb:>8.0f} "
                f"{floor:>7.2f} {figures['seconds'] / floor:>10.1f}x",
                flush=True,
            )
            path.unlink()
    print(
        f"database: {figures['vendor']}; peak MB: max RSS of the importing process "
        "((setup): before the import started); import/json: import time over json.loads time"
    )
    scratch.cleanup()


if __name__ == "__main__":
    main()
