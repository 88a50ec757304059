"""Community names reach the registration summary chart's tooltip as text only."""

import pytest

from dangjian.conftest import PASSWORD, XSS_IMG, XSS_SCRIPT
from dangjian.registration import services
from dangjian.territory.models import Area

pytestmark = pytest.mark.browser


def test_the_summary_chart_shows_hostile_community_names_as_text(browser, reg_world, submit):
    w = reg_world
    services.registration_confirm(actor=w.users.community_worker, registration=submit(w.people.zhang))
    Area.objects.filter(pk=w.c1.pk).update(name=XSS_IMG)
    Area.objects.filter(pk=w.c3.pk).update(name=XSS_SCRIPT)
    page = browser.sign_in("qu", PASSWORD)
    browser.go("/registration/summary/")
    page.wait_for_selector("#summary-chart.chart-ready canvas")
    for name in (XSS_IMG, XSS_SCRIPT):
        tooltip = browser.chart_tooltip("#summary-chart", name)
        assert tooltip.locator("img, script").count() == 0, "a name became markup in the tooltip"
        assert name in tooltip.text_content()
        assert page.locator("#summary-chart img, #summary-chart script").count() == 0
        page.mouse.move(0, 0)
    assert XSS_IMG in page.locator("[data-testid=summary-table]").text_content()
    browser.assert_no_script_from_data()
    browser.assert_fits()
    browser.shot("registration-summary-hostile-names")
