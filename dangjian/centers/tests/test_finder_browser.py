"""In a real browser, at phone and desktop width: the login page leads to case tracking, and a signed-in
resident opening /nearby/ sees their own community's centres on the list and on the map."""

import pytest
from playwright.sync_api import expect

from dangjian.centers.models import ServiceCenter
from dangjian.conftest import PASSWORD, XSS_IMG

pytestmark = pytest.mark.browser


def test_a_resident_finds_their_communitys_centres_on_the_list_and_map(world, net, browser):
    page = browser.go("/accounts/login/")
    page.click("[data-testid=track-link]")
    page.wait_for_url("**/track/")
    expect(page.locator("h1")).to_contain_text("查询")
    browser.sign_in("jm", PASSWORD)
    browser.go("/nearby/")
    expect(page.locator("[data-testid=location-note]")).to_contain_text("按您所在的婆石社区查找")
    expect(page.locator("[data-testid=finder-center] h2 a").first).to_have_text("婆石社区党群服务中心")
    page.locator("#finder-map.map-ready").wait_for()
    tooltips = page.locator("#finder-map .leaflet-tooltip")
    expect(tooltips).to_have_count(2)  # few centres: every name is shown on the map
    assert sorted(tooltips.all_text_contents()) == ["婆石社区党群服务中心", "海虹社区党群服务中心"]
    assert page.locator("#finder-map path.leaflet-interactive").count() == 2
    expect(page.locator("[data-testid=track-link]")).to_be_visible()
    browser.assert_fits()
    browser.shot("centers-finder-home")
    page.locator("#finder-map path.leaflet-interactive").first.click(force=True)
    page.wait_for_url("**/nearby/*-*/")
    expect(page.locator("h1")).to_contain_text("党群服务中心")


def test_a_hostile_centre_name_is_text_on_the_finder_map(world, net, browser):
    ServiceCenter.objects.filter(pk=net.c1.pk).update(name=XSS_IMG)
    page = browser.sign_in("jm", PASSWORD)
    browser.go("/nearby/")
    page.locator("#finder-map.map-ready").wait_for()
    tooltip = page.locator("#finder-map .leaflet-tooltip", has_text="onerror")
    expect(tooltip).to_have_text(XSS_IMG)
    assert page.locator("#finder-map .leaflet-tooltip img, #finder-map .leaflet-tooltip script").count() == 0
    browser.assert_no_script_from_data()
    browser.assert_fits()
