"""The figures page in a browser, at phone and desktop width: totals, charts, drill-down, heat map."""

import pytest

from dangjian.conftest import PASSWORD

from .test_selectors import build_march

pytestmark = pytest.mark.browser

MARCH = "period=custom&from=2026-03-01&to=2026-03-31"


@pytest.fixture
def march(world):
    return build_march(world)


def test_a_district_admin_reads_the_figures_drills_down_and_sees_the_heat_map(browser, march):
    page = browser.sign_in("qu", PASSWORD)
    browser.open_nav("case_figures")
    assert "办件统计" in page.locator("h1").inner_text()
    page.goto(f"{browser.base_url}/cases/figures/?{MARCH}")
    assert page.locator("[data-testid=total-received] .stat-value").inner_text() == "8"
    page.wait_for_selector("#children-chart[data-ready='1']")
    page.wait_for_selector("#trend-chart[data-ready='1']")
    page.wait_for_selector("#heatmap.map-ready")
    assert page.locator("#heatmap").get_attribute("data-grids") == "4"
    assert page.locator("#heatmap").get_attribute("data-hot") == "4"
    assert "共 7 件" in page.locator("[data-testid=heat-status]").inner_text()
    assert page.locator("[data-testid=heat-scale]").is_visible()
    assert page.locator("#heatmap path.leaflet-interactive").count() == 4
    browser.assert_fits()
    browser.shot("cases-figures-district")

    # Drill down by clicking a child row; the period stays.
    page.locator("[data-testid=figures-children] a", has_text="拱北街道").click()
    page.wait_for_load_state("networkidle")
    assert "拱北街道 · 办件统计" in page.locator("h1").inner_text()
    assert "2026-03-01 — 2026-03-31" in page.locator("[data-testid=period-label]").inner_text()
    assert page.locator("[data-testid=total-received] .stat-value").inner_text() == "6"
    page.wait_for_selector("#heatmap.map-ready")
    assert page.locator("#heatmap").get_attribute("data-grids") == "3"
    browser.assert_fits()
    browser.shot("cases-figures-subdistrict")

    # Last month holds nothing: the empty state, and the map still shows the grids.
    page.locator("[data-testid=periods] a", has_text="上月").click()
    page.wait_for_load_state("networkidle")
    assert page.locator("[data-testid=no-cases]").is_visible()
    browser.assert_fits()
    browser.shot("cases-figures-empty")
