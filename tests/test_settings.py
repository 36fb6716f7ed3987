from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from config.env import (
    PREPARE_AFTER,
    EnvError,
    cache_config,
    celery_config,
    database_config,
    envbool,
    envint,
    envlist,
)

ROOT = Path(__file__).resolve().parent.parent


def test_database_defaults_to_an_sqlite_file_in_var(tmp_path):
    config = database_config({}, tmp_path)
    assert config["ENGINE"] == "django.db.backends.sqlite3"
    assert config["NAME"] == str(tmp_path / "pairsmith.sqlite3")


def test_database_url_selects_postgresql(tmp_path):
    config = database_config({"DATABASE_URL": "postgres://u:p@db.example:5433/ps"}, tmp_path)
    assert config["ENGINE"] == "django.db.backends.postgresql"
    assert (config["HOST"], config["PORT"], config["NAME"]) == ("db.example", 5433, "ps")


def test_postgresql_prepares_statements_unless_turned_off(tmp_path):
    url = {"DATABASE_URL": "postgres://u:p@db.example:5433/ps"}
    options = database_config(url, tmp_path)["OPTIONS"]
    assert options == {"server_side_binding": True, "prepare_threshold": PREPARE_AFTER}
    off = database_config(dict(url, DATABASE_PREPARED_STATEMENTS="0"), tmp_path)
    assert "server_side_binding" not in off.get("OPTIONS", {})
    assert off["ENGINE"] == "django.db.backends.postgresql"


def test_without_redis_url_tasks_run_eagerly_in_process():
    assert celery_config({})["CELERY_TASK_ALWAYS_EAGER"] is True
    assert cache_config({})["BACKEND"].endswith("LocMemCache")


def test_redis_url_makes_redis_the_broker_result_backend_and_cache():
    env = {"REDIS_URL": "redis://127.0.0.1:6379/3"}
    celery = celery_config(env)
    assert celery["CELERY_TASK_ALWAYS_EAGER"] is False
    assert celery["CELERY_BROKER_URL"] == celery["CELERY_RESULT_BACKEND"] == env["REDIS_URL"]
    assert cache_config(env) == {
        "BACKEND": "config.cache.RedisCache",
        "LOCATION": env["REDIS_URL"],
        "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 1.0},
    }


@pytest.mark.redis
def test_the_redis_cache_reads_and_writes_redis():
    from config.cache import RedisCache

    cache = RedisCache(os.environ["REDIS_URL"], {"KEY_PREFIX": "cache-test"})
    cache.set_many({"a": 1, "b": [2]}, timeout=30)
    assert cache.get_many(["a", "b", "c"]) == {"a": 1, "b": [2]}
    fresh = RedisCache(os.environ["REDIS_URL"], {"KEY_PREFIX": "cache-test"})
    assert fresh.get("b") == [2]  # really in Redis, not in the client object
    cache.delete_many(["a", "b"])
    assert fresh.get("a") is None


@pytest.mark.parametrize(("raw", "expected"), [("1", True), ("TRUE", True), ("no", False)])
def test_envbool_reads_common_spellings(raw, expected):
    assert envbool("X", not expected, {"X": raw}) is expected


def test_envbool_and_envint_reject_nonsense_with_the_variable_name():
    with pytest.raises(EnvError, match="DEBUG='maybe'"):
        envbool("DEBUG", True, {"DEBUG": "maybe"})
    with pytest.raises(EnvError, match="PORT='eighty'"):
        envint("PORT", 80, {"PORT": "eighty"})


def test_envlist_splits_on_commas_and_drops_blanks():
    assert envlist("H", [], {"H": "a.example, b.example,,"}) == ["a.example", "b.example"]


def _manage(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess:
    base = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "SECRET_KEY"}}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**base, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_settings_pass_the_deploy_check():
    env = {
        "DEBUG": "0",
        "SECRET_KEY": "a-long-random-production-secret-" + "x" * 40,
        "ALLOWED_HOSTS": "pairsmith.example.org",
    }
    result = _manage(["check", "--deploy", "--fail-level", "WARNING"], env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_to_start_without_a_secret_key():
    result = _manage(["check"], {"DEBUG": "0"})
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_redis_replies_are_parsed_in_c_by_hiredis():
    """redis-py parses with hiredis when it is installed (requirements.txt): 0.6-0.9% fewer of the
    web process's instructions per htmx answer than its Python parser."""
    from redis.connection import DefaultParser

    assert DefaultParser.__name__ == "_HiredisParser"
