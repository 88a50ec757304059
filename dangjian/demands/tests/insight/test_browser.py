"""服务清单 in a browser at phone and desktop width: the figures with their charts, drill-down, the
yearly records, and the community's five lists showing the demand, service and evaluation lists."""

import pytest

from dangjian.conftest import PASSWORD

from .test_figures import _scene

pytestmark = pytest.mark.browser


def test_a_district_admin_reads_the_figures_drills_down_and_opens_the_records(browser, world):
    _scene(world)
    page = browser.sign_in("qu", PASSWORD)
    browser.open_nav("demand_insight")
    assert "服务清单统计" in page.locator("h1").inner_text()
    page.locator("[data-testid=periods] a", has_text="本年").click()
    page.wait_for_load_state("networkidle")
    assert page.locator("[data-testid=total-received] .stat-value").inner_text() == "7"
    assert "4.0 ★" in page.locator("[data-testid=total-satisfaction]").inner_text()
    page.wait_for_selector("#children-chart[data-ready='1']")
    page.wait_for_selector("#trend-chart[data-ready='1']")
    browser.assert_fits()
    browser.shot("demand-figures-district")

    page.locator("[data-testid=figures-children] a", has_text="拱北街道").click()
    page.wait_for_load_state("networkidle")
    assert "拱北街道 · 服务清单统计" in page.locator("h1").inner_text()
    assert page.locator("[data-testid=total-received] .stat-value").inner_text() == "6"
    page.locator("[data-testid=figures-children] a", has_text="婆石社区").click()
    page.wait_for_load_state("networkidle")
    browser.assert_fits()
    browser.shot("demand-figures-community")

    page.click("[data-testid=records-link]")
    page.wait_for_load_state("networkidle")
    assert "婆石社区" in page.locator("h1").inner_text() and "年度服务记录" in page.locator("h1").inner_text()
    assert "张敏" in page.locator("[data-testid=records]").inner_text()
    assert page.locator("[data-testid=records-totals]").inner_text().count("4.5") == 1
    browser.assert_fits()
    browser.shot("demand-records")

    page.goto(f"{browser.base_url}/registration/community/{world.c1.public_id}/lists/?list=services")
    page.wait_for_load_state("networkidle")
    browser.shot("demand-five-lists-services")
