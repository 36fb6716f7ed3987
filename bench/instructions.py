"""Instructions the web side spends per htmx answer, counted by valgrind: a figure that does not
move with the machine's load, where bench/serve.py's rates and CPU times move with whatever else
the shared machine runs. It counts the web process's own instructions in user space (Python,
Django, the database and Redis clients): not the kernel's work on its sockets, nor the database's.
So it compares two versions of the Python side exactly; bench/serve.py measures the whole.

Django's WSGI handler is called in this process (no HTTP server), on PostgreSQL with Redis, by
32 annotators in turn, each answering their pair and getting the next one back (the htmx round
trip of bench/serve.py). Every count starts from the same fresh queue; each mode runs twice, with
few and with more requests, and the difference over the extra requests is the figure, so start-up
and imports cancel out. The baseline, counted the same way in the same run: `floor`, a GET of
the login page (Django's middleware and one template, no database), as in bench/serve.py.

Needs valgrind (Debian: `apt-get install valgrind`), which runs the process many times slower
than usual, so each count takes a while:

    python bench/instructions.py [--requests 50,250] [--pairs 3000]
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import io
import json
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

LEASE_RE = re.compile(rb'name="assignment" value="(\d+)"')
ANNOTATE = "/projects/bench/annotate/"  # the project bench/serve.py makes
# One thread and one hash seed: the count is then the same run after run (OpenBLAS's idle
# threads otherwise spin a different number of times).
STEADY = {"OPENBLAS_NUM_THREADS": "1", "PYTHONHASHSEED": "0"}


def environ(method: str, path: str, session: tuple[str, str] | None, body: bytes = b"") -> dict:
    """A request as a WSGI server hands it over; with `session`, an annotator's htmx request,
    otherwise a stranger's plain one (the floor, as bench/serve.py asks for it)."""
    env = {
        "REQUEST_METHOD": method,
        "PATH_INFO": path,
        "SCRIPT_NAME": "",
        "QUERY_STRING": "",
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "80",
        "HTTP_HOST": "127.0.0.1",
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(body),
        "CONTENT_LENGTH": str(len(body)),
        "CONTENT_TYPE": "application/x-www-form-urlencoded",
    }
    if session is not None:
        sessionid, csrf = session
        env.update(HTTP_COOKIE=f"sessionid={sessionid}; csrftoken={csrf}")
        env.update(HTTP_X_CSRFTOKEN=csrf, HTTP_HX_REQUEST="true")
    return env


class Loop:
    """The requests counted: each annotator answers their pair in turn (or asks for the login
    page, for the floor)."""

    def __init__(self, sessions: list[tuple[str, str]]) -> None:
        from django.core.handlers.wsgi import WSGIHandler

        self.app, self.sessions = WSGIHandler(), sessions
        self.leases = [self.lease(self.call(environ("GET", ANNOTATE, s))) for s in sessions]

    def call(self, env: dict) -> bytes:
        status = []
        body = b"".join(self.app(env, lambda s, headers, exc_info=None: status.append(s)))
        if not status[0].startswith("200"):
            raise RuntimeError(f"{env['PATH_INFO']}: HTTP {status[0]}")
        return body

    def lease(self, page: bytes) -> str:
        found = LEASE_RE.search(page)
        if found is None:
            raise RuntimeError("no pair left to lease: use more --pairs")
        return found.group(1).decode()

    def run(self, mode: str, requests: int) -> None:
        for j in range(requests):
            i = j % len(self.sessions)
            if mode == "floor":
                self.call(environ("GET", "/login/", None))
                continue
            body = f"assignment={self.leases[i]}&choice=left&active_seconds=1.0".encode()
            page = self.call(environ("POST", ANNOTATE + "submit/", self.sessions[i], body))
            self.leases[i] = self.lease(page)


def child(mode: str, requests: int, sessions_file: str) -> None:
    """Runs under valgrind: warm up (every cache filled, each statement prepared), then count."""
    import django

    django.setup()
    loop = Loop([tuple(s) for s in json.loads(Path(sessions_file).read_text())])
    loop.run(mode, 64)
    gc.collect()
    gc.disable()  # a collection falls at a different request in each count
    loop.run(mode, requests)


def counted(mode: str, requests: int, pairs: int) -> int:
    """Instructions of one child run, from a fresh queue."""
    from bench import serve

    with tempfile.TemporaryDirectory() as tmp:
        sessions = Path(tmp, "sessions.json")
        with contextlib.redirect_stdout(io.StringIO()):  # its note on rendering ahead
            sessions.write_text(json.dumps(serve.setup_database(pairs, 32, cold=False)))
        out = Path(tmp, "callgrind.out")
        cmd = ["valgrind", "--tool=callgrind", f"--callgrind-out-file={out}", sys.executable]
        cmd += [__file__, "--child", mode, str(requests), str(sessions)]
        env = {**serve.server_env(), **STEADY}
        subprocess.run(cmd, cwd=ROOT, env=env, check=True, capture_output=True)
        totals = re.search(r"^(?:summary|totals): (\d+)", out.read_text(), re.MULTILINE)
        return int(totals.group(1))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", default="50,250", help="few,more requests per count")
    parser.add_argument("--pairs", type=int, default=3000)
    parser.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child[0], int(args.child[1]), args.child[2])
        return
    few, more = (int(n) for n in args.requests.split(","))
    from bench import serve

    serve.environment()  # its database, cache and settings variables, unless set
    os.environ.update(serve.server_env())
    serve.migrate()
    floor, roundtrip = (
        (counted(mode, more, args.pairs) - counted(mode, few, args.pairs)) / (more - few)
        for mode in ("floor", "roundtrip")
    )
    print(f"{'mode':>9} {'instructions per request':>25} {'× floor':>8}")
    print(f"{'floor':>9} {floor:>25,.0f} {1:>8.2f}")
    print(f"{'roundtrip':>9} {roundtrip:>25,.0f} {roundtrip / floor:>8.2f}")


if __name__ == "__main__":
    main()
