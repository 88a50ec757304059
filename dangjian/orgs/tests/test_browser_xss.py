"""Subdistrict names reach the weak-organization chart's tooltip as text only."""

import pytest

from dangjian.conftest import PASSWORD, XSS_IMG, XSS_SCRIPT
from dangjian.orgs.models import WeakCaseStatus
from dangjian.territory.models import Area

pytestmark = pytest.mark.browser


def test_the_weak_chart_shows_hostile_subdistrict_names_as_text(browser, world, make_case):
    make_case(world.eb, WeakCaseStatus.RECTIFYING)  # in 拱北街道
    make_case(world.eb3)  # in 吉大街道
    Area.objects.filter(pk=world.s1.pk).update(name=XSS_IMG)
    Area.objects.filter(pk=world.s2.pk).update(name=XSS_SCRIPT)
    page = browser.sign_in("qu", PASSWORD)
    browser.go("/orgs/weak/")
    page.wait_for_selector("#weak-chart[data-ready='1'] canvas")
    for name in (XSS_IMG, XSS_SCRIPT):
        tooltip = browser.chart_tooltip("#weak-chart", name)
        assert tooltip.locator("img, script").count() == 0, "a name became markup in the tooltip"
        assert name in tooltip.text_content()
        assert page.locator("#weak-chart img, #weak-chart script").count() == 0
        page.mouse.move(0, 0)
    browser.assert_no_script_from_data()
    browser.assert_fits()
    browser.shot("weak-chart-hostile-names")
