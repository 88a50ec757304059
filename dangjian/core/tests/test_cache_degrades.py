"""While Redis is down the pages go on: the cache misses, writes are skipped (core.cache), sessions are
read from the database (cached_db), and /healthz says that the cache is the piece that is down.

Redis "down" here is a port nothing listens on: the client's connection is refused, as it is while
Redis restarts. Runs on both databases (the redis client library is always installed)."""

from __future__ import annotations

import logging
import socket

import pytest
import redis
from django.core.cache import caches
from django.test import override_settings
from django.urls import reverse

from dangjian.core.cache import DegradingRedisCache


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]  # closed again when the block ends: nothing listens there


def dead_redis_caches() -> dict:
    url = f"redis://127.0.0.1:{closed_port()}/0"
    options = {"socket_connect_timeout": 1, "socket_timeout": 1}
    return {"default": {"BACKEND": "dangjian.core.cache.DegradingRedisCache", "LOCATION": url, "OPTIONS": options}}


def test_reads_miss_and_writes_are_skipped_with_a_warning(caplog):
    with override_settings(CACHES=dead_redis_caches()):
        backend = caches["default"]
        assert isinstance(backend, DegradingRedisCache)
        with caplog.at_level(logging.WARNING, logger="dangjian.core.cache"):
            DegradingRedisCache._last_warning = 0.0
            assert backend.set("k", "v", 10) is None
            assert backend.get("k", "missing") == "missing"
            assert backend.get_many(["k"]) == {} and backend.add("k", "v") is False
            assert backend.delete("k") is False and backend.has_key("k") is False
        assert any("cache unavailable" in r.getMessage() for r in caplog.records)
        with pytest.raises(redis.exceptions.ConnectionError):
            backend.probe()  # /healthz is told


@override_settings(SESSION_ENGINE="django.contrib.sessions.backends.cached_db")
def test_a_signed_in_page_answers_while_redis_is_down_and_healthz_names_the_cache(client, world):
    with override_settings(CACHES=dead_redis_caches()):
        client.force_login(world.users.community_worker)  # the session is written to the database
        response = client.get(reverse("dashboard:home"))
        assert response.status_code == 200 and response.wsgi_request.user == world.users.community_worker
        health = client.get("/healthz")
        data = health.json()
        # (the consumer may be listed too: no consumer runs in tests, and other tests leave work queued)
        assert health.status_code == 503 and "cache" in data["down"] and "database" not in data["down"]
        assert data["checks"]["cache"]["error"].startswith("ConnectionError")
        assert data["checks"]["database"]["ok"] and data["checks"]["queue"]["ok"]
