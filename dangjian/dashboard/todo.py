"""今日待办: each domain registers a provider; the home page shows what they return for the user.

A provider takes the user (acting in their active role) and returns TodoItems. Later
modules (demands, cases, weak organizations...) register theirs the same way.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

Provider = Callable[[Any], list["TodoItem"]]
_providers: list[Provider] = []


@dataclass(frozen=True)
class TodoItem:
    title: str
    url: str = ""
    count: int | None = None
    urgent: bool = False  # urgent items (overdue, escalated) go first


def register(provider: Provider) -> Provider:
    if provider not in _providers:
        _providers.append(provider)
    return provider


def todos_for(user: Any) -> list[TodoItem]:
    items = [item for provider in _providers for item in provider(user)]
    return sorted(items, key=lambda item: not item.urgent)
