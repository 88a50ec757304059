"""The workbench menu: each app declares its entries in its `navigation.py`; core renders them.

An app's `navigation.py` calls `register(NavItem(...), ...)` at import time; core imports every
installed app's `navigation` module once (autodiscovery in CoreConfig.ready), so core names no app.
Entries are shown in `order`; in the order a phone shows them, the first items of a role fill its
bottom bar.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils.functional import Promise

from .scoping import active_role


@dataclass(frozen=True)
class NavItem:
    key: str
    label: str | Promise
    url_name: str
    icon: str  # a Lucide icon's name (static/vendor/lucide/, rendered by {% icon %})
    roles: frozenset | None = None  # None: every signed-in role
    order: int = 1000  # place in the menu, across apps (see each app's navigation.py)

    def allows(self, role: str) -> bool:
        return role == "superuser" or self.roles is None or role in self.roles


_registry: dict[str, NavItem] = {}
# nav_for's answers by (role, script prefix, urlconf): the menu is the same for everyone in a role, and
# reversing its URLs on every page cost more than the rest of the menu. Cleared by register().
_by_role: dict[tuple[str, str, Any], list[dict]] = {}


def register(*items: NavItem) -> None:
    for item in items:
        known = _registry.get(item.key)
        if known is not None and known != item:
            raise ValueError(f"menu entry {item.key!r} is declared twice")
        _registry[item.key] = item
    _by_role.clear()


def menu() -> list[NavItem]:
    """Every declared entry, in menu order."""
    return sorted(_registry.values(), key=lambda item: (item.order, item.key))


# How many menu items fit the phone's bottom bar; the rest open from "更多".
PHONE_SLOTS = 4


def nav_for(user: Any) -> list[dict]:
    """The menu of the user's active role (built once per role; the dicts are shared, do not change them)."""
    role = active_role(user)
    key = (role, get_script_prefix(), get_urlconf())
    cached = _by_role.get(key)
    if cached is None:
        cached = _by_role[key] = _build(role)
    return cached


def _build(role: str) -> list[dict]:
    items = [i for i in menu() if i.allows(role)]
    # With one item too many, "更多" would take its slot for nothing: show them all.
    slots = len(items) if len(items) <= PHONE_SLOTS + 1 else PHONE_SLOTS
    return [
        {"key": i.key, "label": i.label, "url": reverse(i.url_name), "icon": i.icon, "primary": n < slots}
        for n, i in enumerate(items)
    ]
