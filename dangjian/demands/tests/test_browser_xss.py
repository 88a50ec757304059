"""Area names reach the demand figures' charts as text only."""

import pytest

from dangjian.conftest import PASSWORD, XSS_IMG
from dangjian.territory.models import Area

from .insight.test_figures import _scene

pytestmark = pytest.mark.browser


def test_the_figures_chart_shows_a_hostile_subdistrict_name_as_text(browser, world):
    _scene(world)
    Area.objects.filter(pk=world.s1.pk).update(name=XSS_IMG)
    page = browser.sign_in("qu", PASSWORD)
    browser.open_nav("demand_insight")
    page.locator("[data-testid=periods] a", has_text="本年").click()
    page.wait_for_load_state("networkidle")
    chart = page.locator("#children-chart")
    chart.locator("svg").wait_for()
    page.wait_for_selector("#children-chart[data-ready='1']")
    chart.scroll_into_view_if_needed()
    box = chart.bounding_box()
    # The first of the two bars (grid left 44, right 10): the renamed subdistrict.
    page.mouse.move(box["x"] + 44 + (box["width"] - 54) / 4, box["y"] + box["height"] / 2)
    tooltip = chart.locator("div", has_text=XSS_IMG).last
    tooltip.wait_for()
    assert chart.locator("img, script").count() == 0
    assert XSS_IMG in chart.locator("svg").text_content()
    browser.assert_no_script_from_data()
    browser.assert_fits()
    browser.shot("demand-figures-hostile-names")
