"""A Redis cache that degrades instead of failing a page while Redis is down or restarting.

What the cache holds here can be recomputed or read from the database (sessions are `cached_db`,
written through to the database; labels are read again), so while Redis does not answer: reads
miss, writes and deletes are skipped, and a warning is logged (at most once every
WARN_EVERY_SECONDS). The redis client reconnects by itself on the next command once Redis is back.
`probe()` raises instead, for /healthz.

A delete that is skipped could leave a stale entry behind once Redis is back (with no persistence,
Redis comes back empty; with persistence, a session signed out during the outage stays readable
from the cache until it expires): sessions are short-lived, and the outage is logged.
"""

from __future__ import annotations

import logging
import time
from typing import Any

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache

logger = logging.getLogger(__name__)

WARN_EVERY_SECONDS = 30.0


def _down_errors() -> tuple[type[BaseException], ...]:
    import redis

    return (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError, OSError)


class DegradingRedisCache(RedisCache):
    """django's RedisCache; while Redis cannot be reached reads miss and writes are skipped."""

    _last_warning = 0.0

    def _down(self, operation: str, exc: BaseException) -> None:
        now = time.monotonic()
        if now - DegradingRedisCache._last_warning >= WARN_EVERY_SECONDS:
            DegradingRedisCache._last_warning = now
            logger.warning("cache unavailable (%s skipped): %s", operation, exc)

    def _guard(self, operation: str, fallback: Any, call: Any, *args: Any, **kwargs: Any) -> Any:
        try:
            return call(*args, **kwargs)
        except _down_errors() as exc:
            self._down(operation, exc)
            return fallback

    def probe(self) -> bool:
        """Write and read back a key, raising when Redis does not answer (for /healthz)."""
        key = "healthz:probe"
        super().set(key, "1", 10)
        return super().get(key) == "1"

    def get(self, key: Any, default: Any = None, version: Any = None) -> Any:
        return self._guard("get", default, super().get, key, default, version)

    def get_many(self, keys: Any, version: Any = None) -> Any:
        return self._guard("get_many", {}, super().get_many, keys, version)

    def has_key(self, key: Any, version: Any = None) -> bool:
        return self._guard("has_key", False, super().has_key, key, version)

    def add(self, key: Any, value: Any, timeout: Any = DEFAULT_TIMEOUT, version: Any = None) -> bool:
        return self._guard("add", False, super().add, key, value, timeout, version)

    def set(self, key: Any, value: Any, timeout: Any = DEFAULT_TIMEOUT, version: Any = None) -> None:
        return self._guard("set", None, super().set, key, value, timeout, version)

    def set_many(self, data: Any, timeout: Any = DEFAULT_TIMEOUT, version: Any = None) -> list:
        return self._guard("set_many", list(data), super().set_many, data, timeout, version)

    def touch(self, key: Any, timeout: Any = DEFAULT_TIMEOUT, version: Any = None) -> bool:
        return self._guard("touch", False, super().touch, key, timeout, version)

    def delete(self, key: Any, version: Any = None) -> bool:
        return self._guard("delete", False, super().delete, key, version)

    def delete_many(self, keys: Any, version: Any = None) -> None:
        return self._guard("delete_many", None, super().delete_many, keys, version)

    def clear(self) -> None:
        self._guard("clear", None, super().clear)
