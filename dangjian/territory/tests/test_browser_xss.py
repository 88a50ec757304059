"""Names from imports and forms reach the grid map as text, never as markup or script."""

import pytest

from dangjian.conftest import PASSWORD, XSS_IMG, XSS_SCRIPT
from dangjian.territory.models import Area, Estate

pytestmark = pytest.mark.browser


def test_the_map_shows_hostile_grid_and_estate_names_as_text(browser, world):
    Area.objects.filter(pk=world.g1a.pk).update(name=XSS_IMG)  # as a GeoJSON import could name it
    Estate.objects.filter(pk=world.estate.pk).update(name=XSS_SCRIPT)
    page = browser.sign_in("sq1", PASSWORD)
    browser.open_nav("map")
    page.wait_for_selector("#map.map-ready")
    tooltips = browser.map_tooltips("#map")
    assert XSS_IMG in tooltips
    assert XSS_SCRIPT in tooltips
    browser.assert_no_script_from_data()
    browser.assert_fits()
    box = page.locator("#map path.leaflet-interactive").first.bounding_box()
    page.mouse.move(box["x"] + box["width"] * 0.3, box["y"] + box["height"] * 0.3)
    browser.shot("map-hostile-names")
