"""Start the demo server the way `make demo` does, fetch the login page, stop it."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def fetch(url: str, deadline: float) -> str:
    last_error: Exception | None = None
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as resp:  # noqa: S310 (our http URL)
                return resp.read().decode()
        except OSError as exc:
            last_error = exc
            time.sleep(0.3)
    raise SystemExit(f"demo smoke: {url} did not answer in time: {last_error}")


def main() -> None:
    port = free_port()
    cmd = [sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"]
    server = subprocess.Popen(cmd, cwd=ROOT)
    try:
        body = fetch(f"http://127.0.0.1:{port}/login/", time.monotonic() + 60)
    finally:
        server.terminate()
        server.wait(timeout=15)
    if "Log in" not in body or "csrfmiddlewaretoken" not in body:
        raise SystemExit("demo smoke: the login page came back without its form")
    print(f"demo smoke: the server answered the login page on port {port} and stopped")


if __name__ == "__main__":
    main()
