"""Links of the figures of the workforce, dues, funds and assessment."""

from __future__ import annotations

from .base import ListLink

LINKS: dict[str, tuple[ListLink, ...]] = {}
