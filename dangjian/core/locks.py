"""Locks that a dead worker cannot leave behind: one run of a periodic task (or of one import job) at
a time, across threads, processes and, on PostgreSQL, machines.

- PostgreSQL: a session advisory lock (`pg_try_advisory_lock`) on the `default` connection. The
  server drops it when that connection ends, so a worker killed with SIGKILL, a lost network or a
  restarted database frees it by itself; a normal run unlocks it at its end.
- Anything else (SQLite, one machine by nature): `flock` on a file under VAR_DIR/locks. The kernel
  drops it when the file is closed, which a dying process does.

Nothing ever waits for a lock: a run that finds it taken is skipped (`single_run`), the next schedule
runs again. There is no expiry to tune and no lock row to clean up.
"""

from __future__ import annotations

import fcntl
import functools
import hashlib
import logging
import os
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections

logger = logging.getLogger(__name__)

SKIPPED = "skipped: running elsewhere"


def lock_key(name: str) -> int:
    """The signed 64-bit advisory lock key of a name (stable across processes and machines)."""
    digest = hashlib.blake2b(f"dangjian:{name}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


def _lock_path(name: str) -> Path:
    folder = Path(settings.VAR_DIR) / "locks"
    folder.mkdir(parents=True, exist_ok=True)
    safe = re.sub(r"[^A-Za-z0-9_.-]", "_", name)[:80]
    return folder / f"{safe}-{lock_key(name) & 0xFFFFFFFF:08x}.lock"


@contextmanager
def held(name: str, *, using: str = DEFAULT_DB_ALIAS) -> Iterator[bool]:
    """Try to take the lock `name` without waiting; yields whether this caller holds it. Released on
    leaving the block (or by the database / the kernel when the holder dies)."""
    connection = connections[using]
    if connection.vendor == "postgresql":
        key = lock_key(name)
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_try_advisory_lock(%s)", [key])
            acquired = bool(cursor.fetchone()[0])
        try:
            yield acquired
        finally:
            if acquired:
                _pg_unlock(connection, key)
        return
    fd = os.open(_lock_path(name), os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            acquired = False
        else:
            acquired = True
        yield acquired
    finally:
        os.close(fd)  # closing the file drops the flock


def _pg_unlock(connection: Any, key: int) -> None:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(%s)", [key])
    except Exception:  # noqa: BLE001 - a broken connection: closing it is what frees the lock
        logger.warning("could not unlock advisory lock %s; closing the connection", key, exc_info=True)
        connection.close()


def is_free(name: str, *, using: str = DEFAULT_DB_ALIAS) -> bool:
    """Whether nobody holds the lock `name` right now (takes and drops it at once)."""
    with held(name, using=using) as acquired:
        return acquired


def single_run(func: Callable | None = None, *, name: str | None = None) -> Callable:
    """Decorator for a periodic task (put it under `@db_periodic_task`): a run that starts while
    another run of the same task holds its lock returns SKIPPED and does nothing."""

    def decorate(inner: Callable) -> Callable:
        lock_name = name or f"task:{inner.__module__}.{inner.__qualname__}"

        @functools.wraps(inner)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            with held(lock_name) as acquired:
                if not acquired:
                    logger.info("%s %s", lock_name, SKIPPED)
                    return SKIPPED
                return inner(*args, **kwargs)

        wrapper.lock_name = lock_name  # type: ignore[attr-defined]
        return wrapper

    return decorate(func) if func is not None else decorate
