import pytest
from playwright.sync_api import expect

from dangjian.demo.accounts import DEMO_PASSWORD

pytestmark = pytest.mark.browser


def test_a_district_admin_resets_a_password_and_finds_it_in_the_audit(browser, demo):
    page = browser.sign_in("qu_admin", DEMO_PASSWORD)
    if browser.width_name == "phone":  # the items beyond the bottom bar open from 更多
        page.click(".nav-more-toggle")
        assert page.locator("#nav-more-panel [data-nav=audit]").is_visible()
        browser.shot("nav-more")
        page.click(".nav-more-toggle")
        assert not page.locator("#nav-more-panel [data-nav=audit]").is_visible()
    browser.open_nav("users")
    page.fill("input[name=q]", "wg_worker")
    page.click("text=搜索")
    row = page.locator("tr", has_text="wg_worker")
    row.locator("text=显示").click()  # reveal the masked mobile number (audited)
    page.wait_for_function("() => document.body.innerText.includes('13800000004')")
    browser.shot("users")
    row.locator("text=重置密码").click()
    expect(page.locator("body")).to_contain_text("确定要重置")
    page.click("text=确认重置")
    temporary = page.locator("#temporary-password").inner_text()
    assert len(temporary) == 12
    browser.open_nav("audit")
    page.select_option("select[name=action]", "reset_password")
    page.click("text=筛选")
    page.wait_for_url("**action=reset_password**")
    expect(page.locator("tbody tr")).to_have_count(1)  # waits for the filtered page, not the one leaving
    assert "黄志强" in page.locator("tbody").inner_text()
    page.select_option("select[name=action]", "reveal")
    page.click("text=筛选")
    page.wait_for_url("**action=reveal**")
    expect(page.locator("tbody tr")).to_have_count(1)
    browser.assert_fits()
    browser.shot("audit")
