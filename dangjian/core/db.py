"""Read replicas: which reads may go to a replica, and the router that sends them there.

`DATABASE_REPLICA_URLS` (comma-separated database URLs, optional) adds the aliases `replica1..N`
beside `default` and installs `ReplicaRouter`. With none configured there is no router and every
query goes to `default`, as before.

A read goes to a replica only when the code marked it replica-safe: inside `replica_reads()` (a
context manager and decorator) or a view wrapped in `replica_view`. Figures, lists and exports use
it; a replica may lag the primary by a moment, which those pages tolerate. Everything else stays
on the primary ("pin to primary"):

- every write (save, create, update, delete, select_for_update): `db_for_write` is always
  `default`, and it pins the rest of the replica-safe block to the primary, so a read after a
  write in the same request sees that write;
- every read inside `transaction.atomic()` on the primary: a read that decides a write must see
  the primary's rows (and its locks);
- every read outside a replica-safe block (services, the deadline scan, sign-in, the detail
  pages a user is redirected to after an action).

One replica is chosen per block (at random), so a page's queries see one replica's snapshot.
Raw SQL through `connection.cursor()` bypasses routers: it uses `default` unless it names
`connections[alias]` itself (`reading_alias()` gives the alias the router would pick).
"""

from __future__ import annotations

import functools
import random
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections

REPLICA_PREFIX = "replica"
ROUTER = "dangjian.core.db.ReplicaRouter"


def replica_settings(urls: str, primary: Mapping[str, Any]) -> dict[str, Any]:
    """The DATABASES entries for `DATABASE_REPLICA_URLS`: replica1..N, each with the primary's
    connection age and options unless its URL says otherwise, and in the test suite a mirror of
    the primary (a replica has no test database of its own)."""
    import dj_database_url

    entries: dict[str, Any] = {}
    for index, url in enumerate((u.strip() for u in urls.split(",") if u.strip()), start=1):
        entry: dict[str, Any] = dict(dj_database_url.parse(url, conn_max_age=primary.get("CONN_MAX_AGE", 0)))
        if entry["ENGINE"] != primary["ENGINE"]:
            raise ValueError(f"replica {index} is {entry['ENGINE']}, the primary {primary['ENGINE']}")
        entry["TEST"] = {"MIRROR": DEFAULT_DB_ALIAS}
        entries[f"{REPLICA_PREFIX}{index}"] = entry
    return entries


def replica_aliases() -> list[str]:
    """The configured replica aliases, in order (empty without DATABASE_REPLICA_URLS)."""
    return [alias for alias in settings.DATABASES if alias.startswith(REPLICA_PREFIX)]


@dataclass
class _Block:
    alias: str  # the replica this block reads from ("" when none is configured)
    pinned: bool = False  # a write happened: the rest of the block reads the primary


_block: ContextVar[_Block | None] = ContextVar("dangjian_replica_block", default=None)


@contextmanager
def replica_reads() -> Iterator[None]:
    """Reads in this block may go to a replica (figures, lists, exports). Nested blocks share the
    outer block's replica and its pin. Also a decorator: `@replica_reads()`."""
    if _block.get() is not None:
        yield
        return
    aliases = replica_aliases()
    token = _block.set(_Block(alias=random.choice(aliases) if aliases else ""))
    try:
        yield
    finally:
        _block.reset(token)


def replica_view(view: Callable[..., Any]) -> Callable[..., Any]:
    """A view whose reads may go to a replica: `@replica_view` right above the `def`, below the
    permission decorators, so that who may see the page is decided on the primary."""

    @functools.wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        with replica_reads():
            return view(*args, **kwargs)

    return wrapped


def _writing() -> bool:
    """True inside transaction.atomic() on the primary: reads there decide writes."""
    return connections[DEFAULT_DB_ALIAS].in_atomic_block


def reading_alias() -> str:
    """The alias a read issued here goes to: a replica inside an unpinned replica-safe block outside
    any transaction on the primary, else `default`."""
    block = _block.get()
    if block is None or not block.alias or block.pinned or _writing():
        return DEFAULT_DB_ALIAS
    return block.alias


class ReplicaRouter:
    """Installed when replicas are configured; see the module docstring."""

    def db_for_read(self, model: type, **hints: Any) -> str:
        return reading_alias()

    def db_for_write(self, model: type, **hints: Any) -> str:
        block = _block.get()
        if block is not None:
            block.pinned = True
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1: Any, obj2: Any, **hints: Any) -> bool:
        return True  # the replicas hold the primary's rows

    def allow_migrate(self, db: str, app_label: str, model_name: str | None = None, **hints: Any) -> bool:
        return not db.startswith(REPLICA_PREFIX)  # replicas follow the primary; never migrate them


def pk_runs(pks) -> list[tuple[int, int]]:  # noqa: ANN001 - any iterable of ints
    """Primary keys as sorted inclusive (first, last) runs: a bulk write's consecutive pks in a few pairs."""
    out: list[tuple[int, int]] = []
    for pk in sorted(pks):
        if out and pk == out[-1][1] + 1:
            out[-1] = (out[-1][0], pk)
        else:
            out.append((pk, pk))
    return out
