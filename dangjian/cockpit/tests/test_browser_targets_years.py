"""In a real browser (phone and desktop): the district admin sets this year's target beside the standing
one, sees the standing value under the field, and the cockpit's tile shows this year's target; the
stock trends of 组织体系 are drawn."""

import pytest
from playwright.sync_api import expect

from dangjian.cockpit import readings
from dangjian.demo.accounts import DEMO_PASSWORD

pytestmark = pytest.mark.browser


def test_the_district_sets_this_years_target(browser, demo):
    page = browser.sign_in("qu_admin", DEMO_PASSWORD)
    year = readings.today().year
    browser.go("/cockpit/targets/")
    page.fill("#id_council_party_share", "40")
    page.click("[data-testid=save-targets]")
    page.wait_for_load_state("networkidle")
    page.click(f"[data-testid=target-year-{year}]")
    page.wait_for_load_state("networkidle")
    expect(page.locator("[data-testid=targets-scope]")).to_contain_text(str(year))
    expect(page.locator(".target-field", has=page.locator("#id_council_party_share"))).to_contain_text("常设目标：40")
    page.fill("#id_council_party_share", "45")
    browser.assert_fits()
    browser.shot("cockpit-targets-year")
    page.click("[data-testid=save-targets]")
    page.wait_for_load_state("networkidle")
    expect(page.locator(".messages")).to_be_visible()
    assert f"year={year}" in page.url
    expect(page.locator("#id_council_party_share")).to_have_value("45.00")
    browser.go("/cockpit/")
    expect(page.locator("[data-testid=target-council_party_share]")).to_contain_text("目标 45%")
    page.locator("#trend-organization[data-ready='1']").wait_for()
    expect(page.locator("[data-testid=tile-whistles_solved]")).to_be_visible()
    browser.assert_fits()
    browser.assert_no_script_from_data()
    browser.shot("cockpit-seed-figures")
