"""Soak the annotate loop: 32 annotators lease, answer and now and then undo for five minutes
against a real deployment, then count what must never happen.

The deployment is bench/serve.py's (gunicorn, 4 workers x 8 threads, on PostgreSQL, with Redis as
cache and broker) plus one real `celery -A config worker` process, started as tests/workers.py
starts it: it receives the render-ahead tasks the pages send. The queue starts unrendered, and
the pairs added while the run goes on come unrendered too, as an import's do. The project wants
two answers per pair (overlap 2), so annotators share pairs; a keeper thread tops the queue up
to `--queue` open pairs every 5 s, analyses the tables every minute (as autovacuum would; this
machine's PostgreSQL runs with it off) and, every second, looks for pairs held beyond the
overlap.

Each simulated annotator loops with its own keep-alive connection (bench/wire.py) and no pause:
  lease:  the pair its last page showed (as htmx does), or GET /projects/soak/annotate/ (the
          full page), or POST /api/v1/projects/soak/lease/
  answer: POST .../annotate/submit/ under htmx (saves and shows the next pair), or POST
          /api/v1/projects/soak/labels/
  undo:   with probability `--undo` (0.05), right after a saved answer: POST .../annotate/undo/
          under htmx, or POST /api/v1/projects/soak/labels/undo/
each path chosen at random every time, so a lease taken on one path is often answered on the
other. Answers are mostly left or right, some tie, both bad or skip, a few with a rationale.

At the end it prints one table. The counts that must be 0:
  HTTP 5xx             responses with a status of 500 or more
  over-filled pairs    pairs with more live non-skip human labels than the overlap
  duplicate labels     (pair, annotator) with more than one live human label
  lost submits         answers the server said it saved (201 from the API; 200 without an
                       error under htmx) whose label is not in the database, by its lease and
                       by its id where the API gave it, or was withdrawn though no undo asked
  over-held pairs      pairs whose live leases and live non-skip answers (the queue's load)
                       came to more than the overlap: sampled every second and at the end
  undos not applied    undos the server accepted whose answer is still live
  lease changed        a lease asked for again (page or API) that is not the one the last
                       page showed: one person, one live lease, whichever path asks
  other unexpected     any other status than each request's expected ones, and an answer
                       refused or an undo that found nothing (leases last 10 minutes here)
  transport errors     a connection that failed or a response that could not be read
  worker task failures tasks the worker logged as failed
and the exit status is 1 if any is not. Each one found is printed below the table, with the
request that met it. gunicorn's log goes to stderr; the worker's to var/celery-worker-PID.log.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/pairsmith_bench_soak \\
    REDIS_URL=redis://127.0.0.1:6379/10 python bench/soak.py

`--seconds 30` for a quick try. The database and Redis db are the bench's own: the run empties
both first.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import sys
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import cpu, serve, wire  # noqa: E402
from bench.soak_data import (  # noqa: E402
    Saved,
    duplicate_labels,
    live_labels,
    lost_submits,
    over_filled_pairs,
    over_held_pairs,
    undos_not_applied,
)

DEFAULT_DB = "postgres://postgres@127.0.0.1:5432/pairsmith_bench_soak"
DEFAULT_REDIS = "redis://127.0.0.1:6379/10"
SLUG = "soak"
OVERLAP = 2
PEOPLE = 32
WORKERS, THREADS = 4, 8
WEB = f"/projects/{SLUG}/annotate/"
API = f"/api/v1/projects/{SLUG}/"
HTMX = b"HX-Request: true\r\n"
# What people press, and how often.
CHOICES = ("left", "right", "tie", "both_bad", "skip")
WEIGHTS = (42, 42, 6, 5, 5)
# The workbench shows a refused answer, and an undo with nothing to undo, as its error line.
ERROR_LINE = b'<p class="error"'
# What each request may answer; anything else is counted (5xx apart).
EXPECTED = {
    "page": {200},
    "api lease": {200, 204},
    "htmx answer": {200},
    "api answer": {201},
    "htmx undo": {200},
    "api undo": {200},
}
KINDS = tuple(EXPECTED)
# Runs more than a minute long have their rate and the web server's memory shown by minute.
MINUTE = 60.0


@dataclass(frozen=True)
class Person:
    """A simulated annotator: the header lines of their signed-in browser and of their API
    client (token)."""

    user_id: int
    username: str
    web: bytes
    api: bytes


@dataclass
class Tally:
    """What one annotator saw."""

    ms: dict[str, list[float]] = field(default_factory=lambda: {kind: [] for kind in KINDS})
    saved: list[Saved] = field(default_factory=list)
    saved_at: list[float] = field(default_factory=list)
    server_errors: list[str] = field(default_factory=list)
    unexpected: list[str] = field(default_factory=list)
    lease_changed: list[str] = field(default_factory=list)
    transport: list[str] = field(default_factory=list)
    empty: int = 0


class Annotator(threading.Thread):
    def __init__(self, port: int, person: Person, until: float, undo: float, seed: int) -> None:
        super().__init__(daemon=True)
        self.conn = wire.Connection("127.0.0.1", port)
        self.person, self.until, self.undo_rate = person, until, undo
        self.rng = random.Random(seed)
        self.tally = Tally()
        self.shown: int | None = None  # the lease the last page showed

    def run(self) -> None:
        try:
            while time.perf_counter() < self.until:
                self.round()
        except Exception as exc:  # a bug here, not in the server: reported, not hidden
            self.tally.unexpected.append(f"{self.person.username}: the annotator failed: {exc!r}")
        finally:
            self.conn.close()

    def round(self) -> None:
        lease = self.lease()
        if lease is None:  # no pair left for this person, or an error (counted where it came)
            time.sleep(0.1)
            return
        saved = self.answer(lease)
        if saved is not None and self.rng.random() < self.undo_rate:
            self.undo(saved)

    def lease(self) -> int | None:
        shown = self.shown
        if shown is not None and self.rng.random() < 0.5:
            return shown
        if self.rng.random() < 0.5:
            status, body = self.send("page", "GET", WEB)
            lease = page_lease(body) if status == 200 else None
        else:
            status, body = self.send("api lease", "POST", API + "lease/")
            lease = json.loads(body)["assignment"] if status == 200 else None
        if lease is None and status in (200, 204):
            self.tally.empty += 1
        if shown is not None and status and lease != shown:
            self.tally.lease_changed.append(
                f"{stamp()} {self.person.username}: the last page showed lease {shown}, "
                f"asking again (status {status}) gave {lease}"
            )
        self.shown = lease
        return lease

    def answer(self, lease: int) -> Saved | None:
        choice = self.rng.choices(CHOICES, WEIGHTS)[0]
        rationale = "The first point is clearer." if self.rng.random() < 0.1 else ""
        label_id = None
        if self.rng.random() < 0.5:
            form = {"assignment": lease, "choice": choice, "rationale": rationale}
            body = urlencode(dict(form, active_seconds=2.5))
            status, reply = self.send("htmx answer", "POST", WEB + "submit/", body)
            saved = status == 200 and ERROR_LINE not in reply
            self.shown = page_lease(reply) if status == 200 else None
        else:
            data = {"assignment": lease, "choice": choice, "rationale": rationale}
            status, reply = self.send("api answer", "POST", API + "labels/", json.dumps(data))
            saved = status == 201
            label_id = json.loads(reply)["label"]["id"] if saved else None
            self.shown = None
        if not saved:
            if ERROR_LINE in reply:  # refused on the page (the API's refusal is a 200: send)
                why = error_line(reply)
                self.note(self.tally.unexpected, "answer refused", f"lease {lease}", status, why)
            return None
        found = Saved(self.person.user_id, lease, label_id)
        self.tally.saved.append(found)
        self.tally.saved_at.append(time.perf_counter())
        return found

    def undo(self, saved: Saved) -> None:
        if self.rng.random() < 0.5:
            status, page = self.send("htmx undo", "POST", WEB + "undo/")
            done = status == 200 and ERROR_LINE not in page
            self.shown = page_lease(page) if status == 200 else None
            if status == 200 and not done:
                about = f"lease {saved.assignment_id}"
                self.note(self.tally.unexpected, "undo refused", about, status, error_line(page))
        else:
            status, _ = self.send("api undo", "POST", API + "labels/undo/")
            done = status == 200
            self.shown = None
        saved.undone = done

    def send(self, kind: str, method: str, path: str, body: str = "") -> tuple[int, bytes]:
        """One request; its status (0 if no response came) and body. Latency, 5xx and
        statuses the request should not answer are tallied."""
        api = kind.startswith("api")
        headers = self.person.api if api else self.person.web + (HTMX if method == "POST" else b"")
        started = time.perf_counter()
        try:
            status, data = self.conn.request(method, path, headers, body.encode())
        except (OSError, wire.HTTPError) as exc:
            self.conn.close()
            self.tally.transport.append(f"{stamp()} {self.person.username} {method} {path} "
                                        f"{body!r}: {exc!r}")  # fmt: skip
            return 0, b""
        self.tally.ms[kind].append((time.perf_counter() - started) * 1000)
        if status >= 500:
            self.note(self.tally.server_errors, f"{method} {path} {body!r}", None, status, data)
        elif status not in EXPECTED[kind]:
            self.note(self.tally.unexpected, f"{method} {path} {body!r}", None, status, data)
        return status, data

    def note(self, where: list[str], what: str, about, status: int, data: bytes) -> None:
        about = f" ({about})" if about is not None else ""
        where.append(f"{stamp()} {self.person.username}: {what}{about} -> {status}: "
                     f"{data[:300]!r}")  # fmt: skip


def stamp() -> str:
    return time.strftime("%H:%M:%S")


def error_line(page: bytes) -> bytes:
    start = page.find(ERROR_LINE)
    return page[start : page.find(b"</p>", start) + 4] if start >= 0 else b""


def page_lease(page: bytes) -> int | None:
    found = serve.LEASE_RE.search(page)
    return None if found is None else int(found.group(1))


class Keeper(threading.Thread):
    """While the annotators run: every second, the pairs held beyond the overlap and the CPU
    each process has used (a database session closes after a minute, CONN_MAX_AGE, and takes
    its count with it); every 5 s, the queue topped up to `queue` open pairs; every minute, the
    tables analysed and the web server's memory noted."""

    def __init__(self, until: float, queue: int, server_pid: int, meter: serve.Meter) -> None:
        super().__init__(daemon=True)
        self.until, self.queue, self.server_pid, self.meter = until, queue, server_pid, meter
        # Web, database (None where it runs elsewhere): each process's latest reading.
        self.cpu: list[dict[int, float] | None] = [{}, None if meter.postmaster is None else {}]
        self.over_held: set[int] = set()
        self.added = 0
        self.rss_mb: list[float] = []
        self.error = ""

    def run(self) -> None:
        from django.db import connection

        from bench.serve_data import refresh_statistics, top_up

        started, tick = time.perf_counter(), 0
        try:
            while time.perf_counter() < self.until:
                self.over_held.update(over_held_pairs(SLUG))
                self.read_cpu()
                if tick % 5 == 0:
                    self.added += top_up(slug=SLUG, pairs=self.queue)
                if tick % int(MINUTE) == 0:
                    self.rss_mb.append(web_rss_mb(self.server_pid))
                    if tick:
                        refresh_statistics()
                tick += 1
                time.sleep(max(0.0, started + tick - time.perf_counter()))
        except Exception as exc:  # reported in the table
            self.error = repr(exc)
        finally:
            connection.close()

    def read_cpu(self) -> None:
        for seen, now in zip(self.cpu, self.meter.read(), strict=True):
            if now is not None:
                seen.update(now)


def web_rss_mb(server_pid: int) -> float:
    return cpu.resident_mb([server_pid, *cpu.children(server_pid)])


def people(sessions: list[tuple[str, str]]) -> list[Person]:
    """The annotators bench/serve_data.make_queue signed in, each with an API token too."""
    from django.contrib.auth import get_user_model
    from rest_framework.authtoken.models import Token

    found = []
    for i, (sessionid, csrf) in enumerate(sessions):
        user = get_user_model().objects.get(username=f"bench-annotator-{i}")
        token, _ = Token.objects.get_or_create(user=user)
        web = (f"Cookie: sessionid={sessionid}; csrftoken={csrf}\r\nX-CSRFToken: {csrf}\r\n"
               "Content-Type: application/x-www-form-urlencoded\r\n")  # fmt: skip
        api = f"Authorization: Token {token.key}\r\nContent-Type: application/json\r\n"
        found.append(Person(user.pk, user.username, web.encode(), api.encode()))
    return found


def worker_log(path: Path) -> tuple[int, int]:
    """Tasks the worker's log says succeeded, and failed."""
    text = path.read_text(errors="replace") if path.exists() else ""
    failed = len(re.findall(r": (?:ERROR|CRITICAL)/", text))
    return len(re.findall(r"\] succeeded in ", text)), failed


def by_minute(times: Iterable[float], started: float, wall: float) -> list[float]:
    """Events per second in each minute of the run (the last minute as long as it lasted)."""
    minutes = max(1, -(-int(wall) // int(MINUTE)))
    counts = [0] * minutes
    for t in times:
        counts[min(minutes - 1, int((t - started) // MINUTE))] += 1
    spans = [min(MINUTE, wall - i * MINUTE) for i in range(minutes)]
    return [count / span for count, span in zip(counts, spans, strict=True)]


def soak(args: argparse.Namespace, people_: list[Person]) -> dict:
    """Start the server, the keeper and the annotators; the figures once they are done."""
    port = serve.free_port()
    server = serve.start_server(port, WORKERS, THREADS)
    try:
        meter = serve.Meter(server)
        before, generator = meter.read(), time.process_time()
        started = time.perf_counter()
        until = started + args.seconds
        keeper = Keeper(until, args.queue, server.pid, meter)
        crowd = [
            Annotator(port, person, until, args.undo, args.seed + i)
            for i, person in enumerate(people_)
        ]
        for thread in (keeper, *crowd):
            thread.start()
        for thread in (keeper, *crowd):
            thread.join()
        wall = time.perf_counter() - started
        keeper.read_cpu()
        generator = time.process_time() - generator
        cpu_spent = [None if b is None or a is None else cpu.spent(b, a)
                     for b, a in zip(before, keeper.cpu, strict=True)]  # fmt: skip
        keeper.rss_mb.append(web_rss_mb(server.pid))
    finally:
        server.terminate()
        server.wait(timeout=20)
    return {"tallies": [a.tally for a in crowd], "keeper": keeper, "wall": wall,
            "started": started, "cpu": [*cpu_spent, generator]}  # fmt: skip


def listed(found: list) -> tuple[int, list[str]]:
    return len(found), [str(item) for item in found]


def checks(run: dict, worker_failed: int) -> dict[str, tuple[int, list[str]]]:
    """Each count that must be 0, with what was found."""
    tallies, keeper = run["tallies"], run["keeper"]
    saved = [s for t in tallies for s in t.saved]
    over_held = sorted(keeper.over_held | set(over_held_pairs(SLUG)))

    def gathered(name: str) -> list[str]:
        return [line for t in tallies for line in getattr(t, name)]

    unexpected = gathered("unexpected") + ([f"keeper: {keeper.error}"] if keeper.error else [])
    return {
        "HTTP 5xx": listed(gathered("server_errors")),
        "over-filled pairs": (over_filled_pairs(SLUG), []),
        "duplicate labels": (duplicate_labels(SLUG), []),
        "lost submits": listed(lost_submits(saved)),
        "over-held pairs (sampled each second)": listed([f"pair {p}" for p in over_held]),
        "undos not applied": listed(undos_not_applied(saved)),
        "lease changed between requests": listed(gathered("lease_changed")),
        "other unexpected responses": listed(unexpected),
        "transport errors": listed(gathered("transport")),
        "worker task failures": (worker_failed, []),
    }


def report(args: argparse.Namespace, run: dict, worker: tuple[int, int]) -> int:
    """Print the table; the number of checks that failed."""
    tallies, keeper, wall = run["tallies"], run["keeper"], run["wall"]
    saved = [s for t in tallies for s in t.saved]
    undone = sum(s.undone for s in saved)
    ms = {kind: [v for t in tallies for v in t.ms[kind]] for kind in KINDS}
    requests = sum(len(values) for values in ms.values())
    found = checks(run, worker[1])
    rates = by_minute((t for tally in tallies for t in tally.saved_at), run["started"], wall)
    memory = " ".join(f"{mb:.0f}" for mb in keeper.rss_mb)
    per_label = "/".join("—" if s is None or not saved else f"{s / len(saved) * 1000:.2f}"
                         for s in run["cpu"])  # fmt: skip

    print(f"soak: {len(tallies)} annotators for {wall:.0f} s, overlap {OVERLAP}, undo "
          f"{args.undo:.0%}, queue kept at {args.queue} open pairs; gunicorn {WORKERS} workers "
          f"x {THREADS} threads, 1 celery worker")  # fmt: skip
    rows = [
        ("labels saved (server said so)", f"{len(saved)}"),
        ("  of which undone", f"{undone}"),
        ("  live human labels in the database", f"{live_labels(SLUG)}"),
        ("  labels/s by minute", " ".join(f"{r:.0f}" for r in rates)),
        ("requests", f"{requests} ({requests / wall:.0f}/s)"),
    ]
    for kind in KINDS:
        values = ms[kind]
        trio = "/".join(f"{serve.pct(values, q):.0f}" for q in (50, 95, 99)) if values else "—"
        rows.append((f"  {kind}: n, p50/p95/p99 ms", f"{len(values)}, {trio}"))
    rows += [(name, f"{count}") for name, (count, _) in found.items()]
    rows += [
        ("lease answered 'no pair left'", f"{sum(t.empty for t in tallies)}"),
        ("pairs added to the queue meanwhile", f"{keeper.added}"),
        ("render-ahead tasks the worker ran", f"{worker[0]}"),
        ("CPU ms per label web/db/gen", per_label),
        ("web server RSS MB, each minute from the start", memory),
    ]
    width = max(len(name) for name, _ in rows)
    for name, value in rows:
        print(f"{name:<{width}}  {value}")
    failed = [(name, lines) for name, (count, lines) in found.items() if count]
    for name, lines in failed:
        print(f"\n{name}:")
        for line in lines[:10]:
            print(f"    {line}")
    return len(failed)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=300.0)
    parser.add_argument("--undo", type=float, default=0.05, help="undo right after answering")
    parser.add_argument("--queue", type=int, default=3000, help="open pairs kept in the queue")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    serve.environment(DEFAULT_DB, DEFAULT_REDIS)
    serve.migrate()
    import django

    django.setup()
    from django.core.cache import cache

    from bench.serve_data import make_queue
    from tests.workers import celery_worker

    cache.clear()  # this run's Redis db: no render-ahead mark, throttle count or task left over
    sessions = make_queue(slug=SLUG, pairs=args.queue, annotators=PEOPLE, overlap=OVERLAP)
    crowd = people(sessions)
    (ROOT / "var").mkdir(exist_ok=True)
    with celery_worker():
        run = soak(args, crowd)
    worker = worker_log(ROOT / "var" / f"celery-worker-{os.getpid()}.log")
    sys.exit(1 if report(args, run, worker) else 0)


if __name__ == "__main__":
    main()
