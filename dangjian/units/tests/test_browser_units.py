import pytest

from dangjian.demo.accounts import DEMO_PASSWORD

pytestmark = pytest.mark.browser


def test_a_district_admin_drills_down_from_the_chart_to_a_communitys_blank_spots(browser, units_demo):
    page = browser.sign_in("qu_admin", DEMO_PASSWORD)
    browser.go("/units/coverage/")
    page.wait_for_url("**/units/coverage/area/*/")
    assert page.locator("h1").inner_text().startswith("香洲区")
    page.wait_for_selector("#coverage-chart[data-ready='1']")
    assert page.locator("#coverage-chart svg path").count() > 8  # bars, axes and legend are drawn
    single = page.locator("[data-testid=card-single]").inner_text()
    assert "单建率" in single and "%" in single and "100.0%" not in single
    assert "有 3 名以上党员的单位中" in single  # what the rate means, on the card itself
    browser.assert_fits()
    browser.shot("coverage-district")

    page.locator("[data-testid=breakdown-children] a", has_text="拱北街道").click()
    page.wait_for_url("**/units/coverage/area/*/")
    assert page.locator("h1").inner_text().startswith("拱北街道")
    page.wait_for_selector("#coverage-chart[data-ready='1']")
    page.locator("[data-testid=breakdown-children] a", has_text="婆石社区").click()
    page.wait_for_url("**/units/coverage/area/*/")
    assert page.locator("h1").inner_text().startswith("婆石社区")
    blank = page.locator("[data-testid=blank-spots]")
    assert "珠海拱北跨境电商有限公司" in blank.inner_text()
    assert "应单独组建党组织" in blank.inner_text()
    assert "香洲区" in page.locator("[data-testid=breadcrumb]").inner_text()
    browser.assert_fits()
    browser.shot("coverage-community")

    blank.get_by_role("link", name="珠海拱北跨境电商有限公司").click()
    page.wait_for_url("**/units/*/")
    assert "空白点" in page.locator("[data-testid=blank-spot]").inner_text()
    browser.assert_fits()
    browser.shot("unit-detail-blank")


def test_a_community_worker_registers_a_unit_and_reads_the_credit_code_error(browser, units_demo):
    page = browser.sign_in("sq_worker", DEMO_PASSWORD)
    browser.go("/units/")
    assert "珠海市拱北口岸中心" in page.locator("table").inner_text()
    page.get_by_role("link", name="登记单位").click()
    page.wait_for_url("**/units/new/")
    page.fill("#id_name", "珠海婆石新能源有限公司")
    page.select_option("#id_kind", "enterprise")
    page.fill("#id_credit_code", "91440402MA4UPE2X10")
    page.select_option("#id_community", label="婆石社区")
    page.fill("#id_staff_count", "18")
    page.fill("#id_member_count", "2")
    page.click("form.stacked button[type=submit]")
    error = page.locator(".errorlist").first
    assert "统一社会信用代码校验位错误" in error.inner_text()
    browser.assert_fits()
    browser.shot("unit-form-error")


def test_a_unit_contact_sees_only_their_unit(browser, units_demo):
    page = browser.sign_in("dw_contact", DEMO_PASSWORD)
    browser.go("/units/")
    page.wait_for_url("**/units/*/")
    assert page.locator("h1").inner_text().startswith("珠海市拱北口岸中心")
    assert page.get_by_role("link", name="修改信息").count() == 0
    assert "拱北口岸区域党建联盟" in page.locator("body").inner_text()
    browser.assert_fits()
    browser.shot("unit-contact-own-unit")


def test_a_district_admin_lists_the_blank_spots_and_the_covered_new_sector(browser, units_demo):
    """The unit list's 覆盖情况 and 单位类别 filters (the cockpit's 党建空白点 and 两新覆盖率 link here)."""
    page = browser.sign_in("qu_admin", DEMO_PASSWORD)
    browser.go("/units/")
    page.select_option("select[name=covered]", value="blank")
    page.click("form[role=search] button[type=submit]")
    page.wait_for_url("**/units/?*covered=blank*")
    assert "共" in page.locator("[data-testid=count]").inner_text()
    assert page.locator("tbody tr", has_text="珠海拱北跨境电商有限公司").count() == 1  # a blank spot of 婆石
    browser.assert_fits()
    browser.shot("unit-list-blank-spots")
    page.select_option("select[name=covered]", value="org")
    page.select_option("select[name=sector]", value="new")
    page.click("form[role=search] button[type=submit]")
    page.wait_for_url("**/units/?*sector=new*")
    assert page.locator("tbody tr", has_text="珠海拱北跨境电商有限公司").count() == 0
    assert page.locator("tbody tr").count() > 0
    browser.assert_fits()
    browser.shot("unit-list-new-sector-covered")
