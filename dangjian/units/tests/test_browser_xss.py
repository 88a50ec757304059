"""Area and organization names reach the coverage charts' tooltips and axis labels as text only."""

import pytest

from dangjian.conftest import PASSWORD, XSS_IMG, XSS_SCRIPT
from dangjian.orgs.models import PartyOrg
from dangjian.territory.models import Area

pytestmark = pytest.mark.browser


def check_the_chart(browser, names):
    page = browser.page
    page.wait_for_selector("#coverage-chart[data-ready='1'] svg")
    for name in names:
        tooltip = browser.chart_tooltip("#coverage-chart", name)
        assert tooltip.locator("img, script").count() == 0, "a name became markup in the tooltip"
        assert name in tooltip.text_content()
        assert name in page.locator("#coverage-chart svg").text_content()  # the axis label
        assert page.locator("#coverage-chart img, #coverage-chart script").count() == 0
        page.mouse.move(0, 0)
    browser.assert_no_script_from_data()
    browser.assert_fits()


def test_the_area_coverage_chart_shows_hostile_subdistrict_names_as_text(browser, cov):
    w = cov.world
    Area.objects.filter(pk=w.s1.pk).update(name=XSS_IMG)
    Area.objects.filter(pk=w.s2.pk).update(name=XSS_SCRIPT)
    page = browser.sign_in("qu", PASSWORD)
    browser.go("/units/coverage/")
    page.wait_for_url("**/units/coverage/area/*/")
    check_the_chart(browser, [XSS_IMG, XSS_SCRIPT])
    browser.shot("coverage-hostile-names")


def test_the_org_coverage_chart_shows_hostile_organization_names_as_text(browser, cov):
    w = cov.world
    PartyOrg.objects.filter(pk=w.ub.pk).update(name=XSS_IMG)
    PartyOrg.objects.filter(pk=cov.j1.pk).update(name=XSS_SCRIPT)
    browser.sign_in("qu", PASSWORD)
    browser.go(f"/units/coverage/org/{w.cc1.public_id}/")
    check_the_chart(browser, [XSS_IMG, XSS_SCRIPT])
    browser.shot("coverage-org-hostile-names")
