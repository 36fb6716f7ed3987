"""A real `celery worker` process for integration tests, pointed at the test database."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from django.db import connection

from config.celery import app

ROOT = Path(__file__).resolve().parent.parent


def _test_database_url() -> str:
    s = connection.settings_dict
    user = s.get("USER") or "postgres"
    auth = f"{user}:{s['PASSWORD']}" if s.get("PASSWORD") else user
    return f"postgres://{auth}@{s.get('HOST') or '127.0.0.1'}:{s.get('PORT') or 5432}/{s['NAME']}"


def _wait_until_ready(proc: subprocess.Popen, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"celery worker exited early with code {proc.returncode}")
        if app.control.ping(timeout=0.5):
            return
    raise RuntimeError(f"celery worker did not answer a ping within {timeout} s")


@contextmanager
def celery_worker(
    queues: str = "default,embeddings,gpu", timeout: float = 60, env: dict | None = None
) -> Iterator:
    """Start a worker (solo pool) on the test database; stop it on exit. Yields the process."""
    env = dict(os.environ, DATABASE_URL=_test_database_url(), PYTHONUNBUFFERED="1", **(env or {}))
    log = open(ROOT / "var" / f"celery-worker-{os.getpid()}.log", "w")  # noqa: SIM115
    cmd = [sys.executable, "-m", "celery", "-A", "config", "worker", "--pool=solo"]
    cmd += ["-Q", queues, "--without-gossip", "--without-mingle", "-l", "info"]
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        _wait_until_ready(proc, timeout)
        yield proc
    finally:
        if proc.poll() is None:
            proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


def wait_for(check, timeout: float, what: str) -> None:
    """Poll `check()` until it is true; fail naming `what` after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")
