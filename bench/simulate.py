"""The effort simulation on the whole shared AlpacaEval pool, and the evidence in docs/results.md.

Every simulated strategy (REAL, KARMA, random, active learning) plus the oracle upper bound,
20 seeds, in the queue's own order; the result is written into docs/results.md between its
evidence markers (bench/evidence.py), so the tables there are always this command's output.

Set-up (not timed): a fresh SQLite database (or DATABASE_URL's), the 403-prompt pool imported,
the model leaderboard imported and bucketed, and MiniLM embeddings loaded from the cache that
bench/pool_cache.py fills (computed on first use, once).

Timed: `simulate_effort` end to end. Baseline, measured in the same run: loading the
simulation's inputs from the database (responses, gold, embeddings, the model pool), which
every simulation pays before it simulates anything.

    python bench/simulate.py [--seeds 20] [--json OUT] [--no-write] [simulate_effort options...]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.common import ensure_database  # noqa: E402
from bench.pool_cache import MODELS, POOL, load_cache, text_key  # noqa: E402

DB = ROOT / "var" / "bench" / "simulate.sqlite3"
RESULTS = ROOT / "docs" / "results.md"
SLUG = "alpacaeval"


def setup_django() -> None:
    if "DATABASE_URL" not in os.environ:
        DB.unlink(missing_ok=True)
        os.environ["DATABASE_URL"] = f"sqlite:///{DB}"
    os.environ.pop("REDIS_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    ensure_database()
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def load_pool():
    from annotation.importing.service import import_file
    from annotation.models import Project, Response
    from selection.competency import model_profiles_import
    from selection.demo import WR_COLUMNS
    from selection.embedding import embedder_name
    from selection.models import ResponseEmbedding
    from selection.profiles import competency_buckets_compute

    Project.objects.filter(slug=SLUG).delete()
    project = Project.objects.create(name="AlpacaEval pool", slug=SLUG)
    import_file(project=project, path=POOL)
    model_profiles_import(project=project, path=MODELS, benchmark_columns=WR_COLUMNS)
    competency_buckets_compute(project=project, count=3)
    vectors, name = load_cache(), embedder_name()
    rows = Response.objects.filter(prompt__project=project).values_list("id", "text")
    ResponseEmbedding.objects.bulk_create(
        [ResponseEmbedding(response_id=rid, embedder=name, dimension=384,
                           vector=vectors[text_key(text)].tobytes()) for rid, text in rows],
        batch_size=2000,
    )  # fmt: skip
    return project


def baseline(project) -> float:
    from selection.effort.inputs import sim_prompts
    from selection.embedding import embedder_name

    began = time.perf_counter()
    prompts = sim_prompts(project.id, embedder_name(), "auto", with_pool=True)
    assert len(prompts) == 403, len(prompts)
    return time.perf_counter() - began


# Each feature set the reward model can see, with the title its table gets in docs/results.md.
FEATURE_RUNS = (
    ("embedding", "The reward model sees response embeddings"),
    ("embedding+length", "The reward model sees embeddings and response length"),
)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seeds", default="20")
    parser.add_argument("--json", dest="json_out", default=str(ROOT / "var" / "bench" / "sim"),
                        help="results go to OUT-<features>.json")  # fmt: skip
    parser.add_argument("--no-write", action="store_true",
                        help="print the figures only; leave docs/results.md as it is")  # fmt: skip
    args, extra = parser.parse_known_args()
    setup_django()
    project = load_pool()
    floor = baseline(project)
    runs = []
    for features, title in FEATURE_RUNS:
        options = ["--seeds", args.seeds, "--features", features, *extra]
        result, spent = timed_run(options, f"{args.json_out}-{features.replace('+', '-')}.json")
        what = f"{len(result['arms'])} arms × {args.seeds} seeds, {result['prompts']} prompts"
        print(f"\nsimulate_effort, {what}, {features}: {spent:.1f} s (target < 120 s)")
        print(f"baseline, loading its inputs: {floor:.2f} s; ratio {spent / floor:.1f}×")
        runs.append((title, result, " ".join(["simulate_effort", *options])))
    if not args.no_write:
        write_results(runs, int(args.seeds))


def timed_run(options: list[str], out: str) -> tuple[dict, float]:
    from django.core.management import call_command

    began = time.perf_counter()
    call_command("simulate_effort", "--project", SLUG, *options, "--json", out)
    return json.loads(Path(out).read_text()), time.perf_counter() - began


def write_results(runs: list[tuple[str, dict, str]], seeds: int) -> None:
    from bench.evidence import replace_section, section

    text = section([(f"{title} (`{command}`)", result) for title, result, command in runs], seeds)
    RESULTS.write_text(replace_section(RESULTS.read_text(), text))
    print(f"{RESULTS.relative_to(ROOT)}: evidence section rewritten from this run ({seeds} seeds)")


if __name__ == "__main__":
    main()
