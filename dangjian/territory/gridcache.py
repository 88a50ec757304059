"""A process's copy of something built from the database, kept current without a query per read.

The grid index (geo.py) is rebuilt from every grid boundary, which takes a while; placing a point
in it takes microseconds. The copy is tied to a version token (core.models.Version) that every
writer replaces in its transaction. A read does not ask the database for the token each time:

- every `check_seconds` at most (the setting GRID_INDEX_CHECK_SECONDS, default 5; 0 checks on
  every read), one small query reads the token; the copy is rebuilt when it changed;
- a write in this process (`changed()`) makes the next read check at once; while the writing
  transaction is open, that thread checks on every read, so it sees its own uncommitted change,
  and after a rollback it checks again and drops what it built from the rolled-back rows;
- with REDIS_URL, `changed()` also publishes on a Redis channel after the commit; a listener
  thread of every process counts the messages, and a read whose count moved checks the token at
  once. The read itself only compares two integers. The periodic check stays as a safety net
  (a lost connection, a write made without `changed()`, a restored backup).

Each thread keeps its own copy (prepared GEOS geometries are not shared between threads); the
token is read once for the process.
"""

from __future__ import annotations

import logging
import math
import os
import threading
import time
from collections.abc import Callable
from typing import Generic, TypeVar

from django.conf import settings
from django.db import connection, transaction

logger = logging.getLogger(__name__)

T = TypeVar("T")

CHANNEL_PREFIX = "dangjian:version:"
LISTENER_RETRY_SECONDS = 1.0
LISTENER_RETRY_MAX_SECONDS = 60.0


def _clock() -> float:
    """Seconds, for the check interval (tests move it forward)."""
    return time.monotonic()


class VersionedCopy(Generic[T]):
    """`get()` returns this thread's copy built by `build()`, rebuilt when the version `name` changed."""

    def __init__(self, name: str, build: Callable[[], T], *, check_seconds_setting: str) -> None:
        self.name = name
        self.channel = CHANNEL_PREFIX + name
        self._build = build
        self._check_seconds_setting = check_seconds_setting
        self._lock = threading.Lock()
        self._token: str | None = None  # the committed token this process read last
        self._checked_at = -math.inf  # time.monotonic() of that read
        self._nudges = 0  # messages (and (re)subscriptions) the Redis listener received
        self._nudges_seen = 0  # ... as of the last token read
        self._listener_pid = 0  # the process the listener thread runs in (0: none started)
        self._local = threading.local()

    # --- reading ------------------------------------------------------------------------------

    def get(self) -> T:
        local = self._local
        if getattr(local, "writing", False):
            if connection.in_atomic_block:
                # This thread changed the rows in a transaction still open: only it can see them.
                return self._current(local, self._read_token())
            local.writing = False  # committed (on_commit already invalidated) or rolled back
            self.invalidate()
        self._ensure_listener()
        if self._nudges != self._nudges_seen or _clock() - self._checked_at >= self._check_seconds():
            self.refresh()
        return self._current(local, self._token)

    def refresh(self) -> None:
        """Read the token now (one query)."""
        nudges = self._nudges
        token = self._read_token()
        with self._lock:
            self._token, self._checked_at, self._nudges_seen = token, _clock(), nudges

    def _current(self, local: threading.local, token: str | None) -> T:
        if getattr(local, "token", None) != token or not hasattr(local, "value"):
            local.value = self._build()
            local.token = token
        return local.value

    def _read_token(self) -> str:
        from dangjian.core.models import read_version

        return read_version(self.name)

    def _check_seconds(self) -> float:
        return float(getattr(settings, self._check_seconds_setting, 5))

    # --- writing ------------------------------------------------------------------------------

    def invalidate(self) -> None:
        """The next read in this process reads the token."""
        self._checked_at = -math.inf

    def changed(self) -> None:
        """Call in the transaction that replaced the token (after bump_version)."""
        self._local.writing = True
        self.invalidate()

        def committed() -> None:
            self._local.writing = False
            self.invalidate()
            self.publish()

        transaction.on_commit(committed)

    def publish(self) -> None:
        """Tell the other processes (through Redis, when configured) to read the token now."""
        url = getattr(settings, "REDIS_URL", "")
        if not url:
            return
        try:
            _redis(url).publish(self.channel, "1")
        except Exception:  # noqa: BLE001 - the periodic check still brings the change within seconds
            logger.warning("could not publish %s on Redis; other processes see it at their next check", self.name)

    # --- the Redis listener -------------------------------------------------------------------

    def _ensure_listener(self) -> None:
        url = getattr(settings, "REDIS_URL", "")
        if not url or self._listener_pid == os.getpid():
            return
        with self._lock:
            if self._listener_pid == os.getpid():
                return
            # A forked worker (gunicorn) inherits the flag but not the thread: one per process.
            self._listener_pid = os.getpid()
            thread = threading.Thread(target=self._listen, args=(url,), name=f"version-{self.name}", daemon=True)
            thread.start()

    def _listen(self, url: str) -> None:
        pause = LISTENER_RETRY_SECONDS
        while True:
            try:
                pubsub = _redis(url, fresh=True).pubsub()
                pubsub.subscribe(self.channel)
                for message in pubsub.listen():
                    # "subscribe" too: after a (re)connection, a change may have been missed.
                    if message.get("type") in ("subscribe", "message"):
                        self._nudges += 1
                        pause = LISTENER_RETRY_SECONDS
            except Exception:  # noqa: BLE001 - keep listening; the periodic check covers the gap
                logger.warning("Redis listener for %s lost its connection; retrying in %.0f s", self.name, pause)
                time.sleep(pause)
                pause = min(pause * 2, LISTENER_RETRY_MAX_SECONDS)

    @property
    def heard(self) -> int:
        """How many announcements (and subscriptions) the Redis listener has received."""
        return self._nudges


_clients: dict[str, object] = {}


def _redis(url: str, *, fresh: bool = False):  # noqa: ANN202 - redis.Redis
    import redis

    if fresh:
        return redis.Redis.from_url(url, health_check_interval=30)
    client = _clients.get(url)
    if client is None:
        client = _clients[url] = redis.Redis.from_url(url)
    return client
