"""Which real services this test run can reach, and why a test that needs one is skipped."""

from __future__ import annotations

import os
import socket
from urllib.parse import urlparse

from django.conf import settings
from django.db import connection


def in_ci() -> bool:
    return os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def postgres_reason() -> str | None:
    if connection.vendor == "postgresql":
        return None
    return "needs PostgreSQL: set DATABASE_URL=postgres://... (this run uses SQLite)"


def redis_reason() -> str | None:
    url = os.environ.get("REDIS_URL", "")
    if not url:
        return "needs Redis: set REDIS_URL=redis://127.0.0.1:6379/15 (this run uses eager tasks)"
    parsed = urlparse(url)
    try:
        with socket.create_connection((parsed.hostname, parsed.port or 6379), timeout=1):
            return None
    except OSError as exc:
        return f"needs Redis at {url}, which is unreachable: {exc}"


def celery_worker_reason() -> str | None:
    return postgres_reason() or redis_reason() or _eager_reason()


def _eager_reason() -> str | None:
    if settings.CELERY_TASK_ALWAYS_EAGER:
        return "needs a real broker: CELERY_TASK_ALWAYS_EAGER is on"
    return None


def chromium_reason() -> str | None:
    if not os.path.exists("/usr/bin/chromium"):
        return "needs Debian chromium at /usr/bin/chromium (apt-get install chromium)"
    return None
