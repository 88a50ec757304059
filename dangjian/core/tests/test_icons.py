"""The menu's icons are vendored Lucide SVGs, inlined: every item names one that is there, with its licence."""

import re

import pytest
from django.conf import settings
from django.template import Context, Template, TemplateSyntaxError
from django.urls import reverse

from dangjian.core.navigation import menu

LUCIDE = settings.BASE_DIR / "static" / "vendor" / "lucide"


def test_every_menu_item_names_a_vendored_icon_listed_in_the_vendor_script():
    script = (settings.BASE_DIR / "scripts" / "vendor_static.sh").read_text()
    listed = set(re.search(r"LUCIDE_ICONS=\(([^)]*)\)", script).group(1).split())
    for item in menu():
        assert item.icon in listed and (LUCIDE / f"{item.icon}.svg").is_file(), item.key
    assert {p.stem for p in LUCIDE.glob("*.svg")} == listed  # only the icons in use are vendored
    assert "ISC" in (LUCIDE / "LICENSE").read_text()
    assert "lucide-static " in (settings.BASE_DIR / "static" / "vendor" / "VERSIONS.txt").read_text()


def test_the_icon_tag_inlines_a_decorative_svg_and_refuses_unknown_names():
    html = Template('{% load icons %}{% icon "house" %}').render(Context())
    assert html.startswith('<svg class="icon" aria-hidden="true" focusable="false"') and "<!--" not in html
    assert 'stroke="currentColor"' in html
    for bad in ("no-such-icon", "../LICENSE"):
        with pytest.raises(TemplateSyntaxError):
            Template("{% load icons %}{% icon name %}").render(Context({"name": bad}))


def test_the_menu_draws_svg_icons_not_symbols(world, login):
    page = login(world.users.community_worker).get(reverse("dashboard:home")).content.decode()
    icons = re.findall(r'<span class="nav-icon">(.*?)</span>', page, flags=re.S)
    assert len(icons) >= 5
    assert all(i.strip().startswith('<svg class="icon"') for i in icons)
    for symbol in "⌂☎⇄✋✓⚿⚙⋯":
        assert symbol not in page
