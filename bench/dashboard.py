"""The effort dashboard with 100k labels: how long a lead waits for the page.

A synthetic project (50k pairs in 4 arms, 2 answers each from 40 annotators, 100k labels) in a
fresh SQLite database, or in DATABASE_URL's. Timed with Django's test client, so the figures are
the view's own time (no network): the page with an empty cache ("cold", every figure computed),
the htmx refresh when nothing changed ("warm", one version query), and the page again right after
one new label. Baseline, in the same run: fetching the live labels as columns, which any
fresh computation has to do.

    python bench/dashboard.py [--labels 100000] [--repeat 5]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.common import ensure_database  # noqa: E402

DB = ROOT / "var" / "bench" / "dashboard.sqlite3"
ARMS = (("random", "random"), ("real", "dissimilar"), ("karma", "kinship"), ("near", "similar"))
CHOICES = ("a", "a", "b", "b", "a", "tie", "both_bad", "skip")


def setup_django() -> None:
    if "DATABASE_URL" not in os.environ:
        DB.parent.mkdir(parents=True, exist_ok=True)
        DB.unlink(missing_ok=True)
        os.environ["DATABASE_URL"] = f"sqlite:///{DB}"
    os.environ.pop("REDIS_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    ensure_database()
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def build(labels: int):
    from django.contrib.auth.models import User
    from django.utils import timezone

    from annotation.models import Label, Membership, Pair, Project, Prompt, Response, Role

    Project.objects.filter(slug="bench-dashboard").delete()
    project = Project.objects.create(name="Dashboard bench", slug="bench-dashboard", overlap=2)
    people = [User.objects.get_or_create(username=f"bench-{i}")[0] for i in range(40)]
    lead = User.objects.get_or_create(username="bench-lead")[0]
    Membership.objects.create(project=project, user=lead, role=Role.LEAD)
    n_pairs = labels // 2
    prompts = Prompt.objects.bulk_create(
        [Prompt(project=project, external_id=str(i), text=f"p{i}") for i in range(n_pairs // 4)]
    )
    responses = Response.objects.bulk_create(
        [Response(prompt=p, external_id=str(k), text="r") for p in prompts for k in range(5)],
        batch_size=5000,
    )
    pairs = Pair.objects.bulk_create([
        Pair(project=project, prompt=prompts[i // 4], response_a=responses[(i // 4) * 5 + i % 4],
             response_b=responses[(i // 4) * 5 + 4], arm=ARMS[i % 4][0], strategy=ARMS[i % 4][1],
             swapped=bool(i % 3), status="complete", is_gold=i % 50 == 0,
             gold_choice="a" if i % 50 == 0 else "")
        for i in range(n_pairs)
    ], batch_size=5000)  # fmt: skip
    start = timezone.now() - timedelta(days=3)
    Label.objects.bulk_create([
        Label(pair=pair, project=project, annotator=people[(k * 7 + j) % 40],
              choice=CHOICES[(k + j * 3) % 8],
              active_seconds=5 + (k * 13 + j) % 60, created_at=start + timedelta(seconds=k * 2))
        for k, pair in enumerate(pairs) for j in range(2)
    ], batch_size=5000)  # fmt: skip
    return project, lead


def timed(fn, repeat: int) -> float:
    runs = []
    for _ in range(repeat):
        began = time.perf_counter()
        fn()
        runs.append(time.perf_counter() - began)
    return statistics.median(runs)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--labels", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    setup_django()
    from django.core.cache import cache
    from django.test import Client

    from annotation.models import Label, Pair
    from selection.effort.answers import _fetch

    project, lead = build(args.labels)
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(lead)
    url = f"/projects/{project.slug}/effort/"

    def cold():
        cache.clear()
        response = client.get(url)
        assert response.status_code == 200, response.status_code

    fresh = iter(Pair.objects.filter(project=project).order_by("id"))

    def after_new_label():
        Label.objects.create(pair=next(fresh), annotator=lead, choice="a", active_seconds=9)
        assert client.get(url, headers={"HX-Request": "true"}).status_code == 200

    floor = timed(lambda: _fetch(project, after=0, arms=()), args.repeat)
    cold_s = timed(cold, args.repeat)
    warm_s = timed(lambda: client.get(url, headers={"HX-Request": "true"}), args.repeat)
    changed_s = timed(after_new_label, args.repeat)
    print(f"dashboard with {Label.objects.filter(pair__project=project).count()} labels "
          f"({os.environ['DATABASE_URL'].split(':')[0]}), median of {args.repeat}:")  # fmt: skip
    print(f"  baseline, fetching the live labels: {floor * 1000:7.1f} ms")
    for name, value in (("cold page (cache empty)", cold_s), ("htmx refresh, nothing new", warm_s),
                        ("htmx refresh after a change", changed_s)):  # fmt: skip
        print(f"  {name:28} {value * 1000:7.1f} ms  ({value / floor:.1f}× baseline; target 300 ms)")


if __name__ == "__main__":
    main()
