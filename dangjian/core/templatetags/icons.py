"""`{% icon "house" %}`: a vendored Lucide icon (static/vendor/lucide/, see scripts/vendor_static.sh), inlined
as SVG so it takes the text's colour and needs no font of its own (symbols like ✋ or ⚿ are missing from
many phones' fonts and showed as empty boxes)."""

from __future__ import annotations

import re
from functools import lru_cache

from django import template
from django.contrib.staticfiles import finders
from django.utils.safestring import SafeString, mark_safe

register = template.Library()

NAME = re.compile(r"^[a-z0-9-]+$")


@lru_cache(maxsize=128)
def icon_svg(name: str) -> SafeString:
    """The icon's SVG, marked up for decoration; an unknown name is an error, caught by the tests."""
    path = finders.find(f"vendor/lucide/{name}.svg") if NAME.match(name) else None
    if not path:
        raise template.TemplateSyntaxError(f"no vendored icon {name!r}: add it to LUCIDE_ICONS in vendor_static.sh")
    with open(path, encoding="utf-8") as f:
        svg = f.read()
    svg = re.sub(r"<!--.*?-->", "", svg, flags=re.S).strip()
    svg = re.sub(r'\s+class="[^"]*"', "", svg, count=1)
    svg = re.sub(r"\s+", " ", svg.replace("<svg", '<svg class="icon" aria-hidden="true" focusable="false"', 1))
    # The file comes from the pinned, integrity-checked npm package, never from user data.
    return mark_safe(svg)  # noqa: S308


@register.simple_tag
def icon(name: str) -> SafeString:
    return icon_svg(str(name))
