"""Small typed readers for settings that come from the environment."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

import dj_database_url

TRUE_WORDS = {"1", "true", "yes", "on"}
FALSE_WORDS = {"0", "false", "no", "off", ""}


class EnvError(ValueError):
    """A setting in the environment has a value we cannot use."""


def envbool(name: str, default: bool, env: Mapping[str, str] = os.environ) -> bool:
    raw = env.get(name)
    if raw is None:
        return default
    word = raw.strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise EnvError(f"{name}={raw!r} is not a boolean (use one of: true, false, 1, 0)")


def envint(name: str, default: int, env: Mapping[str, str] = os.environ) -> int:
    raw = env.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise EnvError(f"{name}={raw!r} is not an integer") from None


def envlist(name: str, default: list[str], env: Mapping[str, str] = os.environ) -> list[str]:
    raw = env.get(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


# Parameters bound by the server, and each statement prepared once a connection has run it
# PREPARE_AFTER times, so the queue's statements are planned once per connection rather than on
# every answer. Prepared statements need a session of their own: off
# (DATABASE_PREPARED_STATEMENTS=0) behind a pooler in transaction mode, such as PgBouncer
# before 1.21.
PREPARE_AFTER = 2
POSTGRES_PREPARED = {"server_side_binding": True, "prepare_threshold": PREPARE_AFTER}


def database_config(env: Mapping[str, str], var_dir: Path) -> dict:
    """DATABASE_URL, or an SQLite file in var/ when it is unset."""
    url = env.get("DATABASE_URL", "").strip()
    if not url:
        return {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(var_dir / "pairsmith.sqlite3"),
            # WAL lets readers go on while the one writer commits.
            "OPTIONS": {
                "transaction_mode": "IMMEDIATE",
                "init_command": "PRAGMA journal_mode=WAL;",
            },
        }
    config = dj_database_url.parse(url, conn_max_age=60)
    if config["ENGINE"] == "django.db.backends.sqlite3":
        config["OPTIONS"] = {"transaction_mode": "IMMEDIATE"}
    elif envbool("DATABASE_PREPARED_STATEMENTS", True, env):
        config["OPTIONS"] = dict(POSTGRES_PREPARED)
    return config


def celery_config(env: Mapping[str, str]) -> dict:
    """Real broker and result backend when REDIS_URL is set; eager in-process tasks otherwise."""
    redis_url = env.get("REDIS_URL", "").strip()
    if redis_url:
        return {
            "CELERY_BROKER_URL": redis_url,
            "CELERY_RESULT_BACKEND": redis_url,
            "CELERY_TASK_ALWAYS_EAGER": False,
        }
    return {
        "CELERY_BROKER_URL": "memory://",
        "CELERY_RESULT_BACKEND": None,
        "CELERY_TASK_ALWAYS_EAGER": True,
    }


# A Redis that stops answering costs a request at most this long before the cache gives up.
REDIS_TIMEOUTS = {"socket_connect_timeout": 0.5, "socket_timeout": 1.0}


def cache_config(env: Mapping[str, str]) -> dict:
    redis_url = env.get("REDIS_URL", "").strip()
    if redis_url:
        return {
            "BACKEND": "config.cache.RedisCache",
            "LOCATION": redis_url,
            "OPTIONS": dict(REDIS_TIMEOUTS),
        }
    return {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
