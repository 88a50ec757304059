"""In a browser: a resident keeps a report out of the public API; a district admin issues a key
with a staff grant."""

import json

import pytest

from dangjian.cases.models import Case
from dangjian.conftest import PASSWORD
from dangjian.open311.models import ApiClient

pytestmark = pytest.mark.browser


def test_a_resident_ticks_not_public_and_the_report_stays_out_of_open311(browser, world):
    page = browser.sign_in(world.users.resident.username, PASSWORD)
    browser.open_nav("case_report")
    page.select_option("#id_category", "garbage")
    page.fill("#id_description", "楼道堆放杂物，我是 3 栋住户 13912345678")
    page.fill("#id_address", "中珠新村 3 栋")  # no pin: the resident's own community
    page.fill("#id_reporter_phone", "13912345678")
    checkbox = page.locator("[data-testid=not-public] input[type=checkbox]")
    assert checkbox.is_visible() and not checkbox.is_checked()
    assert "只有社区和办理部门能看到" in page.locator("form[data-testid=report-form]").inner_text()
    checkbox.check()
    browser.assert_fits()
    browser.shot("open311-report-not-public")
    page.click("[data-testid=submit-report]")
    page.wait_for_url("**/receipt/")
    case = Case.objects.get()
    assert case.is_public is False
    listed = page.request.get(f"{browser.base_url}/open311/v2/requests.json")
    assert listed.ok and json.loads(listed.body()) == []
    one = page.request.get(f"{browser.base_url}/open311/v2/requests/{case.number}.xml")
    assert one.status == 404 and "13912345678" not in one.text()


def test_a_district_admin_issues_a_key_with_a_staff_grant(browser, world):
    browser.sign_in(world.users.district_admin.username, PASSWORD)
    page = browser.open_nav("open311_clients")
    page.fill("#id_name", "区网格化服务管理中心")
    grant = page.locator("input[name=staff_grant]")
    assert grant.is_visible() and not grant.is_checked()
    grant.check()
    browser.assert_fits()
    browser.shot("open311-staff-grant-form")
    page.click("button:has-text('签发密钥')")
    page.wait_for_load_state("networkidle")
    assert page.locator("[data-testid=staff-grant-hint]").is_visible()
    assert ApiClient.objects.get(name="区网格化服务管理中心").staff_grant
    page.click("text=返回接口密钥列表")
    page.wait_for_load_state("networkidle")
    assert page.locator("[data-testid=client-row] [data-testid=staff-grant]").inner_text() == "完整读取"
    browser.assert_fits()
    browser.shot("open311-staff-grant-list")
