"""The importers each app declares, registered in its AppConfig.ready:

    from dangjian.imports import registry
    registry.register(MemberImporter)

The import pages, services and tasks look importers up here and never name an app. Likewise each
app's `exports.py` registers its Excel exports (served under /imports/export/, listed on the
import page); the imports app discovers those modules in its own ready().
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.urls import URLPattern, path

from dangjian.core.scoping import Scope

from .engine import Importer
from .models import ImportMode

_IMPORTERS: dict[str, type[Importer]] = {}


def register(cls: type[Importer]) -> type[Importer]:
    """Make `cls` available under its `kind` (idempotent: ready() may run more than once in tests)."""
    current = _IMPORTERS.get(cls.kind)
    if current is not None and current is not cls:
        raise ValueError(f"import kind {cls.kind!r} is registered twice")
    _IMPORTERS[cls.kind] = cls
    return cls


def get(kind: str) -> type[Importer] | None:
    return _IMPORTERS.get(kind)


def label(kind: str) -> str:
    """What the rows of `kind` are called (党员, 居民...); the kind itself when nothing registers it."""
    cls = _IMPORTERS.get(kind)
    return str(cls.label) if cls is not None else kind


def kinds() -> list[str]:
    """Every registered kind, in the order the import page lists them."""
    return [cls.kind for cls in sorted(_IMPORTERS.values(), key=lambda cls: (cls.position, cls.kind))]


def importer_for(kind: str, scope: Scope, mode: str = ImportMode.CREATE) -> Importer:
    return _IMPORTERS[kind](scope, mode)


def kinds_for_role(role: str) -> list[str]:
    return [kind for kind in kinds() if role == "superuser" or role in _IMPORTERS[kind].allowed_roles]


# -- exports ----------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Export:
    """One Excel export served under /imports/export/ (URL name in the "imports" namespace); listed on
    the import page when it has a label, for the roles given."""

    route: str
    view: Callable[..., Any]
    name: str
    label: Any = ""  # str or a lazy translation
    roles: frozenset[str] = frozenset()
    personal: bool = False  # holds ID numbers or mobiles (the page offers the full-value export)
    position: int = 100


_EXPORTS: dict[str, Export] = {}


def register_export(
    route: str,
    view: Callable[..., Any],
    name: str,
    *,
    label: Any = "",
    roles: Iterable[str] = (),
    personal: bool = False,
    position: int = 100,
) -> None:
    """Called at import time by each app's `exports.py` (found by autodiscovery, like admin.py)."""
    _EXPORTS[name] = Export(route, view, name, label, frozenset(roles), personal, position)


def exports() -> list[Export]:
    return sorted(_EXPORTS.values(), key=lambda e: (e.position, e.name))


def export_urls() -> list[URLPattern]:
    return [path(e.route, e.view, name=e.name) for e in exports()]
