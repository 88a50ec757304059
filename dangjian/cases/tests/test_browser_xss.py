"""Grid, community, subdistrict and category names reach the case maps and charts as text only:
the resident's report form, the patrol form, the desk's intake and the figures' charts and heat map."""

import pytest

from dangjian.cases.models import CaseCategory
from dangjian.conftest import PASSWORD, XSS_IMG, XSS_SCRIPT
from dangjian.territory.models import Area

from .figures.test_selectors import build_march

pytestmark = pytest.mark.browser


@pytest.fixture
def hostile(world):
    """Names as a GeoJSON import, the territory forms or the category admin could set them."""
    Area.objects.filter(pk=world.g1a.pk).update(name=XSS_IMG)
    Area.objects.filter(pk=world.c1.pk).update(name=XSS_SCRIPT)
    Area.objects.filter(pk=world.s1.pk).update(name=XSS_IMG)
    CaseCategory.objects.filter(code="garbage").update(name=XSS_SCRIPT)
    return world


@pytest.mark.parametrize(
    ("username", "path"),
    [("jm", "/cases/report/"), ("wg1", "/cases/patrol/"), ("sq1", "/cases/desk/new/")],
    ids=["report", "patrol", "desk"],
)
def test_the_intake_maps_show_hostile_names_as_text(browser, hostile, username, path):
    page = browser.sign_in(username, PASSWORD)
    browser.go(path)
    page.wait_for_selector("#case-map.map-ready")
    assert XSS_IMG in browser.map_tooltips("#case-map")
    assert page.locator("#id_category option[value=garbage]").text_content() == XSS_SCRIPT
    browser.assert_no_script_from_data()
    browser.assert_fits()
    browser.shot(f"cases-{username}-hostile-names")


def test_the_figures_show_hostile_names_as_text(browser, hostile):
    build_march(hostile)
    page = browser.sign_in("qu", PASSWORD)
    browser.go("/cases/figures/?period=custom&from=2026-03-01&to=2026-03-31")
    page.wait_for_selector("#children-chart[data-ready='1']")
    page.wait_for_selector("#heatmap.map-ready")
    tooltips = browser.map_tooltips("#heatmap")
    assert any(t.startswith(f"{XSS_SCRIPT} · {XSS_IMG}：") for t in tooltips)
    # The bar chart: the first bar is the renamed subdistrict; its tooltip and axis label read as text.
    chart = page.locator("#children-chart")
    box = chart.bounding_box()
    page.mouse.move(box["x"] + 44 + (box["width"] - 54) / 4, box["y"] + box["height"] / 2)
    tooltip = chart.locator("div", has_text="受理").last
    tooltip.wait_for()
    assert XSS_IMG in tooltip.text_content()
    assert chart.locator("img, script").count() == 0
    assert XSS_IMG in chart.locator("svg").text_content()
    browser.assert_no_script_from_data()
    browser.assert_fits()
    browser.shot("cases-figures-hostile-names")
