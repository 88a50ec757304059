"""In a real browser: the menu's icons are drawn (vendored SVGs, not symbols a phone's fonts may lack), and
on a phone every field and breadcrumb link is a tap target at least 40 px tall."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from dangjian.cases.tests.intake.test_services import PNG
from dangjian.cases.tests.intake.test_views import file_case
from dangjian.centers.tests.conftest import net  # noqa: F401 - the centre network fixture
from dangjian.conftest import PASSWORD, VIEWPORTS

pytestmark = pytest.mark.browser

TAP = 40
FIELDS = (
    ".content input:not([type=hidden]):not([type=checkbox]):not([type=radio]), .content select, "
    ".content textarea, .breadcrumb a"
)


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def icon_boxes(page, selector):
    """Each visible menu item's icon: its SVG's drawn size, and any text standing in for an icon."""
    return page.eval_on_selector_all(
        selector,
        """items => items.filter(a => a.offsetParent !== null).map(a => {
            const icon = a.querySelector('.nav-icon'), svg = icon && icon.querySelector('svg');
            const box = svg ? svg.getBoundingClientRect() : {width: 0, height: 0};
            return {nav: a.dataset.nav || a.textContent.trim(), w: box.width, h: box.height,
                    text: icon ? icon.textContent.trim() : 'none'};
        })""",
    )


def assert_icons_drawn(boxes):
    assert boxes
    for box in boxes:
        assert box["w"] >= 16 and box["h"] >= 16 and box["text"] == "", box


@pytest.mark.parametrize("username", ["sq1", "jm", "dy", "qu"])
def test_every_menu_item_has_a_drawn_icon(world, browser, username):
    page = browser.sign_in(username, PASSWORD)
    assert_icons_drawn(icon_boxes(page, ".sidebar > .nav-item, .nav-more-toggle"))
    browser.shot(f"nav-icons-{username}")
    if browser.width_name == "phone" and page.locator(".nav-more-toggle").is_visible():
        page.click(".nav-more-toggle")
        assert_icons_drawn(icon_boxes(page, ".nav-more-panel .nav-item"))
        browser.shot(f"nav-icons-more-{username}")


def short_targets(page):
    return page.eval_on_selector_all(
        FIELDS,
        """els => els.filter(e => e.offsetParent !== null).map(e => {
            const r = e.getBoundingClientRect();
            return {what: e.tagName + '[' + (e.type || '') + '] ' + (e.name || e.textContent.trim()), h: r.height};
        })""",
    )


def test_fields_and_breadcrumb_links_are_tap_targets_on_a_phone(world, net, new_browser):  # noqa: F811
    assert VIEWPORTS["phone"]["width"] == 390
    phone = new_browser("phone")
    page = phone.sign_in("jm", PASSWORD)
    case = file_case(world.users.resident, photos=[SimpleUploadedFile("a.png", PNG)])
    pages = {
        f"/centers/rooms/{net.meeting.public_id}/book/": {"date", "number", "text", "select-one", "a"},
        "/cases/report/": {"file", "textarea", "select-one"},
        f"/cases/mine/{case.public_id}/": {"a"},
    }
    for path, kinds in pages.items():
        phone.go(path)
        targets = short_targets(page)
        seen = {t["what"].split("[")[1].split("]")[0] or "a" for t in targets}
        assert kinds <= seen, (path, seen)
        too_small = [t for t in targets if t["h"] < TAP]
        assert not too_small, (path, too_small)
        phone.assert_fits()
    phone.shot("tap-targets-report")
