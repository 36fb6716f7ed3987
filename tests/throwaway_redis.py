"""A redis-server of the test's own, on a free port, that a test may stop and start again.

Never the shared Redis: stopping that one would break every other test and worker using it."""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
from contextlib import contextmanager

import pytest

from tests import services


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class RedisServer:
    def __init__(self) -> None:
        self.port = _free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.proc: subprocess.Popen | None = None

    def start(self) -> None:
        cmd = ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
               "--appendonly", "no"]  # fmt: skip
        self.proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 10
        while not self._answers():
            if time.monotonic() > deadline:
                raise RuntimeError(f"redis-server on port {self.port} did not start")
            time.sleep(0.05)

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(timeout=10)
        self.proc = None

    def _answers(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=0.2):
                return True
        except OSError:
            return False


@contextmanager
def throwaway_redis():
    if shutil.which("redis-server") is None:
        reason = "needs redis-server on PATH (apt-get install redis-server)"
        if services.in_ci():
            pytest.fail(f"CI must run every test, but: {reason}")
        pytest.skip(reason)
    server = RedisServer()
    server.start()
    try:
        yield server
    finally:
        server.stop()
