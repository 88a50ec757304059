"""Links of the figures of the territory tree, the organizations and the weak-organization register."""

from __future__ import annotations

from .base import ListLink

LINKS: dict[str, tuple[ListLink, ...]] = {}
