"""Links of the figures of deliberation (councils, 四议两公开 runs) and co-building (estates, matters)."""

from __future__ import annotations

from .base import ListLink

LINKS: dict[str, tuple[ListLink, ...]] = {}
