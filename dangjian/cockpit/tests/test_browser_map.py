"""In a real browser (phone and desktop): the district admin picks a figure on the cockpit's map,
reads a grid's value in its tooltip (text), clicks the grid and lands on the figure's drill-down at
that grid; a community worker's map holds only their own community's grids."""

import re

import pytest
from playwright.sync_api import expect

from dangjian.cockpit import readings
from dangjian.cockpit.catalogue import BY_KEY
from dangjian.demo.accounts import DEMO_PASSWORD
from dangjian.territory.models import Area

pytestmark = pytest.mark.browser


def _drawn_grids(under: Area) -> list[Area]:
    return list(Area.objects.filter(path__startswith=under.path, level="grid", boundary__isnull=False))


def _wait_for(page, figure: str) -> None:
    page.locator(f"#cockpit-map.map-ready[data-figure={figure}]").wait_for()


def test_the_district_colours_the_map_by_a_figure_and_drills_into_a_grid(browser, demo):
    page = browser.sign_in("qu_admin", DEMO_PASSWORD)
    browser.open_nav("cockpit")
    first = page.locator("[data-testid=map-figure]").input_value()
    _wait_for(page, first)
    district = Area.objects.get(level="district")
    grids = _drawn_grids(district)
    assert page.locator("#cockpit-map").get_attribute("data-grids") == str(len(grids))

    page.select_option("[data-testid=map-figure]", "demands_received")
    _wait_for(page, "demands_received")
    expect(page.locator("[data-testid=map-scale]")).to_be_visible()
    on = readings.today()
    values = {g.name: readings.figure_children("demands_received", g, on)[0].value for g in grids}
    tips = browser.map_tooltips("#cockpit-map")
    assert tips, "no grid showed a tooltip"
    for tip in tips:
        found = re.search(r"([^·]+)：([\d,]+) 件$", tip)
        assert found, tip
        assert int(found.group(2).replace(",", "")) == values[found.group(1).strip()], tip
    browser.assert_fits()
    browser.assert_no_script_from_data()
    browser.shot("cockpit-map")

    # The busiest grid: a click opens the figure's drill-down there, with the same value.
    grid = max(grids, key=lambda g: (values[g.name], g.path))
    assert values[grid.name] > 0
    shape = page.locator(f'#cockpit-map path[data-grid="{grid.name}"]')
    shape.evaluate("el => el.scrollIntoView({ block: 'center' })")
    shape.click()
    page.wait_for_load_state("networkidle")
    expect(page.locator("h1")).to_contain_text(grid.name)
    expect(page.locator("h1")).to_contain_text(str(BY_KEY["demands_received"].label))
    expect(page.locator("[data-testid=figure-value]")).to_have_text(f"{values[grid.name]:,}")
    browser.assert_fits()
    browser.shot("cockpit-map-grid")


def test_a_community_worker_s_map_holds_only_their_grids(browser, demo):
    page = browser.sign_in("sq_worker", DEMO_PASSWORD)
    browser.open_nav("cockpit")
    first = page.locator("[data-testid=map-figure]").input_value()
    _wait_for(page, first)
    community = Area.objects.get(name="婆石社区")
    own = {g.name for g in _drawn_grids(community)}
    assert own
    shown = set(page.locator("#cockpit-map path[data-grid]").evaluate_all("els => els.map(e => e.dataset.grid)"))
    assert shown == own
    assert page.locator("#cockpit-map").get_attribute("data-grids") == str(len(own))
    browser.assert_fits()
    browser.shot("cockpit-map-community")
