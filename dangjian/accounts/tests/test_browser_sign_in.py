import pytest

from dangjian.demo.accounts import DEMO_ACCOUNTS, DEMO_PASSWORD

pytestmark = pytest.mark.browser


def test_every_demo_role_signs_in_and_sees_its_home(browser, demo):
    for account in DEMO_ACCOUNTS:
        page = browser.sign_in(account.username, DEMO_PASSWORD)
        assert page.url.rstrip("/") == browser.base_url, (account.username, page.url)
        assert page.locator("h2", has_text="今日待办").is_visible()
        assert account.role_label in page.locator("[data-testid=role-line]").inner_text()
        browser.assert_fits()
        browser.shot(f"home-{account.role}")
        # The menu is where a person expects it: sidebar on desktop, bottom bar on a phone.
        nav = page.locator("nav.sidebar").bounding_box()
        if browser.width_name == "phone":
            assert nav["y"] > 700 and nav["width"] == 390
        else:
            assert nav["x"] == 0 and nav["height"] > 500
        page.click("text=退出")
        page.wait_for_url("**/accounts/login/")


def test_signing_in_by_mobile_switching_role_and_the_lockout_message(browser, demo):
    page = browser.sign_in("13800000003", DEMO_PASSWORD)  # sq_worker's mobile number
    assert "社区工作者" in page.locator("[data-testid=role-line]").inner_text()
    member_option = page.locator("#role-select option", has_text="党员")
    value = member_option.get_attribute("value")
    with page.expect_navigation():
        page.select_option("#role-select", value=value)
    assert "已切换为：党员" in page.content()
    assert page.locator("[data-nav=territory]").count() == 0
    browser.shot("role-switched")
    page.click("text=退出")
    for _ in range(5):
        page = browser.sign_in("jm_resident", "wrong-password")
    assert "用户名（手机号）或密码不正确" in page.content()
    page = browser.sign_in("jm_resident", "wrong-password")
    assert "登录失败次数过多" in page.locator("[role=alert]").inner_text()
    browser.assert_fits()
    browser.shot("login-locked")
