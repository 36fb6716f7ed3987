"""Django's Redis cache, failing open: when Redis is down, reads miss and writes are dropped.

Everything cached here can be computed again (dashboard figures, render-ahead marks, import
progress, API throttle counts), so an outage costs speed, never a request: the first failure is
logged, then one line every LOG_EVERY seconds while it lasts.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

from django.core.cache.backends import redis as django_redis
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)
REDIS_DOWN = (RedisConnectionError, RedisTimeoutError)
LOG_EVERY = 30.0
_last_logged = [float("-inf")]


def _or(fallback: Any, call: Callable[[], Any]) -> Any:
    """`call()`, or `fallback` if Redis does not answer."""
    try:
        return call()
    except REDIS_DOWN as exc:
        now = time.monotonic()
        if now - _last_logged[0] >= LOG_EVERY:
            _last_logged[0] = now
            logger.warning("Redis is unreachable (%s): the cache is skipped until it answers", exc)
        return fallback


class RedisCache(django_redis.RedisCache):
    def get(self, key, default=None, version=None):
        return _or(default, lambda: super(RedisCache, self).get(key, default, version))

    def get_many(self, keys, version=None):
        return _or({}, lambda: super(RedisCache, self).get_many(keys, version))

    def has_key(self, key, version=None):
        return _or(False, lambda: super(RedisCache, self).has_key(key, version))

    def add(self, key, value, timeout=django_redis.DEFAULT_TIMEOUT, version=None):
        return _or(False, lambda: super(RedisCache, self).add(key, value, timeout, version))

    def set(self, key, value, timeout=django_redis.DEFAULT_TIMEOUT, version=None):
        return _or(None, lambda: super(RedisCache, self).set(key, value, timeout, version))

    def set_many(self, data, timeout=django_redis.DEFAULT_TIMEOUT, version=None):
        return _or(list(data), lambda: super(RedisCache, self).set_many(data, timeout, version))

    def touch(self, key, timeout=django_redis.DEFAULT_TIMEOUT, version=None):
        return _or(False, lambda: super(RedisCache, self).touch(key, timeout, version))

    def incr(self, key, delta=1, version=None):
        return _or(delta, lambda: super(RedisCache, self).incr(key, delta, version))

    def delete(self, key, version=None):
        return _or(False, lambda: super(RedisCache, self).delete(key, version))

    def delete_many(self, keys, version=None):
        return _or(None, lambda: super(RedisCache, self).delete_many(keys, version))
