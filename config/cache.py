"""Django's Redis cache, keeping one redis client per connection pool.

Django's own backend builds a new `redis.Redis` object on every call; with redis-py 8 that
costs about as much as the round trip to Redis itself. The pools and their connections are
Django's, unchanged: only the client object wrapped around a pool is kept and reused.
"""

from __future__ import annotations

from django.core.cache.backends import redis as django_redis


class ReusedClientRedisCacheClient(django_redis.RedisCacheClient):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._clients: dict[int, object] = {}

    def get_client(self, key=None, *, write: bool = False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)
        return client


class RedisCache(django_redis.RedisCache):
    def __init__(self, server, params) -> None:
        super().__init__(server, params)
        self._class = ReusedClientRedisCacheClient
