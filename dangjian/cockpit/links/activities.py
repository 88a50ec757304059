"""Links of the figures of volunteer teams, service centres and organization life."""

from __future__ import annotations

from .base import ListLink

LINKS: dict[str, tuple[ListLink, ...]] = {}
