"""Centre and estate names reach the ten-minute circle, its planner and the finder as text only."""

import pytest

from dangjian.centers.models import ServiceCenter
from dangjian.conftest import PASSWORD, XSS_IMG, XSS_SCRIPT
from dangjian.territory.models import Estate

pytestmark = pytest.mark.browser


def test_the_circle_and_its_planner_show_hostile_names_as_text(browser, world, net):
    ServiceCenter.objects.filter(pk=net.c1.pk).update(name=XSS_IMG)  # as typed at /centers/new/
    Estate.objects.filter(pk=world.estate.pk).update(households=100)
    Estate.objects.filter(pk=world.estate3.pk).update(name=XSS_SCRIPT, households=200)  # outside every circle
    page = browser.sign_in("qu", PASSWORD)
    browser.go("/centers/circle/")
    page.wait_for_selector("#circle-map.map-ready")
    tooltips = browser.map_tooltips("#circle-map")
    assert any(t.startswith(XSS_IMG + "（") for t in tooltips)  # the centre
    assert any(f"「{XSS_IMG}」" in t for t in tooltips)  # 中珠新村, nearest to it
    assert any(t.startswith(XSS_SCRIPT + "：圈外") for t in tooltips)
    page.fill("#plan-k", "1")
    page.click("[data-testid=plan-run]")
    page.wait_for_selector("[data-testid=plan-result][data-done]")
    picks = page.locator("[data-testid=plan-result] .plan-picks li")
    assert picks.count() == 1
    assert picks.locator("strong").text_content() == f"「{XSS_SCRIPT}」小区旁"
    assert picks.locator(".muted").text_content() == XSS_SCRIPT
    assert page.locator("[data-testid=plan-result] script, [data-testid=plan-result] img").count() == 0
    browser.assert_no_script_from_data()
    browser.assert_fits()
    browser.shot("centers-circle-hostile-names")

    browser.go(f"/nearby/?community={world.c1.public_id}")  # the centre finder
    assert page.locator("[data-testid=finder-center] h2 a").first.text_content() == XSS_IMG
    browser.assert_no_script_from_data()
    browser.assert_fits()
