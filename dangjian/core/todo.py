"""今日待办: each app registers its providers in its `todo.py`; the home page shows what they return.

A provider takes the user (acting in their active role) and returns TodoItems. Core imports every
installed app's `todo` module once (autodiscovery in CoreConfig.ready), so core names no app.
Providers run in `order` (then in the order they registered); urgent items go first.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, overload

from .keyset import CappedCount

Provider = Callable[[Any], list["TodoItem"]]
_providers: list[tuple[int, Provider]] = []


@dataclass(frozen=True)
class TodoItem:
    title: str
    url: str = ""
    # How many wait behind the item's link: an int, or a CappedCount (an int that prints "1000+" past
    # its cap; the home page prints it with {{ item.count }}, which keeps the "+"; a number filter drops it).
    count: int | CappedCount | None = None
    urgent: bool = False  # urgent items (overdue, escalated) go first


@overload
def register(provider: Provider, *, order: int = ...) -> Provider: ...
@overload
def register(provider: None = ..., *, order: int = ...) -> Callable[[Provider], Provider]: ...
def register(provider: Provider | None = None, *, order: int = 1000) -> Any:
    """Register a provider: `@register` or `@register(order=20)`."""

    def add(provider: Provider) -> Provider:
        if all(known is not provider for _, known in _providers):
            _providers.append((order, provider))
            _providers.sort(key=lambda entry: entry[0])  # stable: equal orders keep their registration order
        return provider

    return add(provider) if provider is not None else add


def todos_for(user: Any) -> list[TodoItem]:
    items = [item for _, provider in _providers for item in provider(user)]
    return sorted(items, key=lambda item: not item.urgent)
