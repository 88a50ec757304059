"""A resident signs up alone on a phone with the code the console SMS backend wrote, lands on the phone
home, and files a case through the phone report page."""

import pytest

from dangjian.accounts.models import User
from dangjian.accounts.roles import Role
from dangjian.accounts.tests.phone_helpers import last_code
from dangjian.cases.models import Case, Channel

pytestmark = pytest.mark.browser

MOBILE = "13912345678"
PASSWORD = "Qingshan-2026!"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def test_a_resident_signs_up_with_the_console_code_and_files_a_case(world, browser, outbox):
    page = browser.go("/accounts/login/")
    page.click("[data-testid=signup-link]")
    page.wait_for_url("**/people/signup/")
    page.fill("#id_mobile", MOBILE)
    browser.assert_fits()
    browser.shot("signup-mobile")
    page.click("button[type=submit]")
    page.wait_for_url("**/signup/verify/")
    assert "139****5678" in page.inner_text("main")
    page.fill("#id_code", last_code(MOBILE))
    browser.assert_fits()
    browser.shot("signup-code")
    page.click("button[type=submit]")
    page.wait_for_url("**/signup/details/")
    page.fill("#id_full_name", "林小梅")
    page.fill("#id_password", PASSWORD)
    page.fill("#id_password2", PASSWORD)
    # The device's position fills the hidden fields the server places the resident by.
    browser.context.grant_permissions(["geolocation"])
    browser.context.set_geolocation({"latitude": 22.205, "longitude": 113.505})
    page.click("#signup-locate")
    page.wait_for_function("() => document.getElementById('id_lat').value !== ''")
    assert page.locator("#id_lng").input_value() == "113.505000"
    assert "已获取位置" in page.inner_text("#signup-locate-status")
    browser.assert_fits()
    browser.shot("signup-details")
    page.click("button[type=submit]")
    page.wait_for_url(browser.base_url + "/")
    assert "注册成功" in page.inner_text("main") and "婆石社区" in page.inner_text("main")
    user = User.objects.get(mobile=MOBILE)
    assignment = user.role_assignments.get()
    assert assignment.role == Role.RESIDENT and assignment.home_community == world.c1  # placed by its grid
    browser.assert_fits()
    browser.shot("signup-home")

    browser.open_nav("case_report")
    page.select_option("#id_category", "garbage")
    page.fill("#id_description", "中珠新村门口垃圾堆了好几天没人清理，臭味很大")
    page.click("[data-testid=submit-report]")
    page.wait_for_url("**/receipt/")
    case = Case.objects.get()
    assert page.locator("[data-testid=case-number]").inner_text() == case.number
    assert case.channel == Channel.PHONE and case.community == world.c1
    browser.assert_fits()
    browser.shot("signup-case-receipt")
    assert not browser.csp_refusals
