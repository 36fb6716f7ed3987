"""Serve the annotate loop under gunicorn on PostgreSQL and measure it from simulated annotators.

For each queue size (10k and 100k open pairs) and each crowd (1, 8, 32 annotators at once), every
simulated annotator loops for a fixed time over HTTP with its own keep-alive connection:
  lease:  GET  /projects/bench/annotate/   (claims a new pair; htmx partial)
  submit: POST /projects/bench/annotate/submit/   (plain form post; 302 back)
and then, as a second phase, the htmx round trip that annotators really use: one POST that saves
the label and returns the next pair. Printed: p50/p95/p99 in ms, labels/s, and the count of
double assignments (pairs held or answered by more people than the overlap allows): must be 0.
Responses are rendered ahead before the rows, as a worker does in the product (timed and printed);
`--cold` leaves them for the page to render on first view instead. The server is warmed up before
the first row, and the tables are analysed before each row, as autovacuum does on a production
server (this machine's PostgreSQL runs with it off; `--stale` leaves the statistics as the empty
tables gave them, the worst case for the planner). Every labelling row starts with the queue at
its printed size: the pairs the rows before it labelled are replaced by new open ones.

The baseline, measured in the same run with the same crowd and server: `floor`, a GET of the
login page (Django's middleware and one template, no database). `× floor` is the round trip's
labels/s over the floor's requests/s: the share of the framework's own request rate that the
whole annotate loop keeps, which travels between machines better than absolute figures.

Two more columns keep a row honest: `fewest`, the labels saved by the annotator served least (a
server that starves some connections to serve others fast shows 0 there), and
`CPU ms web/db/gen`, the CPU the web server's processes, the database's sessions and this load
generator spent per label (per page for the floor), read from /proc: it says where the time
went, and moves less than a rate on a shared machine ("—" where a process cannot be read, e.g. a
database on another machine). The simulated annotators speak HTTP through bench/wire.py, which
leaves the server most of the CPU they share.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/pairsmith_bench_serve \
    REDIS_URL=redis://127.0.0.1:6379/14 python bench/serve.py
"""

from __future__ import annotations

import argparse
import os
import re
import secrets
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import cpu, wire  # noqa: E402
from bench.common import ensure_database  # noqa: E402

DEFAULT_DB = "postgres://postgres@127.0.0.1:5432/pairsmith_bench_serve"
DEFAULT_REDIS = "redis://127.0.0.1:6379/14"
LEASE_RE = re.compile(rb'name="assignment" value="(\d+)"')
SLUG = "bench"


def environment(database: str = DEFAULT_DB, redis: str = DEFAULT_REDIS) -> None:
    """The bench's database, Redis and settings, where the environment does not name its own
    (called before Django is set up)."""
    os.environ.setdefault("DATABASE_URL", database)
    # As deployed: Redis is the shared cache and the broker.
    os.environ.setdefault("REDIS_URL", redis)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    # Sessions are made in this process and read by gunicorn's: both sign with this key.
    os.environ.setdefault("SECRET_KEY", "bench-" + secrets.token_hex(24))


def migrate() -> None:
    """Create the database if need be and bring its tables up to date."""
    ensure_database()
    subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], cwd=ROOT, check=True,
                   env=server_env())  # fmt: skip


def server_env() -> dict[str, str]:
    return {
        **os.environ,
        "DEBUG": "0",
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "0",
        "LOG_LEVEL": "WARNING",
    }


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def setup_database(pairs: int, annotators: int, cold: bool) -> list[tuple[str, str]]:
    """Fresh project with `pairs` open pairs (one per prompt) and logged-in annotator sessions;
    unless `cold`, the responses rendered ahead, as a worker does once the first pair is shown."""
    import django

    django.setup()
    from bench.serve_data import make_queue

    sessions = make_queue(slug=SLUG, pairs=pairs, annotators=annotators)
    if not cold:
        started = time.perf_counter()
        rendered = render_ahead()
        seconds = time.perf_counter() - started
        print(f"{pairs} pairs: {rendered} responses rendered ahead in {seconds:.1f} s "
              f"({seconds / rendered * 1000:.2f} ms each)")  # fmt: skip
    return sessions


def render_ahead() -> int:
    """Render the open pairs' responses not yet rendered, as a worker does; the count rendered."""
    from annotation.models import Project
    from annotation.prerender import responses_render

    return responses_render(project_id=Project.objects.get(slug=SLUG).id, batch=1000)


class Annotator(threading.Thread):
    def __init__(self, port: int, session: tuple[str, str], until: float, mode: str) -> None:
        super().__init__(daemon=True)
        self.port, self.until, self.mode = port, until, mode
        sessionid, csrf = session
        self.headers = (
            f"Cookie: sessionid={sessionid}; csrftoken={csrf}\r\nX-CSRFToken: {csrf}\r\n"
            "Content-Type: application/x-www-form-urlencoded\r\n"
        ).encode()
        self.lease_ms: list[float] = []
        self.submit_ms: list[float] = []
        self.done = 0  # labels saved (or, for the floor, pages served)
        self.error = ""

    def request(self, conn, method: str, path: str, body: str = "", htmx: bool = True):
        headers = self.headers + (b"HX-Request: true\r\n" if htmx else b"")
        started = time.perf_counter()
        status, data = conn.request(method, path, headers, body.encode())
        return status, data, (time.perf_counter() - started) * 1000

    def run(self) -> None:
        conn = wire.Connection("127.0.0.1", self.port)
        if self.mode == "floor":
            self.floor(conn)
            return
        base = f"/projects/{SLUG}/annotate/"
        try:
            status, page, ms = self.request(conn, "GET", base)
            lease = LEASE_RE.search(page)
            while lease and time.perf_counter() < self.until:
                body = f"assignment={lease.group(1).decode()}&choice=left&active_seconds=1.0"
                if self.mode == "split":
                    status, _, ms = self.request(conn, "POST", base + "submit/", body, htmx=False)
                    self.submit_ms.append(ms)
                    status, page, ms = self.request(conn, "GET", base)
                    self.lease_ms.append(ms)
                else:
                    status, page, ms = self.request(conn, "POST", base + "submit/", body)
                    self.submit_ms.append(ms)
                if status not in (200, 302):
                    raise RuntimeError(f"HTTP {status}")
                self.done += 1
                lease = LEASE_RE.search(page)
            if not lease and time.perf_counter() < self.until:
                raise RuntimeError("no pair to lease: the queue ran dry")
        except Exception as exc:  # reported in the printed table
            self.error = repr(exc)
        finally:
            conn.close()

    def floor(self, conn) -> None:
        try:
            while time.perf_counter() < self.until:
                status, _ = conn.request("GET", "/login/")
                if status != 200:
                    raise RuntimeError(f"HTTP {status}")
                self.done += 1
        except Exception as exc:  # reported in the printed table
            self.error = repr(exc)
        finally:
            conn.close()


def pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    return (
        statistics.quantiles(values, n=100, method="inclusive")[q - 1]
        if len(values) > 1
        else values[0]
    )


def crowd(port: int, sessions, n: int, seconds: float, mode: str) -> dict:
    until = time.perf_counter() + seconds
    people = [Annotator(port, sessions[i], until, mode) for i in range(n)]
    started = time.perf_counter()
    for p in people:
        p.start()
    for p in people:
        p.join()
    wall = time.perf_counter() - started
    lease = [v for p in people for v in p.lease_ms]
    submit = [v for p in people for v in p.submit_ms]
    errors = [p.error for p in people if p.error]
    return {"lease": lease, "submit": submit, "labels": sum(p.done for p in people),
            "fewest": min(p.done for p in people), "wall": wall, "errors": errors}  # fmt: skip


class Meter:
    """CPU seconds of the web server (gunicorn's master and workers) and of the database sessions
    serving it (PostgreSQL backends of this database other than the bench's own; none when the
    database runs elsewhere). Processes are listed anew at each reading: a thread's connection
    may open during a row."""

    def __init__(self, server: subprocess.Popen) -> None:
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid(), current_database()")
            self.own, database = cursor.fetchone()
        self.server = server.pid
        self.tag = f" {database} "
        # The bench's own session shows whether the database's processes are on this machine.
        local = self.tag in cpu.command_line(self.own)
        self.postmaster = cpu.parent(self.own) if local else None

    def read(self) -> tuple[dict[int, float], dict[int, float] | None]:
        web = cpu.seconds_by_process([self.server, *cpu.children(self.server)])
        if self.postmaster is None:
            return web, None
        backends = [
            pid
            for pid in cpu.children(self.postmaster)
            if pid != self.own and self.tag in cpu.command_line(pid)
        ]
        return web, cpu.seconds_by_process(backends)


def measured(meter: Meter, *args) -> dict:
    """A crowd's row (see crowd) with the CPU each process group spent in it, the load
    generator's own (this process) last."""
    before, generator = meter.read(), time.process_time()
    row = crowd(*args)
    after, generator = meter.read(), time.process_time() - generator
    pairs = zip(before, after, strict=True)
    row["cpu"] = [None if b is None or a is None else cpu.spent(b, a) for b, a in pairs]
    row["cpu"].append(generator)
    return row


def start_server(port: int, workers: int, threads: int) -> subprocess.Popen:
    cmd = [sys.executable, "-m", "gunicorn", "config.wsgi", "-w", str(workers), "-k", "gthread"]
    cmd += ["--threads", str(threads), "-b", f"127.0.0.1:{port}", "--log-level", "warning"]
    server = subprocess.Popen(cmd, cwd=ROOT, env=server_env())
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return server
        except OSError:
            time.sleep(0.2)
    server.kill()
    raise SystemExit("gunicorn did not start")


def warm_up(port: int, sessions, n: int) -> None:
    """Every thread opens its database connection and fills its
    caches on its first requests: done here, not in the first row."""
    crowd(port, sessions, n, 2.0, "floor")
    crowd(port, sessions, n, 2.0, "roundtrip")


def double_assignments() -> int:
    from bench.serve_data import count_double_assignments

    return count_double_assignments(SLUG)


def prepare_row(size: int, cold: bool, stale: bool) -> None:
    """Every row starts with `size` open pairs, whatever the rows before it labelled: new ones are
    added (and rendered ahead, unless `cold`); then the tables are analysed, unless `stale`."""
    from bench.serve_data import refresh_statistics, top_up

    if top_up(slug=SLUG, pairs=size) and not cold:
        render_ahead()
    if not stale:
        refresh_statistics()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="10000,100000")
    parser.add_argument("--crowds", default="1,8,32")
    parser.add_argument("--seconds", type=float, default=8.0)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument(
        "--cold", action="store_true", help="leave responses unrendered until shown"
    )
    parser.add_argument(
        "--stale", action="store_true", help="never analyse the tables after loading them"
    )
    args = parser.parse_args()
    environment()
    migrate()
    crowds = [int(c) for c in args.crowds.split(",")]
    print(f"gunicorn {args.workers} workers x {args.threads} threads; {args.seconds:.0f} s per row")
    print(f"{'pairs':>7} {'people':>6} {'mode':>9} {'lease p50/p95/p99 ms':>22} "
          f"{'submit p50/p95/p99 ms':>23} {'labels/s':>9} {'doubles':>7} "
          f"{'× floor':>7} {'fewest':>6} {'CPU ms web/db/gen':>18}")  # fmt: skip
    for size in (int(s) for s in args.sizes.split(",")):
        sessions = setup_database(size, max(crowds), args.cold)
        port = free_port()
        server = start_server(port, args.workers, args.threads)
        try:
            warm_up(port, sessions, max(crowds))
            meter = Meter(server)
            for n in crowds:
                floor = measured(meter, port, sessions, n, args.seconds, "floor")
                floor_rate = floor["labels"] / floor["wall"]
                print_row(size, n, "floor", floor, None, floor_rate)
                for mode in ("split", "roundtrip"):
                    prepare_row(size, args.cold, args.stale)
                    row = measured(meter, port, sessions, n, args.seconds, mode)
                    print_row(size, n, mode, row, double_assignments(), floor_rate)
        finally:
            server.terminate()
            server.wait(timeout=20)


def print_row(size: int, n: int, mode: str, row: dict, doubles: int | None, floor: float) -> None:
    """One table row; for `floor` the rate column is requests/s of the bare page."""

    def trio(values: list[float]) -> str:
        if not values:
            return "—"
        return "/".join(f"{pct(values, q):.1f}" for q in (50, 95, 99))

    def per_label(seconds: float | None) -> str:
        if seconds is None or not row["labels"]:
            return "—"
        return f"{seconds / row['labels'] * 1000:.2f}"

    rate = row["labels"] / row["wall"]
    share = f"{rate / floor:.2f}" if mode != "floor" and floor else "—"
    spent = "/".join(per_label(seconds) for seconds in row["cpu"])
    print(f"{size:>7} {n:>6} {mode:>9} {trio(row['lease']):>22} {trio(row['submit']):>23} "
          f"{rate:>9.1f} {'—' if doubles is None else doubles:>7} {share:>7} "
          f"{row['fewest']:>6} {spent:>18}")  # fmt: skip
    for error in row["errors"][:3]:
        print(f"    error: {error}")


if __name__ == "__main__":
    main()
